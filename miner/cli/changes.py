"""``miner history`` (a document's versions), ``miner diff`` (what a version changed) and ``miner health``
(each source's health). Parsing and printing only: the answers are :mod:`miner.changes`'."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from miner.cli import app, output
from miner.cli.table import Column, Fit, Line
from miner.errors import MinerError

HISTORY_FIELDS = (
    "version",
    "version_id",
    "fetched_at",
    "published",
    "content_hash",
    "title",
    "score",
    "flags",
    "changed",
)
HISTORY_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("version", lambda r: str(r["version"]), shrink=False, justify="right"),
    Column("fetched", lambda r: r["fetched_at"][:16].replace("T", " "), shrink=False),
    Column("published", lambda r: r["published"] or "", shrink=False),
    Column("score", lambda r: "" if r["score"] is None else str(r["score"]), shrink=False, justify="right"),
    Column("flags", lambda r: ", ".join(r["flags"]), fit=Fit.WRAP),
    Column("change", lambda r: {True: "text", False: "layout only", None: "?"}[r["changed"]], shrink=False),
    Column("hash", lambda r: r["content_hash"][:12], shrink=False, wide_only=True),
)
HEALTH_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("source", lambda r: r["source_id"], min_width=12),
    Column("cadence", lambda r: r["cadence"] or "", shrink=False),
    Column("last success", lambda r: (r["last_success"] or "never")[:16].replace("T", " "), shrink=False),
    Column("found per run", lambda r: " ".join(map(str, r["found_per_run"][-6:])), shrink=False),
    Column("failures", lambda r: str(r["failures"]), shrink=False, justify="right"),
    Column("warnings", lambda r: [Line(w, Fit.WRAP) for w in r["warnings"]] or "ok", fit=Fit.WRAP),
)

UrlArg = Annotated[str, typer.Argument(help="The document's URL (as `miner documents` lists it).")]


def _document(url: str) -> tuple[Any, int]:
    from miner.changes import document_id
    from miner.store import open_repository

    repo = open_repository()
    return repo, document_id(repo, url)


@app.command()
def history(
    url: UrlArg,
    format: Annotated[str, output.format_option()] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """List a document's versions, oldest first: when fetched, publication date, score, flags, and
    whether its text changed (a layout- or date-only change is not a change)."""
    from miner.changes import history as versions

    try:
        repo, doc = _document(url)
        rows = versions(repo, doc)
    except MinerError as exc:
        raise output.fail(exc) from exc
    output.emit(
        rows,
        format,
        columns=HISTORY_COLUMNS,
        record=lambda r: r,
        fields=HISTORY_FIELDS,
        wide=wide,
        empty="no version stored",
    )


@app.command()
def diff(
    url: UrlArg,
    from_version: Annotated[
        int | None,
        typer.Option("--from", min=1, help="The older version's number (default: the one before --to)."),
    ] = None,
    to_version: Annotated[
        int | None, typer.Option("--to", min=1, help="The newer version's number (default: the latest).")
    ] = None,
    format: Annotated[str, output.format_option(output.Format.TABLE, output.Format.JSON)] = "table",
) -> None:
    """What changed between two versions of a document: paragraphs added and removed, the score before
    and after, flags raised and cleared, evidence on the group lost and gained."""
    from miner.changes import diff as compare

    try:
        repo, doc = _document(url)
        change = compare(repo, doc, from_version=from_version, to_version=to_version)
    except MinerError as exc:
        raise output.fail(exc) from exc
    if format == output.Format.JSON:
        output.write_json(change)
    else:
        _print_diff(change)


def _print_diff(d: dict[str, Any]) -> None:
    out = Console(highlight=False)
    old, new = d["from"], d["to"]
    out.print(
        f"version {old['version']} ({old['fetched_at'][:10]}) -> {new['version']} ({new['fetched_at'][:10]})"
    )
    if not d["changed"]:
        out.print("no change in the text (layout or date lines only)")
        return
    out.print(f"score {_n(d['score_before'])} -> {_n(d['score_after'])}")
    if d["flags_raised"]:
        out.print("flags raised: " + ", ".join(d["flags_raised"]))
    if d["flags_cleared"]:
        out.print("flags cleared: " + ", ".join(d["flags_cleared"]))
    for title, key in (("removed", "paragraphs_removed"), ("added", "paragraphs_added")):
        out.print(f"{len(d[key])} paragraph(s) {title}")
        for p in d[key]:
            sign = "-" if title == "removed" else "+"
            out.print(f"  {sign} [{_where(p)}] {p['text']}", markup=False)
    for title, key in (("lost", "evidence_lost"), ("gained", "evidence_gained")):
        for e in d[key]:
            out.print(f"  evidence {title} ({e['dimension']}, {_where(e)}): {e['text']}", markup=False)


def _n(v: int | None) -> str:
    return "–" if v is None else str(v)


def _where(p: dict[str, Any]) -> str:
    page = f"p. {p['page']}, " if p.get("page") else ""
    return f"{page}¶ {p['paragraph']}"


@app.command()
def health(
    format: Annotated[str, output.format_option()] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """Each source's health: last success, documents found per run, failures, and warnings (silent for
    longer than its cadence predicts, a sharp drop, a failed run). Thresholds: docs/operations.md."""
    from miner.changes import source_checks
    from miner.store import open_repository

    try:
        repo = open_repository()
        checks = source_checks(repo)
        failures = {h.id: h.failures for h in repo.sources_health()}
    except MinerError as exc:
        raise output.fail(exc) from exc
    rows = [c.as_dict() | {"failures": failures.get(c.source_id, 0)} for c in checks.values()]
    output.emit(
        rows,
        format,
        columns=HEALTH_COLUMNS,
        record=lambda r: r,
        fields=(
            "source_id",
            "cadence",
            "last_success",
            "found_per_run",
            "failed_urls_last_run",
            "warnings",
            "failures",
        ),
        wide=wide,
        empty="no source crawled yet (miner run crawls them)",
    )
