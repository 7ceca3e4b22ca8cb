"""The store's front: every query and every write of the product, the only SQL in the project.

:class:`Repository` is the one object callers hold; its methods come from one class per concern:

- :mod:`~miner.store.runs`: sources, runs, and what a run did (progress, summary);
- :mod:`~miner.store.frontier`: the URLs of a run and their states;
- :mod:`~miner.store.versions`: the fetch log, raw bytes, documents and their versions;
- :mod:`~miner.store.analyses`: analyses, and the versions a rubric has not scored yet;
- :mod:`~miner.store.failures`: dead letters;
- :mod:`~miner.store.queries`: the read side (document list);
- :mod:`~miner.store.search`, :mod:`~miner.store.reports`, :mod:`~miner.store.watchlists`: full-text
  paragraph search, document facts for reports and exports, watchlists;
- :mod:`~miner.store.browse`, :mod:`~miner.store.detail`: the web's reads (filtered list, one
  document, recent versions, sources' health); :mod:`~miner.store.tokens`, :mod:`~miner.store.reviews`:
  API tokens and analysts' reviews of flags; :mod:`~miner.store.changes`: versions read back for
  comparison and history, the documents a run changed, URL back-off.

Writes are idempotent. Each one is an ``INSERT ... ON CONFLICT`` against a natural key (content hash,
(document, hash), (version, rubric, model), (run, url), ...), so running a step twice -- a task
redelivered after a worker died, two workers racing on one document -- leaves the same rows. Each
public method is one transaction: a version's paragraphs, analysis, flags and evidence appear together
or not at all; a dead letter and the frontier row it settles, too. The ``iter_*`` listings are the one
exception by design: they read one page per transaction, so that a stream of a hundred thousand rows
never holds a transaction open (see :mod:`~miner.store.keyset`).

Database failures that may pass (a locked SQLite file, a PostgreSQL deadlock or restart) are raised as
:class:`StoreUnavailable`, a :class:`~miner.errors.Transient`, so callers retry them like a network blip.
"""

from __future__ import annotations

from miner.store import db
from miner.store.analyses import AnalysisStore
from miner.store.base import StoreUnavailable
from miner.store.browse import BrowseStore
from miner.store.changes import ChangeStore
from miner.store.detail import DetailStore
from miner.store.failures import FailureStore
from miner.store.frontier import FrontierStore
from miner.store.keyset import InvalidCursor, Page
from miner.store.queries import QueryStore
from miner.store.reports import ReportStore
from miner.store.reviews import ReviewStore
from miner.store.rows import (
    DocumentListing,
    RunSummary,
    SourceSummary,
    StoredFetch,
    VersionInfo,
    WorkItem,
)
from miner.store.runs import RunStore
from miner.store.search import SearchStore
from miner.store.states import PENDING_STATES
from miner.store.tokens import TokenStore
from miner.store.versions import VersionStore
from miner.store.watchlists import WatchlistStore


class Repository(
    RunStore,
    FrontierStore,
    VersionStore,
    AnalysisStore,
    FailureStore,
    QueryStore,
    SearchStore,
    ReportStore,
    WatchlistStore,
    BrowseStore,
    DetailStore,
    TokenStore,
    ReviewStore,
    ChangeStore,
):
    """The store's API; one instance per process and database (it only holds the engine)."""

    @classmethod
    def open(cls, url: str) -> Repository:
        """The repository of ``url``, with the schema migrated to the latest revision."""
        return cls(db.engine_for(url))


__all__ = [
    "PENDING_STATES",
    "DocumentListing",
    "InvalidCursor",
    "Page",
    "Repository",
    "RunSummary",
    "SourceSummary",
    "StoreUnavailable",
    "StoredFetch",
    "VersionInfo",
    "WorkItem",
]
