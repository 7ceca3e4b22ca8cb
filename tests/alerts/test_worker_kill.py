"""A Celery worker killed with SIGKILL while a webhook receiver holds its delivery: the alert is
neither lost nor doubled. Real Redis, real PostgreSQL, real workers, a real receiver on 127.0.0.1.

The killed worker held the alert's lease; the next sender (the beat sweep, sent here as beat sends
it) takes the alert only when that lease has run out, delivers it once, and marks it delivered; the
receiver accepted each alert exactly once, signed."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from helpers import FLEMISH, NEWS, PLAN, PLAN_URL, store, subscribe
from receivers import Receiver
from services import postgres_schema, redis_db

from miner.alerts.message import verify
from miner.broker import BrokerClient
from miner.store.outbox import OutboxState
from miner.tasknames import Task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "crawl"))
from workerfixture import Workers, worker_env

SECRET = "s3cret-key"


def _wait(what: str, done: object, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_delivery_neither_loses_nor_doubles_the_alert(tmp_path: Path) -> None:
    with (
        redis_db() as broker,
        postgres_schema() as db,
        Receiver(hold=True) as receiver,
        Workers(worker_env(db, broker, MINER_ALERT_LEASE="5", MINER_ALERT_TIMEOUT="4"), tmp_path) as workers,
        BrokerClient(broker) as client,
    ):
        ws = store(db)
        subscribe(ws, "hook", "new", feed=False, webhook=receiver.url, secret=SECRET, allow_private=True)
        ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
        ws.store(FLEMISH, "http://127.0.0.1:1/vl-werk/news.html", b"news", NEWS)
        alerts = ws.repo.alerts_due()
        assert len(alerts) == 2
        workers.start("victim", concurrency=1)
        for alert_id in alerts:
            client.send(Task.DELIVER_ALERT, (alert_id,))
        _wait("the first delivery to reach the receiver", receiver.arrived.is_set)
        workers.kill("victim", signal.SIGKILL)  # mid-delivery: the receiver has not answered
        receiver.release.set()
        held = ws.repo.alert_state(alerts[0])
        assert held is not None and held["state"] == OutboxState.PENDING and held["lease_until"] is not None
        workers.start("second", concurrency=2)

        def delivered() -> bool:
            client.send(Task.SWEEP_ALERTS, ())  # what beat sends every reconcile_interval
            states = [ws.repo.alert_state(a) for a in alerts]
            return all(s is not None and s["state"] == OutboxState.DELIVERED for s in states)

        _wait("both alerts delivered", delivered)
        time.sleep(3)  # and nothing more arrives: late sweeps and redelivered messages find them done
        client.send(Task.SWEEP_ALERTS, ())
        time.sleep(2)
        assert workers.log("second").count("Traceback") == 0, workers.log("second")
    assert receiver.requests == 3  # the held one, then each alert once
    assert sorted(p.delivery for p in receiver.accepted) == sorted(str(a) for a in alerts)
    assert all(verify(SECRET, p.body, p.signature) for p in receiver.accepted)
    assert {p.json["url"] for p in receiver.accepted} == {PLAN_URL, "http://127.0.0.1:1/vl-werk/news.html"}
