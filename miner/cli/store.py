"""``miner backup`` and ``miner restore``: a consistent copy of the store, and a store from one.

Parsing and printing only: the work is :mod:`miner.store.backup`. Errors go through the command
group's one handler (a configuration problem such as a missing client tool exits 2, others 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from miner.cli import app, output
from miner.cli.table import Column

#: One row of ``miner restore``'s report: (table, rows restored).
_TableRows = tuple[str, int]

RESTORE_COLUMNS: list[Column[_TableRows]] = [
    Column("table", lambda r: r[0]),
    Column("rows", lambda r: f"{r[1]:,}", shrink=False, justify="right"),
]


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist yet).")],
) -> None:
    """Write a consistent backup of the store (SQLite online backup; pg_dump on PostgreSQL) while it
    stays in use."""
    from miner.config import get_settings
    from miner.store.backup import backup as write_backup

    done = write_backup(get_settings().database_url, path)
    typer.echo(f"backup written to {done.path} ({done.bytes:,} bytes, {done.method})")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A backup written by `miner backup`.")],
    format: Annotated[str, output.format_option()] = "table",
) -> None:
    """Restore a backup into the store of MINER_DATABASE_URL, which must hold no data yet (a new
    database), then migrate it to the current schema; prints the rows restored per table."""
    from miner.config import get_settings
    from miner.store import db
    from miner.store.backup import restore as read_backup

    restored = read_backup(get_settings().database_url, path)
    output.note(f"restored {path}; schema migrated to revision {db.head_revision()}")
    rows = [(table, n) for table, (n, _digest) in restored.items() if table != "alembic_version"]
    output.emit(
        rows,
        format,
        columns=RESTORE_COLUMNS,
        record=lambda r: {"table": r[0], "rows": r[1]},
        fields=["table", "rows"],
        empty="the backup held no tables",
    )
