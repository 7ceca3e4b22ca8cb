"""Watchlists: named sets of terms, each term for every language or for Dutch or French only.

Terms are stored as typed (the folding and stemming that make them match are
:mod:`miner.report.terms`'s, applied when they are used), so a watchlist reads back as it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.engine import Connection

from miner.store.base import StoreBase, now, transient, upsert
from miner.store.models import WatchlistRow, WatchlistTermRow


def _table(model: type) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


WATCHLISTS = _table(WatchlistRow)
WATCHLIST_TERMS = _table(WatchlistTermRow)


@dataclass(frozen=True, slots=True)
class StoredTerm:
    """A term of a watchlist: ``language`` "nl" or "fr" for a variant of that language, "" for any."""

    term: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class StoredWatchlist:
    name: str
    terms: tuple[StoredTerm, ...]


def _watchlist(conn: Connection, name: str) -> StoredWatchlist | None:
    list_id = conn.execute(select(WATCHLISTS.c.id).where(WATCHLISTS.c.name == name)).scalar()
    if list_id is None:
        return None
    t = WATCHLIST_TERMS.c
    rows = conn.execute(select(t.term, t.language).where(t.watchlist_id == list_id).order_by(t.id))
    return StoredWatchlist(name, tuple(StoredTerm(r.term, r.language) for r in rows))


class WatchlistStore(StoreBase):
    """Create, read and delete watchlists."""

    @transient
    def add_watchlist_terms(self, name: str, terms: Sequence[StoredTerm]) -> StoredWatchlist:
        """Create the watchlist ``name`` if it does not exist and add ``terms`` (a term it holds
        already is not added twice). Returns the watchlist as it now is."""
        stamp = now()
        with self._write() as conn:
            conn.execute(
                upsert(conn, WATCHLISTS)
                .values(name=name, created_at=stamp, updated_at=stamp)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            list_id = conn.execute(select(WATCHLISTS.c.id).where(WATCHLISTS.c.name == name)).scalar_one()
            if terms:
                conn.execute(
                    upsert(conn, WATCHLIST_TERMS).on_conflict_do_nothing(
                        index_elements=["watchlist_id", "term", "language"]
                    ),
                    [{"watchlist_id": list_id, "term": t.term, "language": t.language} for t in terms],
                )
                conn.execute(update(WATCHLISTS).where(WATCHLISTS.c.id == list_id).values(updated_at=stamp))
            found = _watchlist(conn, name)
        assert found is not None
        return found

    @transient
    def watchlist(self, name: str) -> StoredWatchlist | None:
        """The watchlist ``name`` with its terms in the order they were added, or None."""
        with self._read() as conn:
            return _watchlist(conn, name)

    @transient
    def watchlists(self) -> list[tuple[str, int]]:
        """Every watchlist's name and number of terms, by name (a handful: no paging needed)."""
        t = WATCHLIST_TERMS.c
        q = (
            select(WATCHLISTS.c.name, func.count(t.id))
            .select_from(WATCHLISTS.outerjoin(WATCHLIST_TERMS, t.watchlist_id == WATCHLISTS.c.id))
            .group_by(WATCHLISTS.c.name)
            .order_by(WATCHLISTS.c.name)
        )
        with self._read() as conn:
            return [(name, int(n)) for name, n in conn.execute(q)]

    @transient
    def remove_watchlist(self, name: str, terms: Sequence[StoredTerm] = ()) -> int:
        """Remove ``terms`` from the watchlist, or the whole watchlist when none are given.
        Returns how many terms were removed (-1: no such watchlist)."""
        with self._write() as conn:
            list_id = conn.execute(select(WATCHLISTS.c.id).where(WATCHLISTS.c.name == name)).scalar()
            if list_id is None:
                return -1
            t = WATCHLIST_TERMS.c
            removed = 0
            if terms:
                for term in terms:
                    removed += conn.execute(
                        delete(WATCHLIST_TERMS).where(
                            t.watchlist_id == list_id, t.term == term.term, t.language == term.language
                        )
                    ).rowcount
                conn.execute(update(WATCHLISTS).where(WATCHLISTS.c.id == list_id).values(updated_at=now()))
            else:
                removed = conn.execute(delete(WATCHLIST_TERMS).where(t.watchlist_id == list_id)).rowcount
                conn.execute(delete(WATCHLISTS).where(WATCHLISTS.c.id == list_id))
            return removed
