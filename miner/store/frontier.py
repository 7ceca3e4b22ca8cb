"""The frontier of a run: which URLs it holds, in which state, and closing them.

A URL is on a run's frontier once (UNIQUE(run, url)); its row moves from ``queued`` to a final state
(:class:`~miner.store.states.FrontierState`). Whoever settles a run's last pending row stamps the
run finished (:func:`~miner.store.runs.finish_settled`), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from miner.store.base import RUN_URLS, RUNS, URLS, StoreBase, now, transient, upsert
from miner.store.rows import WorkItem
from miner.store.runs import finish_settled, lock_run
from miner.store.states import FrontierState, Outcome, UrlRole


def settle_version(conn: Connection, version_id: int, state: FrontierState) -> None:
    """Close every frontier row that was waiting for this version's analysis."""
    run_ids = conn.execute(
        update(RUN_URLS)
        .where(RUN_URLS.c.version_id == version_id, RUN_URLS.c.state == FrontierState.ANALYSING)
        .values(state=state, updated_at=now())
        .returning(RUN_URLS.c.run_id)
    ).scalars()
    finish_settled(conn, list(run_ids))


def settle_item(conn: Connection, run_url_id: int, **values: Any) -> None:
    """Set one frontier row's ``state``, ``outcome`` (and ``version_id``, when given); finish its
    run if that settled the last pending row."""
    run_id = conn.execute(
        update(RUN_URLS)
        .where(RUN_URLS.c.id == run_url_id)
        .values(**values, updated_at=now())
        .returning(RUN_URLS.c.run_id)
    ).scalar()
    if run_id is not None:
        finish_settled(conn, [run_id])


class FrontierStore(StoreBase):
    """Queueing URLs on a run, handing them out as work items, and settling them."""

    @transient
    def enqueue(
        self,
        run_id: int,
        source_id: str,
        url: str,
        *,
        role: UrlRole,
        depth: int,
        limit: int | None = None,
        parent_id: int | None = None,
    ) -> int | None:
        """Put ``url`` on the run's frontier; its run_url id, or None when it is there already or the
        run already holds ``limit`` documents. Safe under concurrency: the UNIQUE(run, url) decides."""
        found = self.enqueue_many(
            run_id, source_id, [(url, role)], depth=depth, limit=limit, parent_id=parent_id
        )
        return found[0] if found else None

    @transient
    def enqueue_many(
        self,
        run_id: int,
        source_id: str,
        links: Sequence[tuple[str, UrlRole]],
        *,
        depth: int,
        limit: int | None = None,
        parent_id: int | None = None,
    ) -> list[int]:
        """:meth:`enqueue` for every (url, role) of a page in one transaction (a listing of a
        thousand links is one commit, not a thousand); the new run_url ids, in order."""
        new: list[int] = []
        if not links:
            return new
        with self._write() as conn:
            lock_run(conn, run_id)
            held: int | None = None
            for url, raw_role in links:
                role = UrlRole(raw_role)
                conn.execute(
                    upsert(conn, URLS)
                    .values(source_id=source_id, url=url, role=role, first_seen_at=now())
                    .on_conflict_do_nothing(index_elements=["source_id", "url"])
                )
                url_id = conn.execute(
                    select(URLS.c.id).where(URLS.c.source_id == source_id, URLS.c.url == url)
                ).scalar_one()
                if limit is not None and role == UrlRole.DOCUMENT:
                    if held is None:
                        held = conn.execute(
                            select(func.count())
                            .select_from(RUN_URLS.join(URLS, URLS.c.id == RUN_URLS.c.url_id))
                            .where(RUN_URLS.c.run_id == run_id, URLS.c.role == UrlRole.DOCUMENT)
                        ).scalar_one()
                    if held >= limit:
                        continue
                res = conn.execute(
                    upsert(conn, RUN_URLS)
                    .values(
                        run_id=run_id,
                        url_id=url_id,
                        depth=depth,
                        parent_id=parent_id,
                        state=FrontierState.QUEUED,
                        updated_at=now(),
                    )
                    .on_conflict_do_nothing(index_elements=["run_id", "url_id"])
                    .returning(RUN_URLS.c.id)
                )
                added = res.scalar()
                if added is not None:
                    new.append(int(added))
                    if held is not None and role == UrlRole.DOCUMENT:
                        held += 1
        return new

    @transient
    def known_items(self, run_url_ids: Sequence[int]) -> set[int]:
        """Which of these frontier entries name a URL fetched before (a conditional request, most
        likely answered 304): one query for a whole page of links."""
        if not run_url_ids:
            return set()
        with self._read() as conn:
            rows = conn.execute(
                select(RUN_URLS.c.id)
                .select_from(RUN_URLS.join(URLS, URLS.c.id == RUN_URLS.c.url_id))
                .where(RUN_URLS.c.id.in_(list(run_url_ids)), URLS.c.last_hash.is_not(None))
            )
            return {int(r) for r in rows.scalars()}

    @transient
    def work_item(self, run_url_id: int) -> WorkItem | None:
        found = self.work_items([run_url_id])
        return found.get(run_url_id)

    @transient
    def work_items(self, run_url_ids: Sequence[int]) -> dict[int, WorkItem]:
        """The work items of these frontier entries, by run_url id, in one query."""
        if not run_url_ids:
            return {}
        q = select(
            RUN_URLS.c.id.label("run_url_id"),
            RUN_URLS.c.run_id,
            RUN_URLS.c.url_id,
            URLS.c.source_id,
            URLS.c.url,
            URLS.c.role,
            RUN_URLS.c.depth,
            RUN_URLS.c.state,
            URLS.c.etag,
            URLS.c.last_modified,
            URLS.c.last_hash,
            RUNS.c.allow_private,
            RUN_URLS.c.version_id,
            URLS.c.retry_after,
        ).select_from(
            RUN_URLS.join(URLS, URLS.c.id == RUN_URLS.c.url_id).join(RUNS, RUNS.c.id == RUN_URLS.c.run_id)
        )
        with self._read() as conn:
            rows = conn.execute(q.where(RUN_URLS.c.id.in_(list(run_url_ids)))).mappings().all()
        return {int(r["run_url_id"]): WorkItem.from_row(r) for r in rows}

    def _queued(self, condition: Any) -> list[int]:
        with self._read() as conn:
            rows = conn.execute(
                select(RUN_URLS.c.id)
                .where(condition, RUN_URLS.c.state == FrontierState.QUEUED)
                .order_by(RUN_URLS.c.id)
            )
            return [int(r) for r in rows.scalars()]

    @transient
    def queued_items(self, run_id: int) -> list[int]:
        """Run_url ids still waiting for a fetch (to resume a run, or to drain it in-process)."""
        return self._queued(RUN_URLS.c.run_id == run_id)

    @transient
    def queued_children(self, run_url_id: int) -> list[int]:
        """Children of a step still waiting: what a redelivered step must send again."""
        return self._queued(RUN_URLS.c.parent_id == run_url_id)

    @transient
    def finish_item(
        self,
        run_url_id: int,
        *,
        state: FrontierState,
        outcome: Outcome,
        version_id: int | None = None,
    ) -> None:
        """Settle one frontier row (``analysing`` when its version still waits for an analysis)."""
        with self._write() as conn:
            settle_item(
                conn, run_url_id, state=FrontierState(state), outcome=Outcome(outcome), version_id=version_id
            )
