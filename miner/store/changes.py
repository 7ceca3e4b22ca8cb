"""Versions read back for comparison, what a run changed, and URLs that failed for good.

The comparison itself is :mod:`miner.scoring.versions` (pure); this module only reads the stored
records it needs: a version's paragraphs with its latest analysis (score, flags, counted evidence),
a document's versions in order, and the documents a set of runs stored anew or changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.engine import Connection

from miner.records import Paragraph
from miner.scoring.versions import VersionText, evidence_of
from miner.store import keyset
from miner.store.base import (
    ANALYSES,
    DOCUMENTS,
    EVIDENCE,
    FLAGS,
    PARAGRAPHS,
    RUN_URLS,
    RUNS,
    URLS,
    VERSIONS,
    StoreBase,
    now,
    transient,
)
from miner.store.states import FrontierState, Outcome, UrlRole

#: Most versions ``miner history`` and the API list for one document (newest kept).
MAX_HISTORY = 500


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One version of a document, numbered from 1 in the order they were stored."""

    version: int
    version_id: int
    fetched_at: datetime
    published: date | None
    content_hash: str
    text_hash: str | None
    title: str | None
    score: int | None
    flags: tuple[str, ...]
    analysed: bool


@dataclass(frozen=True, slots=True)
class RunDocument:
    """A document a run stored anew or changed, with its score and the flags it newly raised."""

    document_id: int
    version_id: int
    url: str
    title: str | None
    government: str
    source_id: str
    outcome: str
    score: int | None
    score_before: int | None
    flags: tuple[str, ...]
    new_flags: tuple[str, ...]


def _latest_analysis(conn: Connection, version_id: int) -> Any:
    return conn.execute(
        select(ANALYSES).where(ANALYSES.c.version_id == version_id).order_by(ANALYSES.c.id.desc()).limit(1)
    ).first()


def _flag_codes(conn: Connection, analysis_id: int) -> tuple[str, ...]:
    rows = conn.execute(select(FLAGS.c.code).where(FLAGS.c.analysis_id == analysis_id).order_by(FLAGS.c.id))
    return tuple(rows.scalars())


def _latest_analyses(conn: Connection, version_ids: list[int]) -> dict[int, Any]:
    """The latest analysis of each version, read in one query (ids bound as one parameter)."""
    if not version_ids:
        return {}
    rows = conn.execute(
        select(ANALYSES.c.id, ANALYSES.c.version_id, ANALYSES.c.score, ANALYSES.c.title)
        .where(keyset.among(conn, ANALYSES.c.version_id, sorted(set(version_ids))))
        .order_by(ANALYSES.c.id)
    ).all()
    return {r.version_id: r for r in rows}  # the later id wins


def _codes(conn: Connection, analysis_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not analysis_ids:
        return {}
    out: dict[int, list[str]] = {}
    for analysis_id, code in conn.execute(
        select(FLAGS.c.analysis_id, FLAGS.c.code)
        .where(keyset.among(conn, FLAGS.c.analysis_id, sorted(set(analysis_ids))))
        .order_by(FLAGS.c.id)
    ):
        out.setdefault(analysis_id, []).append(code)
    return {k: tuple(v) for k, v in out.items()}


def version_text(conn: Connection, version_id: int) -> VersionText:
    """A stored version's paragraphs and latest analysis (score, flag codes, counted evidence)."""
    paragraphs = tuple(
        Paragraph(index=r.idx, text=r.text, page=r.page, language=r.language, section=r.section)
        for r in conn.execute(
            select(PARAGRAPHS).where(PARAGRAPHS.c.version_id == version_id).order_by(PARAGRAPHS.c.idx)
        )
    )
    a = _latest_analysis(conn, version_id)
    if a is None:
        return VersionText(paragraphs)
    decisive = [
        dict(e)
        for e in conn.execute(
            select(EVIDENCE).where(EVIDENCE.c.analysis_id == a.id).order_by(EVIDENCE.c.ordinal)
        ).mappings()
    ]
    scored = a.error is None and a.score is not None
    return VersionText(
        paragraphs,
        a.score,
        _flag_codes(conn, a.id),
        evidence_of(dict(a.dimensions or {}), decisive) if scored else (),
    )


def previous_analysed(conn: Connection, version_id: int) -> int | None:
    """The latest version of the same document stored before ``version_id`` that has an analysis."""
    doc = select(VERSIONS.c.document_id).where(VERSIONS.c.id == version_id).scalar_subquery()
    analysed = select(ANALYSES.c.version_id)
    found = conn.execute(
        select(func.max(VERSIONS.c.id)).where(
            VERSIONS.c.document_id == doc, VERSIONS.c.id < version_id, VERSIONS.c.id.in_(analysed)
        )
    ).scalar()
    return int(found) if found is not None else None


def run_documents(conn: Connection, run_ids: Sequence[int]) -> tuple[RunDocument, ...]:
    """The documents these runs stored anew or changed (their text, not only their bytes)."""
    ids = list(run_ids)
    if not ids:
        return ()
    rows = conn.execute(
        select(
            RUN_URLS.c.outcome,
            RUN_URLS.c.version_id,
            DOCUMENTS.c.id.label("document_id"),
            DOCUMENTS.c.url,
            DOCUMENTS.c.government,
            DOCUMENTS.c.source_id,
            VERSIONS.c.title,
        )
        .select_from(
            RUN_URLS.join(URLS, URLS.c.id == RUN_URLS.c.url_id)
            .join(VERSIONS, VERSIONS.c.id == RUN_URLS.c.version_id)
            .join(DOCUMENTS, DOCUMENTS.c.id == VERSIONS.c.document_id)
        )
        .where(
            keyset.among(conn, RUN_URLS.c.run_id, ids),
            URLS.c.role == UrlRole.DOCUMENT,
            RUN_URLS.c.outcome.in_((Outcome.NEW, Outcome.CHANGED)),
        )
        .order_by(RUN_URLS.c.id)
    ).all()
    latest = _latest_analyses(conn, [r.version_id for r in rows])
    before_ids = {
        r.version_id: previous_analysed(conn, r.version_id) for r in rows if r.outcome == Outcome.CHANGED
    }
    before = _latest_analyses(conn, [v for v in before_ids.values() if v is not None])
    codes = _codes(conn, [a.id for a in (*latest.values(), *before.values())])
    out: dict[int, RunDocument] = {}
    for r in rows:
        a = latest.get(r.version_id)
        prior_id = before_ids.get(r.version_id)
        prior = before.get(prior_id) if prior_id is not None else None
        flags = codes.get(a.id, ()) if a is not None else ()
        old_flags = codes.get(prior.id, ()) if prior is not None else ()
        out[r.version_id] = RunDocument(
            document_id=r.document_id,
            version_id=r.version_id,
            url=r.url,
            title=(a.title if a is not None and a.title else r.title),
            government=r.government,
            source_id=r.source_id,
            outcome=r.outcome,
            score=a.score if a is not None else None,
            score_before=prior.score if prior is not None else None,
            flags=flags,
            new_flags=tuple(c for c in flags if c not in old_flags),
        )
    return tuple(out.values())


@dataclass(frozen=True, slots=True)
class RunYield:
    """One run of a source: when, whether it failed as a whole, and how many documents it found."""

    run_id: int
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    found: int
    failed_urls: int


def backoff_delay(failures: int, base: float, cap: float) -> timedelta:
    """How long a URL that failed permanently ``failures`` times in a row waits: base, doubling, capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, failures - 1)))


class ChangeStore(StoreBase):
    """Versions for comparison and history, a run's changed documents, and URL back-off."""

    @transient
    def version_text(self, version_id: int) -> VersionText:
        with self._read() as conn:
            return version_text(conn, version_id)

    @transient
    def previous_version_text(self, version_id: int) -> tuple[int, VersionText] | None:
        """The version stored before this one that was analysed, with its text; None for a first version."""
        with self._read() as conn:
            prev = previous_analysed(conn, version_id)
            return (prev, version_text(conn, prev)) if prev is not None else None

    @transient
    def document_for_url(self, url: str) -> int | None:
        """The document stored at ``url`` (canonical form); the oldest when two sources share it."""
        with self._read() as conn:
            found = conn.execute(select(func.min(DOCUMENTS.c.id)).where(DOCUMENTS.c.url == url)).scalar()
        return int(found) if found is not None else None

    @transient
    def history(self, document_id: int) -> list[HistoryRow]:
        """Every version of a document (oldest first, numbered from 1) with its latest score and flags."""
        with self._read() as conn:
            rows = conn.execute(
                select(VERSIONS)
                .where(VERSIONS.c.document_id == document_id)
                .order_by(VERSIONS.c.id)
                .limit(MAX_HISTORY)
            ).all()
            out = []
            for n, v in enumerate(rows, start=1):
                a = _latest_analysis(conn, v.id)
                out.append(
                    HistoryRow(
                        version=n,
                        version_id=v.id,
                        fetched_at=v.fetched_at,
                        published=v.published,
                        content_hash=v.content_hash,
                        text_hash=v.text_hash,
                        title=(a.title if a is not None and a.title else v.title),
                        score=a.score if a is not None else None,
                        flags=_flag_codes(conn, a.id) if a is not None else (),
                        analysed=a is not None,
                    )
                )
            return out

    @transient
    def run_documents(self, run_ids: Sequence[int]) -> tuple[RunDocument, ...]:
        with self._read() as conn:
            return run_documents(conn, run_ids)

    @transient
    def source_yields(self, per_source: int = 10) -> dict[str, list[RunYield]]:
        """The last ``per_source`` runs of every source (newest first) with the documents each found
        (new, changed or unchanged) and the URLs that failed."""
        found = func.sum(
            case(
                (
                    and_(
                        URLS.c.role == UrlRole.DOCUMENT,
                        RUN_URLS.c.outcome.in_((Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED)),
                    ),
                    1,
                ),
                else_=0,
            )
        )
        failed = func.sum(case((RUN_URLS.c.state == FrontierState.FAILED, 1), else_=0))
        ranked = select(
            RUNS.c.id,
            func.row_number().over(partition_by=RUNS.c.source_id, order_by=RUNS.c.id.desc()).label("n"),
        ).subquery()
        with self._read() as conn:
            runs = conn.execute(
                select(RUNS)
                .join(ranked, ranked.c.id == RUNS.c.id)
                .where(ranked.c.n <= per_source)
                .order_by(RUNS.c.source_id, RUNS.c.id.desc())
            ).all()
            ids = [r.id for r in runs]
            counts = (
                {
                    r.run_id: (int(r.found or 0), int(r.failed or 0))
                    for r in conn.execute(
                        select(RUN_URLS.c.run_id, found.label("found"), failed.label("failed"))
                        .select_from(RUN_URLS.join(URLS, URLS.c.id == RUN_URLS.c.url_id))
                        .where(keyset.among(conn, RUN_URLS.c.run_id, ids))
                        .group_by(RUN_URLS.c.run_id)
                    )
                }
                if ids
                else {}
            )
        out: dict[str, list[RunYield]] = {}
        for r in runs:
            n, bad = counts.get(r.id, (0, 0))
            out.setdefault(r.source_id, []).append(
                RunYield(r.id, r.started_at, r.finished_at, r.error, n, bad)
            )
        return out

    @transient
    def back_off_url(self, url_id: int, *, base: float, cap: float) -> datetime:
        """Count a permanent failure of a URL and set when it may be requested again."""
        with self._write() as conn:
            failures = conn.execute(
                update(URLS)
                .where(URLS.c.id == url_id)
                .values(failures=URLS.c.failures + 1)
                .returning(URLS.c.failures)
            ).scalar_one()
            until = now() + backoff_delay(int(failures), base, cap)
            conn.execute(update(URLS).where(URLS.c.id == url_id).values(retry_after=until))
            return until
