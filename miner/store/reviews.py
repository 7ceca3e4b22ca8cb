"""Analysts' reviews of flags: confirmed or dismissed, with a note, who and when.

A review is the organisation's right of reply made visible: a flag an analyst dismissed (the plan
does address the group, in an annex the extractor missed, say) stays on the document page with the
note beside it, and alerts skip it (:meth:`ReviewStore.is_dismissed`). Reviews are appended and
never edited; the latest one of a (document, flag) is in force and the earlier ones are its history.

The reviews in force are also labels a person gave: :meth:`ReviewStore.iter_review_labels` hands
them to an evaluation as extra gold (a confirmed flag is a true positive of that flag's rule on that
version's text, a dismissed one a false positive).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from miner.errors import InputError
from miner.store import keyset
from miner.store.base import DOCUMENTS, VERSIONS, StoreBase, _table, now, transient
from miner.store.models import FlagReview

FLAG_REVIEWS = _table(FlagReview)
#: Longest note kept with a review (characters).
MAX_NOTE_CHARS = 4000
_LABELS_TAG = "review-labels"


class ReviewDecision(StrEnum):
    """What an analyst decided about a flag."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    document_id: int
    version_id: int | None
    flag_code: str
    decision: ReviewDecision
    note: str
    reviewer: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document_id": self.document_id,
            "version_id": self.version_id,
            "flag": self.flag_code,
            "decision": str(self.decision),
            "note": self.note,
            "reviewer": self.reviewer,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class ReviewLabel:
    """A review in force, as a label: the flag ``flag_code`` is right (``confirmed``) or wrong on the
    text whose hash is ``content_hash``."""

    document_id: int
    url: str
    content_hash: str | None
    flag_code: str
    confirmed: bool
    reviewer: str
    created_at: datetime


def _review(row: Any) -> Review:
    return Review(
        id=row.id,
        document_id=row.document_id,
        version_id=row.version_id,
        flag_code=row.flag_code,
        decision=ReviewDecision(row.decision),
        note=row.note,
        reviewer=row.reviewer,
        created_at=row.created_at,
    )


class ReviewStore(StoreBase):
    """Recording and reading reviews of flags."""

    @transient
    def add_review(
        self,
        document_id: int,
        flag_code: str,
        decision: ReviewDecision | str,
        *,
        reviewer: str,
        note: str = "",
        version_id: int | None = None,
    ) -> Review:
        """Record a decision on a flag of a document (``version_id``: the version that was read)."""
        decision = ReviewDecision(decision)
        if len(note) > MAX_NOTE_CHARS:
            raise InputError(f"a review note holds at most {MAX_NOTE_CHARS} characters")
        with self._write() as conn:
            review_id = conn.execute(
                FLAG_REVIEWS.insert()
                .values(
                    document_id=document_id,
                    version_id=version_id,
                    flag_code=flag_code,
                    decision=decision,
                    note=note,
                    reviewer=reviewer,
                    created_at=now(),
                )
                .returning(FLAG_REVIEWS.c.id)
            ).scalar_one()
            row = conn.execute(select(FLAG_REVIEWS).where(FLAG_REVIEWS.c.id == review_id)).one()
        return _review(row)

    @transient
    def reviews(self, document_id: int) -> list[Review]:
        """Every review of one document's flags, oldest first."""
        with self._read() as conn:
            return _reviews_of(conn, [document_id]).get(document_id, [])

    @transient
    def reviews_of(self, document_ids: Sequence[int]) -> dict[int, list[Review]]:
        """The reviews of several documents (a page of a list), oldest first, by document."""
        if not document_ids:
            return {}
        with self._read() as conn:
            return _reviews_of(conn, document_ids)

    @transient
    def is_dismissed(self, document_id: int, flag_code: str) -> bool:
        """Whether the review in force of this flag of this document dismisses it (alerts skip it)."""
        with self._read() as conn:
            return flag_code in dismissed_codes(conn, document_id)

    @transient
    def review_labels_page(
        self, *, cursor: str | None = None, limit: int = keyset.PAGE_SIZE
    ) -> keyset.Page[ReviewLabel]:
        """One page of the reviews in force (the latest per document and flag), oldest first."""
        with self._read() as conn:
            return _labels_page(conn, cursor, limit)

    def iter_review_labels(self, *, page_size: int = keyset.PAGE_SIZE) -> Iterator[ReviewLabel]:
        """Every review in force as a gold label (for an evaluation), one page at a time."""
        return keyset.iterate(lambda c: self.review_labels_page(cursor=c, limit=page_size))


def in_force() -> Any:
    """A review row is in force when no later review exists for the same document and flag: the one
    definition of "the review in force" for lists, labels and alerts."""
    later = FLAG_REVIEWS.alias("later")
    return ~(
        select(later.c.id)
        .where(
            later.c.document_id == FLAG_REVIEWS.c.document_id,
            later.c.flag_code == FLAG_REVIEWS.c.flag_code,
            later.c.id > FLAG_REVIEWS.c.id,
        )
        .exists()
    )


def dismissed_codes(conn: Connection, document_id: int) -> set[str]:
    """The flag codes of a document whose review in force dismisses them."""
    q = select(FLAG_REVIEWS.c.flag_code).where(
        FLAG_REVIEWS.c.document_id == document_id,
        FLAG_REVIEWS.c.decision == ReviewDecision.DISMISSED,
        in_force(),
    )
    return {c for (c,) in conn.execute(q)}


def _reviews_of(conn: Connection, document_ids: Sequence[int]) -> dict[int, list[Review]]:
    rows = conn.execute(
        select(FLAG_REVIEWS)
        .where(keyset.among(conn, FLAG_REVIEWS.c.document_id, list(document_ids)))
        .order_by(FLAG_REVIEWS.c.id)
    ).all()
    out: dict[int, list[Review]] = {}
    for row in rows:
        out.setdefault(row.document_id, []).append(_review(row))
    return out


def _labels_page(conn: Connection, cursor: str | None, limit: int) -> keyset.Page[ReviewLabel]:
    key = keyset.decode(_LABELS_TAG, cursor, (int,))
    newest = in_force()
    q = (
        select(FLAG_REVIEWS, DOCUMENTS.c.url, VERSIONS.c.content_hash)
        .select_from(
            FLAG_REVIEWS.join(DOCUMENTS, DOCUMENTS.c.id == FLAG_REVIEWS.c.document_id).outerjoin(
                VERSIONS, VERSIONS.c.id == FLAG_REVIEWS.c.version_id
            )
        )
        .where(newest)
        .order_by(FLAG_REVIEWS.c.id)
        .limit(keyset.check_limit(limit) + 1)
    )
    if key is not None:
        q = q.where(keyset.after([FLAG_REVIEWS.c.id], key))
    rows, next_cursor = keyset.cut(conn.execute(q).all(), limit, _LABELS_TAG, lambda r: (int(r.id),))
    labels = tuple(
        ReviewLabel(
            document_id=r.document_id,
            url=r.url,
            content_hash=r.content_hash,
            flag_code=r.flag_code,
            confirmed=r.decision == ReviewDecision.CONFIRMED,
            reviewer=r.reviewer,
            created_at=r.created_at,
        )
        for r in rows
    )
    return keyset.Page(labels, next_cursor)
