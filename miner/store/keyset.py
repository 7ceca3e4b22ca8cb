"""Keyset pagination: every list that can grow is read page by page, after the last key seen.

An ``OFFSET`` page costs as much as every row before it, and one query for a whole table holds every
row at once (or, before this, bound one parameter per row). A keyset page instead asks for the rows
whose sort key comes after the last one returned, through an index, so page 2,000 costs what page 1
costs and memory stays one page. Because a row's key never changes, a reader walking the pages while
other processes insert sees every row that existed when it started exactly once; rows inserted
behind the cursor are not seen, rows inserted ahead of it are seen once.

The cursor handed to callers is opaque (URL-safe, so that the web API can put it in a link): the
listing's tag and the last key, as JSON in base64. A cursor of another listing, or one edited by
hand, is refused with :class:`InvalidCursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Integer, Select, any_, bindparam, func, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from miner.errors import InputError

T = TypeVar("T")
R = TypeVar("R")

#: Rows per page when the caller does not say: big enough that round trips do not dominate, small
#: enough that a page of documents with their flags stays well under a megabyte.
PAGE_SIZE = 500
#: Largest page a caller may ask for.
MAX_PAGE_SIZE = 5000


class InvalidCursor(InputError):
    """The cursor was not produced by this listing (or was altered): start again without one."""

    code = "invalid-cursor"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_cursor`` is None on the last page."""

    items: tuple[T, ...]
    next_cursor: str | None


def encode(tag: str, key: Sequence[Any]) -> str:
    raw = json.dumps([tag, *key], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(tag: str, cursor: str | None, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The key in ``cursor`` (None for the first page), checked against the listing's key types."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor("not a cursor of this listing", subject=cursor[:80]) from exc
    if not isinstance(value, list) or len(value) != len(types) + 1 or value[0] != tag:
        raise InvalidCursor("not a cursor of this listing", subject=cursor[:80])
    key = tuple(value[1:])
    if not all(type(v) is t for v, t in zip(key, types, strict=True)):
        raise InvalidCursor("not a cursor of this listing", subject=cursor[:80])
    return key


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"a page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}")
    return limit


def cut(
    rows: Sequence[R], limit: int, tag: str, key: Callable[[R], Sequence[Any]]
) -> tuple[Sequence[R], str | None]:
    """The rows of a page, read with ``LIMIT limit + 1``, and the cursor of the next page (None when
    the extra row did not come: this was the last page, and no empty page follows it)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode(tag, key(rows[-1]))


def after(columns: Sequence[ColumnElement[Any]], key: Sequence[Any]) -> ColumnElement[bool]:
    """``(c1, c2, ...) > (k1, k2, ...)``: a row-value comparison both SQLite and PostgreSQL answer
    from a composite index on the same columns."""
    if len(columns) == 1:
        return columns[0] > key[0]
    return tuple_(*columns) > tuple_(*key)


def among(conn: Connection, column: ColumnElement[Any], ids: Sequence[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``, with the ids bound as ONE parameter (a PostgreSQL array; a JSON
    array read by SQLite's ``json_each``), never one parameter per id. SQLite answers it from the
    column's index; PostgreSQL does too once it has statistics on the table (before its first
    ``ANALYZE`` it may scan the table instead: slower, still right)."""
    values = [int(i) for i in ids]
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    each: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(values)))
    )
    return column.in_(each.scalar_subquery())


def iterate(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of a listing, fetching one page at a time with ``fetch``."""
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
