"""Delivering alerts from the outbox: claim under a lease, send, mark delivered.

One attempt (:func:`attempt`) is what a Celery task runs for one outbox id and what ``miner run``
runs in-process: claim the alert (a lease of ``alert_lease`` seconds, so that two senders never hold
it at once), send it through its channel, and mark it delivered in a transaction. A failure is
retried per the one retry policy (:mod:`miner.retry`): the alert becomes due again after the
backoff; after the last attempt it is dead, with a dead letter (``miner failures``). A sender killed
mid-delivery leaves its lease to run out; the next attempt (the redelivered task, the beat sweep,
the next ``miner run``) takes it. A receiver can therefore, in that one window, see a delivery twice:
each carries the same ``X-Miner-Delivery`` id on every attempt, by which it drops the second.

Digests (:func:`send_digest`) lease every pending alert of a digest subscription and send them as
one message; the weekly report (:func:`queue_reports`) is an alert of its own per subscriber.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from miner.alerts import message
from miner.config import Settings, get_settings
from miner.errors import MinerError, Permanent, Transient
from miner.fetch.guard import Guard
from miner.fetch.transport import AddressPins, PinnedTransport
from miner.retry import RetryPolicy
from miner.store.outbox import Claimed
from miner.store.repository import Repository
from miner.store.subscriptions import Channel, Digest, Event, Subscription


class DeliveryFailed(Transient):
    """The receiver did not take the alert this time (network, timeout, 408, 429, 5xx): try again."""

    code = "delivery-failed"


class DeliveryRefused(Permanent):
    """The receiver refused the alert for good (another 4xx), or its address is not allowed."""

    code = "delivery-refused"


class Outcome(StrEnum):
    DELIVERED = "delivered"
    #: Nothing to do: delivered already, dead, or removed with its subscription.
    DONE = "done"
    #: Another sender holds the lease; try when it runs out.
    BUSY = "busy"
    #: Failed; due again after a backoff.
    RETRY = "retry"
    DEAD = "dead"
    #: Not attempted: the channel is not configured (e-mail without MINER_SMTP_URL); it waits.
    WAITING = "waiting"


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: Outcome
    #: Seconds until the alert may be tried again (BUSY, RETRY).
    wait: float = 0.0
    error: str = ""


# --- the channels -----------------------------------------------------------------------------------------


def post_webhook(sub: Subscription, data: bytes, delivery: str, settings: Settings) -> None:
    """POST ``data`` signed, to an address the SSRF guard checks now (and the connection is pinned
    to the address it checked, as the crawler's are)."""
    try:
        checked = Guard(allow_private=sub.allow_private).check(sub.target)
    except Transient as exc:
        raise DeliveryFailed(exc.message, subject=sub.target) from exc
    except MinerError as exc:
        raise DeliveryRefused(f"webhook address refused: {exc.message}", subject=sub.target) from exc
    pins = AddressPins()
    pins.pin(checked.host, checked.address)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": settings.user_agent,
        message.SIGNATURE_HEADER: message.sign(sub.secret, data),
        message.DELIVERY_HEADER: delivery,
    }
    try:
        with httpx.Client(
            transport=PinnedTransport(pins),
            follow_redirects=False,
            trust_env=False,
            timeout=settings.alert_timeout,
        ) as client:
            answer = client.post(sub.target, content=data, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}", subject=sub.target) from exc
    if answer.is_success:
        return
    why = f"the receiver answered {answer.status_code}"
    if answer.status_code in (408, 425, 429) or answer.status_code >= 500:
        retry_after = answer.headers.get("retry-after", "")
        raise DeliveryFailed(
            why, subject=sub.target, retry_after=float(retry_after) if retry_after.isdigit() else None
        )
    raise DeliveryRefused(why, subject=sub.target)


def send_email(sub: Subscription, alerts: Sequence[dict[str, Any]], settings: Settings) -> None:
    """Send the e-mail of ``alerts`` through ``smtp_url`` (STARTTLS when the server offers it)."""
    if not settings.smtp_url:
        raise DeliveryFailed(
            "MINER_SMTP_URL is not set: e-mail alerts wait in the outbox", subject=sub.target
        )
    parts = urlsplit(settings.smtp_url)
    if parts.scheme not in ("smtp", "smtps"):
        raise DeliveryRefused("MINER_SMTP_URL is smtp://host:port or smtps://host:port", subject=parts.scheme)
    mail = message.email(alerts, message.public_url(settings), sub, settings.smtp_from)
    host, timeout = parts.hostname or "127.0.0.1", settings.alert_timeout
    try:
        smtp: smtplib.SMTP
        if parts.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if parts.scheme == "smtp" and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryRefused(f"the SMTP server refused the address: {exc}", subject=sub.target) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"SMTP: {type(exc).__name__}: {exc}", subject=sub.target) from exc


def send(sub: Subscription, alerts: Sequence[Claimed], settings: Settings) -> None:
    """Send ``alerts`` (one, or a digest's) through the subscription's channel."""
    items = [{"id": a.id, "event": a.event, "payload": a.payload} for a in alerts]
    if sub.channel is Channel.WEBHOOK:
        data = message.body(items, message.public_url(settings), sub)
        post_webhook(sub, data, ",".join(str(a.id) for a in alerts), settings)
    elif sub.channel is Channel.EMAIL:
        send_email(sub, items, settings)
    # a feed is read from the outbox: its rows are delivered when written


# --- one attempt ------------------------------------------------------------------------------------------


def attempt(repo: Repository, alert_id: int, settings: Settings | None = None) -> Attempt:
    """Claim, send and mark one alert; on failure, schedule the next attempt or give up."""
    s = settings or get_settings()
    claim = repo.claim_alert(alert_id, s.alert_lease)
    if claim.done:
        return Attempt(Outcome.DONE)
    if claim.alert is None:
        until = claim.busy_until or datetime.now(UTC)
        return Attempt(Outcome.BUSY, max(0.5, (until - datetime.now(UTC)).total_seconds()))
    alert = claim.alert
    if alert.subscription.channel is Channel.EMAIL and not s.smtp_url:
        repo.release_alerts([alert_id], "MINER_SMTP_URL is not set", uncount=True)
        return Attempt(Outcome.WAITING, error="MINER_SMTP_URL is not set")
    try:
        send(alert.subscription, [alert], s)
    except MinerError as exc:
        wait = RetryPolicy.from_settings(s).delay(alert.attempts, exc)
        repo.alert_failed(alert_id, exc.message, retry_in=wait, code=exc.code)
        if wait is None:
            return Attempt(Outcome.DEAD, error=exc.message)
        return Attempt(Outcome.RETRY, wait, exc.message)
    repo.alert_delivered([alert_id])
    return Attempt(Outcome.DELIVERED)


def deliver_due(
    repo: Repository,
    *,
    version_ids: Sequence[int] | None = None,
    settings: Settings | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Deliver the alerts that are due (of these versions, or all), waiting out each one's retries
    in this process: what ``miner run`` does before it returns. Returns counts per outcome."""
    s = settings or get_settings()
    counts: dict[str, int] = {}
    todo: list[int] = []
    if version_ids is None:
        todo = repo.alerts_due()
    else:
        for vid in version_ids:
            todo.extend(repo.alerts_due(version_id=vid))
    for alert_id in todo:
        while True:
            done = attempt(repo, alert_id, s)
            if done.outcome not in (Outcome.RETRY, Outcome.BUSY):
                break
            sleep(done.wait)
        counts[done.outcome] = counts.get(done.outcome, 0) + 1
    return counts


# --- digests and reports -----------------------------------------------------------------------------------


def send_digest(repo: Repository, sub: Subscription, settings: Settings | None = None) -> int:
    """Send one message with every pending alert of a digest subscription; how many it carried (0:
    nothing pending). A failure gives the leases back for the next digest (and raises)."""
    s = settings or get_settings()
    claimed = repo.claim_digest(sub.name, s.alert_lease)
    if not claimed:
        return 0
    ids = [a.id for a in claimed]
    try:
        send(claimed[0].subscription, claimed, s)
    except MinerError as exc:
        repo.release_alerts(ids, exc.message)
        raise
    repo.alert_delivered(ids)
    return len(claimed)


def send_digests(repo: Repository, period: Digest, settings: Settings | None = None) -> dict[str, int]:
    """Every digest subscription of ``period``: alerts sent per subscription (failures are left
    pending for the next digest and reported as -1)."""
    sent: dict[str, int] = {}
    for sub in repo.subscriptions():
        if sub.digest is not period or sub.digest is Digest.NONE:
            continue
        try:
            sent[sub.name] = send_digest(repo, sub, settings)
        except MinerError:
            sent[sub.name] = -1
    return sent


def report_key(day: date) -> str:
    """The weekly report's key: one per ISO week, so that a beat entry run twice sends it once."""
    year, week, _ = day.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def queue_reports(repo: Repository, *, day: date | None = None) -> list[int]:
    """Queue this week's trend report (by government and year) for each ``report:weekly``
    subscriber; the outbox ids queued (none for subscribers who have this week's already)."""
    subs = [s for s in repo.subscriptions() if s.event is Event.REPORT]
    if not subs:
        return []
    from miner.report.render import render_text
    from miner.report.trends import build_report

    report = build_report(repo, ["government", "year"])
    key = report_key(day or datetime.now(UTC).date())
    payload: dict[str, Any] = {
        "title": f"Weekly trend report ({key.split(':', 1)[1]})",
        "text": render_text(report),
        "report": report.as_dict(),
    }
    queued = [repo.add_report_alert(sub.name, key, payload) for sub in subs]
    return [i for i in queued if i is not None]
