"""The web's other reads: one document with everything that explains its score, the latest versions
stored (what changed), each source's health, and the documents behind a set of URLs.

Each public method is one read transaction; none reads a whole table for one answer except
:meth:`DetailStore.sources_health`, whose counts are one ``GROUP BY`` per table over indexed columns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Select, String, any_, bindparam, func, literal_column, select, text
from sqlalchemy.engine import Connection

from miner.records import Paragraph
from miner.store import keyset
from miner.store.analyses import EVIDENCE_FIELDS
from miner.store.base import (
    ANALYSES,
    DEAD_LETTERS,
    DOCUMENTS,
    EVIDENCE,
    FLAGS,
    PARAGRAPHS,
    RUN_URLS,
    RUNS,
    SOURCES,
    VERSIONS,
    StoreBase,
    transient,
)
from miner.store.reviews import Review, _reviews_of
from miner.store.states import PENDING_STATES, FrontierState

#: Versions of one document listed on its page (newest first); older ones are counted only.
MAX_VERSIONS = 100


@dataclass(frozen=True, slots=True)
class VersionRow:
    id: int
    content_hash: str
    size: int
    content_type: str
    kind: str | None
    title: str | None
    published: date | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class StoredFlag:
    code: str
    severity: str
    reason: str
    evidence: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class StoredAnalysis:
    id: int
    score: int | None
    relevance: float | None
    migrant: bool | None
    language: str | None
    title: str | None
    kind: str | None
    rubric_version: str
    model_version: str
    computed_at: datetime
    error: str | None
    dimensions: dict[str, Any]
    sections: tuple[dict[str, Any], ...]
    detail: dict[str, Any]
    flags: tuple[StoredFlag, ...]
    evidence: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class DocumentDetail:
    """One document as its page shows it: the version asked for (the current one by default)."""

    id: int
    url: str
    source_id: str
    source_name: str | None
    government: str
    first_seen_at: datetime
    updated_at: datetime
    current_version_id: int | None
    version: VersionRow | None
    versions: tuple[VersionRow, ...]
    version_count: int
    analysis: StoredAnalysis | None
    #: The paragraphs that evidence quotes, by index (only those: a long plan has thousands).
    paragraphs: dict[int, Paragraph] = field(default_factory=dict)
    reviews: tuple[Review, ...] = ()


@dataclass(frozen=True, slots=True)
class RecentVersion:
    """A version stored lately: a new document, or a change to a known one."""

    document_id: int
    version_id: int
    url: str
    government: str
    title: str | None
    fetched_at: datetime
    changed: bool
    score: int | None
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    id: str
    name: str
    government: str
    domains: tuple[str, ...]
    cadence: str | None
    documents: int
    failures: int
    last_run_id: int | None
    last_run_started: datetime | None
    last_run_finished: datetime | None
    last_run_error: str | None
    last_run_failed_urls: int
    last_run_pending_urls: int
    last_failure: str | None

    @property
    def status(self) -> str:
        """``never`` crawled, ``running``, ``failing`` (the source as a whole), ``degraded`` (some
        URLs failed in the last run) or ``ok``."""
        if self.last_run_id is None:
            return "never"
        if self.last_run_error:
            return "failing"
        if self.last_run_finished is None:
            return "running"
        return "degraded" if self.last_run_failed_urls else "ok"


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: int
    url: str
    published: date | None
    fetched_at: datetime | None


class DetailStore(StoreBase):
    """One document, recent versions, sources' health, documents by URL, and a liveness probe."""

    @transient
    def ping(self) -> None:
        """One round trip to the database (``/healthz``); raises :class:`StoreUnavailable` if down."""
        with self._read() as conn:
            conn.execute(text("SELECT 1"))

    @transient
    def document_detail(self, document_id: int, version_id: int | None = None) -> DocumentDetail | None:
        """The document, its versions, and the version ``version_id`` (default: the current one) with
        its latest analysis, flags, evidence, the paragraphs quoted, and the reviews of its flags.
        None when there is no such document, or the version is not one of its versions."""
        with self._read() as conn:
            return _detail(conn, document_id, version_id)

    @transient
    def recent_versions(self, limit: int = 10) -> list[RecentVersion]:
        """The versions stored last (newest first), each with its document and its latest analysis."""
        with self._read() as conn:
            return _recent(conn, limit)

    @transient
    def sources_health(self) -> list[SourceHealth]:
        """Every source as last crawled: its last run, documents, failures (dead letters)."""
        with self._read() as conn:
            return _health(conn)

    @transient
    def source_names(self) -> list[tuple[str, str]]:
        """(id, name) of every source, by name (a list filter's choices)."""
        with self._read() as conn:
            rows = conn.execute(select(SOURCES.c.id, SOURCES.c.name).order_by(SOURCES.c.name, SOURCES.c.id))
            return [(r.id, r.name) for r in rows]

    @transient
    def documents_by_url(self, urls: Sequence[str]) -> dict[str, DocumentRef]:
        """The documents stored at these URLs (bound as one array), with their current version's dates."""
        wanted = sorted(set(urls))
        if not wanted:
            return {}
        q = (
            select(DOCUMENTS.c.id, DOCUMENTS.c.url, VERSIONS.c.published, VERSIONS.c.fetched_at)
            .select_from(DOCUMENTS.outerjoin(VERSIONS, VERSIONS.c.id == DOCUMENTS.c.current_version_id))
            .order_by(DOCUMENTS.c.id)
        )
        with self._read() as conn:
            rows = conn.execute(q.where(_among_text(conn, DOCUMENTS.c.url, wanted))).all()
        out: dict[str, DocumentRef] = {}
        for r in rows:
            out.setdefault(r.url, DocumentRef(r.id, r.url, r.published, r.fetched_at))
        return out


def _among_text(conn: Connection, column: Any, values: list[str]) -> Any:
    """``column`` is one of ``values``, bound as one parameter (as :func:`keyset.among` for ints)."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))
    each: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(values)))
    )
    return column.in_(each.scalar_subquery())


def _version(r: Any) -> VersionRow:
    return VersionRow(
        r.id, r.content_hash, r.size, r.content_type, r.kind, r.title, r.published, r.fetched_at
    )


def _detail(conn: Connection, document_id: int, version_id: int | None) -> DocumentDetail | None:
    doc = conn.execute(
        select(DOCUMENTS, SOURCES.c.name.label("source_name"))
        .select_from(DOCUMENTS.outerjoin(SOURCES, SOURCES.c.id == DOCUMENTS.c.source_id))
        .where(DOCUMENTS.c.id == document_id)
    ).first()
    if doc is None:
        return None
    version_cols = [VERSIONS.c[k] for k in VersionRow.__dataclass_fields__]
    versions = tuple(
        _version(r)
        for r in conn.execute(
            select(*version_cols)
            .where(VERSIONS.c.document_id == document_id)
            .order_by(VERSIONS.c.fetched_at.desc(), VERSIONS.c.id.desc())
            .limit(MAX_VERSIONS)
        )
    )
    count = conn.execute(
        select(func.count()).select_from(VERSIONS).where(VERSIONS.c.document_id == document_id)
    ).scalar_one()
    shown_id = version_id if version_id is not None else doc.current_version_id
    shown = None
    if shown_id is not None:
        row = conn.execute(
            select(*version_cols).where(VERSIONS.c.id == shown_id, VERSIONS.c.document_id == document_id)
        ).first()
        if row is None:
            return None
        shown = _version(row)
    elif version_id is not None:
        return None
    analysis = _analysis(conn, shown.id) if shown is not None else None
    paragraphs: dict[int, Paragraph] = {}
    if analysis is not None and shown is not None:
        quoted = {int(e["paragraph"]) for e in analysis.evidence}
        quoted |= {int(e["paragraph"]) for f in analysis.flags for e in f.evidence if "paragraph" in e}
        paragraphs = _paragraphs(conn, shown.id, sorted(quoted))
    return DocumentDetail(
        id=doc.id,
        url=doc.url,
        source_id=doc.source_id,
        source_name=doc.source_name,
        government=doc.government,
        first_seen_at=doc.first_seen_at,
        updated_at=doc.updated_at,
        current_version_id=doc.current_version_id,
        version=shown,
        versions=versions,
        version_count=int(count),
        analysis=analysis,
        paragraphs=paragraphs,
        reviews=tuple(_reviews_of(conn, [document_id]).get(document_id, [])),
    )


def _analysis(conn: Connection, version_id: int) -> StoredAnalysis | None:
    a = conn.execute(
        select(ANALYSES).where(ANALYSES.c.version_id == version_id).order_by(ANALYSES.c.id.desc()).limit(1)
    ).first()
    if a is None:
        return None
    flags = tuple(
        StoredFlag(f.code, f.severity, f.reason, tuple(f.evidence or ()))
        for f in conn.execute(select(FLAGS).where(FLAGS.c.analysis_id == a.id).order_by(FLAGS.c.id))
    )
    evidence = tuple(
        {k: getattr(e, k) for k in EVIDENCE_FIELDS}
        for e in conn.execute(
            select(EVIDENCE).where(EVIDENCE.c.analysis_id == a.id).order_by(EVIDENCE.c.ordinal)
        )
    )
    return StoredAnalysis(
        id=a.id,
        score=a.score,
        relevance=a.relevance,
        migrant=a.migrant,
        language=a.language or None,
        title=a.title,
        kind=a.kind,
        rubric_version=a.rubric_version,
        model_version=a.model_version,
        computed_at=a.computed_at,
        error=a.error,
        dimensions=dict(a.dimensions or {}),
        sections=tuple(a.sections or ()),
        detail=dict(a.detail or {}),
        flags=flags,
        evidence=evidence,
    )


def _paragraphs(conn: Connection, version_id: int, indexes: list[int]) -> dict[int, Paragraph]:
    if not indexes:
        return {}
    rows = conn.execute(
        select(
            PARAGRAPHS.c.idx,
            PARAGRAPHS.c.page,
            PARAGRAPHS.c.language,
            PARAGRAPHS.c.section,
            PARAGRAPHS.c.text,
        )
        .where(PARAGRAPHS.c.version_id == version_id)
        .where(keyset.among(conn, PARAGRAPHS.c.idx, indexes))
    )
    return {
        r.idx: Paragraph(index=r.idx, text=r.text, page=r.page, language=r.language, section=r.section)
        for r in rows
    }


def _recent(conn: Connection, limit: int) -> list[RecentVersion]:
    older = VERSIONS.alias("older")
    changed = (
        select(older.c.id)
        .where(older.c.document_id == VERSIONS.c.document_id, older.c.id < VERSIONS.c.id)
        .exists()
    )
    rows = conn.execute(
        select(
            VERSIONS.c.id,
            VERSIONS.c.document_id,
            VERSIONS.c.title,
            VERSIONS.c.fetched_at,
            DOCUMENTS.c.url,
            DOCUMENTS.c.government,
            changed.label("changed"),
        )
        .select_from(VERSIONS.join(DOCUMENTS, DOCUMENTS.c.id == VERSIONS.c.document_id))
        .order_by(VERSIONS.c.id.desc())
        .limit(limit)
    ).all()
    version_ids = [r.id for r in rows]
    latest: dict[int, Any] = {}
    flags: dict[int, list[str]] = {}
    if version_ids:
        found = conn.execute(
            select(ANALYSES.c.id, ANALYSES.c.version_id, ANALYSES.c.score, ANALYSES.c.title).where(
                keyset.among(conn, ANALYSES.c.version_id, version_ids)
            )
        )
        for row in sorted(found.all(), key=lambda row: row.id):
            latest[row.version_id] = row
    if latest:
        codes = conn.execute(
            select(FLAGS.c.id, FLAGS.c.analysis_id, FLAGS.c.code).where(
                keyset.among(conn, FLAGS.c.analysis_id, [a.id for a in latest.values()])
            )
        )
        for _id, analysis_id, code in sorted(codes.all()):
            flags.setdefault(analysis_id, []).append(code)
    out = []
    for r in rows:
        a: Any = latest.get(r.id)
        out.append(
            RecentVersion(
                document_id=r.document_id,
                version_id=r.id,
                url=r.url,
                government=r.government,
                title=(a.title if a is not None and a.title else r.title),
                fetched_at=r.fetched_at,
                changed=bool(r.changed),
                score=a.score if a is not None else None,
                flags=tuple(flags.get(a.id, ())) if a is not None else (),
            )
        )
    return out


def _health(conn: Connection) -> list[SourceHealth]:
    sources = conn.execute(select(SOURCES).order_by(SOURCES.c.id)).all()
    last_ids = select(func.max(RUNS.c.id)).group_by(RUNS.c.source_id)
    runs = {r.source_id: r for r in conn.execute(select(RUNS).where(RUNS.c.id.in_(last_ids)))}
    documents: dict[str, int] = {
        source_id: n
        for source_id, n in conn.execute(
            select(DOCUMENTS.c.source_id, func.count()).group_by(DOCUMENTS.c.source_id)
        ).all()
    }
    failures: dict[str, int] = {
        source_id: n
        for source_id, n in conn.execute(
            select(RUNS.c.source_id, func.count())
            .select_from(DEAD_LETTERS.join(RUNS, RUNS.c.id == DEAD_LETTERS.c.run_id))
            .group_by(RUNS.c.source_id)
        ).all()
    }
    last_failure = {
        r.source_id: r.message
        for r in conn.execute(
            select(RUNS.c.source_id, DEAD_LETTERS.c.message)
            .select_from(DEAD_LETTERS.join(RUNS, RUNS.c.id == DEAD_LETTERS.c.run_id))
            .where(
                DEAD_LETTERS.c.id.in_(
                    select(func.max(DEAD_LETTERS.c.id))
                    .select_from(DEAD_LETTERS.join(RUNS, RUNS.c.id == DEAD_LETTERS.c.run_id))
                    .group_by(RUNS.c.source_id)
                )
            )
        )
    }
    states: dict[int, dict[str, int]] = {}
    run_ids = [r.id for r in runs.values()]
    if run_ids:
        for run_id, state, n in conn.execute(
            select(RUN_URLS.c.run_id, RUN_URLS.c.state, func.count())
            .where(keyset.among(conn, RUN_URLS.c.run_id, run_ids))
            .group_by(RUN_URLS.c.run_id, RUN_URLS.c.state)
        ):
            states.setdefault(run_id, {})[state] = int(n)
    out = []
    for s in sources:
        run = runs.get(s.id)
        counts = states.get(run.id, {}) if run is not None else {}
        cfg = s.config or {}
        out.append(
            SourceHealth(
                id=s.id,
                name=s.name,
                government=s.government,
                domains=tuple(cfg.get("domains") or ()),
                cadence=cfg.get("cadence"),
                documents=int(documents.get(s.id, 0)),
                failures=int(failures.get(s.id, 0)),
                last_run_id=run.id if run is not None else None,
                last_run_started=run.started_at if run is not None else None,
                last_run_finished=run.finished_at if run is not None else None,
                last_run_error=run.error if run is not None else None,
                last_run_failed_urls=counts.get(FrontierState.FAILED, 0),
                last_run_pending_urls=sum(counts.get(p, 0) for p in PENDING_STATES),
                last_failure=last_failure.get(s.id),
            )
        )
    return out
