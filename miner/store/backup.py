"""Backups of the store, and restoring one into a fresh store.

- **SQLite**: SQLite's online backup API copies the database page by page while other processes keep
  reading and writing it; the copy is one consistent snapshot (a plain file copy of a WAL database is
  not). Restoring copies the backup into the target the same way.
- **PostgreSQL**: ``pg_dump --format=custom`` of the store's schema (one consistent snapshot, taken
  without stopping writers) and ``pg_restore`` in one transaction. Both client tools must be on PATH,
  of the server's major version or newer.

A backup is written to a temporary name beside ``PATH`` and renamed when complete, so that a backup
that failed half-way never looks like one that succeeded; an existing ``PATH`` is never overwritten.
A restore only goes into a store that holds no rows (a new database, or one just created by
``miner migrate``): it never merges into, or overwrites, data. A restored store is then migrated to
the current schema, so a backup taken by an older version can be restored by a newer one.

:func:`fingerprint` (rows and a content hash per table) is how the tests prove a round trip loses
nothing, and what ``miner restore`` reports.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, func, inspect, select, text
from sqlalchemy.engine import URL, make_url

from miner.errors import ConfigError, Permanent
from miner.store import db
from miner.store.models import Base

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: Seconds ``pg_dump`` or ``pg_restore`` may run.
PG_TOOL_TIMEOUT_S = 6 * 3600


class BackupError(Permanent):
    """A backup or restore was refused or failed; the message says why and what to do."""

    code = "backup"


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    bytes: int
    method: str


def backup(url: str, path: Path) -> BackupResult:
    """Write a consistent backup of the store at ``url`` to ``path`` (which must not exist)."""
    path = Path(path)
    if path.exists():
        raise BackupError("refusing to overwrite an existing file: choose a new path", subject=str(path))
    if not path.parent.is_dir():
        raise BackupError("the folder does not exist", subject=str(path.parent))
    parsed = make_url(url)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(parsed), partial)
            method = "SQLite online backup"
        elif parsed.get_backend_name() == "postgresql":
            _pg_dump(parsed, partial)
            method = "pg_dump (custom format)"
        else:
            raise ConfigError(f"no backup method for {parsed.get_backend_name()} stores")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size, method)


def restore(url: str, path: Path) -> dict[str, tuple[int, str]]:
    """Restore the backup at ``path`` into the empty store at ``url``; its :func:`fingerprint`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError("no such backup file", subject=str(path))
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(
                "not a SQLite backup (pg_dump files restore into PostgreSQL)", subject=str(path)
            )
        target = _sqlite_path(parsed)
        _refuse_unless_empty(url)
        _sqlite_check(path)
        with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    elif backend == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError("not a pg_dump custom-format backup", subject=str(path))
        _refuse_unless_empty(url)
        _pg_restore(url, parsed, path)
    else:
        raise ConfigError(f"no restore method for {backend} stores")
    db.engine_for.cache_clear()  # engines opened on the store before the restore hold stale pools
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        return fingerprint(engine)
    finally:
        engine.dispose()


# --- what a store holds ---------------------------------------------------------------------------------


def fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per table of the store as it is in the database (models' tables first, then the schema
    revision's): its row count and a SHA-256 of its rows in primary-key order, every value in one
    canonical text form."""
    found = MetaData()
    found.reflect(engine)  # the tables as they are, whatever the revision
    tables = [found.tables[t.name] for t in Base.metadata.sorted_tables if t.name in found.tables]
    tables += [t for name, t in sorted(found.tables.items()) if name not in Base.metadata.tables]
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in tables:
            digest = hashlib.sha256()
            count = 0
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execution_options(yield_per=1000).execute(select(table).order_by(*order))
            for row in rows.mappings():
                line = json.dumps({k: _canonical(v) for k, v in row.items()}, sort_keys=True)
                digest.update(line.encode())
                digest.update(b"\n")
                count += 1
            out[table.name] = (count, digest.hexdigest())
    return out


def _canonical(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def _refuse_unless_empty(url: str) -> None:
    """A restore goes into a store without rows; an empty store's tables are dropped first, so that
    the backup's own schema (of whatever revision) is what is restored."""
    engine = db.make_engine(url)
    try:
        names = set(inspect(engine).get_table_names())
        ours = [t for t in Base.metadata.sorted_tables if t.name in names]
        with engine.begin() as conn:
            held = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in ours}
            full = {name: n for name, n in held.items() if n}
            if full:
                listed = ", ".join(f"{name} {n}" for name, n in sorted(full.items()))
                raise BackupError(
                    f"the target store already holds data ({listed}): restore into a new, empty "
                    "database (a restore never merges into or overwrites a store)",
                    subject=engine.url.render_as_string(),
                )
            for table in reversed(ours):
                table.drop(conn)
            if "alembic_version" in names:
                conn.execute(text("DROP TABLE alembic_version"))
    finally:
        engine.dispose()


# --- SQLite ---------------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ConfigError("an in-memory SQLite store cannot be backed up or restored")
    return Path(url.database).expanduser().resolve()


def _sqlite_backup(source: Path, dest: Path) -> None:
    if not source.is_file():
        raise BackupError("no store at this path", subject=str(source))
    with closing(sqlite3.connect(source, timeout=db.SQLITE_BUSY_TIMEOUT_S)) as src:
        src.execute(f"PRAGMA busy_timeout={db.SQLITE_BUSY_TIMEOUT_S * 1000}")
        if not src.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            raise BackupError("not a policy-miner store (no schema revision)", subject=str(source))
        with closing(sqlite3.connect(dest)) as dst:
            src.backup(dst)


def _sqlite_check(path: Path) -> None:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()
            revision = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the backup is not a readable database: {exc}", subject=str(path)) from exc
    if not ok or ok[0] != "ok":
        raise BackupError(f"the backup is damaged: {ok[0] if ok else 'no answer'}", subject=str(path))
    if not revision:
        raise BackupError("not a policy-miner backup (no schema revision)", subject=str(path))


# --- PostgreSQL -----------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(
            f"{name} not found on PATH: install the PostgreSQL client tools (Debian/Ubuntu: "
            f"apt-get install postgresql-client) of the server's major version or newer"
        )
    return found


def _schema(url: URL) -> str:
    """The schema the store lives in: the first entry of ``search_path`` in the URL's libpq
    ``options`` (``?options=-csearch_path%3Dminer``), else ``public``."""
    options = url.query.get("options")
    text_ = " ".join(options) if isinstance(options, tuple) else (options or "")
    found = re.search(r"search_path\s*=\s*([^\s,]+)", text_)
    return found.group(1).strip('"') if found else "public"


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the client tools without the password (which goes in the
    environment, not on a command line that ``ps`` shows), and that environment."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    query = {k: v for k, v in url.query.items() if k != "options"}
    plain = url.set(drivername="postgresql", password=None, query=query)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=PG_TOOL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what} did not finish in {PG_TOOL_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or f'exit status {done.returncode}'}")
    return done.stdout


def _pg_dump(url: URL, dest: Path) -> None:
    tool = _tool("pg_dump")
    engine = db.make_engine(url.render_as_string(hide_password=False))
    try:
        if not inspect(engine).has_table("alembic_version"):
            raise BackupError(
                f"no policy-miner store in the schema {_schema(url)} (no schema revision)",
                subject=url.render_as_string(),
            )
    finally:
        engine.dispose()
    conninfo, env = _libpq(url)
    args = [tool, "--format=custom", "--no-owner", "--no-privileges"]
    args += [f"--schema={_schema(url)}", f"--file={dest}", f"--dbname={conninfo}"]
    _run(args, env, "pg_dump")


#: A table's entry in ``pg_restore --list``: ``<id>; <catalog oid> <oid> TABLE <schema> <name> <owner>``.
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+)")
_TOC_SCHEMA = re.compile(r"^\d+; \d+ \d+ (SCHEMA|COMMENT) - (SCHEMA )?\S+")


def _pg_restore(url_text: str, url: URL, source: Path) -> None:
    tool = _tool("pg_restore")
    conninfo, env = _libpq(url)
    listing = _run([tool, "--list", str(source)], env, "pg_restore --list").splitlines()
    schemas = {m.group(1) for line in listing if (m := _TOC_TABLE.match(line))}
    target = _schema(url)
    if schemas != {target}:
        raise BackupError(
            f"the backup holds the schema {', '.join(sorted(schemas)) or '(none)'}, the target store is "
            f"the schema {target}: restore into a URL whose search_path names the backup's schema",
            subject=str(source),
        )
    # The schema itself is not restored: it exists (public), or is created here, empty.
    kept = [line for line in listing if not _TOC_SCHEMA.match(line)]
    engine = db.make_engine(url_text)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{target}"'))
    finally:
        engine.dispose()
    with tempfile.NamedTemporaryFile("w", suffix=".list") as list_file:
        list_file.write("\n".join(kept) + "\n")
        list_file.flush()
        args = [tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        args += [f"--use-list={list_file.name}", f"--dbname={conninfo}", str(source)]
        _run(args, env, "pg_restore")


__all__ = ["BackupError", "BackupResult", "backup", "fingerprint", "restore"]
