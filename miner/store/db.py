"""Engines and schema migrations.

SQLite is the default store (no server to run): it gets WAL, so that readers never wait for the
writer, a busy timeout, so that two processes queue for the write lock instead of failing, and
``BEGIN IMMEDIATE`` for every transaction that may write, so that a transaction that reads and then
writes takes the write lock up front and cannot deadlock against another one doing the same (SQLite
would answer such a deadlock with an immediate "database is locked", busy timeout or not). A
transaction opened on a connection marked :data:`READ_ONLY` begins deferred instead: it never writes,
so it needs no lock. PostgreSQL needs none of this.

The schema is owned by Alembic (``miner/store/migrations``); every process brings the database to the
latest revision on first use, under a lock, so that a fresh worker fleet cannot race on ``CREATE TABLE``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from miner import caches

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Seconds a SQLite connection waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 60
#: Arbitrary but fixed key of the PostgreSQL advisory lock taken while migrating.
_PG_MIGRATION_LOCK = 7_240_511
#: Execution option of a connection whose transactions only read (SQLite then begins them DEFERRED).
READ_ONLY = "miner_read_only"


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine for ``url`` with the per-dialect settings above."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **kw)
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kw)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed transaction
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A read-only transaction needs no write lock: WAL gives it a snapshot, and it cannot deadlock.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``, the latest by default (a no-op when it is there already)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision`` ("base": no table left): a rollback to an older release
    runs the newer revisions' downgrades, keeping every row the older schema has a place for."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """One Alembic command in one transaction, under a lock, so that processes cannot race on it."""
    cfg = _alembic_config()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        step(cfg, revision)


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL per process, migrated on first use."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


caches.register(engine_for.cache_clear)
