"""The web's document list: filtered, sorted, read in keyset pages, with the total of the filter.

Each document is shown with its current version and that version's most recent analysis (the
"latest" analysis is the one with the highest id: a rescore under a new rubric adds a newer one).
A page is one statement: ``limit + 1`` documents after the cursor, in the sort's order (ties broken
by id), each with its flags and the flags dismissed by a review, found by correlated lookups through
the flags' and the reviews' indexes (nothing bound per row); the total is one ``count(*)`` that joins
only the tables its filter needs (no filter: the documents table alone).

The default order, most recently stored or changed first, and the URL order are read through
indexes, so their pages cost the same however far into the list. Orders and filters on analysis
columns (score, language, flags, domain) or on the text have no index to follow: they cost in
proportion to the documents stored (measured in ``bench/bench_web.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Integer,
    Select,
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

from miner.rubric import FLAG_CODES
from miner.store import keyset
from miner.store.base import ANALYSES, DOCUMENTS, FLAGS, PARAGRAPHS, VERSIONS, StoreBase, transient
from miner.store.reviews import FLAG_REVIEWS, ReviewDecision, in_force

#: What an undated document sorts as (last, newest first).
_UNDATED = date(1, 1, 1)


class Sort(StrEnum):
    """Orders of the document list; each has a natural direction (:data:`DESCENDING`)."""

    UPDATED = "updated"
    PUBLISHED = "published"
    SCORE = "score"
    TITLE = "title"
    URL = "url"


#: Sorts that list the largest first unless asked otherwise.
DESCENDING = frozenset({Sort.UPDATED, Sort.PUBLISHED, Sort.SCORE})


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    """What the list is narrowed to; ``None`` means no condition."""

    government: str | None = None
    source: str | None = None
    domain: str | None = None
    language: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    score_min: int | None = None
    score_max: int | None = None
    flag: str | None = None
    flagged: bool | None = None
    text: str | None = None

    @property
    def on_analysis(self) -> bool:
        return any(
            v is not None
            for v in (self.domain, self.language, self.score_min, self.score_max, self.flag, self.flagged)
        ) or bool(self.text)

    @property
    def on_version(self) -> bool:
        return self.published_from is not None or self.published_to is not None or bool(self.text)


@dataclass(frozen=True, slots=True)
class Listing:
    """One line of the web list."""

    id: int
    url: str
    source_id: str
    government: str
    version_id: int | None
    content_hash: str | None
    title: str | None
    kind: str | None
    language: str | None
    published: date | None
    score: int | None
    relevance: float | None
    migrant: bool | None
    flags: tuple[str, ...]
    #: Flags whose review in force dismisses them.
    dismissed: tuple[str, ...]
    fetched_at: datetime | None
    updated_at: datetime
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "government": self.government,
            "source_id": self.source_id,
            "language": self.language,
            "published": self.published,
            "score": self.score,
            "relevance": self.relevance,
            "migrant": self.migrant,
            "kind": self.kind,
            "flags": list(self.flags),
            "dismissed_flags": list(self.dismissed),
            "content_hash": self.content_hash,
            "fetched_at": self.fetched_at,
            "updated_at": self.updated_at,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class ListPage:
    items: tuple[Listing, ...]
    next_cursor: str | None
    #: Documents matching the filter, all pages together (None when not asked for).
    total: int | None = None


class BrowseStore(StoreBase):
    """The filtered document list of the web app and its exports."""

    @transient
    def browse(
        self,
        filters: DocumentFilter = DocumentFilter(),
        *,
        sort: Sort = Sort.UPDATED,
        descending: bool | None = None,
        cursor: str | None = None,
        offset: int = 0,
        limit: int = 50,
        with_total: bool = True,
    ) -> ListPage:
        """One page of the list: after ``cursor`` (a keyset page) or, without one, after skipping
        ``offset`` rows. The page's ``next_cursor`` continues from its last row either way."""
        desc = (sort in DESCENDING) if descending is None else descending
        with self._read() as conn:
            items, next_cursor = _page(conn, filters, Sort(sort), desc, cursor, offset, limit)
            total = _count(conn, filters) if with_total else None
        return ListPage(items, next_cursor, total)

    def iter_browse(
        self,
        filters: DocumentFilter = DocumentFilter(),
        *,
        sort: Sort = Sort.UPDATED,
        descending: bool | None = None,
        page_size: int = keyset.PAGE_SIZE,
    ) -> Iterator[Listing]:
        """Every listed document, one page (one short transaction) at a time: what exports stream."""

        def fetch(cursor: str | None) -> keyset.Page[Listing]:
            page = self.browse(
                filters, sort=sort, descending=descending, cursor=cursor, limit=page_size, with_total=False
            )
            return keyset.Page(page.items, page.next_cursor)

        return keyset.iterate(fetch)


# --- the statements ------------------------------------------------------------------------------------


def _latest_analysis() -> Any:
    """The id of the current version's most recent analysis (a correlated lookup in its index)."""
    older = ANALYSES.alias("older")
    return (
        select(func.max(older.c.id))
        .where(older.c.version_id == DOCUMENTS.c.current_version_id)
        .scalar_subquery()
    )


def _joined(versions: bool, analyses: bool) -> FromClause:
    joined: FromClause = DOCUMENTS
    if versions or analyses:
        joined = joined.outerjoin(VERSIONS, VERSIONS.c.id == DOCUMENTS.c.current_version_id)
    if analyses:
        joined = joined.outerjoin(ANALYSES, ANALYSES.c.id == _latest_analysis())
    return joined


def _conditions(conn: Connection, f: DocumentFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.government is not None:
        where.append(DOCUMENTS.c.government == f.government)
    if f.source is not None:
        where.append(DOCUMENTS.c.source_id == f.source)
    if f.language is not None:
        where.append(ANALYSES.c.language == f.language)
    if f.published_from is not None:
        where.append(VERSIONS.c.published >= f.published_from)
    if f.published_to is not None:
        where.append(VERSIONS.c.published <= f.published_to)
    if f.score_min is not None:
        where.append(ANALYSES.c.score >= f.score_min)
    if f.score_max is not None:
        where.append(ANALYSES.c.score <= f.score_max)
    if f.flag is not None:
        where.append(exists().where(FLAGS.c.analysis_id == ANALYSES.c.id, FLAGS.c.code == f.flag))
    if f.flagged is not None:
        any_flag = exists().where(FLAGS.c.analysis_id == ANALYSES.c.id)
        where.append(any_flag if f.flagged else not_(any_flag))
    if f.domain is not None:
        where.append(_has_domain(conn, f.domain))
    if f.text:
        where.append(_mentions(f.text))
    return where


def _has_domain(conn: Connection, domain: str) -> ColumnElement[bool]:
    """The analysis found ``domain`` among the document's domains (a JSON list in ``detail``)."""
    if conn.dialect.name == "postgresql":
        found = cast(ANALYSES.c.detail["domains"], JSONB)
        return found.contains(cast(literal(json.dumps([domain])), JSONB))
    each = func.json_each(ANALYSES.c.detail, "$.domains").table_valued("value")
    return exists().select_from(each).where(each.c.value == domain)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _mentions(text: str) -> ColumnElement[bool]:
    """The title, or a paragraph of the current version, contains ``text`` (case-insensitive)."""
    pattern = _like(text.strip())
    title = func.lower(func.coalesce(ANALYSES.c.title, VERSIONS.c.title, ""))
    in_text = exists().where(
        PARAGRAPHS.c.version_id == DOCUMENTS.c.current_version_id,
        func.lower(PARAGRAPHS.c.text).like(pattern, escape="\\"),
    )
    return or_(title.like(pattern, escape="\\"), in_text)


def _sort_key(sort: Sort) -> tuple[ColumnElement[Any], tuple[type, ...]]:
    """The sort's expression and the types of its cursor key (value, id)."""
    if sort is Sort.UPDATED:
        return DOCUMENTS.c.updated_at, (str, int)
    if sort is Sort.PUBLISHED:
        return func.coalesce(VERSIONS.c.published, literal(_UNDATED, Date)), (str, int)
    if sort is Sort.SCORE:
        return func.coalesce(ANALYSES.c.score, literal(-1, Integer)), (int, int)
    if sort is Sort.TITLE:
        return func.lower(func.coalesce(ANALYSES.c.title, VERSIONS.c.title, DOCUMENTS.c.url)), (str, int)
    return DOCUMENTS.c.url, (str, int)


def _cursor_value(value: Any) -> Any:
    """A key value as the cursor holds it (JSON), and back (``_bound``)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _bound(sort: Sort, value: Any) -> Any:
    try:
        if sort is Sort.UPDATED:
            return literal(datetime.fromisoformat(value), DateTime(timezone=True))
        if sort is Sort.PUBLISHED:
            return literal(date.fromisoformat(value), Date)
    except ValueError as exc:
        raise keyset.InvalidCursor("not a cursor of this listing", subject=str(value)[:80]) from exc
    return literal(value, Integer if sort is Sort.SCORE else String)


_COLUMNS = (
    DOCUMENTS.c.id,
    DOCUMENTS.c.url,
    DOCUMENTS.c.source_id,
    DOCUMENTS.c.government,
    DOCUMENTS.c.updated_at,
    VERSIONS.c.id.label("version_id"),
    VERSIONS.c.content_hash,
    VERSIONS.c.title.label("version_title"),
    VERSIONS.c.kind.label("version_kind"),
    VERSIONS.c.published,
    VERSIONS.c.fetched_at,
    ANALYSES.c.id.label("analysis_id"),
    ANALYSES.c.title,
    ANALYSES.c.kind,
    ANALYSES.c.language,
    ANALYSES.c.score,
    ANALYSES.c.relevance,
    ANALYSES.c.migrant,
    ANALYSES.c.error,
)


def _joined_codes(conn: Connection, codes: Select[Any]) -> Any:
    """The codes ``codes`` selects, joined with commas, as one column (flag codes hold none)."""
    column = codes.selected_columns[0]
    if conn.dialect.name == "postgresql":
        return codes.with_only_columns(func.string_agg(column, literal(",", String))).scalar_subquery()
    return codes.with_only_columns(func.group_concat(column, ",")).scalar_subquery()


def _flag_columns(conn: Connection) -> list[Any]:
    """The flags of the row's analysis, and those whose review in force dismisses them: correlated
    lookups through the flags' and the reviews' indexes, so a page stays one statement."""
    raised = select(FLAGS.c.code).where(FLAGS.c.analysis_id == ANALYSES.c.id)
    dismissed = select(FLAG_REVIEWS.c.flag_code).where(
        FLAG_REVIEWS.c.document_id == DOCUMENTS.c.id,
        FLAG_REVIEWS.c.decision == ReviewDecision.DISMISSED,
        in_force(),
    )
    return [
        _joined_codes(conn, raised).label("flag_codes"),
        _joined_codes(conn, dismissed).label("dismissed_codes"),
    ]


def _codes(joined: str | None) -> tuple[str, ...]:
    """Codes joined by ``_joined_codes``, in the rubric's order (unknown ones after, by name)."""
    if not joined:
        return ()
    order = {code: n for n, code in enumerate(FLAG_CODES)}
    return tuple(sorted(set(joined.split(",")), key=lambda c: (order.get(c, len(order)), c)))


def _page(
    conn: Connection,
    f: DocumentFilter,
    sort: Sort,
    desc: bool,
    cursor: str | None,
    offset: int,
    limit: int,
) -> tuple[tuple[Listing, ...], str | None]:
    tag = f"browse:{sort}:{'desc' if desc else 'asc'}"
    expr, types = _sort_key(sort)
    key = keyset.decode(tag, cursor, types)
    q = select(*_COLUMNS, *_flag_columns(conn), expr.label("sort_key")).select_from(_joined(True, True))
    q = q.where(*_conditions(conn, f))
    if key is not None:
        ahead = tuple_(expr, DOCUMENTS.c.id)
        mark = tuple_(_bound(sort, key[0]), literal(key[1], Integer))
        q = q.where(ahead < mark if desc else ahead > mark)
    order = [expr.desc(), DOCUMENTS.c.id.desc()] if desc else [expr.asc(), DOCUMENTS.c.id.asc()]
    q = q.order_by(*order).limit(keyset.check_limit(limit) + 1)
    if key is None and offset:
        q = q.offset(offset)
    rows, next_cursor = keyset.cut(
        conn.execute(q).all(), limit, tag, lambda r: (_cursor_value(r.sort_key), int(r.id))
    )
    return tuple(_listing(r) for r in rows), next_cursor


def _listing(r: Any) -> Listing:
    flags = _codes(r.flag_codes)
    return Listing(
        id=r.id,
        url=r.url,
        source_id=r.source_id,
        government=r.government,
        version_id=r.version_id,
        content_hash=r.content_hash,
        title=r.title if r.title is not None else r.version_title,
        kind=r.kind if r.kind is not None else r.version_kind,
        language=r.language or None,  # a failed analysis stores ""
        published=r.published,
        score=r.score,
        relevance=r.relevance,
        migrant=r.migrant,
        flags=flags,
        dismissed=tuple(c for c in flags if c in _codes(r.dismissed_codes)),
        fetched_at=r.fetched_at,
        updated_at=r.updated_at,
        error=r.error,
    )


def _count(conn: Connection, f: DocumentFilter) -> int:
    q = select(func.count()).select_from(_joined(f.on_version, f.on_analysis))
    conds = _conditions(conn, f)
    if conds:
        q = q.where(and_(*conds))
    return int(conn.execute(q).scalar_one())
