"""The read side: the document list (paragraph search is :mod:`miner.store.search`).

The list can grow without bound, so it is read in keyset pages (:mod:`miner.store.keyset`):
``*_page`` returns one page and the cursor of the next, ``iter_*`` walks every page (one short
transaction each, constant memory), and the plain method reads every page inside one transaction.
No query binds a parameter per row: a page's statements bind the filter, the last key, the page size
and at most one array of the page's keys, whatever the size of the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import RowMapping, func, select
from sqlalchemy.engine import Connection

from miner.store import keyset
from miner.store.base import ANALYSES, DOCUMENTS, FLAGS, VERSIONS, StoreBase, transient
from miner.store.models import Base
from miner.store.rows import DocumentListing

_DOCUMENTS_TAG = "documents"


class QueryStore(StoreBase):
    """What people read: documents with their latest score."""

    # --- documents --------------------------------------------------------------------------------------

    @transient
    def documents_page(
        self, *, source_id: str | None = None, cursor: str | None = None, limit: int = keyset.PAGE_SIZE
    ) -> keyset.Page[DocumentListing]:
        """One page of documents in URL order, each with its current version and that version's most
        recent analysis and flags."""
        with self._read() as conn:
            return _documents_page(conn, source_id, cursor, limit)

    def iter_documents(
        self, *, source_id: str | None = None, page_size: int = keyset.PAGE_SIZE
    ) -> Iterator[DocumentListing]:
        """Every document, one page (one transaction) at a time: what a stream of all rows reads."""
        return keyset.iterate(lambda c: self.documents_page(source_id=source_id, cursor=c, limit=page_size))

    @transient
    def documents(self, *, source_id: str | None = None) -> list[DocumentListing]:
        """Every document (as :meth:`documents_page`), read page by page in one transaction."""
        with self._read() as conn:
            return list(keyset.iterate(lambda c: _documents_page(conn, source_id, c, keyset.PAGE_SIZE)))

    # --- operations ---------------------------------------------------------------------------------------

    @transient
    def row_counts(self) -> dict[str, int]:
        """Rows per table (operations and tests: 'a second run adds nothing')."""
        with self._read() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in Base.metadata.sorted_tables
            }


def _documents_page(
    conn: Connection, source_id: str | None, cursor: str | None, limit: int
) -> keyset.Page[DocumentListing]:
    """Four statements, each an index lookup by key whatever the size of the store: the page's
    documents (``limit + 1`` after the cursor, through the (url, id) index), then their current
    versions, those versions' analyses and the latest analyses' flags, each by key among the page's
    keys. (One statement joining the four tables let PostgreSQL choose a hash join over whole
    tables, or with no statistics a correlated subquery per pair of rows: seconds per page.)"""
    key = keyset.decode(_DOCUMENTS_TAG, cursor, (str, int))
    q = select(
        DOCUMENTS.c.id.label("document_id"),
        DOCUMENTS.c.url,
        DOCUMENTS.c.source_id,
        DOCUMENTS.c.government,
        DOCUMENTS.c.current_version_id,
    )
    if source_id is not None:
        q = q.where(DOCUMENTS.c.source_id == source_id)
    if key is not None:
        q = q.where(keyset.after([DOCUMENTS.c.url, DOCUMENTS.c.id], key))
    q = q.order_by(DOCUMENTS.c.url, DOCUMENTS.c.id).limit(keyset.check_limit(limit) + 1)
    docs, next_cursor = keyset.cut(
        conn.execute(q).mappings().all(), limit, _DOCUMENTS_TAG, lambda r: (r["url"], r["document_id"])
    )
    version_ids = [d["current_version_id"] for d in docs if d["current_version_id"] is not None]
    versions: dict[int, RowMapping] = {}
    latest: dict[int, RowMapping] = {}
    flags: dict[int, list[str]] = {}
    if version_ids:
        versions = {
            v["id"]: v
            for v in conn.execute(
                select(
                    VERSIONS.c.id,
                    VERSIONS.c.content_hash,
                    VERSIONS.c.title,
                    VERSIONS.c.kind,
                    VERSIONS.c.fetched_at,
                ).where(keyset.among(conn, VERSIONS.c.id, version_ids))
            ).mappings()
        }
        analyses = select(*(ANALYSES.c[k] for k in _ANALYSIS_COLUMNS))
        # Sorted here, not by ORDER BY id: that invites PostgreSQL to walk the whole primary key.
        found = conn.execute(analyses.where(keyset.among(conn, ANALYSES.c.version_id, version_ids)))
        for row in sorted(found.mappings(), key=lambda r: r["id"]):
            latest[row["version_id"]] = row  # in id order, so the most recent analysis stays
    if latest:
        analysis_ids = [a["id"] for a in latest.values()]
        found = conn.execute(
            select(FLAGS.c.id, FLAGS.c.analysis_id, FLAGS.c.code).where(
                keyset.among(conn, FLAGS.c.analysis_id, analysis_ids)
            )
        )
        for _id, analysis_id, code in sorted(found.all()):
            flags.setdefault(analysis_id, []).append(code)
    listings = []
    for d in docs:
        v = versions.get(d["current_version_id"])
        a = latest.get(d["current_version_id"])
        listings.append(
            DocumentListing(
                url=d["url"],
                source_id=d["source_id"],
                government=d["government"],
                content_hash=v["content_hash"] if v else None,
                title=_first(a, v, "title"),
                kind=_first(a, v, "kind"),
                language=(a["language"] or None) if a else None,  # a failed analysis stores ""
                score=a["score"] if a else None,
                relevance=a["relevance"] if a else None,
                migrant=a["migrant"] if a else None,
                flags=tuple(flags.get(a["id"], ())) if a else (),
                rubric_version=a["rubric_version"] if a else None,
                model_version=a["model_version"] if a else None,
                fetched_at=v["fetched_at"] if v else None,
                error=a["error"] if a else None,
            )
        )
    return keyset.Page(tuple(listings), next_cursor)


#: What the document list shows of an analysis.
_ANALYSIS_COLUMNS = (
    "id",
    "version_id",
    "title",
    "kind",
    "language",
    "score",
    "relevance",
    "migrant",
    "rubric_version",
    "model_version",
    "error",
)


def _first(analysis: RowMapping | None, version: RowMapping | None, name: str) -> Any:
    """The analysis's value, else the version's (what the extractor found before any analysis)."""
    if analysis is not None and analysis[name] is not None:
        return analysis[name]
    return version[name] if version is not None else None
