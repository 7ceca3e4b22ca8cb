"""Re-checking URLs fetched before, many at a time: what makes a re-crawl of an unchanged site cheap.

A known URL is asked conditionally and nearly always answers 304. Handled one step at a time
(:func:`miner.crawl.fetch_step`) each 304 cost more around the request than the request itself: a
read of its frontier entry, a transaction, and through workers a message and a task. Here a level of
the frontier is read in one query, the stored bytes' first kilobytes in another, every URL is asked
in turn through the same polite fetcher, and the 304s of pages that lead nowhere further (a PDF, a
page at the last depth, a small page without links to queue) are logged, recorded and settled together in one transaction per
:data:`FLUSH_EVERY`. Everything else -- an answer with new bytes, a page that may queue links, a
skipped or failed URL -- goes through the step's own code (:func:`~miner.crawl.settle_fetch`), so
there is one meaning of each answer. Never-fetched URLs and transient failures are handed back to
the caller, which runs the ordinary step with its retries (in-process) or sends a message (workers).

Every write is idempotent as before: a process that dies before a flush leaves those entries
queued, and they are fetched again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from miner.crawl import (
    BLOB_HEAD,
    FetcherFor,
    StepResult,
    _source_of_run,
    backing_off,
    fetch_item,
    leads_further,
    settle_fetch,
    sniff_kind,
)
from miner.errors import Transient
from miner.follow import scoped_links
from miner.records import Fetched, Source
from miner.store import Repository
from miner.store.repository import WorkItem
from miner.store.states import FrontierState

#: 304s settled per transaction (a commit every so many URLs keeps progress visible).
FLUSH_EVERY = 50


def recheck_known(
    repo: Repository, fetcher_for: FetcherFor, run_url_ids: Sequence[int], *, deadline: float
) -> tuple[list[StepResult], list[int]]:
    """Fetch those of ``run_url_ids`` that were fetched before, until ``deadline`` (``time.monotonic``);
    the step results, and the ids left for the ordinary step (new URLs, transient failures, time up)."""
    items = repo.work_items(run_url_ids)
    now = datetime.now(UTC)
    known: list[WorkItem] = []
    rest: list[int] = []
    for run_url_id in run_url_ids:
        item = items.get(run_url_id)
        if (
            item is not None
            and item.state == FrontierState.QUEUED
            and item.last_hash is not None
            and not backing_off(item, now)
        ):
            known.append(item)
        else:
            rest.append(run_url_id)
    heads = repo.blob_heads(sorted({i.last_hash for i in known if i.last_hash}), BLOB_HEAD)
    results: list[StepResult] = []
    quiet: list[tuple[WorkItem, Fetched, datetime]] = []
    for item in known:
        if time.monotonic() > deadline:
            rest.append(item.run_url_id)
            continue
        source = _source_of_run(repo, item)
        started = datetime.now(UTC)
        try:
            got = fetch_item(repo, fetcher_for, source, item, started)
        except Transient:
            rest.append(item.run_url_id)  # the ordinary step asks again under the retry policy
            continue
        if isinstance(got, StepResult):
            results.append(got)
            continue
        if got.not_modified and not _leads_further(source, item, got, heads.get(item.last_hash or "", b"")):
            quiet.append((item, got, started))
            if len(quiet) >= FLUSH_EVERY:
                results.extend(_flush(repo, quiet))
        else:
            results.append(settle_fetch(repo, source, item, got, started))
    results.extend(_flush(repo, quiet))
    return results, rest


def _leads_further(source: Source, item: WorkItem, fetched: Fetched, head: bytes) -> bool:
    """Whether the unchanged page may queue links: within depth, HTML or XML, and -- when its first
    kilobytes are all of it -- with links to queue indeed."""
    if item.depth + 1 > source.max_depth:
        return False
    kind = sniff_kind(Fetched(item.url, item.url, 200, head))
    if not leads_further(source, item, kind):
        return False
    if len(head) < BLOB_HEAD and source.kind == "crawl":
        return bool(scoped_links(source, item, fetched.final_url or item.url, head, kind))
    return True


def _flush(repo: Repository, quiet: list[tuple[WorkItem, Fetched, datetime]]) -> list[StepResult]:
    stored = repo.store_not_modified_many(quiet) if quiet else []
    done = [
        StepResult(item.run_url_id, item.role, s.outcome, s.version_id, s.needs_analysis)
        for (item, _, _), s in zip(quiet, stored, strict=True)
    ]
    quiet.clear()
    return done


def fetch_known_inline(
    repo: Repository,
    fetcher_for: FetcherFor,
    run_url_ids: Sequence[int],
    *,
    budget: float,
    on_step: Callable[[StepResult], None],
) -> list[int]:
    """In a worker: re-check the known ones of ``run_url_ids`` and of their links, level after level,
    for up to ``budget`` seconds (the task's time limit); the ids left over, to be sent as messages.

    A message and a task per 304 would cost more than the request itself.
    New URLs (a first crawl's downloads and analyses, worth spreading over the fleet), transient
    failures (their message gets the retry policy) and whatever is left when time is up go back as
    messages."""
    deadline = time.monotonic() + budget
    left: list[int] = []
    level = list(run_url_ids)
    while level:
        results, rest = recheck_known(repo, fetcher_for, level, deadline=deadline)
        left.extend(rest)
        level = []
        for result in results:
            on_step(result)
            level.extend(result.children)
    return left
