"""``miner run`` (crawl, analyse, store, summarise), ``miner documents``, ``miner failures``,
``miner migrate``.

Parsing and printing only: the work is :func:`miner.jobs.run_sources`, the data comes from the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from miner.cli import app
from miner.errors import MinerError

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) is imported only by the commands that use it
    from miner.store.repository import RunSummary

_err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    _err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@app.command()
def run(
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="A source file (.toml) or folder of them; default: the registry."),
    ] = None,
    allow_private_addresses: Annotated[
        bool,
        typer.Option(
            "--allow-private-addresses",
            help="Allow loopback and private addresses (a local test site); refused otherwise.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Crawl the sources, analyse what is new or changed, store it, and print a summary.

    Runs in this process on the local store, or, with MINER_BROKER_URL set, on Celery workers
    (this command then waits for them). A second run of an unchanged site fetches nothing anew.
    """
    from miner.config import get_settings
    from miner.jobs import run_sources
    from miner.sources import load_sources
    from miner.store import open_repository

    try:
        chosen = load_sources(sources)
        if not chosen:
            raise _fail(f"no sources found in {sources or 'the registry'}", 2)
        repo = open_repository()
        with Progress(
            TextColumn("[bold]crawling {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{len(chosen)} source(s)", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=max(total, 1))

            def status(message: str | None) -> None:  # outages and lost messages, said once each
                bar.console.print(f"[yellow]{message}[/yellow]" if message else "resuming", highlight=False)

            summary = run_sources(
                repo,
                chosen,
                allow_private=allow_private_addresses,
                settings=get_settings(),
                progress=progress,
                status=status,
            )
    except MinerError as exc:
        raise _fail(str(exc), 2) from exc
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), default=str, indent=2))
    else:
        _print_summary(summary)
    failed_sources = [s for s in summary.sources if s.error]
    if failed_sources and len(failed_sources) == len(summary.sources):
        raise typer.Exit(1)


def _print_summary(summary: RunSummary) -> None:
    out = Console()
    totals = summary.as_dict()
    out.print(
        f"sources {totals['sources']}  new {totals['new']}  changed {totals['changed']}  "
        f"unchanged (304) {totals['unchanged']}  flagged {totals['flagged']}  failed {totals['failed']}"
        + (f"  skipped {totals['skipped']}" if totals["skipped"] else ""),
        highlight=False,
    )
    for s in summary.sources:
        if s.error:
            out.print(f"[red]source {s.source_id} unreachable:[/red] {s.error}", highlight=False)
    for f in summary.failures[:20]:
        out.print(f"  failed {f['task']} {f['subject']}: {f['error_code']}: {f['message']}", highlight=False)
    if len(summary.failures) > 20:
        out.print(f"  ... and {len(summary.failures) - 20} more (miner failures)")


@app.command()
def documents(
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    source: Annotated[str | None, typer.Option("--source", help="Only this source id.")] = None,
) -> None:
    """List stored documents: url, content hash, government, language, score, flags."""
    from miner.store import open_repository

    if format not in ("table", "json"):
        raise _fail(f"unknown format {format!r}: use table or json", 2)
    try:
        rows = open_repository().documents(source_id=source)
    except MinerError as exc:
        raise _fail(str(exc), 2) from exc
    if format == "json":
        typer.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    table = Table("url", "hash", "government", "lang", "score", "flags", "title")
    for r in rows:
        table.add_row(
            r.url,
            (r.content_hash or "")[:12],
            r.government,
            r.language or "",
            "" if r.score is None else str(r.score),
            ", ".join(r.flags),
            (r.title or r.error or "")[:60],
        )
    Console().print(table)


@app.command()
def failures(format: Annotated[str, typer.Option("--format", help="table | json")] = "table") -> None:
    """List dead letters: work that failed for good (permanent error, or retries exhausted)."""
    from miner.store import open_repository

    rows: list[dict[str, Any]] = open_repository().dead_letters()
    if format == "json":
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    table = Table("when", "task", "subject", "error", "attempts")
    for r in rows:
        table.add_row(
            str(r["last_seen_at"])[:19],
            r["task"],
            r["subject"],
            f"{r['error_code']}: {r['message']}"[:80],
            str(r["attempts"]),
        )
    Console().print(table)


@app.command()
def rescore() -> None:
    """Score stored documents under the current rubric and model, from their kept bytes (no fetching)."""
    from miner.config import get_settings
    from miner.jobs import rescore as rescore_all
    from miner.store import open_repository

    try:
        n = rescore_all(open_repository(), settings=get_settings())
    except MinerError as exc:
        raise _fail(str(exc), 2) from exc
    where = "enqueued to the analyse queue" if get_settings().broker_url else "analysed"
    typer.echo(f"{n} document version(s) {where}")


@app.command()
def migrate() -> None:
    """Bring the store's schema to the latest revision (also done automatically on first use)."""
    from miner.config import get_settings
    from miner.store import db

    url = get_settings().database_url
    engine = db.make_engine(url)
    db.upgrade(engine)
    typer.echo(f"schema at revision {db.current_revision(engine)} ({engine.url.render_as_string()})")
