"""Delivery to a real webhook receiver and a real SMTP server on 127.0.0.1: each alert once, signed,
retried with backoff, dead-lettered after its retries; digests in one message; the weekly report."""

from __future__ import annotations

import os
from datetime import date

import pytest
from helpers import FLEMISH, NEWS, PLAN, PLAN_URL, PLAN_WITHOUT, store, subscribe
from receivers import Mailbox, Receiver
from typer.testing import CliRunner

from miner.alerts import deliver
from miner.alerts.message import verify
from miner.cli import _register, app
from miner.config import Settings

SECRET = "s3cret-key"


def _settings(url: str, **kw: object) -> Settings:
    # a first backoff of 10 ms: a receiver answering 503 costs no seconds
    return Settings(database_url=url, retry_backoff=0.01, retry_backoff_max=0.05, **kw)  # type: ignore[arg-type]


def test_each_alert_reaches_the_webhook_once_signed(store_url: str, receiver: Receiver) -> None:
    ws = store(store_url)
    subscribe(ws, "hook", "new", feed=False, webhook=receiver.url, secret=SECRET, allow_private=True)
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    ws.store(FLEMISH, "http://127.0.0.1:1/vl-werk/news.html", b"news", NEWS)
    s = _settings(store_url)
    assert deliver.deliver_due(ws.repo, settings=s) == {"delivered": 2}
    assert deliver.deliver_due(ws.repo, settings=s) == {}  # nothing is sent twice
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)  # a redelivered analysis: no new alert
    assert deliver.deliver_due(ws.repo, settings=s) == {}
    assert len(receiver.accepted) == 2 and receiver.requests == 2
    for post in receiver.accepted:
        assert verify(SECRET, post.body, post.signature)
        assert not verify("another secret", post.body, post.signature)
    plan = next(p.json for p in receiver.accepted if p.json["url"] == PLAN_URL)
    assert plan["title"] == "Actieplan werk en inburgering" and plan["government"] == "flemish"
    assert plan["event"] == "new" and plan["subscription"] == "hook" and isinstance(plan["score"], int)
    assert plan["link"] == f"http://127.0.0.1:8000/documents/{plan['document_id']}"  # serve's default
    assert plan["evidence"] and {"quote", "page", "paragraph"} <= set(plan["evidence"][0])
    assert {"code", "severity", "reason"} <= set(plan["flags"][0])


def test_a_failing_receiver_is_retried_then_the_alert_is_dead_lettered(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    ws = store(url)
    with (
        Receiver(statuses=[503, 503]) as flaky,
        Receiver(statuses=[500] * 10) as down,
        Receiver(statuses=[410]) as gone,
    ):
        for name, r in (("flaky", flaky), ("down", down), ("gone", gone)):
            subscribe(ws, name, "new", feed=False, webhook=r.url, secret=SECRET, allow_private=True)
        ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
        counts = deliver.deliver_due(ws.repo, settings=_settings(url, retry_attempts=4))
        assert counts == {"delivered": 1, "dead": 2}
        assert flaky.requests == 3 and len(flaky.accepted) == 1  # two 503s, then accepted
        assert down.requests == 4 and not down.accepted  # the policy's attempts, then dead
        assert gone.requests == 1  # a 410 is final: no retry
    dead = {d["subject"].split(":")[0]: d for d in ws.repo.dead_letters() if d["task"] == "deliver_alert"}
    assert set(dead) == {"down", "gone"} and dead["down"]["attempts"] == 4
    assert "500" in dead["down"]["message"] and dead["gone"]["error_code"] == "delivery-refused"


def test_the_ssrf_guard_checks_webhooks_again_at_delivery(tmp_path: object, receiver: Receiver) -> None:
    """A subscription stored without the exemption (e.g. its name now resolves to loopback) is refused
    at delivery as well, and dead-lettered at once; nothing reaches the address."""
    from miner.store.subscriptions import Channel, Event, Subscription

    url = f"sqlite:///{tmp_path}/store.db"
    ws = store(url)
    ws.repo.add_subscription(
        Subscription("sneaky", Event.NEW, channel=Channel.WEBHOOK, target=receiver.url, secret=SECRET)
    )
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    assert deliver.deliver_due(ws.repo, settings=_settings(url)) == {"dead": 1}
    assert receiver.requests == 0
    assert any("loopback" in d["message"] for d in ws.repo.dead_letters())


def test_the_daily_digest_reaches_the_smtp_server_in_one_message(store_url: str, mailbox: Mailbox) -> None:
    ws = store(store_url)
    subscribe(ws, "daily", "new", feed=False, email="watchdog@example.org", digest="daily")
    subscribe(ws, "each", "changed", feed=False, email="each@example.org")
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    ws.store(FLEMISH, "http://127.0.0.1:1/vl-werk/news.html", b"news", NEWS)
    env = {
        "MINER_DATABASE_URL": store_url,
        "MINER_SMTP_URL": mailbox.url,
        "MINER_PUBLIC_URL": "https://miner.example",
    }
    _register()
    from miner.config import get_settings

    get_settings.cache_clear()
    try:
        os.environ.update(env)
        out = CliRunner().invoke(app, ["watch", "digest", "daily", "--format", "json"], env=env)
        assert out.exit_code == 0, out.output
        assert '"alerts": 2' in out.output
        again = CliRunner().invoke(app, ["watch", "digest", "daily", "--format", "json"], env=env)
        assert '"alerts": 0' in again.output  # what a digest carried is not sent again
        ws.store(FLEMISH, PLAN_URL, b"plan v2", PLAN_WITHOUT)  # a change: one e-mail of its own
        assert deliver.deliver_due(ws.repo, settings=get_settings()) == {"delivered": 1}
    finally:
        for k in env:
            os.environ.pop(k, None)
        get_settings.cache_clear()
    digest, single = mailbox.messages
    assert digest["To"] == "watchdog@example.org" and "2 alert(s)" in digest["Subject"]
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    for title in ("Actieplan werk en inburgering", "Nieuw actieplan werk"):
        assert title in text and title in html
    assert "https://miner.example/documents/" in text and 'href="https://miner.example/documents/' in html
    assert single["To"] == "each@example.org" and "Changed document" in single["Subject"]


def test_the_weekly_report_goes_once_a_week_to_its_subscribers(tmp_path: object, receiver: Receiver) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    ws = store(url)
    subscribe(
        ws, "weekly", "report:weekly", feed=False, webhook=receiver.url, secret=SECRET, allow_private=True
    )
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    assert deliver.deliver_due(ws.repo, settings=_settings(url)) == {}  # a document is no report
    monday = date(2026, 11, 30)
    assert len(deliver.queue_reports(ws.repo, day=monday)) == 1
    assert deliver.queue_reports(ws.repo, day=date(2026, 12, 2)) == []  # the same ISO week
    assert deliver.deliver_due(ws.repo, settings=_settings(url)) == {"delivered": 1}
    (post,) = receiver.accepted
    body = post.json
    assert body["event"] == "report" and "2026-W49" in body["title"] and "flemish" in body["text"]
    assert verify(SECRET, post.body, post.signature)


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://localhost/x",
        "http://169.254.169.254/latest",
        "http://[::1]/hook",
        "file:///etc/passwd",
    ],
)
def test_private_webhook_addresses_are_refused_without_the_flag(tmp_path: object, address: str) -> None:
    env = {"MINER_DATABASE_URL": f"sqlite:///{tmp_path}/store.db"}
    _register()
    args = ["watch", "add", "w", "--on", "new", "--webhook", address, "--secret", SECRET]
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 2 and "webhook refused" in out.output
    if address.startswith("http"):
        ok = CliRunner().invoke(app, [*args, "--allow-private-addresses", "-f", "json"], env=env)
        assert ok.exit_code == 0, ok.output
        removed = CliRunner().invoke(app, ["watch", "remove", "w"], env=env)
        assert removed.exit_code == 0


def test_email_alerts_wait_for_an_smtp_server_to_be_configured(tmp_path: object, mailbox: Mailbox) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    ws = store(url)
    subscribe(ws, "mail", "new", feed=False, email="watchdog@example.org")
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    for _ in range(6):  # more passes than the policy's attempts: waiting uses none of them
        assert deliver.deliver_due(ws.repo, settings=_settings(url)) == {"waiting": 1}
    assert deliver.deliver_due(ws.repo, settings=_settings(url, smtp_url=mailbox.url)) == {"delivered": 1}
    (mail,) = mailbox.messages
    assert "New document: Actieplan werk en inburgering" in mail["Subject"]


def test_a_weekly_webhook_digest_is_one_signed_post_listing_each_alert(
    tmp_path: object, receiver: Receiver
) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    ws = store(url)
    subscribe(ws, "weekly-hook", "new", feed=False, webhook=receiver.url, secret=SECRET, allow_private=True,
              digest="weekly")  # fmt: skip
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    ws.store(FLEMISH, "http://127.0.0.1:1/vl-werk/news.html", b"news", NEWS)
    assert deliver.deliver_due(ws.repo, settings=_settings(url)) == {}  # digests wait for their day
    assert deliver.send_digests(ws.repo, deliver.Digest.DAILY, _settings(url)) == {}
    assert deliver.send_digests(ws.repo, deliver.Digest.WEEKLY, _settings(url)) == {"weekly-hook": 2}
    assert deliver.send_digests(ws.repo, deliver.Digest.WEEKLY, _settings(url)) == {"weekly-hook": 0}
    (post,) = receiver.accepted
    assert verify(SECRET, post.body, post.signature)
    body = post.json
    assert body["subscription"] == "weekly-hook" and len(body["alerts"]) == 2
    assert {a["url"] for a in body["alerts"]} == {PLAN_URL, "http://127.0.0.1:1/vl-werk/news.html"}
