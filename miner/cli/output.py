"""The command line's one convention: output formats, exit codes, errors and empty results.

Every command that prints data takes the same ``--format/-f`` option (:func:`format_option`) and,
where a table has more columns than a person needs at 80 columns, ``--wide`` (:func:`wide_option`);
it hands its rows to :func:`emit`, which writes

- ``table``: columns fitted to the terminal (``COLUMNS`` when piped), see :mod:`miner.cli.table`;
- ``json``: a JSON array of the rows' dictionaries, written row by row (field names are the
  stable contract scripts read);
- ``csv``: RFC 4180 through the :mod:`csv` module, one header row, lists joined with ``;``;
- ``jsonl`` (one JSON object per line) and ``md`` (Markdown), where a command offers them.

Exit codes (:class:`ExitCode`) are decided in one place, :func:`exit_code_for`, applied to every
command by :class:`MinerGroup`: errors are printed on stderr as ``error: ...`` (secrets redacted),
an empty result is said on stderr (:func:`note`) and still exits 0.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum, StrEnum
from typing import Any, NoReturn, TextIO, TypeVar

import typer
from typer.core import TyperGroup

from miner.cli.table import Column, print_table
from miner.errors import ConfigError, MinerError
from miner.redact import redact_text

T = TypeVar("T")


class Format(StrEnum):
    """What ``--format`` accepts; a command offers all of them unless it says otherwise."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    #: One JSON object per line (exports); offered only by commands that name it.
    JSONL = "jsonl"
    #: Markdown (reports); offered only by commands that name it.
    MARKDOWN = "md"


#: What ``--format`` offers when a command does not say.
DEFAULT_FORMATS = (Format.TABLE, Format.JSON, Format.CSV)


class ExitCode(IntEnum):
    """The exit status of every ``miner`` command (documented in the README)."""

    OK = 0
    #: Some input failed (a file, a JSON line, a source, a start URL), or the work could not be done
    #: (the store or the broker is unavailable, an output pipe was closed).
    FAILED = 1
    #: Usage or configuration: a bad option or argument, an unknown name, an invalid setting,
    #: source file, lexicon or rubric. Nothing was done; fix the command or the configuration.
    USAGE = 2


def format_option(*formats: Format, help: str = "") -> Any:
    """The shared ``--format/-f`` option; an unknown format is a usage error (exit 2).

    Use as ``format: Annotated[str, format_option()] = "table"``; the value received is a :class:`Format`.
    """
    allowed = formats or DEFAULT_FORMATS
    names = [f.value for f in allowed]

    def check(value: str) -> Format:
        if value not in names:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(names)}")
        return Format(value)

    return typer.Option(
        "--format",
        "-f",
        callback=check,
        metavar="|".join(names),
        help=help or f"Output: {', '.join(names)}.",
        autocompletion=lambda: names,
    )


def wide_option() -> Any:
    """The shared ``--wide`` flag: every column of the table, nothing cut."""
    return typer.Option("--wide", help="Table: every column, nothing cut (as wide as it needs).")


# --- writing ----------------------------------------------------------------------------------------------


def emit(
    items: Iterable[T],
    format: Format | str,
    *,
    columns: Sequence[Column[T]],
    record: Callable[[T], dict[str, Any]],
    empty: str,
    wide: bool = False,
    title: str | None = None,
    fields: Sequence[str] | None = None,
) -> int:
    """Write ``items`` in ``format``; say ``empty`` on stderr when there are none. Returns the count.

    ``record`` gives an item's JSON/CSV dictionary (its stable field names), ``columns`` its table
    cells, ``fields`` the CSV header when the listing may be empty. Items are consumed once, as
    they come (a listing that streams from the store is never held whole, except by ``--wide``
    within a chunk).
    """
    fmt = Format(format)
    if fmt is Format.JSON:
        n = write_json_list(map(record, items))
    elif fmt is Format.JSONL:
        n = write_jsonl(map(record, items))
    elif fmt is Format.CSV:
        n = write_csv(map(record, items), fields)
    else:
        n = print_table(items, columns, wide=wide, title=title)
    if n == 0:
        note(empty)
    return n


def write_json(obj: Any, out: TextIO | None = None) -> None:
    """One JSON document (indented, UTF-8 as is, dates as ISO strings)."""
    out = out or sys.stdout
    out.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n")
    out.flush()


def write_json_list(objs: Iterable[dict[str, Any]], out: TextIO | None = None) -> int:
    """A JSON array written element by element: the same text as ``json.dumps(list, indent=2)``."""
    out = out or sys.stdout
    n = 0
    for obj in objs:
        text = json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default)
        out.write(("[\n" if n == 0 else ",\n") + textwrap.indent(text, "  "))
        n += 1
    out.write("\n]\n" if n else "[]\n")
    out.flush()
    return n


def write_jsonl(objs: Iterable[dict[str, Any]], out: TextIO | None = None) -> int:
    """One compact JSON object per line (a stream other tools read line by line)."""
    out = out or sys.stdout
    n = 0
    for obj in objs:
        out.write(json.dumps(obj, ensure_ascii=False, default=_json_default) + "\n")
        n += 1
    out.flush()
    return n


def write_csv(
    objs: Iterable[dict[str, Any]], fields: Sequence[str] | None = None, out: TextIO | None = None
) -> int:
    """RFC 4180 CSV (CRLF line ends, quotes where needed) with a header row; returns the row count."""
    out = out or sys.stdout
    writer: csv.DictWriter[str] | None = None
    n = 0
    for obj in objs:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(fields or obj), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: csv_cell(v) for k, v in obj.items()})
        n += 1
    if writer is None and fields:
        csv.DictWriter(out, fieldnames=list(fields)).writeheader()
    out.flush()
    return n


def csv_cell(value: Any) -> str:
    """A JSON value as one CSV field: lists joined with ``;``, objects as JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default, sort_keys=True)
    return _json_default(value) if not isinstance(value, str | int | float) else str(value)


def _json_default(value: Any) -> str:
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def note(message: str) -> None:
    """A message for the person, not the data: on stderr, so that pipes carry only the output."""
    typer.echo(message, err=True)


# --- errors and exit codes -------------------------------------------------------------------------------


def usage_error(message: str, param: str | None = None) -> typer.BadParameter:
    """A usage error of the current command about ``param`` (printed with its usage line, exit 2)."""
    return typer.BadParameter(message, param_hint=param)


def exit_code_for(exc: BaseException) -> ExitCode | None:
    """The exit code of an error a command let through; ``None`` for a bug (shown with its traceback)."""
    if isinstance(exc, ConfigError) or _is_settings_error(exc):
        return ExitCode.USAGE
    if isinstance(exc, MinerError | BrokenPipeError):
        return ExitCode.FAILED
    return None


def error_message(exc: BaseException) -> str:
    """How an error reads on stderr: what went wrong and where, with every secret redacted."""
    if _is_settings_error(exc):
        problems = "; ".join(
            f"MINER_{str(e['loc'][0]).upper() if e['loc'] else '?'}: {e['msg']}"
            for e in exc.errors()  # type: ignore[attr-defined]
        )
        return redact_text(f"configuration: {problems}")
    if isinstance(exc, ConfigError):
        return redact_text(f"configuration: {exc}")
    return redact_text(str(exc) or type(exc).__name__)


def fail(exc: BaseException, code: ExitCode | None = None) -> typer.Exit:
    """Print ``exc`` as every command prints an error and return the Exit to raise."""
    typer.echo(f"error: {error_message(exc)}", err=True)
    return typer.Exit(int(code if code is not None else exit_code_for(exc) or ExitCode.FAILED))


def _is_settings_error(exc: BaseException) -> bool:
    from pydantic import ValidationError

    return isinstance(exc, ValidationError) and exc.title == "Settings"


def _output_closed() -> NoReturn:
    """``miner documents | head``: stop quietly; point stdout at /dev/null so the final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (a test runner's capture)
        pass
    raise typer.Exit(ExitCode.FAILED)


class MinerGroup(TyperGroup):
    """The ``miner`` command group: one error handler around every command.

    An error a command lets through is printed on stderr and mapped to its exit code by
    :func:`exit_code_for`; an error the table does not know is a bug and keeps its traceback.
    """

    def invoke(self, ctx: Any) -> Any:  # typer.Context; the base class names its vendored click type
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own: usage errors, exits
            raise
        except BrokenPipeError:
            _output_closed()
        except Exception as exc:
            if exit_code_for(exc) is None:
                raise
            raise fail(exc) from exc
