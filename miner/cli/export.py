"""``miner export``: documents, scores, flags or evidence as CSV or JSON lines, streamed.

Rows are written as the store's keyset pages arrive (:meth:`Repository.iter_facts`, one short
transaction per page), so exporting a hundred thousand documents holds one page in memory, and the
first rows appear before the last are read. The rows themselves are built by
:mod:`miner.report.export` (the web app can serve the same).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from miner.cli import app, output
from miner.cli.table import Column, Fit, Line

_DOCUMENT_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column(
        "document",
        lambda r: [Line(r["title"], Fit.END)] if r["title"] else [Line(r["url"], Fit.URL)],
        min_width=20,
    ),
    Column(
        "date", lambda r: (r["date"] or "") + ("*" if r["date_source"] == "fetched" else ""), shrink=False
    ),
    Column("score", lambda r: "" if r["score"] is None else str(r["score"]), shrink=False, justify="right"),
    Column("flags", lambda r: ", ".join(r["flags"]), fit=Fit.WRAP),
    Column("not scored", lambda r: r["not_scored_reason"] or "", wide_only=True),
    Column("government", lambda r: r["government"], wide_only=True),
    Column("url", lambda r: r["url"], wide_only=True),
)
_EVIDENCE_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("document", lambda r: [Line(r["url"], Fit.URL)], min_width=16),
    Column("dimension", lambda r: r["dimension"], shrink=False),
    Column("page", lambda r: "" if r["page"] is None else str(r["page"]), shrink=False, justify="right"),
    Column("quote", lambda r: r["text"], fit=Fit.WRAP, min_width=24),
)
_FLAG_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("document", lambda r: [Line(r["url"], Fit.URL)], min_width=16),
    Column("flag", lambda r: r["code"], shrink=False),
    Column("reason", lambda r: r["reason"], fit=Fit.WRAP, min_width=24),
)


@app.command()
def export(
    what: Annotated[str, typer.Option("--what", help="documents, evidence or flags.")] = "documents",
    government: Annotated[str | None, typer.Option(help="Only documents of this government.")] = None,
    source: Annotated[str | None, typer.Option(help="Only documents of this source (its id).")] = None,
    format: Annotated[
        str,
        output.format_option(output.Format.CSV, output.Format.JSONL, output.Format.JSON, output.Format.TABLE),
    ] = "csv",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """Export every stored document (its current version and latest score), every flag, or every
    piece of evidence, streamed in constant memory: csv (default), jsonl, json or a table.

    documents: one row per document with its dates (publication date and where it was found, fetch
    date), score, scored or why not, relevance, domains, flags and the score of each dimension.
    evidence: one row per quoted passage (dimension, term, quote, page, paragraph, offsets).
    flags: one row per flag raised (code, severity, reason, the quotes that raised it).
    """
    from miner.report.export import EXPORTS, export_fields, export_rows
    from miner.store import open_repository

    if what not in EXPORTS:
        raise output.usage_error(f"{what!r} is not one of {', '.join(EXPORTS)}", "'--what'")
    columns = {"documents": _DOCUMENT_COLUMNS, "evidence": _EVIDENCE_COLUMNS, "flags": _FLAG_COLUMNS}[what]
    rows = export_rows(open_repository(), what, government=government, source_id=source)
    output.emit(
        rows,
        format,
        columns=columns,
        record=lambda r: r,
        fields=export_fields(what),
        wide=wide,
        empty=f"nothing to export: no {what} stored" + (" for these filters" if government or source else ""),
    )
