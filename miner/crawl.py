"""One crawl of one source, as small idempotent steps over ids.

A run is a frontier of URLs in the store (``run_urls``). :func:`seed` puts the source's start URLs,
sitemaps and feeds on it; :func:`fetch_step` fetches one URL (conditionally, with the validators the
store remembers), stores what is new, and puts the links it finds on the frontier; :func:`analyse_step`
runs the pipeline on one stored version. :func:`crawl_in_process` drives the steps in a loop; the Celery
tasks in ``workers/tasks.py`` run exactly the same steps, one message each (a worker re-checks the
known links of a page itself, :func:`miner.recheck.fetch_known_inline`). Every step can run twice
(a redelivered message): the store's unique keys make the second run a no-op.

Which links are followed and which pages are kept as documents is :mod:`miner.follow`. URLs fetched
before are re-checked many at a time (:mod:`miner.recheck`): a re-crawl of an unchanged site is
mostly 304s, settled in batches.

Errors follow :mod:`miner.errors`: ``Skipped`` (robots.txt, wrong kind) is counted, ``Permanent`` is
dead-lettered at once, ``Transient`` is raised to the driver, which asks the one retry policy
(:mod:`miner.retry`) whether and when to try again and dead-letters the :class:`Failure` after the last
attempt. A dead letter that the store cannot take yet (it is down) is retried like the step itself.
Nothing is dropped silently.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from miner.config import Settings, get_settings
from miner.errors import MinerError, Permanent, Skipped, Transient
from miner.fetch import kinds
from miner.fetch.client import Fetcher
from miner.fetch.urls import canonicalize
from miner.follow import entry_is_document, link_translations, scoped_links
from miner.records import Analysis, Fetched, Paragraph, Source
from miner.retry import RetryPolicy, is_outage
from miner.scoring import versions
from miner.store import Repository, StoreUnavailable
from miner.store.repository import WorkItem
from miner.store.states import FrontierState, Outcome, UrlRole
from miner.tasknames import Task

if TYPE_CHECKING:
    from miner.analyser import Analyser

T = TypeVar("T")

#: Bytes of a stored page read back to tell its kind (a small page: all of it).
BLOB_HEAD = 8192


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one fetch step did, and the follow-up work it created (ids the driver must schedule)."""

    run_url_id: int
    role: UrlRole
    outcome: Outcome
    version_id: int | None = None
    analyse: bool = False
    children: tuple[int, ...] = ()


def sniff_kind(fetched: Fetched) -> str:
    """The document kind, from the product's one sniffer (:func:`miner.extract.sniff.sniff`)."""
    from miner.extract.sniff import sniff

    return sniff(fetched.content, content_type=fetched.content_type).value


# --- seeding ----------------------------------------------------------------------------------------------


def seed(repo: Repository, source: Source, run_id: int) -> list[int]:
    """Put the source's entry points on the run's frontier; every run_url id still waiting.

    Run twice (a redelivered seeding task), it adds nothing and returns the waiting ids again, so
    that none is left without a message; fetching a URL twice is harmless, losing one is not.
    """
    for role, urls in (
        (UrlRole.ENTRY, kinds.entry_points(source)),
        (UrlRole.SITEMAP, source.sitemaps),
        (UrlRole.FEED, source.feeds),
    ):
        for url in urls:
            repo.enqueue(run_id, source.id, canonicalize(url), role=role, depth=0)
    repo.mark_seeded(run_id)
    return repo.queued_items(run_id)


# --- one URL ----------------------------------------------------------------------------------------------


#: Gives the fetcher for a run: with or without the private-address exception (a CLI-only choice).
FetcherFor = Callable[[bool], Fetcher]


#: Per repository, the source record of each run seen (weak: a closed repository takes its cache).
_RUN_SOURCES: WeakKeyDictionary[Repository, dict[int, Source]] = WeakKeyDictionary()


def _source_of_run(repo: Repository, item: WorkItem) -> Source:
    """The source's record as the run's first step read it: read once per process and run, not once
    per URL (a run keeps the configuration it started with; a changed registry makes a new run)."""
    runs = _RUN_SOURCES.setdefault(repo, {})
    source = runs.get(item.run_id)
    if source is None or source.id != item.source_id:
        source = repo.get_source(item.source_id)
        if source is None:
            raise Permanent("source is not in the store", subject=item.source_id)
        if len(runs) > 64:
            runs.clear()
        runs[item.run_id] = source
    return source


def fetch_step(repo: Repository, fetcher_for: FetcherFor, run_url_id: int) -> StepResult:
    """Fetch one frontier URL, store what changed, queue its links. Raises ``Transient`` to be retried."""
    item = repo.work_item(run_url_id)
    if item is None:
        raise Permanent("no such frontier entry", subject=str(run_url_id))
    if item.state != FrontierState.QUEUED:
        # Redelivered after the work was done: hand back the follow-ups in case they were never sent.
        return StepResult(
            run_url_id,
            item.role,
            Outcome.NOOP,
            analyse=item.state == FrontierState.ANALYSING,
            version_id=item.version_id,
            children=tuple(repo.queued_children(run_url_id)),
        )
    source = _source_of_run(repo, item)
    started = datetime.now(UTC)
    if backing_off(item, started):
        repo.finish_item(run_url_id, state=FrontierState.SKIPPED, outcome=Outcome.SKIPPED)
        return StepResult(run_url_id, item.role, Outcome.SKIPPED)
    got = fetch_item(repo, fetcher_for, source, item, started)
    return got if isinstance(got, StepResult) else settle_fetch(repo, source, item, got, started)


def backing_off(item: WorkItem, at: datetime) -> bool:
    """The URL failed permanently lately and its back-off has not run out: not requested this run
    (start URLs always are: their failure is the source's)."""
    until = item.retry_after
    if item.depth == 0 or until is None:
        return False
    if until.tzinfo is None:  # SQLite hands back naive UTC
        until = until.replace(tzinfo=UTC)
    return until > at


def fetch_item(
    repo: Repository, fetcher_for: FetcherFor, source: Source, item: WorkItem, started: datetime
) -> Fetched | StepResult:
    """The request of a step (conditional when the URL's bytes are stored); a skipped or permanently
    failed URL is recorded and settled here (its :class:`StepResult`). Raises ``Transient``."""
    run_url_id = item.run_url_id
    has_blob = item.last_hash is not None
    try:
        fetched = fetcher_for(item.allow_private).fetch(
            item.url,
            etag=item.etag if has_blob else None,
            last_modified=item.last_modified if has_blob else None,
            source_id=item.source_id,
            delay=source.delay,
            accept=kinds.accept(source) if item.role != UrlRole.DOCUMENT else None,
        )
    except Skipped as exc:
        repo.log_fetch(url=item.url, started_at=started, run_id=item.run_id, url_id=item.url_id, error=exc)
        repo.finish_item(run_url_id, state=FrontierState.SKIPPED, outcome=Outcome.SKIPPED)
        if item.depth == 0:
            repo.note_run_error(item.run_id, f"{item.url}: skipped: {exc.message}")
        return StepResult(run_url_id, item.role, Outcome.SKIPPED)
    except Permanent as exc:
        repo.log_fetch(url=item.url, started_at=started, run_id=item.run_id, url_id=item.url_id, error=exc)
        give_up_fetch(repo, run_url_id, Failure.of(exc, attempts=1))
        return StepResult(run_url_id, item.role, Outcome.FAILED)
    except Transient as exc:
        repo.log_fetch(url=item.url, started_at=started, run_id=item.run_id, url_id=item.url_id, error=exc)
        raise
    return fetched


def settle_fetch(
    repo: Repository, source: Source, item: WorkItem, fetched: Fetched, started: datetime
) -> StepResult:
    """Store what a request brought, queue the page's links and settle the frontier entry."""
    run_url_id = item.run_url_id
    if fetched.not_modified:
        return _not_modified(repo, source, item, fetched, started)
    repo.log_fetch(url=item.url, started_at=started, run_id=item.run_id, url_id=item.url_id, fetched=fetched)
    body = fetched.content
    kind = sniff_kind(fetched)
    if item.role == UrlRole.DOCUMENT and kind not in source.document_types:
        repo.finish_item(run_url_id, state=FrontierState.SKIPPED, outcome=Outcome.SKIPPED)
        return StepResult(run_url_id, item.role, Outcome.SKIPPED)
    as_document = item.role == UrlRole.ENTRY and entry_is_document(source, kind, body)
    stored = repo.store_fetched(
        replace(item, role=UrlRole.DOCUMENT) if as_document else item,
        fetched,
        government=source.government,
    )
    base = fetched.final_url or item.url
    if stored.version_id is not None and body:
        link_translations(repo, source, item, base, body, kind)
    links = scoped_links(source, item, base, body, kind) if body else []
    children = _enqueue(repo, source, item, links)
    state = FrontierState.ANALYSING if stored.needs_analysis else FrontierState.DONE
    repo.finish_item(run_url_id, state=state, outcome=stored.outcome, version_id=stored.version_id)
    return StepResult(
        run_url_id, item.role, stored.outcome, stored.version_id, stored.needs_analysis, tuple(children)
    )


def _enqueue(
    repo: Repository, source: Source, item: WorkItem, links: Sequence[tuple[str, UrlRole]]
) -> list[int]:
    """Put a page's links on its run's frontier one level deeper (one commit), within the source's cap."""
    return repo.enqueue_many(
        item.run_id,
        source.id,
        links,
        depth=item.depth + 1,
        limit=source.max_documents,
        parent_id=item.run_url_id,
    )


def leads_further(source: Source, item: WorkItem, kind: str) -> bool:
    """The page can hold links to queue: HTML pages, sitemaps and feeds, and the entry pages of a
    source of another kind (an API's JSON: :mod:`miner.fetch.kinds`)."""
    return kind in ("html", "xml") or (source.kind != "crawl" and item.role == UrlRole.ENTRY)


def _not_modified(
    repo: Repository, source: Source, item: WorkItem, fetched: Fetched, started: datetime
) -> StepResult:
    """A 304: the cheap path a re-crawl of an unchanged site takes for nearly every URL.

    The stored bytes are read only when the page can lead further (within depth, and HTML or XML by
    its first bytes: a PDF's megabytes are not read back to find no links), and a URL without links
    to queue is logged, recorded and settled in one transaction."""
    body: bytes | None = None
    kind = "other"
    if item.last_hash and item.depth + 1 <= source.max_depth:
        head = repo.blob_head(item.last_hash, BLOB_HEAD) or b""
        kind = sniff_kind(Fetched(item.url, item.url, 200, head))
        if leads_further(source, item, kind):
            body = head if len(head) < BLOB_HEAD else repo.blob(item.last_hash)
    links = scoped_links(source, item, fetched.final_url or item.url, body, kind) if body else []
    stored = repo.store_not_modified(item, fetched=fetched, started_at=started, settle=not links)
    children = _enqueue(repo, source, item, links)
    if links:
        state = FrontierState.ANALYSING if stored.needs_analysis else FrontierState.DONE
        repo.finish_item(item.run_url_id, state=state, outcome=stored.outcome, version_id=stored.version_id)
    return StepResult(
        item.run_url_id, item.role, stored.outcome, stored.version_id, stored.needs_analysis, tuple(children)
    )


# --- one version ------------------------------------------------------------------------------------------


def analyse_step(repo: Repository, version_id: int, analyser: Analyser) -> bool:
    """Run the pipeline on a stored version's raw bytes and store the result (True when new)."""
    from miner.pipeline import analyse_bytes

    info = repo.version_info(version_id)
    if info is None:
        raise Permanent("no such document version", subject=str(version_id))
    data = repo.blob(info.content_hash)
    if data is None:
        raise Permanent("raw bytes of the version are missing", subject=str(version_id))
    try:
        extracted, analysis = analyse_bytes(
            data, doc_id=info.url, analyser=analyser, name=urlsplit(info.url).path or info.url
        )
    except Permanent as exc:
        give_up_analysis(repo, version_id, Failure.of(exc, attempts=1))
        return False
    if analysis.error is None and extracted.paragraphs:
        analysis = _with_dropped_content(repo, version_id, extracted.paragraphs, analysis)
    return repo.store_analysis(version_id, extracted, analysis)


def _with_dropped_content(
    repo: Repository, version_id: int, paragraphs: Sequence[Paragraph], analysis: Analysis
) -> Analysis:
    """The analysis with ``dropped_content`` when it lost what the previous analysed version said
    about the group (:mod:`miner.scoring.versions` decides); unchanged for a first version."""
    previous = repo.previous_version_text(version_id)
    if previous is None:
        return analysis
    diff = versions.compare(previous[1], versions.of_analysis(paragraphs, analysis))
    flag = versions.dropped_content(diff)
    if flag is None or any(f.code == flag.code for f in analysis.flags):
        return analysis
    return replace(analysis, flags=(*analysis.flags, flag))


# --- giving up --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a piece of work gave up, as its dead letter records it. Plain data, so that a Celery retry
    can carry it to a later attempt when the store could not take the dead letter at once."""

    code: str
    message: str
    attempts: int
    #: The input itself is bad (a later run will not retry it), rather than a bug or an outage.
    permanent: bool

    @classmethod
    def of(cls, exc: BaseException, *, attempts: int) -> Failure:
        if isinstance(exc, MinerError):
            code, message = exc.code, exc.message
        else:  # a bug: its type and message, so that it can be found and fixed
            code, message = "internal", f"{type(exc).__name__}: {exc}"
        return cls(code, message, attempts, isinstance(exc, Permanent))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def give_up_fetch(repo: Repository, run_url_id: int, failure: Failure) -> None:
    """Dead-letter a URL; when it was an entry point, the source as a whole is reported failed."""
    item = repo.work_item(run_url_id)
    if item is None:
        return
    if failure.permanent and item.depth > 0:
        s = get_settings()
        repo.back_off_url(item.url_id, base=s.failed_url_backoff, cap=s.failed_url_backoff_max)
    repo.dead_letter(
        task=Task.FETCH_URL,
        subject=item.url,
        key=Task.FETCH_URL.dead_letter_key(item.run_id, item.url_id),
        error_code=failure.code,
        message=failure.message,
        attempts=failure.attempts,
        permanent=failure.permanent,
        run_id=item.run_id,
        run_url_id=run_url_id,
    )
    if item.depth == 0:
        repo.note_run_error(item.run_id, f"{item.url}: {failure.message}")


def give_up_analysis(repo: Repository, version_id: int, failure: Failure) -> None:
    """Dead-letter a version whose analysis failed. Later runs retry it unless the failure was
    permanent (the bytes themselves are unreadable): a bug fixed or an outage over heals by itself."""
    info = repo.version_info(version_id)
    repo.dead_letter(
        task=Task.PROCESS_DOCUMENT,
        subject=info.url if info else str(version_id),
        key=Task.PROCESS_DOCUMENT.dead_letter_key(version_id),
        error_code=failure.code,
        message=failure.message,
        attempts=failure.attempts,
        permanent=failure.permanent,
        version_id=version_id,
    )


# --- the in-process driver --------------------------------------------------------------------------------


def record(
    write: Callable[[], None], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Write a failure to the store, waiting out a store outage per the policy (then raising it)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            write()
            return
        except StoreUnavailable as exc:
            wait = policy.delay(attempt, exc)
            if wait is None:
                raise
            sleep(wait)


def with_retries(
    fn: Callable[[], T],
    give_up: Callable[[Failure], None],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T | None:
    """Call ``fn`` until it succeeds or the policy says stop; then hand the failure to ``give_up``.

    Failures of the input and outages are counted apart: waiting out a store outage does not use up
    the attempts a failing server gets."""
    tries = outages = 0
    while True:
        try:
            return fn()
        except Exception as exc:  # a bug in one document must not stop the run, nor vanish
            if is_outage(exc):
                outages += 1
                wait = policy.delay(outages, exc)
            else:
                tries += 1
                wait = policy.delay(tries, exc)
            if wait is None:
                record(partial(give_up, Failure.of(exc, attempts=tries + outages)), policy, sleep)
                return None
            sleep(wait)


def analyse_with_retries(
    repo: Repository, version_id: int, analyser: Analyser, settings: Settings | None = None
) -> None:
    """:func:`analyse_step` with in-process retries; a final failure becomes a dead letter."""
    with_retries(
        lambda: analyse_step(repo, version_id, analyser),
        lambda failure: give_up_analysis(repo, version_id, failure),
        RetryPolicy.from_settings(settings),
    )


def crawl_in_process(
    repo: Repository,
    source: Source,
    fetcher_for: FetcherFor,
    run_id: int,
    *,
    analyser: Analyser,
    on_step: Callable[[StepResult | None], None] | None = None,
    settings: Settings | None = None,
) -> None:
    """Run every step of one run in this process, breadth first (the Celery path runs the same steps)."""
    from miner.recheck import recheck_known

    policy = RetryPolicy.from_settings(settings)
    queue: deque[int] = deque(seed(repo, source, run_id))

    def done(result: StepResult | None) -> None:
        if result is not None:
            queue.extend(result.children)
            if result.analyse and result.version_id is not None:
                analyse_with_retries(repo, result.version_id, analyser, settings)
        if on_step is not None:
            on_step(result)

    while queue:
        level = list(queue)
        queue.clear()
        try:  # URLs fetched before, many at a time (miner.recheck); the others one step each
            results, rest = recheck_known(repo, fetcher_for, level, deadline=math.inf)
        except Exception:  # an outage: the ordinary steps below wait it out under the policy
            results, rest = [], level
        for result in results:
            done(result)
        for run_url_id in rest:
            done(
                with_retries(
                    lambda rid=run_url_id: fetch_step(repo, fetcher_for, rid),  # type: ignore[misc]
                    lambda failure, rid=run_url_id: give_up_fetch(repo, rid, failure),  # type: ignore[misc]
                    policy,
                )
            )
