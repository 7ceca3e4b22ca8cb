"""Analyses: a version's paragraphs, score, flags and evidence, and which versions still need one.

An analysis is keyed by (version, rubric version, model version): a new rubric adds rows beside the
old ones and never overwrites them, and storing the same analysis twice writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import exists, select, update
from sqlalchemy.engine import Connection

from miner.records import Analysis, Extracted
from miner.scoring import versions
from miner.store import keyset
from miner.store.base import (
    ANALYSES,
    DEAD_LETTERS,
    DOCUMENTS,
    EVIDENCE,
    FLAGS,
    PARAGRAPHS,
    RUN_URLS,
    VERSIONS,
    StoreBase,
    now,
    transient,
    upsert,
)
from miner.store.frontier import settle_version
from miner.store.states import FrontierState, Outcome

#: Tag of the cursors of :meth:`AnalysisStore.versions_to_rescore_page`.
_TAG = "rescore"
#: Columns of an evidence row, which are the fields of the pipeline's ``Evidence`` of the same names.
EVIDENCE_FIELDS = ("dimension", "term", "text", "paragraph", "page", "start", "end", "language", "negated")


class AnalysisStore(StoreBase):
    """Storing analyses, and finding the versions a rubric or model has not scored yet."""

    @transient
    def store_analysis(self, version_id: int, extracted: Extracted, analysis: Analysis) -> bool:
        """Paragraphs, analysis, flags and evidence of a version, in one transaction.

        The version's text hash (:func:`miner.scoring.versions.text_hash`) is kept with it; equal to the
        previous version's, the new bytes changed layout or date lines only: the run counts the URL
        unchanged, not changed.
        Returns False when this (version, rubric, model) was stored already -- by an earlier run of
        the same step or by another worker -- in which case nothing is written.
        """
        stamp = now()
        failed = analysis.error is not None
        text_hash = versions.text_hash(extracted.paragraphs) if extracted.paragraphs else None
        with self._write() as conn:
            if extracted.paragraphs:
                conn.execute(
                    upsert(conn, PARAGRAPHS).on_conflict_do_nothing(index_elements=["version_id", "idx"]),
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
            digest = conn.execute(
                update(VERSIONS)
                .where(VERSIONS.c.id == version_id)
                .values(
                    kind=extracted.kind,
                    title=extracted.title,
                    published=extracted.published,
                    published_source=extracted.published_source,
                    **({"text_hash": text_hash} if text_hash is not None else {}),
                )
                .returning(VERSIONS.c.content_hash)
            ).scalar_one()
            if text_hash is not None and _same_text_as_before(conn, version_id, text_hash):
                conn.execute(
                    update(RUN_URLS)
                    .where(RUN_URLS.c.version_id == version_id, RUN_URLS.c.outcome == Outcome.CHANGED)
                    .values(outcome=Outcome.UNCHANGED)
                )
            detail = {
                "domains": list(analysis.domains),
                "language_mix": dict(analysis.language_mix),
                "page_count": analysis.page_count,
                "needs_ocr": analysis.needs_ocr,
                "warnings": list(analysis.warnings),
            }
            analysis_id = conn.execute(
                upsert(conn, ANALYSES)
                .values(
                    version_id=version_id,
                    rubric_version=analysis.rubric_version,
                    model_version=analysis.model_version,
                    content_hash=analysis.content_hash or digest,
                    score=None if failed or not analysis.scored else analysis.score,
                    relevance=None if failed else analysis.relevance,
                    migrant=None if failed else analysis.migrant,
                    language=analysis.language,
                    title=analysis.title or extracted.title,
                    kind=analysis.kind or extracted.kind,
                    dimensions={d.name: d.as_dict() for d in analysis.dimensions},
                    sections=[s.as_dict() for s in analysis.sections],
                    detail=detail,
                    error=analysis.error,
                    computed_at=stamp,
                )
                .on_conflict_do_nothing(index_elements=["version_id", "rubric_version", "model_version"])
                .returning(ANALYSES.c.id)
            ).scalar()
            if analysis_id is not None:
                if analysis.flags:
                    conn.execute(
                        upsert(conn, FLAGS).on_conflict_do_nothing(index_elements=["analysis_id", "code"]),
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
                        EVIDENCE.insert(),
                        [
                            {
                                "analysis_id": analysis_id,
                                "ordinal": i,
                                **{k: getattr(e, k) for k in EVIDENCE_FIELDS},
                            }
                            for i, e in enumerate(analysis.evidence)
                        ],
                    )
            settle_version(conn, version_id, FrontierState.DONE)
            return analysis_id is not None

    # --- what is left to score --------------------------------------------------------------------------

    @transient
    def versions_to_rescore_page(
        self,
        rubric_version: str,
        model_version: str,
        *,
        cursor: str | None = None,
        limit: int = keyset.PAGE_SIZE,
    ) -> keyset.Page[int]:
        """One page of current versions with no analysis under this rubric and model, and no
        permanent failure, in the order their documents were first stored."""
        with self._read() as conn:
            return _rescore_page(conn, rubric_version, model_version, cursor, limit)

    def iter_versions_to_rescore(
        self, rubric_version: str, model_version: str, *, page_size: int = keyset.PAGE_SIZE
    ) -> Iterator[int]:
        """Every version :meth:`versions_to_rescore_page` finds, one page (one transaction) at a time."""
        return keyset.iterate(
            lambda c: self.versions_to_rescore_page(rubric_version, model_version, cursor=c, limit=page_size)
        )

    @transient
    def versions_to_rescore(self, rubric_version: str, model_version: str) -> list[int]:
        """Every version :meth:`versions_to_rescore_page` finds, read page by page in one transaction."""
        with self._read() as conn:
            return list(
                keyset.iterate(
                    lambda c: _rescore_page(conn, rubric_version, model_version, c, keyset.PAGE_SIZE)
                )
            )


def _same_text_as_before(conn: Connection, version_id: int, text_hash: str) -> bool:
    """The latest earlier version of the same document with a known text has this very text."""
    doc = select(VERSIONS.c.document_id).where(VERSIONS.c.id == version_id).scalar_subquery()
    before = conn.execute(
        select(VERSIONS.c.text_hash)
        .where(VERSIONS.c.document_id == doc, VERSIONS.c.id < version_id, VERSIONS.c.text_hash.is_not(None))
        .order_by(VERSIONS.c.id.desc())
        .limit(1)
    ).scalar()
    return before == text_hash


def _rescore_page(
    conn: Connection, rubric_version: str, model_version: str, cursor: str | None, limit: int
) -> keyset.Page[int]:
    """Keyed by document id (the primary key, so a page is an index range scan), not by version id."""
    key = keyset.decode(_TAG, cursor, (int,))
    current = DOCUMENTS.c.current_version_id
    scored = exists().where(
        ANALYSES.c.version_id == current,
        ANALYSES.c.rubric_version == rubric_version,
        ANALYSES.c.model_version == model_version,
    )
    gave_up = exists().where(DEAD_LETTERS.c.version_id == current, DEAD_LETTERS.c.permanent.is_(True))
    q = (
        select(DOCUMENTS.c.id, current)
        .where(current.is_not(None), ~scored, ~gave_up)
        .order_by(DOCUMENTS.c.id)
    )
    if key is not None:
        q = q.where(keyset.after([DOCUMENTS.c.id], key))
    rows = conn.execute(q.limit(keyset.check_limit(limit) + 1)).all()
    kept, next_cursor = keyset.cut(rows, limit, _TAG, lambda r: (int(r.id),))
    return keyset.Page(tuple(int(r.current_version_id) for r in kept), next_cursor)
