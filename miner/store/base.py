"""What every part of the store shares: the engine, one transaction per call, the tables, the errors.

Each concern of the store (runs, frontier, versions, analyses, failures, read-side queries) is a
class deriving from :class:`StoreBase`; :class:`miner.store.repository.Repository` is all of them at
once. A public method opens exactly one transaction -- :meth:`StoreBase._write` or
:meth:`StoreBase._read` -- and does all its work inside it, so that what it writes appears together
or not at all. Helpers that take a ``Connection`` never open one of their own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from miner.errors import Transient
from miner.store import db
from miner.store.models import (
    AnalysisRow,
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

P = ParamSpec("P")
R = TypeVar("R")


def _table(model: type) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


SOURCES = _table(SourceRow)
RUNS = _table(CrawlRun)
URLS = _table(UrlRow)
RUN_URLS = _table(RunUrl)
FETCH_LOG = _table(FetchLog)
BLOBS = _table(Blob)
DOCUMENTS = _table(Document)
VERSIONS = _table(DocumentVersion)
PARAGRAPHS = _table(ParagraphRow)
ANALYSES = _table(AnalysisRow)
FLAGS = _table(FlagRow)
EVIDENCE = _table(EvidenceRow)
DEAD_LETTERS = _table(DeadLetter)


class StoreUnavailable(Transient):
    """The database refused or dropped the call (locked, deadlock, restart): retry later."""

    code = "store-unavailable"


def transient(fn: Callable[P, R]) -> Callable[P, R]:
    """Raise the database's passing failures as :class:`StoreUnavailable`, which callers retry."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            raise StoreUnavailable(f"database unavailable: {exc.orig or exc}") from exc

    return wrapper


def now() -> datetime:
    return datetime.now(UTC)


def upsert(conn: Connection, table: Table) -> Any:
    """The dialect's ``INSERT`` that knows ``ON CONFLICT`` (both dialects spell it the same way)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class StoreBase:
    """The engine, and the two ways a public method opens its one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction that writes (on SQLite it takes the write lock up front: see ``db``)."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A transaction that only reads, on one snapshot: on SQLite it does not take the write lock
        (WAL gives it a snapshot), so a long listing neither waits for a crawl's writes nor holds them
        up; on PostgreSQL it is REPEATABLE READ, so that the statements of one page see one state."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            else:
                conn.execution_options(**{db.READ_ONLY: True})
            with conn.begin():
                yield conn
