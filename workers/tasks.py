"""Thin Celery tasks: each takes ids, runs one step of :mod:`miner.crawl`, and schedules the follow-ups.

The work itself is in the library (the same functions ``miner run`` calls in-process). What is here is
only delivery: which queue, and what the one retry policy (:mod:`miner.retry`) says after a failure --
retry later (a new message with a countdown), or record the failure in the dead-letter table. A
failure the store cannot record yet (it is down) is not dropped: the task is retried carrying the
failure, until the store takes it or the outage budget is spent; past that the frontier entry is still
waiting in the store and the reconciler (:func:`miner.jobs.reconcile`, run by beat) sends it again.
Because the step runs before the follow-up messages are sent and messages are acknowledged late, a
worker killed at any point leaves a message that is delivered again and finishes the job
(docs/reliability.md).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import redis
from celery import Task as CeleryTask
from celery.signals import celeryd_after_setup, worker_process_init

import miner.alerts  # noqa: F401 - term subscriptions match with the word forms of ``miner mentions``
from miner import caches, crawl, jobs
from miner.alerts import deliver
from miner.analyser import Analyser
from miner.broker import BrokerUnavailable
from miner.config import get_settings
from miner.crawl import Failure, StepResult
from miner.errors import Permanent
from miner.fetch.client import Fetcher
from miner.recheck import fetch_known_inline
from miner.records import Source
from miner.retry import RetryPolicy, is_outage
from miner.store import Outcome, Repository, RunTrigger, StoreUnavailable, open_repository
from miner.store.subscriptions import Digest
from miner.tasknames import Queue, Task
from workers.app import app
from workers.limits import RedisHostLimiter

log = logging.getLogger(__name__)
#: Set in the worker's main process when it consumes the analyse queue; inherited by the pool.
_ANALYSES = {"warm_up": False}


@celeryd_after_setup.connect
def _note_queues(sender: Any, instance: Any, **_: Any) -> None:
    queues = instance.app.amqp.queues.consume_from or instance.app.amqp.queues
    _ANALYSES["warm_up"] = str(Queue.ANALYSE) in set(queues)


@worker_process_init.connect
def _warm_up(**_: Any) -> None:
    """Load language models, lexicons, rubric and classifier when a pool process starts, so that the
    first document does not spend its time limit loading them. Fetch-only workers skip it."""
    if not _ANALYSES["warm_up"]:
        return
    try:
        from miner.analyse.nlp import warm_up

        _analyser().warm_up()
        warm_up(("nl", "fr"))
    except Exception as exc:  # the first task will meet the same error and dead-letter it visibly
        log.error("warm-up failed; documents will fail until it is fixed: %s", exc)


@functools.cache
def _analyser() -> Analyser:
    """The pool process's one analyser (rubric, lexicons, classifier, limits), from its settings."""
    return Analyser.from_settings(get_settings())


@functools.cache
def _repo() -> Repository:
    return open_repository()


@functools.cache
def _policy() -> RetryPolicy:
    return RetryPolicy.from_settings()


@functools.cache
def _fetcher(allow_private: bool) -> Fetcher:
    """One fetcher per pool process and policy, spacing requests through the shared Redis limiter."""
    s = get_settings()
    url = s.redis_url or s.broker_url or "redis://127.0.0.1:6379/0"
    limiter = RedisHostLimiter(redis.Redis.from_url(url))
    return Fetcher(s, allow_private=allow_private, limiter=limiter)


for _memo in (_analyser, _repo, _policy, _fetcher):
    caches.register(_memo.cache_clear)


def _retry_or_record(
    task: CeleryTask,
    exc: BaseException,
    give_up: Callable[[Failure], None],
    tries: int,
    args: Sequence[Any] | None = None,
) -> None:
    """After a failed step: raise Celery's Retry with the policy's countdown, or record the failure.

    ``tries`` counts the input's failures so far (carried from retry to retry), apart from outages, so
    that waiting out a store outage does not use up the attempts a failing server gets."""
    outage = is_outage(exc)
    attempt = task.request.retries + 1 - tries if outage else tries + 1
    wait = _policy().delay(attempt, exc)
    if wait is not None:
        if outage:
            log.warning("%s%s: %s; retrying in %.0f s", task.name, tuple(task.request.args or ()), exc, wait)
        raise task.retry(
            args=args if args is not None else task.request.args,
            kwargs={"tries": tries if outage else tries + 1},
            countdown=wait,
        )
    _record(task, give_up, Failure.of(exc, attempts=task.request.retries + 1), args)


def _record(
    task: CeleryTask, give_up: Callable[[Failure], None], failure: Failure, args: Sequence[Any] | None = None
) -> None:
    """Write the dead letter; while the store cannot take it, retry the task carrying the failure."""
    try:
        give_up(failure)
    except Exception as exc:  # the store is down, or worse: the failure must still reach it
        down = exc if is_outage(exc) else StoreUnavailable(f"{type(exc).__name__}: {exc}")
        wait = _policy().delay(task.request.retries + 1, down)
        where = f"{task.name}{tuple(task.request.args or ())}"
        if wait is None:
            log.error(
                "%s failed (%s: %s) and the store could not record it: its frontier entry is still waiting "
                "in the store, and the reconciler sends it again once the store is back",
                where,
                failure.code,
                failure.message,
            )
            return
        log.warning("%s: the store cannot record its failure yet (%s); retrying in %.0f s", where, exc, wait)
        raise task.retry(
            args=args if args is not None else task.request.args,
            kwargs={"failure": failure.as_dict()},
            countdown=wait,
        ) from exc


def _send(task: Task, args: Sequence[Any], kwargs: dict[str, Any] | None = None) -> None:
    """Send a task from inside a worker (follow-ups, the reconciler)."""
    try:
        app.send_task(task.celery_name, args=list(args), kwargs=kwargs, queue=str(task.queue))
    except Exception as exc:
        raise BrokerUnavailable(f"cannot send to the broker: {exc}") from exc


def _follow_up(result: StepResult) -> None:
    """Send what a fetch step found to do. If the broker is gone the work is safe in the store: the
    step's redelivered message (late acknowledgement) or the reconciler sends it."""
    try:
        for child in result.children:
            _send(Task.FETCH_URL, (child,))
        if result.analyse and result.version_id is not None:
            _send(Task.PROCESS_DOCUMENT, (result.version_id,))
    except BrokerUnavailable as exc:
        log.warning(
            "follow-ups of frontier entry %d not sent (%s); they wait in the store", result.run_url_id, exc
        )


def _source(repo: Repository, source_id: str) -> Source:
    source = repo.get_source(source_id)
    if source is None:  # a beat entry for a source never crawled from the CLI: take it from the registry
        from miner.sources import load_sources

        registry = load_sources(None, corpora_dir=get_settings().corpora_dir)
        source = next((s for s in registry if s.id == source_id), None)
        if source is None:
            raise Permanent("no such source in the store or the registry", subject=source_id)
        repo.upsert_source(source)
    return source


@app.task(bind=True, name=Task.CRAWL_SOURCE.celery_name, max_retries=None)
def crawl_source(self: CeleryTask, source_id: str, run_id: int | None = None, tries: int = 0) -> int | None:
    """Start (or resume) a run of one source and send a fetch for each of its entry points."""
    try:
        repo = _repo()  # inside: a pool process that starts during a store outage must retry, not fail
        source = _source(repo, source_id)
        if run_id is None:
            run_id = repo.start_run(source_id, trigger=RunTrigger.BEAT)
        ids = crawl.seed(repo, source, run_id)
    except Exception as exc:
        started = run_id

        def give_up(failure: Failure) -> None:
            if started is not None:
                _repo().fail_run(started, f"could not start: {failure.message}")
            else:
                log.error("crawl of %s not started: %s: %s", source_id, failure.code, failure.message)

        _retry_or_record(self, exc, give_up, tries, args=(source_id, run_id))
        return run_id
    for run_url_id in ids:
        try:
            _send(Task.FETCH_URL, (run_url_id,))
        except BrokerUnavailable as exc:  # the entries wait in the store; the reconciler sends them
            log.warning("run %d seeded but its fetches not sent (%s)", run_id, exc)
            break
    return run_id


@app.task(bind=True, name=Task.FETCH_URL.celery_name, max_retries=None)
def fetch_url(
    self: CeleryTask,
    run_url_id: int,
    failure: dict[str, Any] | None = None,
    tries: int = 0,
    batch: Sequence[int] = (),
) -> str:
    """Fetch one frontier URL; send fetches for the links it adds and an analysis if it is new.

    ``failure``: the step gave up earlier while the store could not take the dead letter; write it now.
    ``tries``: the input's failures so far (see :func:`_retry_or_record`).
    ``batch``: more frontier entries fetched before, re-checked with this one (:func:`_fan_out`).
    """

    def give_up(f: Failure) -> None:
        crawl.give_up_fetch(_repo(), run_url_id, f)

    if failure is not None:
        _record(self, give_up, Failure(**failure))
        return Outcome.FAILED
    if batch:
        return _recheck([run_url_id, *batch])
    try:
        result = crawl.fetch_step(_repo(), _fetcher, run_url_id)
    except Exception as exc:
        _retry_or_record(self, exc, give_up, tries)
        return Outcome.FAILED
    _follow_up(replace(result, children=()))
    _fan_out(run_url_id, result.children)
    return result.outcome


#: Known links re-checked per message: enough that a 304 does not cost a message and a task of its
#: own (which made a re-crawl through workers cost 30-40% of the first crawl), few enough that a
#: re-crawl is still spread over the workers.
RECHECK_CHUNK = 10


def _fan_out(run_url_id: int, children: Sequence[int]) -> None:
    """Send a page's links: each new one in its own message (a download and an analysis, worth a
    worker each), the ones fetched before in chunks of :data:`RECHECK_CHUNK` (mostly 304s)."""
    try:
        known = _repo().known_items(children)
    except Exception as exc:  # the store is down: one message each, as before
        log.warning("frontier entry %d: links sent one by one (%s)", run_url_id, exc)
        known = set()
    again = [c for c in children if c in known]
    try:
        for child in (c for c in children if c not in known):
            _send(Task.FETCH_URL, (child,))
        for i in range(0, len(again), RECHECK_CHUNK):
            chunk = again[i : i + RECHECK_CHUNK]
            _send(Task.FETCH_URL, (chunk[0],), {"batch": chunk[1:]})
    except BrokerUnavailable as exc:
        log.warning("links of frontier entry %d not sent (%s); they wait in the store", run_url_id, exc)


def _recheck(ids: list[int]) -> str:
    """A chunk of known links: re-checked here with their own links (:mod:`miner.recheck`); what is
    left (new URLs, transient failures, time up) is sent one message each, for the retry policy."""
    try:
        rest = fetch_known_inline(
            _repo(),
            _fetcher,
            ids,
            budget=get_settings().task_soft_time_limit / 2,
            on_step=lambda r: _follow_up(replace(r, children=())),
        )
    except Exception as exc:  # the store went away: every entry is still queued in the store
        log.warning("frontier entries %s not re-checked (%s); sending them one by one", ids, exc)
        rest = ids
    try:
        for run_url_id in rest:
            _send(Task.FETCH_URL, (run_url_id,))
    except BrokerUnavailable as exc:
        log.warning("frontier entries %s not sent (%s); they wait in the store", rest, exc)
    return "rechecked"


@app.task(bind=True, name=Task.PROCESS_DOCUMENT.celery_name, max_retries=None)
def process_document(
    self: CeleryTask, version_id: int, failure: dict[str, Any] | None = None, tries: int = 0
) -> bool:
    """Extract, analyse and score one stored version (its raw bytes come from the store)."""

    def give_up(f: Failure) -> None:
        crawl.give_up_analysis(_repo(), version_id, f)

    if failure is not None:
        _record(self, give_up, Failure(**failure))
        return False
    try:
        stored = crawl.analyse_step(_repo(), version_id, _analyser())
    except Exception as exc:  # includes SoftTimeLimitExceeded: recorded, not lost
        _retry_or_record(self, exc, give_up, tries)
        return False
    _send_alerts(version_id)
    return stored


def _send_alerts(version_id: int | None = None) -> int:
    """Send a ``deliver_alert`` for each due alert (of a version): if the broker or the store is
    down they wait in the outbox, and the beat sweep sends them."""
    try:
        due = _repo().alerts_due(version_id=version_id)
        for alert_id in due:
            _send(Task.DELIVER_ALERT, (alert_id,))
    except (BrokerUnavailable, StoreUnavailable) as exc:
        log.warning("alerts not sent now (%s); they wait in the outbox for the sweep", exc)
        return 0
    return len(due)


@app.task(bind=True, name=Task.DELIVER_ALERT.celery_name, max_retries=None)
def deliver_alert(self: CeleryTask, alert_id: int) -> str:
    """Deliver one alert: claim it under a lease, send, mark delivered (:func:`miner.alerts.deliver.attempt`).

    A failed send is retried after the policy's backoff, the lease of another sender after it runs
    out; a store outage is waited out like any other step's."""
    try:
        done = deliver.attempt(_repo(), alert_id)
    except Exception as exc:
        if is_outage(exc):
            wait = _policy().delay(self.request.retries + 1, exc)
            if wait is not None:
                raise self.retry(countdown=wait) from exc
        log.error("alert %d: %s: %s; the sweep tries it again", alert_id, type(exc).__name__, exc)
        return "error"
    if done.outcome in (deliver.Outcome.RETRY, deliver.Outcome.BUSY):
        raise self.retry(countdown=done.wait)
    return str(done.outcome)


@app.task(name=Task.SWEEP_ALERTS.celery_name)
def sweep_alerts() -> int:
    """Send a ``deliver_alert`` for every due, unleased alert (beat): alerts whose message was lost,
    or whose sender died, are delivered all the same."""
    return _send_alerts()


@app.task(name=Task.SEND_DIGESTS.celery_name)
def send_digests(period: str) -> dict[str, int]:
    """Send the ``period`` (daily, weekly) digest of every subscription that asked for one."""
    return deliver.send_digests(_repo(), Digest(period))


@app.task(name=Task.SEND_REPORTS.celery_name)
def send_reports() -> int:
    """Queue this week's trend report for its subscribers and send it (once per ISO week)."""
    queued = deliver.queue_reports(_repo())
    for alert_id in queued:
        _send(Task.DELIVER_ALERT, (alert_id,))
    return len(queued)


@app.task(name=Task.RECONCILE.celery_name)
def reconcile() -> str:
    """Send again the frontier entries whose messages are gone; close settled runs (beat, every
    ``reconcile_interval`` seconds). An outage only postpones it to the next pass."""
    try:
        done = jobs.reconcile(_repo(), _send)
    except (StoreUnavailable, BrokerUnavailable) as exc:
        log.warning("reconciler: %s; trying again at the next pass", exc)
        return "outage"
    if done or done.closed:
        log.warning("reconciler: re-sent %s, closed %d run(s)", done.describe(), done.closed)
    return done.describe()
