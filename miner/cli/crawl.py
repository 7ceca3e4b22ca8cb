"""``miner run`` (crawl, analyse, store, summarise), ``miner documents``, ``miner failures``,
``miner migrate``.

Parsing and printing only: the work is :func:`miner.jobs.run_sources`, the data comes from the store.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from miner.cli import app, output
from miner.cli.listings import DOCUMENT_COLUMNS, FAILURE_COLUMNS
from miner.errors import MinerError

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) is imported only by the commands that use it
    from miner.store.repository import Repository, RunSummary

_err = Console(stderr=True)
#: Documents the summary table names one by one (JSON names every one).
MAX_NAMED = 100


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
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
    format: Annotated[str, output.format_option(output.Format.TABLE, output.Format.JSON)] = "table",
    as_json: Annotated[bool, typer.Option("--json", hidden=True, help="Same as --format json.")] = False,
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
        chosen = load_sources(sources, corpora_dir=get_settings().corpora_dir)
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
        warnings = _warnings(repo, summary)
    except MinerError as exc:
        raise output.fail(exc) from exc
    if as_json or format == output.Format.JSON:
        output.write_json(summary.as_dict() | {"warnings": warnings})
    else:
        _print_summary(summary)
        _print_documents(summary)
        for w in warnings:
            Console(highlight=False).print(
                f"[yellow]warning:[/yellow] source {w['source_id']}: {w['warning']}"
            )
    failed_sources = [s for s in summary.sources if s.error]
    if failed_sources and len(failed_sources) == len(summary.sources):
        raise typer.Exit(1)


def _warnings(repo: Repository, summary: RunSummary) -> list[dict[str, str]]:
    """The health warnings of the sources just crawled (miner.changes decides them)."""
    from miner.changes import source_checks

    checks = source_checks(repo)
    ran = dict.fromkeys(s.source_id for s in summary.sources)
    return [{"source_id": sid, "warning": w} for sid in ran if sid in checks for w in checks[sid].warnings]


def _print_documents(summary: RunSummary) -> None:
    """Name each new, changed and newly flagged document: title, government, score, flags."""
    out = Console(highlight=False)
    for d in summary.documents[:MAX_NAMED]:
        score = "–" if d.score is None else str(d.score)
        if d.outcome == "changed" and d.score_before is not None and d.score_before != d.score:
            score = f"{d.score_before} -> {score}"
        flags = ", ".join(f"{c} (new)" if c in d.new_flags and d.outcome == "changed" else c for c in d.flags)
        out.print(f"  {d.outcome:<7} {d.title or d.url}  [{d.government}]  score {score}", markup=False)
        if d.title:
            out.print(f"          {d.url}", markup=False)
        if flags:
            out.print(f"          flags: {flags}", markup=False)
    if len(summary.documents) > MAX_NAMED:
        out.print(
            f"  ... and {len(summary.documents) - MAX_NAMED} more (miner run --format json lists them all)"
        )


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
    format: Annotated[str, output.format_option()] = "table",
    source: Annotated[str | None, typer.Option("--source", help="Only this source id.")] = None,
    wide: Annotated[bool, output.wide_option()] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, help="At most this many documents (default: all).")
    ] = None,
) -> None:
    """List stored documents: title and URL, language, score, flags (--wide: government, hash, ...).

    Every document by default, read from the store page by page and written as it comes (memory
    stays one page, however large the store).
    """
    from dataclasses import fields

    from miner.store import open_repository
    from miner.store.repository import DocumentListing

    repo = open_repository()
    if source is not None:
        _check_source(repo, source)
    rows = repo.iter_documents(source_id=source)
    output.emit(
        rows if limit is None else islice(rows, limit),
        format,
        columns=DOCUMENT_COLUMNS,
        record=lambda r: r.as_dict(),
        fields=[f.name for f in fields(DocumentListing)],
        wide=wide,
        empty=f"no documents stored for source {source!r} yet (miner run crawls it)"
        if source
        else "no documents stored yet (miner run crawls the sources)",
    )


def _check_source(repo: Repository, source_id: str) -> None:
    """An unknown ``--source`` is a usage error: neither the store nor the registry knows it."""
    from miner.config import get_settings
    from miner.errors import ConfigError
    from miner.sources import load_sources

    if repo.get_source(source_id) is not None:
        return
    try:
        if any(s.id == source_id for s in load_sources(corpora_dir=get_settings().corpora_dir)):
            return
    except ConfigError:  # an unreadable registry does not decide; the store did not know the id
        pass
    raise output.usage_error(f"unknown source {source_id!r} (miner sources lists them)", "'--source'")


@app.command()
def failures(
    format: Annotated[str, output.format_option()] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """List dead letters: work that failed for good (permanent error, or retries exhausted)."""
    from miner.store import open_repository
    from miner.store.models import DeadLetter

    output.emit(
        open_repository().dead_letters(),
        format,
        columns=FAILURE_COLUMNS,
        record=lambda r: r,
        fields=[c.name for c in DeadLetter.__table__.columns],
        wide=wide,
        empty="no failures recorded",
    )


@app.command()
def rescore() -> None:
    """Score stored documents under the current rubric and model, from their kept bytes (no fetching)."""
    from miner.config import get_settings
    from miner.jobs import rescore as rescore_all
    from miner.store import open_repository

    try:
        n = rescore_all(open_repository(), settings=get_settings())
    except MinerError as exc:
        raise output.fail(exc) from exc
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
