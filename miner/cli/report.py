"""``miner mentions`` and ``miner report``: what watchdogs and analysts read from the store."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from miner.cli import app
from miner.errors import MinerError


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@app.command()
def mentions(
    term: str = typer.Argument(..., help="Word or phrase; accents and case are ignored, compounds found."),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
    limit: int = typer.Option(1000, help="At most this many paragraphs are searched."),
    width: int = typer.Option(80, help="Characters of context on each side."),
) -> None:
    """Keyword in context: every mention of TERM in stored documents, with page and paragraph."""
    from miner.report.mentions import find_mentions, needles
    from miner.store import open_repository

    if format not in ("table", "json"):
        raise _fail(f"unknown format {format!r}: use table or json")
    try:
        paragraphs = open_repository().paragraphs_containing(needles(term), limit=limit)
    except MinerError as exc:
        raise _fail(str(exc)) from exc
    found = find_mentions(paragraphs, term, width=width)
    if format == "json":
        typer.echo(json.dumps([m.as_dict() for m in found], ensure_ascii=False, indent=2))
        return
    table = Table("document", "page", "¶", "context", title=f"{len(found)} mentions of “{term}”")
    for m in found:
        context = f"…{m.left}[bold]{m.match}[/bold]{m.right}…"
        table.add_row(m.title or m.url, "" if m.page is None else str(m.page), str(m.paragraph), context)
    Console().print(table)


@app.command()
def report(
    by: str = typer.Option("government", "--by", help="government, source, language or year"),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Figures per group over the stored documents: count, mean score, share about migrants, flags."""
    from miner.report.trends import GROUPINGS, summarise
    from miner.store import open_repository

    if by not in GROUPINGS:
        raise _fail(f"--by must be one of {', '.join(GROUPINGS)}")
    if format not in ("table", "json"):
        raise _fail(f"unknown format {format!r}: use table or json")
    try:
        rows = summarise(open_repository().documents(), by)
    except MinerError as exc:
        raise _fail(str(exc)) from exc
    if format == "json":
        typer.echo(json.dumps({"by": by, "rows": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(by, "documents", "scored", "mean score", "about migrants", "flagged", "most frequent flags")
    for r in rows:
        top = ", ".join(f"{k} ({v})" for k, v in list(r["flags"].items())[:3])
        share = "" if r["migrant_share"] is None else f"{r['migrant_share']:.0%}"
        mean = "" if r["mean_score"] is None else str(r["mean_score"])
        table.add_row(str(r[by]), str(r["documents"]), str(r["scored"]), mean, share, str(r["flagged"]), top)
    Console().print(table)
