"""Export rows: documents, evidence or flags of the store, one plain dictionary per row, streamed.

Library API: :func:`export_rows` ``(repo, what, *, government=None, source_id=None) ->
Iterator[dict]`` (``what``: one of :data:`EXPORTS`) and :func:`export_fields` ``(what) -> tuple``,
the stable field names (CSV header, JSON keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from miner import caches
from miner.report.dates import report_date
from miner.report.levels import in_scope
from miner.report.trends import not_scored_reason
from miner.store import keyset
from miner.store.reports import DocumentFacts
from miner.store.repository import Repository

EXPORTS = ("documents", "evidence", "flags")
#: Fields that say which document a row is about, first in every export.
_DOCUMENT_KEY = ("url", "title", "government", "source_id")
_EVIDENCE_FIELDS = ("dimension", "term", "text", "page", "paragraph", "start", "end", "language", "negated")


@cache
def dimension_names() -> tuple[str, ...]:
    """The rubric's dimensions: one ``dimension_<name>`` column each, whatever the first row holds."""
    from miner.config import get_settings
    from miner.rubric import load_rubric, rubric_path

    return tuple(d.name for d in load_rubric(rubric_path(get_settings().corpora_dir)).dimensions)


def export_fields(what: str) -> tuple[str, ...]:
    if what == "documents":
        return (
            *_DOCUMENT_KEY,
            "kind",
            "language",
            "date",
            "date_source",
            "published",
            "published_source",
            "fetched_at",
            "scored",
            "not_scored_reason",
            "score",
            "in_scope",
            "relevance",
            "migrant",
            "domains",
            "flags",
            *(f"dimension_{d}" for d in dimension_names()),
            "content_hash",
            "rubric_version",
            "model_version",
            "error",
        )
    if what == "evidence":
        return (*_DOCUMENT_KEY, *_EVIDENCE_FIELDS)
    if what == "flags":
        return (*_DOCUMENT_KEY, "code", "severity", "reason", "evidence")
    raise ValueError(f"export one of {', '.join(EXPORTS)}, not {what!r}")


def _document_row(f: DocumentFacts) -> dict[str, Any]:
    reason = not_scored_reason(f)
    when, source = report_date(f.published, f.fetched_at)
    return {
        "url": f.url,
        "title": f.title,
        "government": f.government,
        "source_id": f.source_id,
        "kind": f.kind,
        "language": f.language,
        "date": when.isoformat() if when else None,
        "date_source": source,
        "published": f.published.isoformat() if f.published else None,
        "published_source": f.published_source,
        "fetched_at": f.fetched_at.isoformat() if f.fetched_at else None,
        "scored": reason is None,
        "not_scored_reason": reason,
        "score": f.score if reason is None else None,
        "in_scope": in_scope(f) if reason is None else None,
        "relevance": f.relevance,
        "migrant": f.migrant,
        "domains": list(f.domains),
        "flags": list(f.flag_codes),
        **{f"dimension_{d}": f.dimensions.get(d) for d in dimension_names()},
        "content_hash": f.content_hash,
        "rubric_version": f.rubric_version,
        "model_version": f.model_version,
        "error": f.error,
    }


def _quote(e: dict[str, Any]) -> str:
    where = f"p. {e['page']}, " if e.get("page") is not None else ""
    return f"{where}¶ {e.get('paragraph')}: {e.get('text')}"


def export_rows(
    repo: Repository,
    what: str,
    *,
    government: str | None = None,
    source_id: str | None = None,
    page_size: int = keyset.PAGE_SIZE,
) -> Iterator[dict[str, Any]]:
    """Every row of the export ``what``, read from the store a page (of documents) at a time."""
    export_fields(what)  # refuses an unknown export before the first page is read
    facts = repo.iter_facts(
        government=government, source_id=source_id, evidence=what == "evidence", page_size=page_size
    )
    for f in facts:
        key = {"url": f.url, "title": f.title, "government": f.government, "source_id": f.source_id}
        if what == "documents":
            yield _document_row(f)
        elif what == "evidence":
            for e in f.evidence:
                yield {**key, **{k: e.get(k) for k in _EVIDENCE_FIELDS}}
        else:
            for flag in f.flags:
                quotes = [_quote(e) for e in flag.evidence]
                yield {
                    **key,
                    "code": flag.code,
                    "severity": flag.severity,
                    "reason": flag.reason,
                    "evidence": quotes,
                }


caches.register(dimension_names.cache_clear)
