"""What reports, trends and exports read: each document's current version with its latest analysis.

One record per document (:class:`DocumentFacts`): the dates of the current version (publication date
and where it came from, fetch date), and that version's most recent analysis -- score, error, the
dimension scores, the detected domains and languages, the flags -- optionally with the flags' reasons
and the evidence rows (exports). Read in keyset pages by document id, four or five statements per
page, each a lookup by key (as :mod:`miner.store.queries` does for the document list), so that a
stream over a hundred thousand documents holds one page at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.engine import Connection

from miner.store import keyset
from miner.store.analyses import EVIDENCE_FIELDS
from miner.store.base import ANALYSES, DOCUMENTS, EVIDENCE, FLAGS, VERSIONS, StoreBase, transient

_TAG = "facts"


@dataclass(frozen=True, slots=True)
class FlagFacts:
    code: str
    severity: str
    reason: str
    evidence: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """A document, its current version's dates, and that version's latest analysis (None fields
    when it has none yet). ``dimensions`` maps each dimension to its 0/50/100 score."""

    document_id: int
    url: str
    source_id: str
    government: str
    title: str | None
    kind: str | None
    content_hash: str | None
    published: date | None
    published_source: str | None
    fetched_at: datetime | None
    analysed: bool
    language: str | None
    score: int | None
    relevance: float | None
    migrant: bool | None
    error: str | None
    rubric_version: str | None
    model_version: str | None
    dimensions: dict[str, int] = field(default_factory=dict)
    domains: tuple[str, ...] = ()
    language_mix: dict[str, float] = field(default_factory=dict)
    needs_ocr: bool = False
    #: The analysis's ``detail`` as stored (warnings, page count, and any marker added later).
    detail: dict[str, Any] = field(default_factory=dict)
    flags: tuple[FlagFacts, ...] = ()
    #: Evidence rows of the analysis (only when asked for: exports).
    evidence: tuple[dict[str, Any], ...] = ()
    #: The document this one translates (another language variant of the same text), else None.
    translation_of: int | None = None

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.flags)


class ReportStore(StoreBase):
    """Document facts, page by page."""

    @transient
    def facts_page(
        self,
        *,
        source_id: str | None = None,
        government: str | None = None,
        evidence: bool = False,
        cursor: str | None = None,
        limit: int = keyset.PAGE_SIZE,
    ) -> keyset.Page[DocumentFacts]:
        """One page of documents (by id) with their facts; ``evidence`` adds the evidence rows."""
        with self._read() as conn:
            return _facts_page(conn, source_id, government, evidence, cursor, limit)

    def iter_facts(
        self,
        *,
        source_id: str | None = None,
        government: str | None = None,
        evidence: bool = False,
        page_size: int = keyset.PAGE_SIZE,
    ) -> Iterator[DocumentFacts]:
        """Every document's facts, one page (one transaction) at a time."""
        return keyset.iterate(
            lambda c: self.facts_page(
                source_id=source_id, government=government, evidence=evidence, cursor=c, limit=page_size
            )
        )


def _facts_page(
    conn: Connection,
    source_id: str | None,
    government: str | None,
    with_evidence: bool,
    cursor: str | None,
    limit: int,
) -> keyset.Page[DocumentFacts]:
    key = keyset.decode(_TAG, cursor, (int,))
    d = DOCUMENTS.c
    q = select(d.id, d.url, d.source_id, d.government, d.current_version_id, d.translation_of)
    if source_id is not None:
        q = q.where(d.source_id == source_id)
    if government is not None:
        q = q.where(d.government == government)
    if key is not None:
        q = q.where(keyset.after([d.id], key))
    q = q.order_by(d.id).limit(keyset.check_limit(limit) + 1)
    docs, next_cursor = keyset.cut(conn.execute(q).mappings().all(), limit, _TAG, lambda r: (r["id"],))
    version_ids = [r["current_version_id"] for r in docs if r["current_version_id"] is not None]
    versions: dict[int, RowMapping] = {}
    latest: dict[int, RowMapping] = {}
    flags: dict[int, list[FlagFacts]] = {}
    evidence: dict[int, list[dict[str, Any]]] = {}
    if version_ids:
        v = VERSIONS.c
        found = conn.execute(
            select(
                v.id, v.title, v.kind, v.content_hash, v.published, v.published_source, v.fetched_at
            ).where(keyset.among(conn, v.id, version_ids))
        )
        versions = {r["id"]: r for r in found.mappings()}
        rows = conn.execute(select(ANALYSES).where(keyset.among(conn, ANALYSES.c.version_id, version_ids)))
        for row in sorted(rows.mappings(), key=lambda r: r["id"]):
            latest[row["version_id"]] = row  # in id order: the most recent analysis stays
    analysis_ids = [a["id"] for a in latest.values()]
    if analysis_ids:
        f = FLAGS.c
        found = conn.execute(
            select(f.id, f.analysis_id, f.code, f.severity, f.reason, f.evidence).where(
                keyset.among(conn, f.analysis_id, analysis_ids)
            )
        )
        for r in sorted(found.mappings(), key=lambda r: r["id"]):
            flags.setdefault(r["analysis_id"], []).append(
                FlagFacts(r["code"], r["severity"], r["reason"], tuple(r["evidence"] or ()))
            )
        if with_evidence:
            e = EVIDENCE.c
            found = conn.execute(
                select(e.analysis_id, e.ordinal, *(e[k] for k in EVIDENCE_FIELDS)).where(
                    keyset.among(conn, e.analysis_id, analysis_ids)
                )
            )
            for r in sorted(found.mappings(), key=lambda r: (r["analysis_id"], r["ordinal"])):
                evidence.setdefault(r["analysis_id"], []).append({k: r[k] for k in EVIDENCE_FIELDS})
    return keyset.Page(
        tuple(_facts(r, versions, latest, flags, evidence) for r in docs),
        next_cursor,
    )


def _facts(
    doc: RowMapping,
    versions: dict[int, RowMapping],
    latest: dict[int, RowMapping],
    flags: dict[int, list[FlagFacts]],
    evidence: dict[int, list[dict[str, Any]]],
) -> DocumentFacts:
    version = versions.get(doc["current_version_id"])
    a = latest.get(doc["current_version_id"])
    detail: dict[str, Any] = dict(a["detail"] or {}) if a else {}
    dims = a["dimensions"] if a else {}
    return DocumentFacts(
        document_id=doc["id"],
        url=doc["url"],
        source_id=doc["source_id"],
        government=doc["government"],
        title=(a["title"] if a and a["title"] else None) or (version["title"] if version else None),
        kind=(a["kind"] if a and a["kind"] else None) or (version["kind"] if version else None),
        content_hash=version["content_hash"] if version else None,
        published=version["published"] if version else None,
        published_source=version["published_source"] if version else None,
        fetched_at=version["fetched_at"] if version else None,
        analysed=a is not None,
        language=(a["language"] or None) if a else None,
        score=a["score"] if a else None,
        relevance=a["relevance"] if a else None,
        migrant=a["migrant"] if a else None,
        error=a["error"] if a else None,
        rubric_version=a["rubric_version"] if a else None,
        model_version=a["model_version"] if a else None,
        dimensions={k: int(v.get("score", 0)) for k, v in (dims or {}).items() if isinstance(v, dict)},
        domains=tuple(detail.get("domains") or ()),
        language_mix=dict(detail.get("language_mix") or {}),
        needs_ocr=bool(detail.get("needs_ocr")),
        detail=detail,
        flags=tuple(flags.get(a["id"], ())) if a else (),
        evidence=tuple(evidence.get(a["id"], ())) if a else (),
        translation_of=doc["translation_of"],
    )
