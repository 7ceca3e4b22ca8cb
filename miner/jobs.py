"""Run crawls: every source in this process, or enqueued to Celery workers, with one result shape.

``miner run`` calls :func:`run_sources`. Without a broker the steps of :mod:`miner.crawl` run here, one
after the other, on the local store. With ``MINER_BROKER_URL`` set the same steps run in workers: this
module sends one ``crawl_source`` message per source (by task *name*, so that the library never imports
``workers/``) and waits until the store says every run is finished. Either way the summary is read from
the store, so it means the same thing on both paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack

from miner.config import Settings, get_settings
from miner.crawl import crawl_in_process
from miner.errors import Transient
from miner.fetch.client import Fetcher
from miner.records import Source
from miner.store import Repository
from miner.store.repository import RunSummary
from miner.tasknames import Queue, Task

#: Called with (finished frontier entries, known frontier entries) as the runs progress.
Progress = Callable[[int, int], None]


class BrokerUnavailable(Transient):
    """The broker (MINER_BROKER_URL) refused or did not answer: start it, or unset it to work in-process."""

    code = "broker-unavailable"


class WorkersNotProgressing(Transient):
    """Runs were enqueued but nothing moved for too long: no worker consumes the queues, or all are stuck."""

    code = "workers-stalled"


def run_sources(
    repo: Repository,
    sources: Sequence[Source],
    *,
    allow_private: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    trigger: str = "cli",
) -> RunSummary:
    """Crawl ``sources`` once (new runs), analyse what is new or changed, and summarise the runs."""
    s = settings or get_settings()
    run_ids: list[int] = []
    for source in sources:
        repo.upsert_source(source)
        run_ids.append(repo.start_run(source.id, allow_private=allow_private, trigger=trigger))
    if s.broker_url:
        try:
            _enqueue(s.broker_url, [(src.id, rid) for src, rid in zip(sources, run_ids, strict=True)])
        except BrokerUnavailable as exc:
            for run_id in run_ids:  # close the runs: nobody will work on them
                repo.fail_run(run_id, str(exc))
            raise
        wait_for_runs(repo, run_ids, settings=s, progress=progress)
    else:
        with ExitStack() as stack:
            fetchers: dict[bool, Fetcher] = {}

            def fetcher_for(allow: bool) -> Fetcher:
                if allow not in fetchers:
                    fetchers[allow] = stack.enter_context(Fetcher(s, allow_private=allow))
                return fetchers[allow]

            for source, run_id in zip(sources, run_ids, strict=True):

                def tick(_result: object) -> None:
                    if progress is not None:
                        progress(*repo.progress(run_ids))

                crawl_in_process(repo, source, fetcher_for, run_id, on_step=tick, settings=s)
    return repo.summary(run_ids)


def rescore(repo: Repository, *, settings: Settings | None = None, progress: Progress | None = None) -> int:
    """Analyse every current version that has no analysis under the current rubric and model, from
    the stored raw bytes (no fetching); in-process, or on the analyse queue when a broker is set.
    Returns how many versions were (re)analysed or enqueued."""
    from miner.analyse.classifier import load_classifier
    from miner.crawl import analyse_with_retries
    from miner.rubric import load_rubric

    s = settings or get_settings()
    todo = repo.versions_to_rescore(load_rubric().version, load_classifier().version)
    if s.broker_url and todo:
        from celery import Celery

        client = Celery("policy-miner-client", broker=s.broker_url)
        try:
            for vid in todo:
                client.send_task(
                    Task.PROCESS_DOCUMENT.celery_name, args=[vid], queue=Task.PROCESS_DOCUMENT.queue
                )
        except Exception as exc:
            raise BrokerUnavailable(
                f"cannot send to the broker: {exc}", subject=_redact(s.broker_url)
            ) from exc
        finally:
            client.close()
        return len(todo)
    for i, vid in enumerate(todo, start=1):
        analyse_with_retries(repo, vid, s)
        if progress is not None:
            progress(i, len(todo))
    return len(todo)


def _enqueue(broker_url: str, runs: Sequence[tuple[str, int]]) -> None:
    from celery import Celery

    client = Celery("policy-miner-client", broker=broker_url)
    client.conf.task_serializer = "json"
    try:
        for source_id, run_id in runs:
            client.send_task(
                Task.CRAWL_SOURCE.celery_name, args=[source_id, run_id], queue=Task.CRAWL_SOURCE.queue
            )
    except Exception as exc:  # kombu raises its own OperationalError, socket errors, ...
        raise BrokerUnavailable(f"cannot send to the broker: {exc}", subject=_redact(broker_url)) from exc
    finally:
        client.close()


def _redact(url: str) -> str:
    """The broker URL without its password, for messages."""
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


def wait_for_runs(
    repo: Repository,
    run_ids: Sequence[int],
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    poll: float = 0.5,
) -> None:
    """Block until every run is finished in the store; raise if the workers stop making progress.

    A stall is measured as no change of the frontier for longer than a task may run (hard time
    limit plus one minute): by then any live worker would have finished or been killed.
    """
    s = settings or get_settings()
    stall_limit = s.task_time_limit + 60
    last: tuple[int, int] | None = None
    last_change = time.monotonic()
    while repo.pending(run_ids) > 0:
        now = repo.progress(run_ids)
        if progress is not None:
            progress(*now)
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > stall_limit:
            raise WorkersNotProgressing(
                f"no progress for {stall_limit} s: start a worker for the queues "
                f"'{Queue.FETCH}' and '{Queue.ANALYSE}' (see docs/operations.md)"
            )
        time.sleep(poll)
    if progress is not None:
        progress(*repo.progress(run_ids))
