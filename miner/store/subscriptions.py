"""Subscriptions: who wants to hear about what, and through which channel (``miner watch``).

A subscription is a condition (an :class:`Event`, with its argument: a flag code, a watchlist's
name, a report period; and optional filters on government, domain and score change) and a
:class:`Channel` (a webhook with its signing secret, an e-mail address, or an Atom feed), with an
optional :class:`Digest` period that collects its alerts into one message. The store keeps them as
given; what a valid one is (a guarded webhook address, a known flag code) is checked by
:mod:`miner.alerts.subscriptions` before it is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from miner.errors import InputError
from miner.store.base import StoreBase, _table, now, transient
from miner.store.models import OutboxRow, SubscriptionRow

SUBSCRIPTIONS = _table(SubscriptionRow)
OUTBOX = _table(OutboxRow)


class Event(StrEnum):
    """What a subscription reacts to (``--on``)."""

    NEW = "new"
    CHANGED = "changed"
    FLAG = "flag"
    TERM = "term"
    REPORT = "report"


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    FEED = "feed"


class Digest(StrEnum):
    """Alerts one at a time (NONE), or collected into one message a day or a week."""

    NONE = ""
    DAILY = "daily"
    WEEKLY = "weekly"


class SubscriptionExists(InputError):
    code = "subscription-exists"


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription as the store keeps it (``secret`` included: it is needed to sign)."""

    name: str
    event: Event
    argument: str = ""
    channel: Channel = Channel.FEED
    target: str = ""
    secret: str = ""
    government: str | None = None
    domain: str | None = None
    min_score_change: int | None = None
    digest: Digest = Digest.NONE
    allow_private: bool = False
    id: int | None = None
    created_at: datetime | None = None

    @property
    def condition(self) -> str:
        """``--on`` as it was given: ``new``, ``flag:dropped_content``, ``term:integratie``."""
        return f"{self.event}:{self.argument}" if self.argument else str(self.event)

    @classmethod
    def from_row(cls, r: RowMapping) -> Subscription:
        return cls(
            name=r["name"],
            event=Event(r["event"]),
            argument=r["argument"],
            channel=Channel(r["channel"]),
            target=r["target"],
            secret=r["secret"],
            government=r["government"],
            domain=r["domain"],
            min_score_change=r["min_score_change"],
            digest=Digest(r["digest"]),
            allow_private=bool(r["allow_private"]),
            id=int(r["id"]),
            created_at=r["created_at"],
        )


def all_subscriptions(conn: Connection) -> list[Subscription]:
    """Every subscription, by name (a handful: read whole inside the caller's transaction)."""
    rows = conn.execute(select(SUBSCRIPTIONS).order_by(SUBSCRIPTIONS.c.name)).mappings()
    return [Subscription.from_row(r) for r in rows]


class SubscriptionStore(StoreBase):
    """Add, list and remove subscriptions."""

    @transient
    def add_subscription(self, sub: Subscription) -> Subscription:
        """Store ``sub``; a name already taken is a :class:`SubscriptionExists`."""
        stamp = now()
        values = {
            "name": sub.name,
            "event": str(sub.event),
            "argument": sub.argument,
            "government": sub.government,
            "domain": sub.domain,
            "min_score_change": sub.min_score_change,
            "channel": str(sub.channel),
            "target": sub.target,
            "secret": sub.secret,
            "digest": str(sub.digest),
            "allow_private": sub.allow_private,
            "created_at": stamp,
        }
        try:
            with self._write() as conn:
                conn.execute(SUBSCRIPTIONS.insert().values(**values))
                row = (
                    conn.execute(select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.name == sub.name))
                    .mappings()
                    .one()
                )
        except IntegrityError as exc:
            raise SubscriptionExists(
                "a subscription of that name exists (miner watch remove NAME first)", subject=sub.name
            ) from exc
        return Subscription.from_row(row)

    @transient
    def subscriptions(self) -> list[Subscription]:
        with self._read() as conn:
            return all_subscriptions(conn)

    @transient
    def subscription(self, name: str) -> Subscription | None:
        with self._read() as conn:
            row = conn.execute(select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.name == name)).mappings().first()
        return Subscription.from_row(row) if row else None

    @transient
    def remove_subscription(self, name: str) -> bool:
        """Remove the subscription and its alerts (delivered or not); False when there was none."""
        with self._write() as conn:
            sub_id = conn.execute(select(SUBSCRIPTIONS.c.id).where(SUBSCRIPTIONS.c.name == name)).scalar()
            if sub_id is None:
                return False
            conn.execute(delete(OUTBOX).where(OUTBOX.c.subscription_id == sub_id))
            conn.execute(delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == sub_id))
            return True
