"""Making a subscription: the condition parsed and checked, the channel's address checked.

The library call behind ``miner watch add`` and ``POST /api/subscriptions``: both refuse what this
module refuses, with the same messages. A webhook address passes the crawler's SSRF guard
(:class:`miner.fetch.guard.Guard`) here, when it is added, and again at every delivery (a name that
resolved to a public address yesterday may resolve to a private one today).
"""

from __future__ import annotations

import re

from miner.errors import InputError, MinerError
from miner.fetch.guard import Guard
from miner.rubric import FLAG_CODES
from miner.store.repository import Repository
from miner.store.subscriptions import Channel, Digest, Event, Subscription

#: What a subscription's name may be: it is part of its feed's address (``/feeds/NAME.atom``).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: A plain check of an e-mail address's shape (the SMTP server has the last word).
EMAIL = re.compile(r"[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}|[^@\s<>\"',;]{1,64}@localhost")
#: Report periods a ``report:`` subscription may ask for.
REPORT_PERIODS = ("weekly",)
#: The forms of ``--on``.
CONDITIONS = "new | changed | flag:CODE | term:WATCHLIST | report:weekly"


class SubscriptionError(InputError):
    code = "subscription"


def parse_condition(on: str) -> tuple[Event, str]:
    """``--on`` as (event, argument): ``flag:dropped_content`` -> (FLAG, "dropped_content")."""
    kind, _, arg = on.strip().partition(":")
    try:
        event = Event(kind.strip().lower())
    except ValueError:
        raise SubscriptionError(f"--on is one of {CONDITIONS}", subject=on) from None
    arg = arg.strip()
    if event in (Event.NEW, Event.CHANGED):
        if arg:
            raise SubscriptionError(f"--on {event} takes no argument", subject=on)
    elif not arg:
        raise SubscriptionError(f"--on {event}: needs an argument ({CONDITIONS})", subject=on)
    if event is Event.FLAG and arg not in FLAG_CODES:
        raise SubscriptionError(f"unknown flag code; one of {', '.join(FLAG_CODES)}", subject=arg)
    if event is Event.REPORT and arg not in REPORT_PERIODS:
        raise SubscriptionError(f"a report subscription is report:{'|'.join(REPORT_PERIODS)}", subject=on)
    return event, arg


def check_webhook(url: str, *, allow_private: bool) -> str:
    """The webhook address, if the SSRF guard lets it through (loopback and private addresses only
    with ``allow_private``)."""
    try:
        Guard(allow_private=allow_private).check(url)
    except MinerError as exc:
        hint = "" if allow_private else " (a private address needs --allow-private-addresses)"
        raise SubscriptionError(f"webhook refused: {exc.message}{hint}", subject=url) from exc
    return url


def make_subscription(
    name: str,
    on: str,
    *,
    webhook: str | None = None,
    secret: str | None = None,
    email: str | None = None,
    feed: bool = False,
    government: str | None = None,
    domain: str | None = None,
    min_score_change: int | None = None,
    digest: str = "",
    allow_private: bool = False,
) -> Subscription:
    """A checked subscription (not stored yet); :class:`SubscriptionError` says what is wrong."""
    if not NAME.fullmatch(name or ""):
        raise SubscriptionError("a name is 1-100 letters, digits, '.', '_' or '-'", subject=name)
    event, argument = parse_condition(on)
    chosen = [
        c for c, given in ((Channel.WEBHOOK, webhook), (Channel.EMAIL, email), (Channel.FEED, feed)) if given
    ]
    if len(chosen) != 1:
        raise SubscriptionError(
            "give one channel: --webhook URL --secret S, --email ADDRESS or --feed", subject=name
        )
    channel = chosen[0]
    target = ""
    if channel is Channel.WEBHOOK:
        assert webhook is not None
        if not secret or len(secret) < 6 or len(secret) > 200:
            raise SubscriptionError(
                "a webhook needs --secret (6 to 200 characters) to sign its alerts", subject=name
            )
        target = check_webhook(webhook, allow_private=allow_private)
    elif channel is Channel.EMAIL:
        assert email is not None
        if not EMAIL.fullmatch(email.strip()):
            raise SubscriptionError("not an e-mail address", subject=email)
        target = email.strip()
    try:
        period = Digest(digest or "")
    except ValueError:
        raise SubscriptionError("--digest is daily or weekly", subject=digest) from None
    if period is not Digest.NONE and channel is Channel.FEED:
        raise SubscriptionError("a feed is read when its reader wants: it takes no --digest", subject=name)
    if min_score_change is not None and not 0 <= min_score_change <= 100:
        raise SubscriptionError("--min-score-change is 0 to 100 points", subject=str(min_score_change))
    return Subscription(
        name=name,
        event=event,
        argument=argument,
        channel=channel,
        target=target,
        secret=(secret or "") if channel is Channel.WEBHOOK else "",
        government=(government or "").strip() or None,
        domain=(domain or "").strip() or None,
        min_score_change=min_score_change,
        digest=period,
        allow_private=allow_private,
    )


def subscribe(repo: Repository, sub: Subscription) -> Subscription:
    """Store a checked subscription (a ``term:`` one needs its watchlist to exist)."""
    if sub.event is Event.TERM and repo.watchlist(sub.argument) is None:
        raise SubscriptionError(
            "no such watchlist (miner watchlist add NAME TERM... first)", subject=sub.argument
        )
    return repo.add_subscription(sub)


def describe(sub: Subscription) -> dict[str, object]:
    """A subscription as listed: never its secret."""
    return {
        "name": sub.name,
        "on": sub.condition,
        "channel": str(sub.channel),
        "target": sub.target,
        "government": sub.government,
        "domain": sub.domain,
        "min_score_change": sub.min_score_change,
        "digest": str(sub.digest) or None,
        "allow_private": sub.allow_private,
        "created_at": sub.created_at.isoformat() if sub.created_at else None,
    }
