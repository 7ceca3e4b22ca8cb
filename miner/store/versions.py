"""What a fetch brought: the request log, raw bytes, documents and their versions.

A document is one URL of one source that holds a policy text; each distinct content it served is a
version (UNIQUE(document, content hash)) whose bytes are a content-addressed blob. Storing the same
answer twice -- a redelivered step -- finds the rows already there and reports the same outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from miner.records import Fetched
from miner.store.base import (
    ANALYSES,
    BLOBS,
    DEAD_LETTERS,
    DOCUMENTS,
    FETCH_LOG,
    URLS,
    VERSIONS,
    StoreBase,
    now,
    transient,
    upsert,
)
from miner.store.frontier import settle_item
from miner.store.rows import StoredFetch, VersionInfo, WorkItem
from miner.store.states import FrontierState, Outcome, UrlRole


def _log_row(item: WorkItem, fetched: Fetched, started_at: datetime) -> dict[str, Any]:
    return {
        "run_id": item.run_id,
        "url_id": item.url_id,
        "url": item.url,
        "started_at": started_at,
        "finished_at": now(),
        "status": fetched.status,
        "bytes": len(fetched.content),
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "not_modified": fetched.not_modified,
        "content_hash": None if fetched.not_modified else fetched.content_hash,
    }


def needs_analysis(conn: Connection, version_id: int) -> bool:
    """A version needs an analysis unless it has one, or its analysis failed for good."""
    analysed = conn.execute(
        select(func.count()).select_from(ANALYSES).where(ANALYSES.c.version_id == version_id)
    ).scalar_one()
    if analysed:
        return False
    gave_up = conn.execute(
        select(func.count())
        .select_from(DEAD_LETTERS)
        .where(DEAD_LETTERS.c.version_id == version_id, DEAD_LETTERS.c.permanent.is_(True))
    ).scalar_one()
    return gave_up == 0


def _outcome_of_current(conn: Connection, version_id: int, run_id: int) -> Outcome:
    """The URL serves its current version: "unchanged", unless this very run stored that version
    (a step redelivered after a crash, now answered 304): then it is still this run's new/changed."""
    row = conn.execute(
        select(VERSIONS.c.run_id, VERSIONS.c.document_id).where(VERSIONS.c.id == version_id)
    ).one()
    if row.run_id != run_id:
        return Outcome.UNCHANGED
    versions = conn.execute(
        select(func.count()).select_from(VERSIONS).where(VERSIONS.c.document_id == row.document_id)
    ).scalar_one()
    return Outcome.NEW if versions == 1 else Outcome.CHANGED


def _not_modified(
    conn: Connection, item: WorkItem, fetched: Fetched | None, started_at: datetime | None, settle: bool
) -> StoredFetch:
    if fetched is not None:
        conn.execute(FETCH_LOG.insert().values(**_log_row(item, fetched, started_at or now())))
    conn.execute(
        update(URLS)
        .where(URLS.c.id == item.url_id)
        .values(last_status=304, last_fetched_at=now(), failures=0, retry_after=None)
    )
    current = conn.execute(
        select(DOCUMENTS.c.current_version_id).where(DOCUMENTS.c.url_id == item.url_id)
    ).scalar()
    if current is None:
        stored = StoredFetch(Outcome.UNCHANGED, None, False)
    else:
        outcome = _outcome_of_current(conn, int(current), item.run_id)
        stored = StoredFetch(outcome, int(current), needs_analysis(conn, int(current)))
    if settle:
        state = FrontierState.ANALYSING if stored.needs_analysis else FrontierState.DONE
        settle_item(conn, item.run_url_id, state=state, outcome=stored.outcome, version_id=stored.version_id)
    return stored


class VersionStore(StoreBase):
    """The fetch log, blobs, documents and versions."""

    @transient
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
        row["finished_at"] = now()
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
        with self._write() as conn:
            conn.execute(FETCH_LOG.insert().values(**row))

    @transient
    def store_fetched(self, item: WorkItem, fetched: Fetched, *, government: str) -> StoredFetch:
        """Keep an answer's bytes and validators; for a document, upsert it and its version."""
        digest = fetched.content_hash
        stamp = now()
        with self._write() as conn:
            conn.execute(
                upsert(conn, BLOBS)
                .values(content_hash=digest, size=len(fetched.content), data=fetched.content, stored_at=stamp)
                .on_conflict_do_nothing(index_elements=["content_hash"])
            )
            conn.execute(
                update(URLS)
                .where(URLS.c.id == item.url_id)
                .values(
                    etag=fetched.etag,
                    last_modified=fetched.last_modified,
                    last_hash=digest,
                    last_status=fetched.status,
                    last_fetched_at=stamp,
                    failures=0,
                    retry_after=None,
                )
            )
            if item.role != UrlRole.DOCUMENT:
                outcome = Outcome.UNCHANGED if item.last_hash == digest else Outcome.NEW
                return StoredFetch(outcome, None, False)
            conn.execute(
                upsert(conn, DOCUMENTS)
                .values(
                    url_id=item.url_id,
                    source_id=item.source_id,
                    url=item.url,
                    government=government,
                    first_seen_at=stamp,
                    updated_at=stamp,
                )
                .on_conflict_do_nothing(index_elements=["url_id"])
            )
            doc = conn.execute(
                select(DOCUMENTS.c.id, DOCUMENTS.c.current_version_id).where(
                    DOCUMENTS.c.url_id == item.url_id
                )
            ).one()
            version_id = conn.execute(
                upsert(conn, VERSIONS)
                .values(
                    document_id=doc.id,
                    content_hash=digest,
                    size=len(fetched.content),
                    content_type=fetched.content_type[:200],
                    fetched_at=fetched.fetched_at or stamp,
                    run_id=item.run_id,
                )
                .on_conflict_do_nothing(index_elements=["document_id", "content_hash"])
                .returning(VERSIONS.c.id)
            ).scalar()
            if version_id is None:
                version_id = conn.execute(
                    select(VERSIONS.c.id).where(
                        VERSIONS.c.document_id == doc.id, VERSIONS.c.content_hash == digest
                    )
                ).scalar_one()
            version_id = int(version_id)
            if doc.current_version_id is None:
                outcome = Outcome.NEW
            elif doc.current_version_id != version_id:
                outcome = Outcome.CHANGED
            else:
                outcome = _outcome_of_current(conn, version_id, item.run_id)
            if doc.current_version_id != version_id:
                conn.execute(
                    update(DOCUMENTS)
                    .where(DOCUMENTS.c.id == doc.id)
                    .values(current_version_id=version_id, updated_at=stamp)
                )
            return StoredFetch(outcome, version_id, needs_analysis(conn, version_id))

    @transient
    def store_not_modified(
        self,
        item: WorkItem,
        *,
        fetched: Fetched | None = None,
        started_at: datetime | None = None,
        settle: bool = False,
    ) -> StoredFetch:
        """A 304: the URL still serves its last content; nothing new is stored.

        With ``fetched`` the request is logged in the same transaction, and with ``settle`` the
        frontier entry is settled too (a URL without links to queue): the common step of a re-crawl
        is one commit, not three."""
        with self._write() as conn:
            return _not_modified(conn, item, fetched, started_at, settle)

    @transient
    def store_not_modified_many(
        self, answers: Sequence[tuple[WorkItem, Fetched, datetime]]
    ) -> list[StoredFetch]:
        """:meth:`store_not_modified` (logged and settled) for many URLs in one transaction: a
        re-crawl of an unchanged site is a handful of commits, not one per URL."""
        with self._write() as conn:
            return [_not_modified(conn, item, fetched, started, True) for item, fetched, started in answers]

    @transient
    def link_translation(self, url_id: int, language: str | None, candidates: list[str]) -> int | None:
        """Record the document at ``url_id`` as a language variant of the stored documents at
        ``candidates`` (the addresses its translations would have); the id of the group's first
        document, which every other variant names in ``translation_of`` (NULL on itself).

        The group is kept flat and its first-stored document (lowest id) heads it whichever variant
        is stored first, so two variants crawled in either order -- or by two workers at once --
        end up linked the same way."""
        d = DOCUMENTS.c
        with self._write() as conn:
            doc = conn.execute(select(d.id, d.translation_of, d.language).where(d.url_id == url_id)).first()
            if doc is None:
                return None
            if language and doc.language != language:
                conn.execute(update(DOCUMENTS).where(d.id == doc.id).values(language=language[:10]))
            group = {doc.translation_of or doc.id}
            if candidates:
                found = conn.execute(select(d.id, d.translation_of).where(d.url.in_(candidates[:50])))
                group |= {r.translation_of or r.id for r in found}
            if len(group) == 1:
                return doc.translation_of
            head = min(group)
            others = sorted(group - {head})
            conn.execute(update(DOCUMENTS).where(d.translation_of.in_(others)).values(translation_of=head))
            conn.execute(update(DOCUMENTS).where(d.id.in_(others)).values(translation_of=head))
            return head

    @transient
    def blob_head(self, content_hash: str, size: int = 4096) -> bytes | None:
        """The first ``size`` bytes of a blob: enough to tell its kind without reading a big PDF."""
        with self._read() as conn:
            data = conn.execute(
                select(func.substr(BLOBS.c.data, 1, size)).where(BLOBS.c.content_hash == content_hash)
            ).scalar()
        return bytes(data) if data is not None else None

    @transient
    def blob_heads(self, content_hashes: Sequence[str], size: int = 4096) -> dict[str, bytes]:
        """:meth:`blob_head` of many blobs in one query."""
        if not content_hashes:
            return {}
        with self._read() as conn:
            rows = conn.execute(
                select(BLOBS.c.content_hash, func.substr(BLOBS.c.data, 1, size)).where(
                    BLOBS.c.content_hash.in_(list(content_hashes))
                )
            ).all()
        return {r[0]: bytes(r[1]) for r in rows if r[1] is not None}

    @transient
    def blob(self, content_hash: str) -> bytes | None:
        with self._read() as conn:
            data = conn.execute(select(BLOBS.c.data).where(BLOBS.c.content_hash == content_hash)).scalar()
        return bytes(data) if data is not None else None

    @transient
    def version_info(self, version_id: int) -> VersionInfo | None:
        q = select(
            VERSIONS.c.id.label("version_id"),
            VERSIONS.c.document_id,
            VERSIONS.c.content_hash,
            DOCUMENTS.c.url,
            DOCUMENTS.c.source_id,
            DOCUMENTS.c.government,
        ).select_from(VERSIONS.join(DOCUMENTS, DOCUMENTS.c.id == VERSIONS.c.document_id))
        with self._read() as conn:
            row = conn.execute(q.where(VERSIONS.c.id == version_id)).mappings().first()
        return VersionInfo.from_row(row) if row else None
