"""``miner backup`` and ``miner restore``: a consistent copy of the store, and a store from one.

Parsing and printing only: the work is :mod:`miner.store.backup`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from miner.cli import app
from miner.errors import ConfigError, MinerError


def _fail(exc: MinerError) -> typer.Exit:
    """Errors on stderr; 2 for a configuration problem (a URL, a missing tool), 1 otherwise."""
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2 if isinstance(exc, ConfigError) else 1)


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist yet).")],
) -> None:
    """Write a consistent backup of the store (SQLite online backup; pg_dump on PostgreSQL) while it
    stays in use."""
    from miner.config import get_settings
    from miner.store.backup import backup as write_backup

    try:
        done = write_backup(get_settings().database_url, path)
    except MinerError as exc:
        raise _fail(exc) from exc
    typer.echo(f"backup written to {done.path} ({done.bytes:,} bytes, {done.method})")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A backup written by `miner backup`.")],
) -> None:
    """Restore a backup into the store of MINER_DATABASE_URL, which must hold no data yet (a new
    database), then migrate it to the current schema; prints the rows restored per table."""
    from miner.config import get_settings
    from miner.store.backup import restore as read_backup

    try:
        restored = read_backup(get_settings().database_url, path)
    except MinerError as exc:
        raise _fail(exc) from exc
    from miner.store import db

    typer.echo(f"restored {path}; schema migrated to revision {db.head_revision()}")
    for table, (rows, _digest) in restored.items():
        if table != "alembic_version":
            typer.echo(f"  {table:<18} {rows:>10,} rows")
