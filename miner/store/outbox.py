"""The outbox of alerts: claimed under a lease, marked delivered in a transaction.

The rows are written by :func:`miner.store.events.plan_alerts` in the transaction that stores the
analysis causing them. A sender claims a row with a lease (one ``UPDATE`` that only succeeds on a
pending row whose lease is free), sends, and marks it delivered in a transaction. A sender killed
between the two leaves a lease that runs out; the row is then claimed again. A failed attempt makes
the row due again after a backoff, or dead with its dead letter, in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select, update

from miner.store.base import StoreBase, now, transient, upsert
from miner.store.failures import write_dead_letter
from miner.store.subscriptions import OUTBOX, SUBSCRIPTIONS, Channel, Digest, Event, Subscription
from miner.tasknames import Task


class OutboxState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


# --- delivering ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    """An alert a sender holds the lease of: send it, then :meth:`OutboxStore.alert_delivered`."""

    id: int
    subscription: Subscription
    event: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """The answer to a claim: ``alert`` when this caller holds it; else why not: ``done`` (delivered,
    dead or gone: nothing to do), or ``busy_until`` (another sender's lease)."""

    alert: Claimed | None = None
    done: bool = False
    busy_until: datetime | None = None


def _aware(t: datetime) -> datetime:
    """SQLite gives naive datetimes back (they were stored in UTC)."""
    return t if t.tzinfo else t.replace(tzinfo=UTC)


class OutboxStore(StoreBase):
    """Claiming, finishing and listing alerts."""

    @transient
    def claim_alert(self, alert_id: int, lease: float) -> Claim:
        """Take the lease of a pending alert for ``lease`` seconds (one ``UPDATE``: two senders
        cannot both win), counting the attempt."""
        stamp = now()
        with self._write() as conn:
            got = conn.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.id == alert_id,
                    OUTBOX.c.state == str(OutboxState.PENDING),
                    or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until < stamp),
                )
                .values(lease_until=stamp + timedelta(seconds=lease), attempts=OUTBOX.c.attempts + 1)
            ).rowcount
            row = conn.execute(select(OUTBOX).where(OUTBOX.c.id == alert_id)).mappings().first()
            if row is None or row["state"] != OutboxState.PENDING:
                return Claim(done=True)
            if not got:
                return Claim(busy_until=_aware(row["lease_until"]))
            sub = (
                conn.execute(select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == row["subscription_id"]))
                .mappings()
                .one()
            )
            return Claim(
                Claimed(
                    int(row["id"]),
                    Subscription.from_row(sub),
                    row["event"],
                    dict(row["payload"]),
                    int(row["attempts"]),
                    _aware(row["created_at"]),
                )
            )

    @transient
    def alert_delivered(self, alert_ids: Sequence[int]) -> None:
        """Mark alerts delivered (and free their lease), in one transaction."""
        with self._write() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(alert_ids)), OUTBOX.c.state == str(OutboxState.PENDING))
                .values(
                    state=str(OutboxState.DELIVERED), delivered_at=now(), lease_until=None, last_error=None
                )
            )

    @transient
    def alert_failed(
        self, alert_id: int, error: str, *, retry_in: float | None, code: str = "delivery"
    ) -> None:
        """A failed attempt: pending again after ``retry_in`` seconds, or (None) dead, with its dead
        letter, in one transaction."""
        stamp = now()
        with self._write() as conn:
            if retry_in is not None:
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == alert_id, OUTBOX.c.state == str(OutboxState.PENDING))
                    .values(
                        due_at=stamp + timedelta(seconds=retry_in), lease_until=None, last_error=error[:4000]
                    )
                )
                return
            row = conn.execute(select(OUTBOX).where(OUTBOX.c.id == alert_id)).mappings().first()
            if row is None or row["state"] != OutboxState.PENDING:
                return
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == alert_id)
                .values(state=str(OutboxState.DEAD), lease_until=None, last_error=error[:4000])
            )
            sub = conn.execute(
                select(SUBSCRIPTIONS.c.name).where(SUBSCRIPTIONS.c.id == row["subscription_id"])
            ).scalar()
            write_dead_letter(
                conn,
                task=Task.DELIVER_ALERT,
                subject=f"{sub}: {row['payload'].get('url', '')}",
                key=Task.DELIVER_ALERT.dead_letter_key(alert_id),
                error_code=code,
                message=error,
                attempts=int(row["attempts"]),
                permanent=False,
            )

    @transient
    def alerts_due(
        self, *, version_id: int | None = None, digest: Digest = Digest.NONE, limit: int = 1000
    ) -> list[int]:
        """Pending alerts of subscriptions with this digest period (NONE: one message each) that are
        due and not leased (of one version, or all), oldest first."""
        stamp = now()
        subs = SUBSCRIPTIONS
        q = (
            select(OUTBOX.c.id)
            .select_from(OUTBOX.join(subs, subs.c.id == OUTBOX.c.subscription_id))
            .where(
                OUTBOX.c.state == str(OutboxState.PENDING),
                subs.c.digest == str(digest),
                or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until < stamp),
            )
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
        if digest is Digest.NONE:
            q = q.where(OUTBOX.c.due_at <= stamp)
        if version_id is not None:
            q = q.where(OUTBOX.c.version_id == version_id)
        with self._read() as conn:
            return [int(i) for (i,) in conn.execute(q)]

    @transient
    def claim_digest(self, subscription: str, lease: float) -> list[Claimed]:
        """Lease every pending alert of a digest subscription at once (its next message)."""
        stamp = now()
        subs = SUBSCRIPTIONS
        with self._write() as conn:
            sub_row = conn.execute(select(subs).where(subs.c.name == subscription)).mappings().first()
            if sub_row is None:
                return []
            sub = Subscription.from_row(sub_row)
            free = and_(
                OUTBOX.c.subscription_id == sub.id,
                OUTBOX.c.state == str(OutboxState.PENDING),
                or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until < stamp),
            )
            rows = list(conn.execute(select(OUTBOX).where(free).order_by(OUTBOX.c.id)).mappings())
            if not rows:
                return []
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_([r["id"] for r in rows]))
                .values(lease_until=stamp + timedelta(seconds=lease), attempts=OUTBOX.c.attempts + 1)
            )
            return [
                Claimed(
                    int(r["id"]),
                    sub,
                    r["event"],
                    dict(r["payload"]),
                    int(r["attempts"]) + 1,
                    _aware(r["created_at"]),
                )
                for r in rows
            ]

    @transient
    def release_alerts(self, alert_ids: Sequence[int], error: str, *, uncount: bool = False) -> None:
        """Give back leases after an attempt that will be made again (a digest that failed), or
        that was not made at all (``uncount``: its channel is not configured yet)."""
        values: dict[str, Any] = {"lease_until": None, "last_error": error[:4000]}
        if uncount:
            values["attempts"] = OUTBOX.c.attempts - 1
        with self._write() as conn:
            conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(list(alert_ids))).values(**values))

    @transient
    def add_report_alert(self, subscription: str, key: str, payload: dict[str, Any]) -> int | None:
        """Queue a report for a ``report:`` subscription; None when this report (``key``) was queued
        for it before. The report's key stands in for the version in the unique key."""
        stamp = now()
        subs = SUBSCRIPTIONS
        with self._write() as conn:
            sub = conn.execute(select(subs).where(subs.c.name == subscription)).mappings().first()
            if sub is None:
                return None
            marker = -abs(hash_key(key))  # negative: never a version id
            stmt = upsert(conn, OUTBOX).values(
                subscription_id=sub["id"],
                version_id=marker,
                channel=sub["channel"],
                event=str(Event.REPORT),
                payload={**payload, "event": str(Event.REPORT), "subscription": subscription, "key": key},
                state=str(OutboxState.DELIVERED if sub["channel"] == Channel.FEED else OutboxState.PENDING),
                attempts=0,
                due_at=stamp,
                created_at=stamp,
            )
            stmt = stmt.on_conflict_do_nothing(index_elements=["version_id", "subscription_id", "channel"])
            if not conn.execute(stmt).rowcount:
                return None
            return conn.execute(
                select(OUTBOX.c.id).where(
                    OUTBOX.c.subscription_id == sub["id"], OUTBOX.c.version_id == marker
                )
            ).scalar()

    @transient
    def alert_state(self, alert_id: int) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(OUTBOX).where(OUTBOX.c.id == alert_id)).mappings().first()
        return dict(row) if row else None

    @transient
    def feed_entries(
        self, subscription: str, limit: int = 50
    ) -> tuple[Subscription, list[dict[str, Any]]] | None:
        """A subscription and its latest alerts, newest first (what its Atom feed shows)."""
        subs = SUBSCRIPTIONS
        with self._read() as conn:
            row = conn.execute(select(subs).where(subs.c.name == subscription)).mappings().first()
            if row is None:
                return None
            q = (
                select(OUTBOX.c.id, OUTBOX.c.event, OUTBOX.c.payload, OUTBOX.c.created_at)
                .where(OUTBOX.c.subscription_id == row["id"], OUTBOX.c.state != str(OutboxState.DEAD))
                .order_by(OUTBOX.c.id.desc())
                .limit(limit)
            )
            items = [
                {
                    "id": int(r.id),
                    "event": r.event,
                    "payload": dict(r.payload),
                    "created_at": _aware(r.created_at),
                }
                for r in conn.execute(q)
            ]
        return Subscription.from_row(row), items


def hash_key(key: str) -> int:
    """A stable 31-bit integer of a report key (fits an INTEGER column on both databases)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") & 0x7FFFFFFF or 1
