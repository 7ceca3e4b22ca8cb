"""The reconciler's queries: frontier work whose messages are gone, and runs left open.

The frontier in the store (``run_urls``) is the truth about what a run still has to do; broker
messages are only the means of getting it done. A message can be lost -- a broker restarted without
persistence, a task that gave up while the store was down -- and then its entry stays ``queued`` or
``analysing`` forever. These queries find such entries so that :func:`miner.jobs.reconcile` can send
them again.

An entry's message counts as gone when its **run** has not changed for ``idle`` seconds (longer
than the broker keeps any message invisible): a run whose frontier moves still has messages at work,
however long its backlog, and re-sending from it would only duplicate work. Claiming an entry stamps
its ``updated_at``, in the same statement that selects it, so that two reconcilers (beat and a
``miner run``) never send the same entry twice and the next pass waits another ``idle`` seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Table, and_, exists, select, update
from sqlalchemy.exc import OperationalError

from miner.store import StoreUnavailable
from miner.store.models import CrawlRun, RunUrl
from miner.store.states import FrontierState

_runs: Table = CrawlRun.__table__  # type: ignore[assignment]
_run_urls: Table = RunUrl.__table__  # type: ignore[assignment]

#: Frontier states that still wait for a message (queued: a fetch; analysing: an analysis).
WAITING = (FrontierState.QUEUED, FrontierState.ANALYSING)


@dataclass(frozen=True, slots=True)
class StaleWork:
    """What a reconciler pass must send again."""

    #: run_url ids still queued for a fetch.
    fetch: tuple[int, ...] = ()
    #: version ids whose analysis some frontier entry still waits for.
    analyse: tuple[int, ...] = ()
    #: (run id, source id) of runs never seeded: their crawl_source message is gone.
    unseeded: tuple[tuple[int, str], ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.fetch or self.analyse or self.unseeded)


def _now() -> datetime:
    return datetime.now(UTC)


def _idle_runs(
    engine: Engine, cutoff: datetime, run_ids: Sequence[int] | None
) -> list[tuple[int, str, bool]]:
    """Open runs started before ``cutoff`` whose frontier has not changed since."""
    moved = exists().where(_run_urls.c.run_id == _runs.c.id, _run_urls.c.updated_at >= cutoff)
    q = select(_runs.c.id, _runs.c.source_id, _runs.c.seeded).where(
        _runs.c.finished_at.is_(None), _runs.c.started_at < cutoff, ~moved
    )
    if run_ids is not None:
        q = q.where(_runs.c.id.in_(list(run_ids)))
    with engine.begin() as conn:
        return [(int(r.id), str(r.source_id), bool(r.seeded)) for r in conn.execute(q.order_by(_runs.c.id))]


def claim_stale(
    engine: Engine, *, idle: float, run_ids: Sequence[int] | None = None, now: datetime | None = None
) -> StaleWork:
    """Waiting entries of open runs idle for ``idle`` seconds, claimed (``updated_at`` = now)."""
    now = now or _now()
    cutoff = now - timedelta(seconds=idle)
    try:
        idle_runs = _idle_runs(engine, cutoff, run_ids)
        seeded = [rid for rid, _, was_seeded in idle_runs if was_seeded]
        fetch: list[int] = []
        analyse: set[int] = set()
        if seeded:
            with engine.begin() as conn:
                rows = conn.execute(
                    update(_run_urls)
                    .where(
                        _run_urls.c.run_id.in_(seeded),
                        _run_urls.c.state.in_(WAITING),
                        _run_urls.c.updated_at < cutoff,
                    )
                    .values(updated_at=now)
                    .returning(_run_urls.c.id, _run_urls.c.state, _run_urls.c.version_id)
                ).all()
            for r in rows:
                if r.state == FrontierState.QUEUED:
                    fetch.append(int(r.id))
                elif r.version_id is not None:
                    analyse.add(int(r.version_id))
    except OperationalError as exc:
        raise StoreUnavailable(f"database unavailable: {exc.orig or exc}") from exc
    unseeded = tuple((rid, sid) for rid, sid, was_seeded in idle_runs if not was_seeded)
    return StaleWork(tuple(sorted(fetch)), tuple(sorted(analyse)), unseeded)


def release(engine: Engine, work: StaleWork, *, idle: float) -> None:
    """Undo a claim whose messages could not be sent (the broker is down): the entries are stale again
    for the next pass instead of waiting another ``idle`` seconds."""
    before = _now() - timedelta(seconds=idle + 1)
    try:
        with engine.begin() as conn:
            if work.fetch:
                conn.execute(
                    update(_run_urls).where(_run_urls.c.id.in_(list(work.fetch))).values(updated_at=before)
                )
            if work.analyse:
                conn.execute(
                    update(_run_urls)
                    .where(
                        _run_urls.c.version_id.in_(list(work.analyse)),
                        _run_urls.c.state == FrontierState.ANALYSING,
                    )
                    .values(updated_at=before)
                )
    except OperationalError as exc:
        raise StoreUnavailable(f"database unavailable: {exc.orig or exc}") from exc


def close_settled(engine: Engine, run_ids: Sequence[int] | None = None) -> list[int]:
    """Stamp ``finished_at`` on seeded open runs with nothing left waiting; their ids.

    The step that settles a run's last entry normally does this in its own transaction; this catches a
    run whose last step was interrupted between the two, so that no run stays open forever.
    """
    waiting = exists().where(_run_urls.c.run_id == _runs.c.id, _run_urls.c.state.in_(WAITING))
    cond = and_(_runs.c.finished_at.is_(None), _runs.c.seeded.is_(True), ~waiting)
    if run_ids is not None:
        cond = and_(cond, _runs.c.id.in_(list(run_ids)))
    try:
        with engine.begin() as conn:
            rows = conn.execute(update(_runs).where(cond).values(finished_at=_now()).returning(_runs.c.id))
            return sorted(int(r) for r in rows.scalars())
    except OperationalError as exc:
        raise StoreUnavailable(f"database unavailable: {exc.orig or exc}") from exc
