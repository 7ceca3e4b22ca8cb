"""The frozen records the store hands out, each built from labelled columns.

Every query that fills one of these selects columns labelled with the record's field names, so a
record is built by name (``Record.from_row(row)``), never by position: adding a column to a query
cannot shift the others.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from miner.store.states import FrontierState, Outcome, UrlRole


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One URL of one run, with what the store remembers about it (validators, last content)."""

    run_url_id: int
    run_id: int
    url_id: int
    source_id: str
    url: str
    role: UrlRole
    depth: int
    state: FrontierState
    etag: str | None
    last_modified: str | None
    last_hash: str | None
    allow_private: bool
    version_id: int | None
    #: Not to be requested before this time: the URL failed permanently (see miner.crawl's back-off).
    retry_after: datetime | None = None

    @classmethod
    def from_row(cls, row: RowMapping) -> WorkItem:
        kw = {f.name: row[f.name] for f in fields(cls)}
        kw["role"], kw["state"] = UrlRole(kw["role"]), FrontierState(kw["state"])
        kw["allow_private"] = bool(kw["allow_private"])
        return cls(**kw)


@dataclass(frozen=True, slots=True)
class StoredFetch:
    """What storing one answer did: ``outcome`` is new, changed or unchanged."""

    outcome: Outcome
    version_id: int | None
    needs_analysis: bool


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version_id: int
    document_id: int
    content_hash: str
    url: str
    source_id: str
    government: str

    @classmethod
    def from_row(cls, row: RowMapping) -> VersionInfo:
        return cls(**{f.name: row[f.name] for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class SourceSummary:
    source_id: str
    run_id: int
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    flagged: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    finished: bool = False
    error: str | None = None


#: The counts of a run summary, in the order they are shown.
SUMMARY_COUNTS = ("new", "changed", "unchanged", "flagged", "failed", "skipped", "pending")


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Totals over the runs of one ``miner run``, plus each source's own line."""

    sources: tuple[SourceSummary, ...] = ()
    failures: tuple[dict[str, Any], ...] = field(default=())
    #: Each document stored anew or changed (in its text), with its score and newly raised flags
    #: (:class:`miner.store.changes.RunDocument`).
    documents: tuple[Any, ...] = ()

    def total(self, name: str) -> int:
        return sum(int(getattr(s, name)) for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": len(self.sources),
            **{k: self.total(k) for k in SUMMARY_COUNTS},
            "per_source": [asdict(s) for s in self.sources],
            "failures": list(self.failures),
            "documents": [_document(d) for d in self.documents],
        }


def _document(d: Any) -> dict[str, Any]:
    out = asdict(d)
    out["flags"], out["new_flags"] = list(d.flags), list(d.new_flags)
    return out


@dataclass(frozen=True, slots=True)
class DocumentListing:
    """One line of ``miner documents``: a document, its current version and that version's latest score."""

    url: str
    source_id: str
    government: str
    content_hash: str | None
    title: str | None
    kind: str | None
    language: str | None
    score: int | None
    relevance: float | None
    migrant: bool | None
    flags: tuple[str, ...]
    rubric_version: str | None
    model_version: str | None
    fetched_at: datetime | None
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["flags"] = list(self.flags)
        d["fetched_at"] = self.fetched_at.isoformat() if self.fetched_at else None
        return d
