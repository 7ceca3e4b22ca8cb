"""The states the store records, each spelled once.

A ``StrEnum`` member *is* its string, so a member can be written to the database, compared with a
value read back, or dumped to JSON without conversion; but code names the member, never the string,
so that a misspelt state is an ``AttributeError`` instead of a row that nothing ever matches again.
"""

from __future__ import annotations

from enum import StrEnum


class FrontierState(StrEnum):
    """Where one URL of one run stands: ``queued -> analysing -> done | failed | skipped``.

    ``analysing`` means the URL was fetched and its version waits for its analysis; the run is
    finished when none of its URLs is queued or analysing (:data:`PENDING_STATES`).
    """

    QUEUED = "queued"
    ANALYSING = "analysing"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


#: Frontier states that still have work to do.
PENDING_STATES: tuple[FrontierState, ...] = (FrontierState.QUEUED, FrontierState.ANALYSING)


class Outcome(StrEnum):
    """What one step did to one URL; the run summary counts the stored ones per source.

    ``new``: a URL seen for the first time; ``changed``: it serves other bytes than last time;
    ``unchanged``: a 304 or the same bytes; ``skipped``: robots.txt or a kind the source does not
    keep; ``failed``: dead-lettered. ``noop`` is never stored: a redelivered step found its work done.
    """

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOOP = "noop"


class UrlRole(StrEnum):
    """Why a URL is on the frontier, which decides what its links are worth."""

    #: A start URL or a listing page: its links to documents and further listing pages are followed.
    ENTRY = "entry"
    SITEMAP = "sitemap"
    FEED = "feed"
    #: A policy document (or the page that holds one): stored, versioned and analysed.
    DOCUMENT = "document"


class RunTrigger(StrEnum):
    """Who started a run. (A run's progress is not a string: ``seeded``, ``finished_at`` and
    ``error`` on ``crawl_runs`` say whether it is seeding, running, finished or failed.)"""

    CLI = "cli"
    BEAT = "beat"
