"""Every query and every write of the product: the only SQL in the project.

Writes are idempotent. Each one is an ``INSERT ... ON CONFLICT`` against a natural key (content hash,
(document, hash), (version, rubric, model), (run, url), ...), so running a step twice -- a task
redelivered after a worker died, two workers racing on one document -- leaves the same rows. Each
method is one transaction: a version's paragraphs, analysis, flags and evidence appear together or
not at all.

Database failures that may pass (a locked SQLite file, a PostgreSQL deadlock or restart) are raised as
:class:`StoreUnavailable`, a :class:`~miner.errors.Transient`, so callers retry them like a network blip.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine, Table, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from miner.errors import Transient
from miner.records import Analysis, Extracted, Fetched, Source
from miner.sources import parse_source
from miner.store import db
from miner.store.models import (
    AnalysisRow,
    Base,
    Blob,
    CrawlRun,
    DeadLetter,
    Document,
    DocumentVersion,
    EvidenceRow,
    FetchLog,
    FlagRow,
    ParagraphRow,
    RunUrl,
    SourceRow,
    UrlRow,
)
from miner.tasknames import Task

P = ParamSpec("P")
R = TypeVar("R")

_sources: Table = SourceRow.__table__  # type: ignore[assignment]
_runs: Table = CrawlRun.__table__  # type: ignore[assignment]
_urls: Table = UrlRow.__table__  # type: ignore[assignment]
_run_urls: Table = RunUrl.__table__  # type: ignore[assignment]
_fetch_log: Table = FetchLog.__table__  # type: ignore[assignment]
_blobs: Table = Blob.__table__  # type: ignore[assignment]
_documents: Table = Document.__table__  # type: ignore[assignment]
_versions: Table = DocumentVersion.__table__  # type: ignore[assignment]
_paragraphs: Table = ParagraphRow.__table__  # type: ignore[assignment]
_analyses: Table = AnalysisRow.__table__  # type: ignore[assignment]
_flags: Table = FlagRow.__table__  # type: ignore[assignment]
_evidence: Table = EvidenceRow.__table__  # type: ignore[assignment]
_dead: Table = DeadLetter.__table__  # type: ignore[assignment]

#: run_url states that still have work to do.
PENDING_STATES = ("queued", "analysing")


class StoreUnavailable(Transient):
    """The database refused or dropped the call (locked, deadlock, restart): retry later."""

    code = "store-unavailable"


def _transient(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            raise StoreUnavailable(f"database unavailable: {exc.orig or exc}") from exc

    return wrapper


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One URL of one run, with what the store remembers about it (validators, last content)."""

    run_url_id: int
    run_id: int
    url_id: int
    source_id: str
    url: str
    role: str
    depth: int
    state: str
    etag: str | None
    last_modified: str | None
    last_hash: str | None
    allow_private: bool
    version_id: int | None


@dataclass(frozen=True, slots=True)
class StoredFetch:
    """What storing one answer did: ``outcome`` is new | changed | unchanged."""

    outcome: str
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


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Totals over the runs of one ``miner run``, plus each source's own line."""

    sources: tuple[SourceSummary, ...] = ()
    failures: tuple[dict[str, Any], ...] = field(default=())

    def total(self, name: str) -> int:
        return sum(int(getattr(s, name)) for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        keys = ("new", "changed", "unchanged", "flagged", "failed", "skipped", "pending")
        return {
            "sources": len(self.sources),
            **{k: self.total(k) for k in keys},
            "per_source": [asdict(s) for s in self.sources],
            "failures": list(self.failures),
        }


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


@dataclass(frozen=True, slots=True)
class StoredParagraph:
    """A paragraph of a document's current version, with where it stands (for mentions)."""

    url: str
    government: str
    title: str | None
    paragraph: int
    page: int | None
    language: str
    section: str | None
    text: str


def _source_from_config(cfg: dict[str, Any]) -> Source:
    return parse_source(cfg, where="the store's copy of the source")  # the registry's one reader


class Repository:
    """The store's API; one instance per process and database (it only holds the engine)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str) -> Repository:
        """The repository of ``url``, with the schema migrated to the latest revision."""
        return cls(db.engine_for(url))

    def _insert(self, table: Table) -> Any:
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _lock_run(self, conn: Connection, run_id: int) -> None:
        """Serialise writers of one run's frontier (SQLite's BEGIN IMMEDIATE already does)."""
        if self._dialect == "postgresql":
            conn.execute(select(_runs.c.id).where(_runs.c.id == run_id).with_for_update())

    # --- sources and runs -------------------------------------------------------------------------------

    @_transient
    def upsert_source(self, source: Source) -> None:
        cfg = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(source).items()}
        row = {
            "id": source.id,
            "name": source.name,
            "government": source.government,
            "config": cfg,
            "updated_at": _now(),
        }
        stmt = self._insert(_sources).values(row)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={k: stmt.excluded[k] for k in ("name", "government", "config", "updated_at")},
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)

    @_transient
    def get_source(self, source_id: str) -> Source | None:
        with self.engine.begin() as conn:
            cfg = conn.execute(select(_sources.c.config).where(_sources.c.id == source_id)).scalar()
        return _source_from_config(cfg) if cfg is not None else None

    @_transient
    def start_run(self, source_id: str, *, allow_private: bool = False, trigger: str = "cli") -> int:
        with self.engine.begin() as conn:
            res = conn.execute(
                _runs.insert()
                .values(source_id=source_id, trigger=trigger, allow_private=allow_private, started_at=_now())
                .returning(_runs.c.id)
            )
            return int(res.scalar_one())

    @_transient
    def run_info(self, run_id: int) -> dict[str, Any] | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(_runs).where(_runs.c.id == run_id)).mappings().first()
        return dict(row) if row else None

    @_transient
    def mark_seeded(self, run_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(_runs).where(_runs.c.id == run_id).values(seeded=True))
            self._maybe_finish(conn, [run_id])

    @_transient
    def fail_run(self, run_id: int, message: str) -> None:
        """The whole source failed (nothing could be seeded): close the run with the reason."""
        with self.engine.begin() as conn:
            conn.execute(
                update(_runs)
                .where(_runs.c.id == run_id)
                .values(seeded=True, error=message, finished_at=func.coalesce(_runs.c.finished_at, _now()))
            )

    def _maybe_finish(self, conn: Connection, run_ids: Iterable[int]) -> None:
        """Stamp runs whose frontier is settled. The run row is locked first, so that two workers
        settling a run's last two entries at once cannot each see the other's as still pending."""
        for run_id in sorted(set(run_ids)):
            self._lock_run(conn, run_id)
            pending = conn.execute(
                select(func.count())
                .select_from(_run_urls)
                .where(_run_urls.c.run_id == run_id, _run_urls.c.state.in_(PENDING_STATES))
            ).scalar_one()
            if pending == 0:
                conn.execute(
                    update(_runs)
                    .where(_runs.c.id == run_id, _runs.c.seeded.is_(True), _runs.c.finished_at.is_(None))
                    .values(finished_at=_now())
                )

    # --- the frontier -----------------------------------------------------------------------------------

    @_transient
    def enqueue(
        self,
        run_id: int,
        source_id: str,
        url: str,
        *,
        role: str,
        depth: int,
        limit: int | None = None,
        parent_id: int | None = None,
    ) -> int | None:
        """Put ``url`` on the run's frontier; its run_url id, or None when it is there already or the
        run already holds ``limit`` documents. Safe under concurrency: the UNIQUE(run, url) decides."""
        with self.engine.begin() as conn:
            self._lock_run(conn, run_id)
            conn.execute(
                self._insert(_urls)
                .values(source_id=source_id, url=url, role=role, first_seen_at=_now())
                .on_conflict_do_nothing(index_elements=["source_id", "url"])
            )
            url_id = conn.execute(
                select(_urls.c.id).where(_urls.c.source_id == source_id, _urls.c.url == url)
            ).scalar_one()
            if limit is not None and role == "document":
                held = conn.execute(
                    select(func.count())
                    .select_from(_run_urls.join(_urls, _urls.c.id == _run_urls.c.url_id))
                    .where(_run_urls.c.run_id == run_id, _urls.c.role == "document")
                ).scalar_one()
                if held >= limit:
                    return None
            res = conn.execute(
                self._insert(_run_urls)
                .values(
                    run_id=run_id,
                    url_id=url_id,
                    depth=depth,
                    parent_id=parent_id,
                    state="queued",
                    updated_at=_now(),
                )
                .on_conflict_do_nothing(index_elements=["run_id", "url_id"])
                .returning(_run_urls.c.id)
            )
            new = res.scalar()
            return int(new) if new is not None else None

    @_transient
    def work_item(self, run_url_id: int) -> WorkItem | None:
        j = _run_urls.join(_urls, _urls.c.id == _run_urls.c.url_id).join(
            _runs, _runs.c.id == _run_urls.c.run_id
        )
        q = select(
            _run_urls.c.id.label("run_url_id"),
            _run_urls.c.run_id,
            _run_urls.c.url_id,
            _urls.c.source_id,
            _urls.c.url,
            _urls.c.role,
            _run_urls.c.depth,
            _run_urls.c.state,
            _urls.c.etag,
            _urls.c.last_modified,
            _urls.c.last_hash,
            _runs.c.allow_private,
            _run_urls.c.version_id,
        ).select_from(j)
        with self.engine.begin() as conn:
            row = conn.execute(q.where(_run_urls.c.id == run_url_id)).mappings().first()
        return WorkItem(**row) if row else None

    def _queued(self, condition: Any) -> list[int]:
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(_run_urls.c.id)
                .where(condition, _run_urls.c.state == "queued")
                .order_by(_run_urls.c.id)
            )
            return [int(r) for r in rows.scalars()]

    @_transient
    def queued_items(self, run_id: int) -> list[int]:
        """Run_url ids still waiting for a fetch (to resume a run, or to drain it in-process)."""
        return self._queued(_run_urls.c.run_id == run_id)

    @_transient
    def queued_children(self, run_url_id: int) -> list[int]:
        """Children of a step still waiting: what a redelivered step must send again."""
        return self._queued(_run_urls.c.parent_id == run_url_id)

    @_transient
    def note_run_error(self, run_id: int, message: str) -> None:
        """Remember why a source failed as a whole (its start URL did), keeping the first reason."""
        with self.engine.begin() as conn:
            stmt = update(_runs).where(_runs.c.id == run_id, _runs.c.error.is_(None))
            conn.execute(stmt.values(error=message[:4000]))

    @_transient
    def finish_item(
        self, run_url_id: int, *, state: str, outcome: str, version_id: int | None = None
    ) -> None:
        with self.engine.begin() as conn:
            run_id = conn.execute(
                update(_run_urls)
                .where(_run_urls.c.id == run_url_id)
                .values(state=state, outcome=outcome, version_id=version_id, updated_at=_now())
                .returning(_run_urls.c.run_id)
            ).scalar()
            if run_id is not None:
                self._maybe_finish(conn, [run_id])

    # --- fetching -------------------------------------------------------------------------------------

    @_transient
    def log_fetch(
        self,
        *,
        url: str,
        started_at: datetime,
        run_id: int | None = None,
        url_id: int | None = None,
        fetched: Fetched | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Record one request (every one: the fetch log is how an operator audits what was asked)."""
        row: dict[str, Any] = {"run_id": run_id, "url_id": url_id, "url": url, "started_at": started_at}
        row["finished_at"] = _now()
        if fetched is not None:
            row.update(
                status=fetched.status,
                bytes=len(fetched.content),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                not_modified=fetched.not_modified,
                content_hash=None if fetched.not_modified else fetched.content_hash,
            )
        if error is not None:
            row.update(error_code=getattr(error, "code", type(error).__name__), error=str(error)[:4000])
        with self.engine.begin() as conn:
            conn.execute(_fetch_log.insert().values(**row))

    def _needs_analysis(self, conn: Connection, version_id: int) -> bool:
        analysed = conn.execute(
            select(func.count()).select_from(_analyses).where(_analyses.c.version_id == version_id)
        ).scalar_one()
        if analysed:
            return False
        gave_up = conn.execute(
            select(func.count())
            .select_from(_dead)
            .where(
                _dead.c.key == Task.PROCESS_DOCUMENT.dead_letter_key(version_id), _dead.c.permanent.is_(True)
            )
        ).scalar_one()
        return gave_up == 0

    @_transient
    def store_fetched(self, item: WorkItem, fetched: Fetched, *, government: str) -> StoredFetch:
        """Keep an answer's bytes and validators; for a document, upsert it and its version."""
        digest = fetched.content_hash
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                self._insert(_blobs)
                .values(content_hash=digest, size=len(fetched.content), data=fetched.content, stored_at=now)
                .on_conflict_do_nothing(index_elements=["content_hash"])
            )
            conn.execute(
                update(_urls)
                .where(_urls.c.id == item.url_id)
                .values(
                    etag=fetched.etag,
                    last_modified=fetched.last_modified,
                    last_hash=digest,
                    last_status=fetched.status,
                    last_fetched_at=now,
                )
            )
            if item.role != "document":
                outcome = "unchanged" if item.last_hash == digest else "new"
                return StoredFetch(outcome, None, False)
            conn.execute(
                self._insert(_documents)
                .values(
                    url_id=item.url_id,
                    source_id=item.source_id,
                    url=item.url,
                    government=government,
                    first_seen_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["url_id"])
            )
            doc_id, current = conn.execute(
                select(_documents.c.id, _documents.c.current_version_id).where(
                    _documents.c.url_id == item.url_id
                )
            ).one()
            inserted = conn.execute(
                self._insert(_versions)
                .values(
                    document_id=doc_id,
                    content_hash=digest,
                    size=len(fetched.content),
                    content_type=fetched.content_type[:200],
                    fetched_at=fetched.fetched_at or now,
                    run_id=item.run_id,
                )
                .on_conflict_do_nothing(index_elements=["document_id", "content_hash"])
                .returning(_versions.c.id)
            ).scalar()
            version_id = inserted
            if version_id is None:
                version_id = conn.execute(
                    select(_versions.c.id).where(
                        _versions.c.document_id == doc_id, _versions.c.content_hash == digest
                    )
                ).scalar_one()
            if current is None:
                outcome = "new"
            elif current != version_id:
                outcome = "changed"
            else:
                outcome = self._outcome_of_current(conn, int(version_id), item.run_id)
            if current != version_id:
                conn.execute(
                    update(_documents)
                    .where(_documents.c.id == doc_id)
                    .values(current_version_id=version_id, updated_at=now)
                )
            return StoredFetch(outcome, int(version_id), self._needs_analysis(conn, int(version_id)))

    @_transient
    def store_not_modified(self, item: WorkItem) -> StoredFetch:
        """A 304: the URL still serves its last content; nothing new is stored."""
        with self.engine.begin() as conn:
            conn.execute(
                update(_urls).where(_urls.c.id == item.url_id).values(last_status=304, last_fetched_at=_now())
            )
            current = conn.execute(
                select(_documents.c.current_version_id).where(_documents.c.url_id == item.url_id)
            ).scalar()
            if current is None:
                return StoredFetch("unchanged", None, False)
            outcome = self._outcome_of_current(conn, int(current), item.run_id)
            return StoredFetch(outcome, int(current), self._needs_analysis(conn, int(current)))

    def _outcome_of_current(self, conn: Connection, version_id: int, run_id: int) -> str:
        """The URL serves its current version: "unchanged", unless this very run stored that version
        (a step redelivered after a crash, now answered 304): then it is still this run's new/changed."""
        row = conn.execute(
            select(_versions.c.run_id, _versions.c.document_id).where(_versions.c.id == version_id)
        ).one()
        if row.run_id != run_id:
            return "unchanged"
        versions = conn.execute(
            select(func.count()).select_from(_versions).where(_versions.c.document_id == row.document_id)
        ).scalar_one()
        return "new" if versions == 1 else "changed"

    @_transient
    def blob(self, content_hash: str) -> bytes | None:
        with self.engine.begin() as conn:
            data = conn.execute(select(_blobs.c.data).where(_blobs.c.content_hash == content_hash)).scalar()
        return bytes(data) if data is not None else None

    # --- analysis -------------------------------------------------------------------------------------

    @_transient
    def version_info(self, version_id: int) -> VersionInfo | None:
        j = _versions.join(_documents, _documents.c.id == _versions.c.document_id)
        q = select(
            _versions.c.id.label("version_id"),
            _versions.c.document_id,
            _versions.c.content_hash,
            _documents.c.url,
            _documents.c.source_id,
            _documents.c.government,
        ).select_from(j)
        with self.engine.begin() as conn:
            row = conn.execute(q.where(_versions.c.id == version_id)).mappings().first()
        return VersionInfo(**row) if row else None

    @_transient
    def has_analysis(self, version_id: int, rubric_version: str | None = None) -> bool:
        q = select(func.count()).select_from(_analyses).where(_analyses.c.version_id == version_id)
        if rubric_version is not None:
            q = q.where(_analyses.c.rubric_version == rubric_version)
        with self.engine.begin() as conn:
            return bool(conn.execute(q).scalar_one())

    @_transient
    def versions_to_rescore(self, rubric_version: str, model_version: str) -> list[int]:
        """Current versions with no analysis under this rubric and model, and no permanent failure."""
        scored = select(_analyses.c.version_id).where(
            _analyses.c.rubric_version == rubric_version, _analyses.c.model_version == model_version
        )
        gave_up = select(_dead.c.key).where(
            _dead.c.task == Task.PROCESS_DOCUMENT, _dead.c.permanent.is_(True)
        )
        q = (
            select(_documents.c.current_version_id)
            .where(_documents.c.current_version_id.is_not(None))
            .where(_documents.c.current_version_id.not_in(scored))
            .order_by(_documents.c.current_version_id)
        )
        with self.engine.begin() as conn:
            ids = [int(v) for v in conn.execute(q).scalars()]
            failed = set(conn.execute(gave_up).scalars())
        return [v for v in ids if Task.PROCESS_DOCUMENT.dead_letter_key(v) not in failed]

    @_transient
    def store_analysis(self, version_id: int, extracted: Extracted, analysis: Analysis) -> bool:
        """Paragraphs, analysis, flags and evidence of a version, in one transaction.

        Returns False when this (version, rubric, model) was stored already -- by an earlier run of
        the same step or by another worker -- in which case nothing is written.
        """
        now = _now()
        with self.engine.begin() as conn:
            if extracted.paragraphs:
                conn.execute(
                    self._insert(_paragraphs).on_conflict_do_nothing(index_elements=["version_id", "idx"]),
                    [
                        {
                            "version_id": version_id,
                            "idx": p.index,
                            "page": p.page,
                            "language": p.language,
                            "section": p.section,
                            "text": p.text,
                        }
                        for p in extracted.paragraphs
                    ],
                )
            conn.execute(
                update(_versions)
                .where(_versions.c.id == version_id)
                .values(kind=extracted.kind, title=extracted.title, published=extracted.published)
            )
            digest = conn.execute(
                select(_versions.c.content_hash).where(_versions.c.id == version_id)
            ).scalar_one()
            failed = analysis.error is not None
            detail = {
                "domains": list(analysis.domains),
                "language_mix": dict(analysis.language_mix),
                "page_count": analysis.page_count,
                "needs_ocr": analysis.needs_ocr,
                "warnings": list(analysis.warnings),
            }
            analysis_id = conn.execute(
                self._insert(_analyses)
                .values(
                    version_id=version_id,
                    rubric_version=analysis.rubric_version,
                    model_version=analysis.model_version,
                    content_hash=analysis.content_hash or digest,
                    score=None if failed else analysis.score,
                    relevance=None if failed else analysis.relevance,
                    migrant=None if failed else analysis.migrant,
                    language=analysis.language,
                    title=analysis.title or extracted.title,
                    kind=analysis.kind or extracted.kind,
                    dimensions={d.name: d.as_dict() for d in analysis.dimensions},
                    sections=[s.as_dict() for s in analysis.sections],
                    detail=detail,
                    error=analysis.error,
                    computed_at=now,
                )
                .on_conflict_do_nothing(index_elements=["version_id", "rubric_version", "model_version"])
                .returning(_analyses.c.id)
            ).scalar()
            if analysis_id is not None:
                if analysis.flags:
                    conn.execute(
                        self._insert(_flags).on_conflict_do_nothing(index_elements=["analysis_id", "code"]),
                        [
                            {
                                "analysis_id": analysis_id,
                                "code": f.code,
                                "severity": f.severity,
                                "reason": f.reason,
                                "evidence": [e.as_dict() for e in f.evidence],
                            }
                            for f in analysis.flags
                        ],
                    )
                if analysis.evidence:
                    conn.execute(
                        _evidence.insert(),
                        [
                            {"analysis_id": analysis_id, "ordinal": i, **_evidence_row(e.as_dict())}
                            for i, e in enumerate(analysis.evidence)
                        ],
                    )
            self._settle_version(conn, version_id)
            return analysis_id is not None

    def _settle_version(self, conn: Connection, version_id: int) -> None:
        """Close every run_url that was waiting for this version's analysis."""
        run_ids = conn.execute(
            update(_run_urls)
            .where(_run_urls.c.version_id == version_id, _run_urls.c.state == "analysing")
            .values(state="done", updated_at=_now())
            .returning(_run_urls.c.run_id)
        ).scalars()
        self._maybe_finish(conn, list(run_ids))

    # --- failures -------------------------------------------------------------------------------------

    @_transient
    def dead_letter(
        self,
        *,
        task: str,
        subject: str,
        key: str,
        error_code: str,
        message: str,
        attempts: int = 1,
        permanent: bool = False,
        run_id: int | None = None,
        run_url_id: int | None = None,
        version_id: int | None = None,
    ) -> None:
        """Record work that gave up, and close what waited for it (the run_url, or the version's).

        ``permanent``: the input itself is bad (a later run will not try again); otherwise (a bug, an
        outage that outlasted the retries) a later run or ``miner rescore`` tries again.
        """
        now = _now()
        with self.engine.begin() as conn:
            if run_id is None and version_id is not None:
                run_id = conn.execute(
                    select(func.max(_run_urls.c.run_id)).where(_run_urls.c.version_id == version_id)
                ).scalar()
        stmt = self._insert(_dead).values(
            key=key[:2100],
            task=task,
            subject=subject,
            run_id=run_id,
            error_code=error_code[:50],
            message=message[:4000],
            attempts=attempts,
            permanent=permanent,
            created_at=now,
            last_seen_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                k: stmt.excluded[k]
                for k in ("error_code", "message", "attempts", "permanent", "last_seen_at")
            },
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)
            if run_url_id is not None:
                rid = conn.execute(
                    update(_run_urls)
                    .where(_run_urls.c.id == run_url_id)
                    .values(state="failed", outcome="failed", updated_at=now)
                    .returning(_run_urls.c.run_id)
                ).scalar()
                if rid is not None:
                    self._maybe_finish(conn, [rid])
            if version_id is not None:
                rids = conn.execute(
                    update(_run_urls)
                    .where(_run_urls.c.version_id == version_id, _run_urls.c.state == "analysing")
                    .values(state="failed", updated_at=now)
                    .returning(_run_urls.c.run_id)
                ).scalars()
                self._maybe_finish(conn, list(rids))

    @_transient
    def dead_letters(self, run_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        q = select(_dead).order_by(_dead.c.id)
        if run_ids is not None:
            q = q.where(_dead.c.run_id.in_(list(run_ids)))
        with self.engine.begin() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    # --- reading --------------------------------------------------------------------------------------

    @_transient
    def pending(self, run_ids: Sequence[int]) -> int:
        """Work left in these runs: unfinished frontier rows, plus one for each run not yet seeded."""
        with self.engine.begin() as conn:
            items = conn.execute(
                select(func.count())
                .select_from(_run_urls)
                .where(_run_urls.c.run_id.in_(list(run_ids)), _run_urls.c.state.in_(PENDING_STATES))
            ).scalar_one()
            unseeded = conn.execute(
                select(func.count())
                .select_from(_runs)
                .where(_runs.c.id.in_(list(run_ids)), _runs.c.seeded.is_(False))
            ).scalar_one()
        return int(items) + int(unseeded)

    @_transient
    def progress(self, run_ids: Sequence[int]) -> tuple[int, int]:
        """(finished, known) frontier entries of these runs, for a progress bar."""
        with self.engine.begin() as conn:
            done, total = conn.execute(
                select(
                    func.coalesce(func.sum(case((_run_urls.c.state.in_(PENDING_STATES), 0), else_=1)), 0),
                    func.count(),
                ).where(_run_urls.c.run_id.in_(list(run_ids)))
            ).one()
        return int(done), int(total)

    @_transient
    def summary(self, run_ids: Sequence[int]) -> RunSummary:
        """Per-source counts of documents: new, changed, unchanged (304 or same bytes), flagged, failed."""
        ids = list(run_ids)
        j = _run_urls.join(_urls, _urls.c.id == _run_urls.c.url_id)
        flagged_versions = select(_analyses.c.version_id).join(_flags, _flags.c.analysis_id == _analyses.c.id)
        cols = [
            func.sum(case((and_(_urls.c.role == "document", _run_urls.c.outcome == o), 1), else_=0)).label(o)
            for o in ("new", "changed", "unchanged", "skipped")
        ]
        cols.append(func.sum(case((_run_urls.c.state == "failed", 1), else_=0)).label("failed"))
        cols.append(func.sum(case((_run_urls.c.state.in_(PENDING_STATES), 1), else_=0)).label("pending"))
        cols.append(
            func.sum(
                case(
                    (
                        and_(
                            _run_urls.c.outcome.in_(("new", "changed")),
                            _run_urls.c.version_id.in_(flagged_versions),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("flagged")
        )
        with self.engine.begin() as conn:
            runs = (
                conn.execute(select(_runs).where(_runs.c.id.in_(ids)).order_by(_runs.c.id)).mappings().all()
            )
            counts = {
                r.run_id: r
                for r in conn.execute(
                    select(_run_urls.c.run_id, *cols)
                    .select_from(j)
                    .where(_run_urls.c.run_id.in_(ids))
                    .group_by(_run_urls.c.run_id)
                ).mappings()
            }
            failures = [
                {
                    k: r[k]
                    for k in ("task", "subject", "error_code", "message", "attempts", "permanent", "run_id")
                }
                for r in conn.execute(
                    select(_dead).where(_dead.c.run_id.in_(ids)).order_by(_dead.c.id)
                ).mappings()
            ]
        lines = []
        for run in runs:
            c = counts.get(run["id"])
            nums = {k: int(c[k] or 0) for k in c if k != "run_id"} if c else {}
            lines.append(
                SourceSummary(
                    source_id=run["source_id"],
                    run_id=run["id"],
                    finished=run["finished_at"] is not None,
                    error=run["error"],
                    **nums,
                )
            )
        return RunSummary(tuple(lines), tuple(failures))

    @_transient
    def paragraphs_containing(self, needles: Sequence[str], *, limit: int = 1000) -> list[StoredParagraph]:
        """Paragraphs of current versions whose lower-cased text contains any of ``needles``.

        A pre-filter in SQL (``LIKE``, wildcards escaped); the caller decides what counts as a mention.
        """
        conds = []
        for needle in needles:
            escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conds.append(func.lower(_paragraphs.c.text).like(f"%{escaped}%", escape="\\"))
        if not conds:
            return []
        q = (
            select(
                _documents.c.url,
                _documents.c.government,
                _versions.c.title,
                _paragraphs.c.idx,
                _paragraphs.c.page,
                _paragraphs.c.language,
                _paragraphs.c.section,
                _paragraphs.c.text,
            )
            .select_from(
                _documents.join(_versions, _versions.c.id == _documents.c.current_version_id).join(
                    _paragraphs, _paragraphs.c.version_id == _versions.c.id
                )
            )
            .where(conds[0] if len(conds) == 1 else or_(*conds))
            .order_by(_documents.c.url, _paragraphs.c.idx)
            .limit(limit)
        )
        with self.engine.begin() as conn:
            return [StoredParagraph(*row) for row in conn.execute(q).all()]

    def documents(self, *, source_id: str | None = None) -> list[DocumentListing]:
        """Every document with its current version and that version's most recent analysis."""
        latest = (
            select(_analyses.c.version_id, func.max(_analyses.c.id).label("analysis_id"))
            .group_by(_analyses.c.version_id)
            .subquery()
        )
        j = (
            _documents.outerjoin(_versions, _versions.c.id == _documents.c.current_version_id)
            .outerjoin(latest, latest.c.version_id == _versions.c.id)
            .outerjoin(_analyses, _analyses.c.id == latest.c.analysis_id)
        )
        q = (
            select(
                _documents.c.url,
                _documents.c.source_id,
                _documents.c.government,
                _versions.c.content_hash,
                func.coalesce(_analyses.c.title, _versions.c.title),
                func.coalesce(_analyses.c.kind, _versions.c.kind),
                _analyses.c.language,
                _analyses.c.score,
                _analyses.c.relevance,
                _analyses.c.migrant,
                _analyses.c.id,
                _analyses.c.rubric_version,
                _analyses.c.model_version,
                _versions.c.fetched_at,
                _analyses.c.error,
            )
            .select_from(j)
            .order_by(_documents.c.url)
        )
        if source_id is not None:
            q = q.where(_documents.c.source_id == source_id)
        with self.engine.begin() as conn:
            rows = conn.execute(q).all()
            ids = [r[10] for r in rows if r[10] is not None]
            flags: dict[int, list[str]] = {}
            if ids:
                for aid, code in conn.execute(
                    select(_flags.c.analysis_id, _flags.c.code)
                    .where(_flags.c.analysis_id.in_(ids))
                    .order_by(_flags.c.id)
                ):
                    flags.setdefault(aid, []).append(code)
        return [
            DocumentListing(
                url=r[0],
                source_id=r[1],
                government=r[2],
                content_hash=r[3],
                title=r[4],
                kind=r[5],
                language=r[6] or None,
                score=r[7],
                relevance=r[8],
                migrant=r[9],
                flags=tuple(flags.get(r[10], ())),
                rubric_version=r[11],
                model_version=r[12],
                fetched_at=r[13],
                error=r[14],
            )
            for r in rows
        ]

    @_transient
    def row_counts(self) -> dict[str, int]:
        """Rows per table (operations and tests: 'a second run adds nothing')."""
        with self.engine.begin() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in Base.metadata.sorted_tables
            }

    @_transient
    def clear(self) -> None:
        """Delete every row of the store (tests and benchmarks on a scratch database)."""
        with self.engine.begin() as conn:
            for t in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(t))


def _evidence_row(e: dict[str, Any]) -> dict[str, Any]:
    return {
        "dimension": e["dimension"],
        "term": e["term"],
        "text": e["text"],
        "paragraph": e["paragraph"],
        "page": e["page"],
        "start": e["start"],
        "end": e["end"],
        "language": e["language"],
        "negated": e["negated"],
    }
