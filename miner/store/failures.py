"""Dead letters: work that gave up (a permanent error, or retries exhausted), recorded and never dropped.

A dead letter names its work by a ``key`` (one row per piece of work: a redelivered task that fails
again updates the row instead of adding one) and, as columns, by what it was about: the run and, for an
analysis, the version. Queries use those columns; the key is only ever compared whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from miner.store import keyset
from miner.store.base import DEAD_LETTERS, RUN_URLS, StoreBase, now, transient, upsert
from miner.store.frontier import settle_item, settle_version
from miner.store.models import MAX_URL_LENGTH
from miner.store.states import FrontierState, Outcome

_TAG = "dead"
#: What a later failure of the same work updates in its existing dead letter.
_UPDATED_ON_REPEAT = ("error_code", "message", "attempts", "permanent", "last_seen_at")


def write_dead_letter(
    conn: Connection,
    *,
    task: str,
    subject: str,
    key: str,
    error_code: str,
    message: str,
    attempts: int = 1,
    permanent: bool = False,
    run_id: int | None = None,
    version_id: int | None = None,
) -> None:
    """Insert or update the dead letter of ``key`` in the caller's transaction (so that what gave up
    and the state that says so are written together: a frontier row, an alert)."""
    stamp = now()
    stmt = upsert(conn, DEAD_LETTERS).values(
        key=key[: MAX_URL_LENGTH + 100],
        task=task,
        subject=subject,
        run_id=run_id,
        version_id=version_id,
        error_code=error_code[:50],
        message=message[:4000],
        attempts=attempts,
        permanent=permanent,
        created_at=stamp,
        last_seen_at=stamp,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"], set_={k: stmt.excluded[k] for k in _UPDATED_ON_REPEAT}
    )
    conn.execute(stmt)


class FailureStore(StoreBase):
    """Recording failures, closing what waited for them, and listing them."""

    @transient
    def dead_letter(
        self,
        *,
        task: str,
        subject: str,
        key: str,
        error_code: str,
        message: str,
        attempts: int = 1,
        permanent: bool = False,
        run_id: int | None = None,
        run_url_id: int | None = None,
        version_id: int | None = None,
    ) -> None:
        """Record work that gave up, and close what waited for it (the run_url, or the version's),
        in one transaction: a failure is never recorded without its frontier row being settled.

        ``permanent``: the input itself is bad (a later run will not try again); otherwise (a bug, an
        outage that outlasted the retries) a later run or ``miner rescore`` tries again.
        """
        with self._write() as conn:
            if run_id is None and version_id is not None:
                run_id = conn.execute(
                    select(func.max(RUN_URLS.c.run_id)).where(RUN_URLS.c.version_id == version_id)
                ).scalar()
            write_dead_letter(
                conn,
                task=task,
                subject=subject,
                key=key,
                error_code=error_code,
                message=message,
                attempts=attempts,
                permanent=permanent,
                run_id=run_id,
                version_id=version_id,
            )
            if run_url_id is not None:
                settle_item(conn, run_url_id, state=FrontierState.FAILED, outcome=Outcome.FAILED)
            if version_id is not None:
                settle_version(conn, version_id, FrontierState.FAILED)

    @transient
    def dead_letters_page(
        self,
        run_ids: Sequence[int] | None = None,
        *,
        cursor: str | None = None,
        limit: int = keyset.PAGE_SIZE,
    ) -> keyset.Page[dict[str, Any]]:
        """One page of dead letters (of these runs, or all), oldest first."""
        with self._read() as conn:
            return _page(conn, run_ids, cursor, limit)

    def iter_dead_letters(
        self, run_ids: Sequence[int] | None = None, *, page_size: int = keyset.PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Every dead letter, one page (one transaction) at a time."""
        return keyset.iterate(lambda c: self.dead_letters_page(run_ids, cursor=c, limit=page_size))

    @transient
    def dead_letters(self, run_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Every dead letter (of these runs, or all), read page by page in one transaction."""
        with self._read() as conn:
            return list(keyset.iterate(lambda c: _page(conn, run_ids, c, keyset.PAGE_SIZE)))


def _page(
    conn: Connection, run_ids: Sequence[int] | None, cursor: str | None, limit: int
) -> keyset.Page[dict[str, Any]]:
    key = keyset.decode(_TAG, cursor, (int,))
    q = select(DEAD_LETTERS).order_by(DEAD_LETTERS.c.id)
    if run_ids is not None:
        q = q.where(DEAD_LETTERS.c.run_id.in_(list(run_ids)))
    if key is not None:
        q = q.where(keyset.after([DEAD_LETTERS.c.id], key))
    rows = [dict(r) for r in conn.execute(q.limit(keyset.check_limit(limit) + 1)).mappings()]
    items, next_cursor = keyset.cut(rows, limit, _TAG, lambda r: (r["id"],))
    return keyset.Page(tuple(items), next_cursor)
