"""Tables that read well at any width, for every command that prints a listing.

Each column says how its text is made to fit (:class:`Fit`): cut at the end, cut at the start
(paths, whose file name matters), cut in the middle (URLs, whose host and file name matter),
wrapped at word boundaries (lists of flag codes: a code is never cut in two), or centred on a
keyword (keyword in context). Widths are decided here, from the terminal's width (``COLUMNS`` when
piped, 80 by default): short columns keep their full width and the long ones share the rest, so a
table never depends on how Rich would fold a cell. Every cut is marked with an ellipsis. Columns
marked ``wide_only`` appear with ``--wide``, which also turns every cut off.

Cells are plain text (never Rich markup, which a hostile document title could otherwise inject),
with control characters replaced, so a title cannot move the cursor or clear the screen.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Generic, Literal, TypeVar
from urllib.parse import urlsplit

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

T = TypeVar("T")
ELLIPSIS = "…"
#: Columns are separated by this many spaces (Rich's collapsed padding of 1 on each side).
GAP = 2
#: Rows laid out together: widths come from the first chunk, so a long listing streams.
CHUNK = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
# white space a line may break at; a no-break space (U+00A0) keeps "code (3)" together
_BREAKABLE = re.compile(r"[ \t\n\r\f\v\u2028\u2029]+")


class Fit(StrEnum):
    """How a cell's line is made to fit its column."""

    END = "end"  # "Actieplan werk 2025: iedereen a…"
    START = "start"  # "…/corpora/demo/actieplan-werk.html"
    MIDDLE = "middle"  # "127.0.0.1:8776/tsv…/24402585.pdf"
    URL = "url"  # a URL or path: "127.0.0.1:8776/…/dossier1.html", then "…/plans/dossier1.html"
    WRAP = "wrap"  # several lines, broken between words only
    KWIC = "kwic"  # keyword in context: "…left MATCH right…", cut on both sides around the match


@dataclass(frozen=True, slots=True)
class Kwic:
    """A keyword with its context; :attr:`Fit.KWIC` keeps the keyword in the middle of the cell."""

    left: str
    match: str
    right: str

    def __str__(self) -> str:
        return f"{self.left}{self.match}{self.right}"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a cell that fits its own way (a URL, cut in the middle, under a title cut at the end)."""

    text: str
    fit: Fit
    #: With :attr:`Fit.WRAP`: at most this many lines, the last one ending in an ellipsis.
    max_lines: int | None = None


Cell = str | Kwic | Sequence[str | Line]


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One column: a header, how to get a row's cell, how it fits, whether only ``--wide`` shows it.

    ``value`` returns a string, a sequence of lines (strings, or :class:`Line` to fit a line its own
    way), or a :class:`Kwic`.
    ``shrink=False`` keeps the column at its full width (numbers, codes); ``min_width`` is the
    narrowest a shrinking column becomes.
    """

    header: str
    value: Callable[[T], Cell]
    fit: Fit = Fit.END
    min_width: int = 8
    #: The widest the column gets unless ``--wide`` (longer lines are fitted), ``None``: as wide as it needs.
    max_width: int | None = None
    shrink: bool = True
    wide_only: bool = False
    justify: Literal["left", "right"] = "left"
    style: str | None = None


def clean(text: object) -> str:
    """One line of printable text: control characters and runs of white space become one space.

    A no-break space stays: it joins what must not be wrapped apart (a flag code and its count).
    """
    return _BREAKABLE.sub(" ", _CONTROL.sub(" ", str(text))).strip(" ")


def clip(text: str, width: int, fit: Fit = Fit.END) -> str:
    """``text`` cut to ``width`` characters, the cut marked with an ellipsis, as ``fit`` says."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    if fit is Fit.START:
        return ELLIPSIS + text[len(text) - width + 1 :]
    if fit is Fit.URL:
        return clip_url(text, width)
    if fit is Fit.MIDDLE:
        head = (width - 1) * 2 // 5
        tail = width - 1 - head
        return text[:head] + ELLIPSIS + text[len(text) - tail :]
    return text[: width - 1].rstrip() + ELLIPSIS


def short_url(url: str) -> str:
    """A web URL as a person reads it in a narrow column: no scheme, no ``www.``, no lone final ``/``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    rest = url.split(parts.netloc, 1)[1]
    return parts.netloc.removeprefix("www.") + (rest if rest != "/" else "")


def clip_url(url: str, width: int) -> str:
    """A URL within ``width``: the host and the last path segments, or the last segments alone.

    The scheme goes first (:func:`short_url`), then path segments from the middle
    (``host/…/a/b.pdf``), then the host (``…/a/b.pdf``); only a file name longer than the column
    is cut, in its middle.
    """
    url = short_url(url)
    if len(url) <= width:
        return url
    host, sep, path = url.partition("/")
    segments = path.split("/") if sep else []
    for prefix, most in ((host + "/…/", len(segments) - 1), ("…/", len(segments))):
        for k in range(most, 0, -1):  # the most trailing segments that fit
            candidate = prefix + "/".join(segments[len(segments) - k :])
            if len(candidate) <= width:
                return candidate
    return clip(url, width, Fit.MIDDLE)


def fit_kwic(k: Kwic, width: int) -> str:
    """The keyword with as much context on each side as fits, each cut side marked with an ellipsis."""
    return "".join(_kwic_parts(k, width))


def _kwic_parts(k: Kwic, width: int) -> tuple[str, str, str]:
    # white space at the edges is kept: "met een " + "migratie" must not read "met eenmigratie"
    left, match, right = (_SPACES.sub(" ", _CONTROL.sub(" ", x)) for x in (k.left, k.match, k.right))
    if len(match) >= width:
        return "", clip(match, width), ""
    room = width - len(match)
    want_left = min(len(left), max(room // 2, room - len(right)))
    want_right = min(len(right), room - want_left)
    shown_left = left if want_left >= len(left) else ELLIPSIS + left[len(left) - want_left + 1 :]
    shown_right = right if want_right >= len(right) else right[: max(want_right - 1, 0)] + ELLIPSIS
    return shown_left[:width], match, shown_right[: max(width - len(shown_left) - len(match), 0)]


def _lines(cell: Cell) -> list[str]:
    return [line.text for line in _fitted_lines(cell, Fit.END)]


def _fitted_lines(cell: Cell, fit: Fit) -> list[Line]:
    """The cell's non-empty lines, cleaned, each with how it fits (its own, or the column's)."""
    if isinstance(cell, Kwic | str):
        text = clean(cell)
        return [Line(text, fit)] if text else []
    out = []
    for x in cell:
        line = Line(clean(x.text), x.fit, x.max_lines) if isinstance(x, Line) else Line(clean(x), fit)
        if line.text:
            out.append(line)
    return out


def _natural(column: Column[T], cells: list[Cell]) -> int:
    if column.fit is Fit.WRAP and column.shrink:
        # a wrapped column needs its longest word; it takes more when there is room
        longest = max((len(w) for c in cells for line in _lines(c) for w in line.split(" ")), default=0)
        full = max((len(line) for c in cells for line in _lines(c)), default=0)
        return max(len(column.header), full, longest)
    return max([len(column.header)] + [len(line) for c in cells for line in _lines(c)])


def _min_width(column: Column[T], cells: list[Cell], natural: int) -> int:
    if not column.shrink:
        return natural
    floor = max(column.min_width, len(column.header))
    if column.fit is Fit.WRAP:
        longest = max((len(w) for c in cells for line in _lines(c) for w in line.split(" ")), default=0)
        floor = max(floor, longest)
    return min(natural, floor)


def layout(naturals: Sequence[int], minimums: Sequence[int], total: int) -> list[int]:
    """Column widths within ``total`` characters (gaps included): short columns whole, the rest shared.

    Water-filling: every column first gets its minimum; the room left is shared out so that no
    column gets more than it needs and the long ones end at the same width.
    """
    room = total - GAP * (len(naturals) - 1)
    if sum(naturals) <= room:
        return list(naturals)
    widths = list(minimums)
    spare = room - sum(widths)
    while spare > 0:
        hungry = [i for i, w in enumerate(widths) if w < naturals[i]]
        if not hungry:
            break
        share = max(spare // len(hungry), 1)
        for i in sorted(hungry, key=lambda i: naturals[i] - widths[i]):
            give = min(share, naturals[i] - widths[i], spare)
            widths[i] += give
            spare -= give
            if spare == 0:
                break
    return widths


def render_cell(cell: Cell, column: Column[T], width: int | None) -> Text:
    """The cell as plain Rich text, fitted to ``width`` (``None``: ``--wide``, nothing is cut)."""
    if width is None:
        lines = [", ".join(_lines(cell))] if column.fit is Fit.WRAP else _lines(cell)
    elif isinstance(cell, Kwic):  # the keyword stands out on a terminal (plain when piped)
        left, match, right = _kwic_parts(cell, width)
        text = Text(left, style=column.style or "")
        text.append(match, style="bold")
        text.append(right)
        return text
    else:
        lines = []
        for line in _fitted_lines(cell, column.fit):
            if line.fit is Fit.WRAP:
                wrapped = textwrap.wrap(line.text, width, break_long_words=False, break_on_hyphens=False)
                if line.max_lines and len(wrapped) > line.max_lines:
                    keep = line.max_lines - 1
                    wrapped = [*wrapped[:keep], clip(" ".join(wrapped[keep:]), width)]
                lines.extend(clip(w, width) for w in wrapped)
            else:
                lines.append(clip(line.text, width, line.fit))
    return Text("\n".join(lines), style=column.style or "")


def print_table(
    rows: Iterable[T],
    columns: Sequence[Column[T]],
    *,
    wide: bool = False,
    title: str | None = None,
    console: Console | None = None,
) -> int:
    """Print ``rows`` as a table fitted to the console (every column, uncut, with ``wide``).

    Rows are laid out a chunk at a time (widths from the first chunk), so a listing that streams
    from the store is printed as it arrives. Returns the number of rows printed.
    """
    console = console or Console()
    shown = [c for c in columns if wide or not c.wide_only]
    widths: list[int] | None = None
    count = 0
    for chunk in _chunks(iter(rows), CHUNK):
        cells = [[c.value(r) for c in shown] for r in chunk]
        if widths is None or wide:  # with --wide each chunk is as wide as it needs
            if wide:  # nothing is cut: each column as wide as its longest line
                widths = [
                    max([len(c.header)] + [len(line) for row in cells for line in _uncut(row[i], c)])
                    for i, c in enumerate(shown)
                ]
            else:
                naturals = [
                    min(_natural(c, [row[i] for row in cells]), c.max_width or 1 << 30)
                    for i, c in enumerate(shown)
                ]
                minimums = [
                    _min_width(c, [row[i] for row in cells], naturals[i]) for i, c in enumerate(shown)
                ]
                widths = layout(naturals, minimums, console.width)
        rendered = [
            [render_cell(x, c, None if wide else w) for x, c, w in zip(row, shown, widths, strict=True)]
            for row in cells
        ]
        table = Table(
            width=GAP * (len(widths) - 1) + sum(widths),
            title=Text(title) if title and count == 0 else None,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1),
            collapse_padding=True,
            show_header=count == 0,
            # a blank line between rows when a row takes several lines, so rows stay apart
            show_lines=any("\n" in t.plain for row in rendered for t in row),
        )
        for c, w in zip(shown, widths, strict=True):
            table.add_column(c.header, width=w, no_wrap=True, overflow="ignore", justify=c.justify)
        for texts in rendered:
            table.add_row(*texts)
        _print_trimmed(console, table)
        count += len(chunk)
    return count


def _uncut(cell: Cell, column: Column[T]) -> list[str]:
    return render_cell(cell, column, None).plain.splitlines()


def _print_trimmed(console: Console, table: Table) -> None:
    """Print without the spaces Rich pads every line with (they make piped output wrap and diff badly)."""
    with console.capture() as capture:
        console.print(table, width=max(table.width or 0, console.width), crop=False)
    for line in capture.get().splitlines():
        console.file.write(line.rstrip() + "\n")
    console.file.flush()


def _chunks(it: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(islice(it, size)):
        yield chunk
