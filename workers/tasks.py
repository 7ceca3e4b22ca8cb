"""Thin Celery tasks: each takes ids, runs one step of :mod:`miner.crawl`, and schedules the follow-ups.

The work itself is in the library (the same functions ``miner run`` calls in-process). What is here is
only delivery: which queue, when to retry, when to give up. A ``Transient`` error is retried with
exponential backoff (or the server's Retry-After); after the last attempt, and at once for anything
else, the failure is written to the dead-letter table -- never a silent drop. Because the step runs
before the follow-up messages are sent and messages are acknowledged late, a worker killed at any
point leaves a message that is delivered again and finishes the job (docs/reliability.md).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import redis
from celery import Task as CeleryTask
from celery.signals import celeryd_after_setup, worker_process_init

from miner import crawl
from miner.config import get_settings
from miner.errors import Permanent, Transient
from miner.fetch.client import Fetcher
from miner.store import Repository, open_repository
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
        from miner.analyse.classifier import load_classifier
        from miner.analyse.lexicon import load_lexicon
        from miner.analyse.nlp import warm_up
        from miner.rubric import load_rubric

        warm_up(("nl", "fr"))
        for lang in ("nl", "fr"):
            load_lexicon(lang)
        load_rubric()
        load_classifier()
    except Exception as exc:  # the first task will meet the same error and dead-letter it visibly
        log.error("warm-up failed; documents will fail until it is fixed: %s", exc)


@functools.cache
def _repo() -> Repository:
    return open_repository()


@functools.cache
def _fetcher(allow_private: bool) -> Fetcher:
    """One fetcher per pool process and policy, spacing requests through the shared Redis limiter."""
    s = get_settings()
    url = s.redis_url or s.broker_url or "redis://127.0.0.1:6379/0"
    limiter = RedisHostLimiter(redis.Redis.from_url(url))
    return Fetcher(s, allow_private=allow_private, limiter=limiter)


def _attempts() -> int:
    return max(1, get_settings().retry_attempts)


def _retry_or_give_up(task: CeleryTask, exc: Transient, give_up: Any) -> None:
    """Retry with backoff while attempts remain; then record the failure."""
    attempt = task.request.retries + 1
    if attempt >= _attempts():
        give_up(exc, attempt)
        return
    raise task.retry(exc=exc, countdown=crawl.backoff_delay(attempt, exc), max_retries=_attempts() - 1)


@app.task(bind=True, name=Task.CRAWL_SOURCE.celery_name)
def crawl_source(self: CeleryTask, source_id: str, run_id: int | None = None) -> int | None:
    """Start (or resume) a run of one source and send a fetch for each of its entry points."""
    repo = _repo()
    source = repo.get_source(source_id)
    if source is None:  # a beat entry for a source never crawled from the CLI: take it from the registry
        from miner.sources import load_sources

        source = next((s for s in load_sources(None) if s.id == source_id), None)
        if source is None:
            raise Permanent("no such source in the store or the registry", subject=source_id)
        repo.upsert_source(source)
    if run_id is None:
        run_id = repo.start_run(source_id, trigger="beat")
    try:
        ids = crawl.seed(repo, source, run_id)
    except Transient as exc:
        _retry_or_give_up(self, exc, lambda e, n: repo.fail_run(run_id, f"could not start: {e}"))
        return run_id
    for run_url_id in ids:
        fetch_url.apply_async((run_url_id,), queue=Task.FETCH_URL.queue)
    return run_id


@app.task(bind=True, name=Task.FETCH_URL.celery_name)
def fetch_url(self: CeleryTask, run_url_id: int) -> str:
    """Fetch one frontier URL; send fetches for the links it adds and an analysis if it is new."""
    repo = _repo()
    try:
        result = crawl.fetch_step(repo, _fetcher, run_url_id)
    except Transient as exc:
        _retry_or_give_up(self, exc, lambda e, n: crawl.give_up_fetch(repo, run_url_id, e, attempts=n))
        return "failed"
    except Exception as exc:  # Permanent or a bug: record it where an operator looks
        crawl.give_up_fetch(repo, run_url_id, exc, attempts=self.request.retries + 1)
        return "failed"
    for child in result.children:
        fetch_url.apply_async((child,), queue=Task.FETCH_URL.queue)
    if result.analyse and result.version_id is not None:
        process_document.apply_async((result.version_id,), queue=Task.PROCESS_DOCUMENT.queue)
    return result.outcome


@app.task(bind=True, name=Task.PROCESS_DOCUMENT.celery_name)
def process_document(self: CeleryTask, version_id: int) -> bool:
    """Extract, analyse and score one stored version (its raw bytes come from the store)."""
    repo = _repo()
    try:
        return crawl.analyse_step(repo, version_id)
    except Transient as exc:
        _retry_or_give_up(self, exc, lambda e, n: crawl.give_up_analysis(repo, version_id, e, attempts=n))
    except Exception as exc:  # includes SoftTimeLimitExceeded: recorded, not lost
        crawl.give_up_analysis(repo, version_id, exc, attempts=self.request.retries + 1)
    return False
