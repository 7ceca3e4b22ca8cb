"""``miner analyse``: score policy documents or JSON lines of text, with evidence."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import typer
from rich.console import Console
from rich.table import Table

from miner.cli import app
from miner.errors import MinerError
from miner.records import LANGUAGES, Analysis

_FORMATS = ("table", "json")


def analyse_paths(paths: Iterable[Path]) -> Iterator[Analysis]:
    """Analyse each file; a file that fails yields an Analysis with ``error`` set, never an exception."""
    from miner.pipeline import analyse_file

    for path in paths:
        try:
            yield analyse_file(path)[1]
        except MinerError as exc:
            yield Analysis.failed(str(path), f"{exc.code}: {exc.message}")
        except Exception as exc:  # a bug must not lose the other files' results
            yield Analysis.failed(str(path), f"internal error: {type(exc).__name__}: {exc}")


def analyse_jsonl_line(line: str, lineno: int) -> Analysis:
    """One input line ``{"id", "text", "lang"?}`` -> its Analysis (an ``error`` for a bad line)."""
    from miner.pipeline import analyse_text

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Analysis.failed(f"line-{lineno}", f"input: line {lineno} is not JSON ({exc.msg})")
    if not isinstance(obj, dict):
        return Analysis.failed(f"line-{lineno}", f"input: line {lineno} is not a JSON object")
    raw_id = obj.get("id")
    doc_id = str(raw_id) if raw_id is not None else f"line-{lineno}"
    text = obj.get("text")
    lang = obj.get("lang")
    if not isinstance(text, str) or not text.strip():
        return Analysis.failed(doc_id, f"input: line {lineno} has no non-empty string 'text'")
    if lang is not None and lang not in LANGUAGES:
        return Analysis.failed(doc_id, f"input: line {lineno}: 'lang' must be one of {', '.join(LANGUAGES)}")
    try:
        return analyse_text(doc_id, text, lang)
    except MinerError as exc:
        return Analysis.failed(doc_id, f"{exc.code}: {exc.message}")
    except Exception as exc:
        return Analysis.failed(doc_id, f"internal error: {type(exc).__name__}: {exc}")


def run_jsonl(stdin: TextIO, stdout: TextIO) -> int:
    """Answer every input line, in order; returns how many answers carry an error."""
    failed = 0
    for lineno, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        result = analyse_jsonl_line(line, lineno)
        failed += result.error is not None
        stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
    stdout.flush()
    return failed


def _where(page: int | None, paragraph: int) -> str:
    return f"p. {page} ¶{paragraph}" if page is not None else f"¶{paragraph}"


def print_table(results: list[Analysis], console: Console) -> None:
    summary = Table(title="Mainstreaming of migrant integration", show_lines=False)
    for col in ("document", "lang", "relevance", "migrant", "score", "domains", "flags"):
        summary.add_column(col, overflow="fold")
    for a in results:
        if a.error:
            summary.add_row(a.id, "", "", "", "", "", f"[red]error: {a.error}[/red]")
            continue
        summary.add_row(
            a.id,
            a.language,
            f"{a.relevance:.2f}",
            "yes" if a.migrant else "no",
            str(a.score) if a.scored else "not scored",
            ", ".join(a.domains),
            ", ".join(f.code for f in a.flags),
        )
    console.print(summary)
    for a in results:
        if a.error:
            continue
        dims = Table(title=f"{a.id}: dimensions", title_justify="left")
        for col in ("dimension", "score", "evidence"):
            dims.add_column(col, overflow="fold")
        for d in a.dimensions:
            quotes = [e for e in d.evidence if e.counted][:2]
            text = "\n".join(f"{_where(e.page, e.paragraph)}: “{_clip(e.text)}”" for e in quotes)
            dims.add_row(d.name, str(d.score), text or "—")
        console.print(dims)
        for f in a.flags:
            ev = f.evidence[0] if f.evidence else None
            where = f" ({_where(ev.page, ev.paragraph)}: “{_clip(ev.text)}”)" if ev else ""
            console.print(f"[bold]{f.severity}[/bold] {f.code}: {f.reason}{where}")
        if a.sections:
            sec = Table(title=f"{a.id}: sections", title_justify="left")
            for col in ("section", "pages", "relevance", "score", "in scope"):
                sec.add_column(col, overflow="fold")
            for s in a.sections:
                pages = f"{s.page_start}-{s.page_end}" if s.page_start is not None else ""
                scope = "yes" if s.in_scope else ""
                sec.add_row(_clip(s.title, 60), pages, f"{s.relevance:.2f}", str(s.score), scope)
            console.print(sec)


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@app.command()
def analyse(
    paths: list[Path] = typer.Argument(None, help="Policy documents: PDF, HTML, DOCX, ODT or plain text."),
    format: str = typer.Option(
        "table", "--format", "-f", help="table (readable) or json (one object a line)."
    ),
    jsonl: bool = typer.Option(
        False,
        "--jsonl",
        help='Read JSON lines {"id", "text", "lang"?} on stdin; write one JSON line per input.',
    ),
) -> None:
    """Score documents for the mainstreaming of migrant integration, with the evidence for every score.

    Exit status: 0 when every input was analysed, 1 when some input could only get an error answer,
    2 for a usage error.
    """
    if format not in _FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(_FORMATS)}")
    if jsonl:
        if paths:
            raise typer.BadParameter("--jsonl reads stdin: give no PATH")
        failed = run_jsonl(sys.stdin, sys.stdout)
        raise typer.Exit(1 if failed else 0)
    if not paths:
        raise typer.BadParameter("give at least one PATH, or --jsonl")
    results: list[Analysis] = []
    for result in analyse_paths(paths):
        if format == "json":
            sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        results.append(result)
    if format == "table":
        print_table(results, Console())
    raise typer.Exit(1 if any(r.error for r in results) else 0)
