"""Run crawls: every source in this process, or enqueued to Celery workers, with one result shape.

``miner run`` calls :func:`run_sources`. Without a broker the steps of :mod:`miner.crawl` run here, one
after the other, on the local store. With ``MINER_BROKER_URL`` set the same steps run in workers: this
module sends one ``crawl_source`` message per source (by task *name*, so that the library never imports
``workers/``) and waits until the store says every run is finished. Either way the summary is read from
the store, so it means the same thing on both paths.

:func:`reconcile` is the safety net under the messages: the frontier in the store is the truth about
what is left to do, and entries of runs idle for longer than any message may stay invisible
(:func:`miner.broker.reconcile_after`) are sent again. Beat runs it every ``reconcile_interval``, and
``miner run`` at its start and while it waits, so that a broker restarted without persistence, or a task
that gave up while the store was down, costs time and never a document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from miner import crawl
from miner.analyser import Analyser
from miner.broker import BrokerClient, BrokerUnavailable, reconcile_after, stall_limit
from miner.config import Settings, get_settings
from miner.errors import Transient
from miner.fetch.client import Fetcher
from miner.records import Source
from miner.redact import redact_url
from miner.sources import checked
from miner.store import Repository, StoreUnavailable, recovery
from miner.store.repository import RunSummary
from miner.store.states import RunTrigger
from miner.tasknames import Queue, Task

#: Called with (finished frontier entries, known frontier entries) as the runs progress.
Progress = Callable[[int, int], None]
#: Called with what ``miner run`` is waiting for (an outage, lost messages), or None when it is over.
Status = Callable[[str | None], None]
#: Sends one task with its arguments (a Celery client, or a worker's app).
Send = Callable[[Task, Sequence[int | str]], None]

__all__ = [
    "BrokerUnavailable",
    "WorkersNotProgressing",
    "reconcile",
    "rescore",
    "run_sources",
    "wait_for_runs",
]


#: Seconds between two progress updates of an in-process crawl.
PROGRESS_EVERY = 0.25


class WorkersNotProgressing(Transient):
    """Runs were enqueued but nothing moved for too long: no worker consumes the queues, or all are stuck."""

    code = "workers-stalled"


def run_sources(
    repo: Repository,
    sources: Sequence[Source],
    *,
    allow_private: bool = False,
    settings: Settings | None = None,
    analyser: Analyser | None = None,
    progress: Progress | None = None,
    status: Status | None = None,
    trigger: RunTrigger = RunTrigger.CLI,
) -> RunSummary:
    """Crawl ``sources`` once (new runs), analyse what is new or changed, and summarise the runs.

    In-process, documents are analysed with ``analyser``, by default one built from ``settings`` (so
    that their extraction limits and classifier threshold are the ones used); workers build their own
    from theirs."""
    s = settings or get_settings()
    sources = [checked(source) for source in sources]  # what workers will read back must be valid
    run_ids: list[int] = []
    for source in sources:
        repo.upsert_source(source)
        run_ids.append(repo.start_run(source.id, allow_private=allow_private, trigger=trigger))
    if s.broker_url:
        with BrokerClient(s.broker_url) as broker:
            try:
                reconcile(repo, broker.send, settings=s)  # earlier runs whose messages were lost
                for source, run_id in zip(sources, run_ids, strict=True):
                    broker.send(Task.CRAWL_SOURCE, (source.id, run_id))
            except BrokerUnavailable as exc:
                for run_id in run_ids:  # close the runs: nobody will work on them
                    repo.fail_run(run_id, str(exc))
                raise
            wait_for_runs(repo, run_ids, settings=s, progress=progress, status=status, broker=broker)
    else:
        analyser = analyser or Analyser.from_settings(s)
        with ExitStack() as stack:
            fetchers: dict[bool, Fetcher] = {}

            def fetcher_for(allow: bool) -> Fetcher:
                if allow not in fetchers:
                    fetchers[allow] = stack.enter_context(Fetcher(s, allow_private=allow))
                return fetchers[allow]

            shown = [0.0]

            def tick(_result: object) -> None:
                # A progress bar needs a few updates a second, not a count query per URL.
                if progress is not None and time.monotonic() - shown[0] >= PROGRESS_EVERY:
                    shown[0] = time.monotonic()
                    progress(*repo.progress(run_ids))

            for source, run_id in zip(sources, run_ids, strict=True):
                crawl.crawl_in_process(
                    repo, source, fetcher_for, run_id, analyser=analyser, on_step=tick, settings=s
                )
        if progress is not None:
            progress(*repo.progress(run_ids))
    return repo.summary(run_ids)


def rescore(
    repo: Repository,
    *,
    settings: Settings | None = None,
    analyser: Analyser | None = None,
    progress: Progress | None = None,
) -> int:
    """Analyse every current version that has no analysis under the rubric and model of ``analyser``
    (by default built from ``settings``), from the stored raw bytes (no fetching); in-process, or on
    the analyse queue when a broker is set. Returns how many versions were (re)analysed or enqueued."""
    s = settings or get_settings()
    analyser = analyser or Analyser.from_settings(s)
    todo = repo.versions_to_rescore(analyser.rubric.version, analyser.classifier.version)
    if s.broker_url and todo:
        with BrokerClient(s.broker_url) as broker:
            for vid in todo:
                broker.send(Task.PROCESS_DOCUMENT, (vid,))
        return len(todo)
    for i, vid in enumerate(todo, start=1):
        crawl.analyse_with_retries(repo, vid, analyser, s)
        if progress is not None:
            progress(i, len(todo))
    return len(todo)


# --- the reconciler -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What one reconciler pass did."""

    fetches: int = 0
    analyses: int = 0
    seeded: int = 0
    closed: int = 0

    def __bool__(self) -> bool:
        return bool(self.fetches or self.analyses or self.seeded)

    def describe(self) -> str:
        parts = [f"{self.fetches} fetch(es)", f"{self.analyses} analysis(es)"]
        if self.seeded:
            parts.append(f"{self.seeded} run(s) seeded")
        return ", ".join(parts)


def reconcile(
    repo: Repository, send: Send, *, settings: Settings | None = None, run_ids: Sequence[int] | None = None
) -> Reconciled:
    """Send again the frontier entries of runs idle for :func:`~miner.broker.reconcile_after` seconds
    (their messages are gone), seed runs whose ``crawl_source`` never ran, close settled runs.

    ``run_ids`` limits the pass to those runs (``miner run`` minds its own; beat minds all). A claim
    that could not be sent (the broker is down) is released for the next pass, and the error raised.
    """
    s = settings or get_settings()
    idle = reconcile_after(s)
    closed = recovery.close_settled(repo.engine, run_ids)
    work = recovery.claim_stale(repo.engine, idle=idle, run_ids=run_ids)
    fetches = list(work.fetch)
    for run_id, source_id in work.unseeded:
        source = repo.get_source(source_id)
        if source is None:
            repo.fail_run(run_id, f"source {source_id} is no longer in the store")
            continue
        fetches.extend(crawl.seed(repo, source, run_id))
    try:
        for run_url_id in dict.fromkeys(fetches):
            send(Task.FETCH_URL, (run_url_id,))
        for version_id in work.analyse:
            send(Task.PROCESS_DOCUMENT, (version_id,))
    except BrokerUnavailable:
        recovery.release(repo.engine, recovery.StaleWork(tuple(fetches), work.analyse), idle=idle)
        raise
    return Reconciled(len(set(fetches)), len(work.analyse), len(work.unseeded), len(closed))


# --- waiting for the workers ----------------------------------------------------------------------------


class _Say:
    """Passes a status line on once, not at every poll."""

    def __init__(self, status: Status | None) -> None:
        self.status = status
        self.last: str | None = None

    def __call__(self, message: str | None) -> None:
        if message != self.last and self.status is not None:
            self.status(message)
        self.last = message


def wait_for_runs(
    repo: Repository,
    run_ids: Sequence[int],
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    status: Status | None = None,
    broker: BrokerClient | None = None,
    poll: float = 0.5,
) -> None:
    """Block until every run is finished in the store; wait out outages; raise if the workers stall.

    * The store down: say so and keep polling, for up to ``outage_wait`` seconds.
    * Nothing moving for ``reconcile_interval``: check the broker (down: say so, wait, for up to
      ``outage_wait``), say when no worker answers, and reconcile these runs (lost messages are sent
      again once the run is idle for :func:`~miner.broker.reconcile_after`).
    * Nothing moving for :func:`~miner.broker.stall_limit` seconds although the broker and store are
      up: raise :class:`WorkersNotProgressing`, saying whether any worker answers at all.
    """
    s = settings or get_settings()
    say = _Say(status)
    limit = stall_limit(s)
    last: tuple[int, int] | None = None
    last_change = last_check = time.monotonic()
    store_down: float | None = None
    broker_down: float | None = None
    while True:
        try:
            pending = repo.pending(run_ids)
            now = repo.progress(run_ids)
        except StoreUnavailable as exc:
            store_down = store_down or time.monotonic()
            waited = time.monotonic() - store_down
            if waited > s.outage_wait:
                raise StoreUnavailable(
                    f"the store has not answered for {waited:.0f} s: {exc.message}",
                    subject=redact_url(s.database_url),
                ) from exc
            say(f"waiting for the store ({redact_url(s.database_url)}): {exc.message}")
            time.sleep(min(5.0, max(poll, 1.0)))
            continue
        if store_down is not None:
            store_down, last_change = None, time.monotonic()  # an outage is not a stall
            say("the store is back")
        if pending == 0:
            break
        if progress is not None:
            progress(*now)
        if now != last:
            if last is not None:
                say(None)
            last, last_change = now, time.monotonic()
        quiet = time.monotonic() - last_change
        if (
            broker is not None
            and quiet >= s.reconcile_interval
            and time.monotonic() - last_check >= s.reconcile_interval
        ):
            last_check = time.monotonic()
            try:
                broker.check()
                if broker_down is not None:
                    broker_down = None
                    say(f"the broker is back ({broker.shown})")
                done = reconcile(repo, broker.send, settings=s, run_ids=run_ids)
                if done:  # not progress yet: only the frontier moving is (else no worker = no end)
                    say(f"re-sent {done.describe()} whose messages were lost")
                elif not broker.workers():
                    say(
                        f"no worker answers on {broker.shown}: start one for the queues "
                        f"'{Queue.FETCH}' and '{Queue.ANALYSE}' (docs/operations.md)"
                    )
            except BrokerUnavailable as exc:
                broker_down = broker_down or time.monotonic()
                if time.monotonic() - broker_down > s.outage_wait:
                    raise
                say(f"waiting for the broker ({broker.shown}): {exc.message}")
                last_change = time.monotonic()
            except StoreUnavailable:
                continue
        if quiet > limit:
            raise _stalled(broker, limit, pending)
        time.sleep(poll)
    if progress is not None:
        progress(*repo.progress(run_ids))


def _stalled(broker: BrokerClient | None, limit: int, pending: int) -> WorkersNotProgressing:
    alive = broker.workers() if broker is not None else []
    if not alive:
        where = f" on {broker.shown}" if broker is not None else ""
        return WorkersNotProgressing(
            f"no progress for {limit} s and no worker answers{where}: start a worker for the queues "
            f"'{Queue.FETCH}' and '{Queue.ANALYSE}' (see docs/operations.md)"
        )
    return WorkersNotProgressing(
        f"no progress for {limit} s although {len(alive)} worker(s) answer ({', '.join(alive)}): "
        f"{pending} frontier entries still wait; see `celery -A workers.app inspect active` and the "
        "workers' logs"
    )
