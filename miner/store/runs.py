"""Sources and crawl runs: opening, seeding, failing and closing a run, and what a run did."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.engine import Connection

from miner.records import Source
from miner.store.base import (
    ANALYSES,
    DEAD_LETTERS,
    FLAGS,
    RUN_URLS,
    RUNS,
    SOURCES,
    URLS,
    StoreBase,
    now,
    transient,
    upsert,
)
from miner.store.changes import run_documents
from miner.store.rows import RunSummary, SourceSummary
from miner.store.states import PENDING_STATES, FrontierState, Outcome, RunTrigger, UrlRole

#: What the run summary shows of each dead letter.
FAILURE_FIELDS = ("task", "subject", "error_code", "message", "attempts", "permanent", "run_id")


def lock_run(conn: Connection, run_id: int) -> None:
    """Serialise writers of one run's frontier (SQLite's BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(RUNS.c.id).where(RUNS.c.id == run_id).with_for_update())


def finish_settled(conn: Connection, run_ids: Iterable[int]) -> None:
    """Stamp runs whose frontier is settled. The run row is locked first, so that two workers
    settling a run's last two entries at once cannot each see the other's as still pending."""
    for run_id in sorted(set(run_ids)):
        lock_run(conn, run_id)
        pending = conn.execute(
            select(func.count())
            .select_from(RUN_URLS)
            .where(RUN_URLS.c.run_id == run_id, RUN_URLS.c.state.in_(PENDING_STATES))
        ).scalar_one()
        if pending == 0:
            conn.execute(
                update(RUNS)
                .where(RUNS.c.id == run_id, RUNS.c.seeded.is_(True), RUNS.c.finished_at.is_(None))
                .values(finished_at=now())
            )


def _source_from_config(cfg: dict[str, Any]) -> Source:
    from miner.sources import parse_source

    return parse_source(cfg, where="the store's copy of the source")  # the registry's one reader


class RunStore(StoreBase):
    """Sources as last crawled, and the runs over them."""

    @transient
    def upsert_source(self, source: Source) -> None:
        cfg = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(source).items()}
        row = {
            "id": source.id,
            "name": source.name,
            "government": source.government,
            "config": cfg,
            "updated_at": now(),
        }
        with self._write() as conn:
            stmt = upsert(conn, SOURCES).values(row)
            stmt = stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={k: stmt.excluded[k] for k in ("name", "government", "config", "updated_at")},
            )
            conn.execute(stmt)

    @transient
    def get_source(self, source_id: str) -> Source | None:
        with self._read() as conn:
            cfg = conn.execute(select(SOURCES.c.config).where(SOURCES.c.id == source_id)).scalar()
        return _source_from_config(cfg) if cfg is not None else None

    @transient
    def start_run(
        self, source_id: str, *, allow_private: bool = False, trigger: RunTrigger = RunTrigger.CLI
    ) -> int:
        with self._write() as conn:
            res = conn.execute(
                RUNS.insert()
                .values(
                    source_id=source_id,
                    trigger=RunTrigger(trigger),
                    allow_private=allow_private,
                    started_at=now(),
                )
                .returning(RUNS.c.id)
            )
            return int(res.scalar_one())

    @transient
    def run_info(self, run_id: int) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().first()
        return dict(row) if row else None

    @transient
    def mark_seeded(self, run_id: int) -> None:
        with self._write() as conn:
            conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(seeded=True))
            finish_settled(conn, [run_id])

    @transient
    def fail_run(self, run_id: int, message: str) -> None:
        """The whole source failed (nothing could be seeded): close the run with the reason."""
        with self._write() as conn:
            conn.execute(
                update(RUNS)
                .where(RUNS.c.id == run_id)
                .values(seeded=True, error=message, finished_at=func.coalesce(RUNS.c.finished_at, now()))
            )

    @transient
    def note_run_error(self, run_id: int, message: str) -> None:
        """Remember why a source failed as a whole (its start URL did), keeping the first reason."""
        with self._write() as conn:
            stmt = update(RUNS).where(RUNS.c.id == run_id, RUNS.c.error.is_(None))
            conn.execute(stmt.values(error=message[:4000]))

    # --- what the runs did ----------------------------------------------------------------------------

    @transient
    def pending(self, run_ids: Sequence[int]) -> int:
        """Work left in these runs: unfinished frontier rows, plus one for each run not yet seeded."""
        ids = list(run_ids)
        with self._read() as conn:
            items = conn.execute(
                select(func.count())
                .select_from(RUN_URLS)
                .where(RUN_URLS.c.run_id.in_(ids), RUN_URLS.c.state.in_(PENDING_STATES))
            ).scalar_one()
            unseeded = conn.execute(
                select(func.count()).select_from(RUNS).where(RUNS.c.id.in_(ids), RUNS.c.seeded.is_(False))
            ).scalar_one()
        return int(items) + int(unseeded)

    @transient
    def progress(self, run_ids: Sequence[int]) -> tuple[int, int]:
        """(finished, known) frontier entries of these runs, for a progress bar."""
        with self._read() as conn:
            done, total = conn.execute(
                select(
                    func.coalesce(func.sum(case((RUN_URLS.c.state.in_(PENDING_STATES), 0), else_=1)), 0),
                    func.count(),
                ).where(RUN_URLS.c.run_id.in_(list(run_ids)))
            ).one()
        return int(done), int(total)

    @transient
    def summary(self, run_ids: Sequence[int]) -> RunSummary:
        """Per-source counts of documents: new, changed, unchanged (304 or same bytes), flagged, failed."""
        ids = list(run_ids)
        state, outcome = RUN_URLS.c.state, RUN_URLS.c.outcome
        flagged_versions = select(ANALYSES.c.version_id).join(FLAGS, FLAGS.c.analysis_id == ANALYSES.c.id)
        is_document = URLS.c.role == UrlRole.DOCUMENT
        counted = (Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED, Outcome.SKIPPED)
        cols = [func.sum(case((and_(is_document, outcome == o), 1), else_=0)).label(str(o)) for o in counted]
        cols.append(func.sum(case((state == FrontierState.FAILED, 1), else_=0)).label("failed"))
        cols.append(func.sum(case((state.in_(PENDING_STATES), 1), else_=0)).label("pending"))
        fresh = and_(outcome.in_((Outcome.NEW, Outcome.CHANGED)), RUN_URLS.c.version_id.in_(flagged_versions))
        cols.append(func.sum(case((fresh, 1), else_=0)).label("flagged"))
        with self._read() as conn:
            runs = conn.execute(select(RUNS).where(RUNS.c.id.in_(ids)).order_by(RUNS.c.id)).mappings().all()
            counts = {
                r["run_id"]: r
                for r in conn.execute(
                    select(RUN_URLS.c.run_id, *cols)
                    .select_from(RUN_URLS.join(URLS, URLS.c.id == RUN_URLS.c.url_id))
                    .where(RUN_URLS.c.run_id.in_(ids))
                    .group_by(RUN_URLS.c.run_id)
                ).mappings()
            }
            failures = tuple(
                dict(r)
                for r in conn.execute(
                    select(*(DEAD_LETTERS.c[k] for k in FAILURE_FIELDS))
                    .where(DEAD_LETTERS.c.run_id.in_(ids))
                    .order_by(DEAD_LETTERS.c.id)
                ).mappings()
            )
            documents = run_documents(conn, ids)
        lines = []
        for run in runs:
            c = counts.get(run["id"])
            nums = {k: int(c[k] or 0) for k in c if k != "run_id"} if c else {}
            lines.append(
                SourceSummary(
                    source_id=run["source_id"],
                    run_id=run["id"],
                    finished=run["finished_at"] is not None,
                    error=run["error"],
                    **nums,
                )
            )
        return RunSummary(tuple(lines), failures, documents)
