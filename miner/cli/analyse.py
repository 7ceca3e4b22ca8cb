"""``miner analyse``: score policy documents or JSON lines of text, with evidence.

Every input gets an answer, whatever it is: an exception inside one input (a file that cannot be
read, a FIFO, a line of JSON nested ten thousand deep, a bug) becomes that input's error answer,
and the inputs after it are still analysed. Error answers are written where the other answers go
(JSON, CSV) and said on stderr; the exit status is 1 when some input failed.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, TextIO

import typer
from rich.console import Console

from miner.cli import app, output
from miner.cli.table import Column, Fit, Line, clean, clip, print_table
from miner.errors import ConfigError, InputError, MinerError
from miner.records import LANGUAGES, Analysis

if TYPE_CHECKING:
    from miner.analyser import Analyser

#: Bytes of one ``--jsonl`` line beyond its text's cap: room for the id, the language and the syntax.
LINE_OVERHEAD = 64 * 1024


def failed(doc_id: str, exc: BaseException) -> Analysis:
    """The error answer for an input whose analysis raised ``exc`` (an expected error, or a bug)."""
    if isinstance(exc, MinerError):
        return Analysis.failed(doc_id, f"{exc.code}: {exc.message}")
    if isinstance(exc, RecursionError):
        return Analysis.failed(doc_id, "input: nested too deeply to be read")
    return Analysis.failed(doc_id, f"internal error: {type(exc).__name__}: {exc}")


def analyse_path(path: Path, analyser: Analyser) -> Analysis:
    """One file's analysis, or its error answer; raises only for a configuration error (every input's)."""
    from miner.extract import read_document
    from miner.pipeline import analyse_bytes

    try:
        # type and size are checked on the open file before a byte is read; the extractor refuses
        # bytes that are no document or that a name misrepresents (hello.docx of text, data.csv)
        data = read_document(path, analyser.limits)
        return analyse_bytes(data, doc_id=str(path), analyser=analyser, name=str(path))[1]
    except ConfigError:  # a broken rubric or lexicon fails every input alike: a configuration error
        raise
    except Exception as exc:  # one input's failure, whatever it is, must not lose the others
        return failed(str(path), exc)


def analyse_paths(paths: Iterable[Path], analyser: Analyser) -> Iterator[Analysis]:
    """Analyse each file in turn; a file that fails yields an Analysis with ``error`` set."""
    for path in paths:
        yield analyse_path(path, analyser)


def read_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line, length)`` for each line; the line is ``None`` when over ``limit`` bytes.

    An over-long line is skipped in chunks, never held whole, so a 2 GB line costs no memory and
    the lines after it are still read.
    """
    lineno = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) <= limit or line.endswith(b"\n"):
            yield lineno, line, len(line)
            continue
        length = len(line)
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            length += len(line)
        yield lineno, None, length


def analyse_jsonl_line(raw: bytes | str, lineno: int, max_chars: int, analyser: Analyser) -> Analysis | None:
    """One input line ``{"id", "text", "lang"?}`` -> its Analysis; ``None`` for a blank line.

    Raises only for a configuration error (which every line would get); anything else, a
    RecursionError from JSON nested too deeply included, becomes this line's error answer.
    """
    doc_id = f"line-{lineno}"
    try:
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            return None
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {lineno} is not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise InputError(f"line {lineno} is not a JSON object")
        raw_id = obj.get("id")
        if isinstance(raw_id, str | int | float) and not isinstance(raw_id, bool):
            doc_id = str(raw_id)
        elif raw_id is not None:
            raise InputError(f"line {lineno}: 'id' must be a string or a number")
        text, lang = obj.get("text"), obj.get("lang")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"line {lineno} has no non-empty string 'text'")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate escaped in the JSON ("\ud800")
            raise InputError(f"line {lineno}: 'text' is not valid Unicode ({exc.reason})") from exc
        if len(text) > max_chars:
            raise InputError(
                f"line {lineno}: 'text' has {len(text)} characters, over the cap of {max_chars} "
                "(MINER_MAX_TEXT_CHARS)"
            )
        if lang is not None and lang not in LANGUAGES:
            raise InputError(f"line {lineno}: 'lang' must be one of {', '.join(LANGUAGES)}")
        from miner.pipeline import analyse_text

        return analyse_text(doc_id, text, lang, analyser=analyser)
    except UnicodeDecodeError:
        return Analysis.failed(doc_id, f"input: line {lineno} is not UTF-8")
    except ConfigError:  # a broken rubric or lexicon fails every line alike: a configuration error
        raise
    except Exception as exc:  # RecursionError from deep nesting, MemoryError, a bug: this line's answer
        return failed(doc_id, exc)


def json_line(result: Analysis, **dump: Any) -> str:
    """The answer as one JSON line; text that cannot be written as UTF-8 (lone surrogates) is escaped."""
    text = json.dumps(result.as_dict(), ensure_ascii=False, **dump)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(result.as_dict(), ensure_ascii=True, **dump)
    return text + "\n"


def run_jsonl(stdin: BinaryIO, stdout: TextIO, analyser: Analyser, *, max_chars: int | None = None) -> int:
    """Answer every input line, in order; returns how many answers carry an error."""
    if max_chars is None:
        max_chars = analyser.limits.max_text_chars
    limit = 6 * max_chars + LINE_OVERHEAD  # a JSON string of max_chars characters, all \\uXXXX escapes
    failures = 0
    for lineno, raw, length in read_lines(stdin, limit):
        if raw is None:
            result: Analysis | None = Analysis.failed(
                f"line-{lineno}",
                f"input: line {lineno} is {length} bytes, over the cap of {limit} "
                f"(6 × MINER_MAX_TEXT_CHARS + {LINE_OVERHEAD})",
            )
        else:
            result = analyse_jsonl_line(raw, lineno, max_chars, analyser)
        if result is None:
            continue
        if result.error is not None:
            failures += 1
            _say_error(result)
        stdout.write(json_line(result, separators=(",", ":")))
        stdout.flush()
    return failures


def _say_error(result: Analysis) -> None:
    output.note(f"error: {clean(result.id)}: {result.error}")


# --- table ------------------------------------------------------------------------------------------------


def _document(a: Analysis) -> list[str | Line]:
    lines: list[str | Line] = [Line(a.id, Fit.URL)]
    if a.title and a.title not in a.id:
        lines.append(Line(a.title, Fit.WRAP, max_lines=2))
    # warnings say a score is partial (paragraphs not scored, pages not read): shown, not hidden
    lines.extend(Line(f"warning: {w}", Fit.END) for w in a.warnings[:2])
    if len(a.warnings) > 2:
        lines.append(f"… and {len(a.warnings) - 2} more warnings (below)")
    return lines


ANALYSIS_COLUMNS: tuple[Column[Analysis], ...] = (
    Column("document", _document, min_width=20),
    Column("lang", lambda a: a.language, shrink=False),
    Column("migrant", lambda a: "yes" if a.migrant else "no", shrink=False),
    Column("score", lambda a: str(a.score) if a.scored else "not scored", shrink=False, justify="right"),
    Column("flags", lambda a: ", ".join(f.code for f in a.flags), fit=Fit.WRAP),
    Column("relevance", lambda a: f"{a.relevance:.2f}", wide_only=True),
    Column("domains", lambda a: ", ".join(a.domains), wide_only=True),
    Column("kind", lambda a: a.kind or "", wide_only=True),
    Column("pages", lambda a: "" if a.page_count is None else str(a.page_count), wide_only=True),
)


def _where(page: int | None, paragraph: int) -> str:
    return f"p. {page} ¶{paragraph}" if page is not None else f"¶{paragraph}"


def _quotes(d: Any, quote: int) -> list[str]:
    return [
        f"{_where(e.page, e.paragraph)}: “{clip(clean(e.text), quote)}”" for e in d.evidence if e.counted
    ][:2] or ["—"]


def _say(text: str, console: Console, *, wide: bool) -> None:
    """A line of the report, wrapped to the console (continuation lines indented), never restyled."""
    text = clean(text)
    if not wide:
        text = textwrap.fill(text, console.width, subsequent_indent="    ", break_on_hyphens=False)
    console.file.write(text + "\n")


def print_details(a: Analysis, console: Console, *, wide: bool = False) -> None:
    """One document's dimensions with their quoted evidence, its flags, warnings and sections."""
    quote = 10_000 if wide else 160
    console.file.write("\n")
    print_table(
        a.dimensions,
        (
            Column("dimension", lambda d: d.name, shrink=False),
            Column("score", lambda d: str(d.score), shrink=False, justify="right"),
            Column("evidence", lambda d: _quotes(d, quote), fit=Fit.WRAP),
        ),
        wide=wide,
        title=f"{clean(a.id)}: dimensions",
        console=console,
    )
    for f in a.flags:
        ev = f.evidence[0] if f.evidence else None
        where = f" ({_where(ev.page, ev.paragraph)}: “{clip(clean(ev.text), quote)}”)" if ev else ""
        _say(f"flag ({f.severity}) {f.code}: {f.reason}{where}", console, wide=wide)
    for w in a.warnings:
        _say(f"warning: {w}", console, wide=wide)
    if a.sections:
        print_table(
            a.sections,
            (
                Column("section", lambda s: s.title, min_width=20),
                Column(
                    "pages",
                    lambda s: f"{s.page_start}-{s.page_end}" if s.page_start is not None else "",
                    shrink=False,
                ),
                Column("relevance", lambda s: f"{s.relevance:.2f}", shrink=False, justify="right"),
                Column("score", lambda s: str(s.score), shrink=False, justify="right"),
                Column("in scope", lambda s: "yes" if s.in_scope else "", shrink=False),
            ),
            wide=wide,
            title=f"{clean(a.id)}: sections",
            console=console,
        )


def print_report(results: list[Analysis], *, wide: bool = False) -> None:
    """The summary table of the analysed inputs, then each one's details (errors went to stderr)."""
    analysed = [a for a in results if a.error is None]
    if not analysed:
        return
    console = Console()
    print_table(analysed, ANALYSIS_COLUMNS, wide=wide, title="Mainstreaming of migrant integration")
    for a in analysed:
        print_details(a, console, wide=wide)


def csv_record(a: Analysis) -> dict[str, Any]:
    """One CSV row per input: the JSON answer's flat fields, flags as codes, dimensions as scores."""
    d = a.as_dict()
    d["flags"] = [f.code for f in a.flags]
    d["dimensions"] = {x.name: x.score for x in a.dimensions}
    for nested in ("evidence", "sections", "language_mix"):
        d.pop(nested)
    return d


CSV_FIELDS = tuple(csv_record(Analysis.failed("", "")))


@app.command()
def analyse(
    paths: Annotated[
        list[Path] | None,
        # readable=False: an unreadable file is that input's error answer, not a usage error of the batch
        typer.Argument(help="Policy documents: PDF, HTML, DOCX, ODT or plain text.", readable=False),
    ] = None,
    format: Annotated[
        str,
        output.format_option(help="table (readable), json (one object a line) or csv (one row a document)."),
    ] = "table",
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Read JSON lines {"id", "text", "lang"?} on stdin; write one JSON line per input.',
        ),
    ] = False,
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """Score documents for the mainstreaming of migrant integration, with the evidence for every score.

    Every input is answered: one that cannot be read or analysed (missing, a folder, a FIFO, a
    device, too large, not a document) gets an error answer and the others are still analysed.
    Exit status: 0 when every input was analysed, 1 when some input got an error answer, 2 for a
    usage error.
    """
    from miner.analyser import Analyser
    from miner.config import get_settings

    if jsonl:
        if paths:
            raise output.usage_error("--jsonl reads stdin: give no PATH", "'PATHS'")
        if format == output.Format.CSV:
            raise output.usage_error("--jsonl writes JSON lines: drop --format csv", "'--format'")
    elif not paths:
        raise output.usage_error("give at least one PATH, or --jsonl", "'PATHS'")
    # an invalid setting or a broken rubric or lexicon is the batch's error (exit 2), not each input's
    analyser = Analyser.from_settings(get_settings())
    if jsonl:
        failures = run_jsonl(sys.stdin.buffer, sys.stdout, analyser)
        raise typer.Exit(output.ExitCode.FAILED if failures else output.ExitCode.OK)
    failures = 0

    def answers() -> Iterator[Analysis]:
        nonlocal failures
        for result in analyse_paths(paths or (), analyser):
            if result.error is not None:
                failures += 1
                _say_error(result)
            yield result

    if format == output.Format.JSON:
        for result in answers():
            sys.stdout.write(json_line(result))
            sys.stdout.flush()
    elif format == output.Format.CSV:
        output.write_csv(map(csv_record, answers()), CSV_FIELDS)
    else:
        print_report(list(answers()), wide=wide)
    raise typer.Exit(output.ExitCode.FAILED if failures else output.ExitCode.OK)
