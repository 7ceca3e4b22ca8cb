"""From the raw text layer of each page to paragraphs with page numbers and sections.

Pure functions, no pdfium: the sandboxed child hands over one string per page and everything
here is plain text work, so it is tested on hand-written page strings as well as real PDFs.

Steps, in order:

1. clean each page (line ends, pdfium's soft-hyphen marker, ligatures) and split it into lines;
2. find numbered headings (``1`` + ``Onderwijs`` on two lines, ``2 — Werk``, ``3 Werk`` in sequence,
   ``Hoofdstuk 3``, ``1.2`` + title) *before* dropping running headers, because a chapter number
   looks just like a page number;
3. drop running headers and footers: lines that repeat in the top or bottom lines of several pages
   once digits (and roman numerals) are normalised ("Pagina 12" == "Pagina 13"), and bare page
   numbers; then mark short all-capital lines as headings;
4. rebuild paragraphs from lines (sentence end + hard break or short line, bullets, headings, the
   child's column-break marks), rejoining words hyphenated across line ends and paragraphs that
   run on over a page or column break;
5. attach each paragraph to its chapter: the PDF outline when there is one, else the numbered
   chapters, else the all-capital headings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from miner import caches
from miner.records import Paragraph

#: pdfium marks a hyphen it judges to be a line-break hyphen with U+FFFE (and drops the line break);
#: U+00AD is the soft hyphen proper; U+0002 shows up in some producers' text layers.
#: The line the PDF child inserts where the text jumps to another column (U+2029 PARAGRAPH SEPARATOR).
COLUMN_BREAK = "\u2029"
_SOFT_HYPHENS = "\ufffe\u00ad\u0002"
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_HAS_LIGATURE = re.compile("[ﬀ-ﬆ]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\uffff]")
_HAS_SOFT = re.compile(f"[{_SOFT_HYPHENS}]")
_SOFT = re.compile(f"[{_SOFT_HYPHENS}]\\s*(?=(.)?)", re.S)

_BULLET = re.compile(r"^([•●▪◦·\-–—*]|\d{1,2}[.)]|[a-z][.)])\s")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)]*$")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:pagina|page|p\.|blz\.?|seite)\s*)?\d{1,4}(?:\s*(?:/|van|of|sur|de)\s*\d{1,4})?"
    r"(?:\s*[-–—])?$",
    re.I,
)
_CHAPTER_NUMBER = re.compile(r"^(\d{1,2})\.?$")
_SUB_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,4}\.?$")
_CHAPTER_INLINE = re.compile(r"^(\d{1,2})\s*[—–]\s+(\S.*)$")
_CHAPTER_WORD = re.compile(
    r"^(hoofdstuk|chapitre|chapter|kapitel|titel|titre|deel|partie)\s+([IVXLC]+|\d{1,3})\b\s*[.:—–-]?\s*(.*)$",
    re.I,
)
#: First letters of the words _CHAPTER_WORD knows, for a cheap pre-check.
_WORD_INITIALS = frozenset("hHcCkKtTdDpP")
_CHAPTER_PLAIN = re.compile(r"^(\d{1,2})\.?\s+(\S.*)$")
_SUB_INLINE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,4}\.?\s+(\S.*)$")
_CONJUNCTIONS = frozenset({"en", "of", "et", "ou", "und", "oder", "and", "or"})
_ROMAN_EDGE = re.compile(r"(?:^[ivxlc]{1,6}(?=\s)|(?<=\s)[ivxlc]{1,6}$)")
#: Lines considered for running headers/footers at each end of a page.
ZONE = 3
MAX_HEADING = 90
#: Running headers can be long: "Belgische Senaat – Plenaire vergaderingen – Donderdag 24 april 2014 – ...".
MAX_RUNNING = 200


@dataclass(slots=True)
class Line:
    text: str
    #: The line ended without a trailing space: producers that justify text put a space at soft
    #: wraps, so a bare line end after a full stop is a likely paragraph end.
    hard_break: bool
    heading: str | None = None  # "chapter" | "sub"
    title: str | None = None  # chapter title, for sections
    #: An empty line the reader put where the text jumps to another column.
    column: bool = False


def _blank(line: Line) -> None:
    """Remove a line's text without it counting as a blank line (which would end a paragraph)."""
    line.text = ""
    line.hard_break = False


def _unsoft(match: re.Match[str]) -> str:
    nxt = match.group(1)
    return "" if nxt is not None and nxt.islower() else "-"


def clean_page(text: str) -> list[Line]:
    """Normalise a page's text layer and split it into non-empty lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _HAS_LIGATURE.search(text):  # translate() is slow; most pages have none
        text = text.translate(_LIGATURES)
    if _HAS_SOFT.search(text):
        text = _SOFT.sub(_unsoft, text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    text = text.replace("\u00a0", " ")
    lines = []
    for raw in text.split("\n"):
        if raw == COLUMN_BREAK:
            lines.append(Line("", hard_break=True, column=True))
            continue
        stripped = " ".join(raw.split())
        if stripped:
            lines.append(Line(stripped, hard_break=not raw.endswith((" ", "\t"))))
        elif lines:
            lines[-1].hard_break = True
            lines.append(Line("", hard_break=True))
    return lines


def _is_title(text: str) -> bool:
    """A heading's title: short, starts with a capital, not a sentence and no trailing page number."""
    return (
        2 <= len(text) <= MAX_HEADING
        and text[0].isupper()
        and not text.endswith((",", ";", "."))
        and not re.search(r"\s\d{1,4}$", text)
        and sum(ch.isalpha() for ch in text) >= 2
    )


def _title_run_on(lines: list[Line], at: int) -> str:
    """The heading title starting at ``lines[at]``, with its wrapped second line; blanks what it used.

    A title that wraps ends its first line with a space (soft wrap), and its second line is short,
    unpunctuated and carries on the phrase: "Uitdagingen en visie: op weg naar " + "de arbeidsmarkt van
    de toekomst", "Binnenlands bestuur " + "en stedenbeleid".
    """
    title = lines[at].text
    wrapped = not lines[at].hard_break
    _blank(lines[at])
    if wrapped and at + 1 < len(lines):
        nxt = lines[at + 1]
        if (
            nxt.text
            and (nxt.text[:1].islower() or title.endswith(("–", "-", ":")))
            and len(nxt.text) <= MAX_HEADING // 2
            and not _SENTENCE_END.search(nxt.text)
            and not nxt.text.endswith(",")
        ):
            title = join_lines(title, nxt.text)
            _blank(nxt)
    return title


def _plain_chapter(lines: list[Line], i: int, title: str, last: int | None, page_no: int) -> bool:
    """ "3 Werk" / "3. Werk" on one line is a chapter only in sequence (1 first, then last + 1), ending
    hard, short, and not inside a numbered list or table of contents (no numbered line around it)."""
    number = int(lines[i].text.split(None, 1)[0].rstrip("."))
    if number != 1 and (last is None or number != last + 1):
        return False
    if not (lines[i].hard_break and len(title) <= MAX_HEADING * 2 // 3 and _is_title(title)):
        return False
    before = next((ln.text for ln in reversed(lines[:i]) if ln.text), "")
    after = next((ln.text for ln in lines[i + 1 :] if ln.text), "")
    return not (before[:1].isdigit() or after[:1].isdigit())


def mark_caps_headings(pages: list[list[Line]]) -> None:
    """Mark short all-capital lines ("TERMS AND DEFINITIONS") as headings of their own.

    Run after the running headers are gone (a capitalised running header is not a heading). They
    become sections only in documents without numbered chapters (see _sections_from_headings).
    """
    for lines in pages:
        for ln in lines:
            text = ln.text
            if ln.heading or not text or len(text) > MAX_HEADING * 2 // 3 or not ln.hard_break:
                continue
            if text != text.upper() or sum(ch.isalpha() for ch in text) < 6 or len(text.split()) > 8:
                continue
            if text.endswith((".", ",", ";")) or re.search(r"\s\d{1,4}$", text):
                continue
            ln.heading, ln.title = "caps", text


def mark_headings(pages: list[list[Line]]) -> None:
    """Mark chapter and sub-section headings in place (see the module doc, step 2)."""
    last: int | None = None
    for page_no, lines in enumerate(pages, start=1):
        real = [ln for ln in lines if ln.text]
        edges = {id(real[0]), id(real[-1])} if real else set()
        i = 0
        while i < len(lines):
            text = lines[i].text
            if not text[:1].isdigit() and text[:1] not in _WORD_INITIALS:
                i += 1  # most lines: no heading pattern can match, skip the regexes
                continue
            nxt = lines[i + 1].text if i + 1 < len(lines) else ""
            number: int | None = None
            title: str | None = None
            m = _CHAPTER_NUMBER.match(text)
            folio = m is not None and int(m.group(1)) == page_no and id(lines[i]) in edges
            if m and not folio and _is_title(nxt):
                number, title, span = int(m.group(1)), nxt, 2
            elif (m2 := _CHAPTER_INLINE.match(text)) and _is_title(m2.group(2)):
                number, title, span = int(m2.group(1)), m2.group(2), 1
            elif _CHAPTER_WORD.match(text) and len(text) <= MAX_HEADING:
                lines[i].heading, lines[i].title = "chapter", text
                i += 1
                continue
            elif (m3 := _CHAPTER_PLAIN.match(text)) and _plain_chapter(lines, i, m3.group(2), last, page_no):
                number, title, span = int(m3.group(1)), m3.group(2), 1
            if number is not None and title is not None and (last is None or number in (1, last + 1)):
                last = number
                if span == 2:
                    title = _title_run_on(lines, i + 1)
                    lines[i].text = f"{number} — {title}"
                lines[i].heading, lines[i].title = "chapter", f"{number} — {title}"
                i += span
                continue
            if _SUB_NUMBER.match(text) and _is_title(nxt[:1].upper() + nxt[1:]):
                lines[i].heading = "sub"
                lines[i].text = f"{text} {_title_run_on(lines, i + 1)}"
                i += 2
                continue
            if (m4 := _SUB_INLINE.match(text)) and _is_title(m4.group(1)) and lines[i].hard_break:
                lines[i].heading = "sub"
            i += 1


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    """A running line's shape: digits and a leading/trailing roman page number ("GeoBase® iv") as "#"."""
    return _ROMAN_EDGE.sub("#", re.sub(r"\d+", "#", text.lower()))


caches.register(_norm.cache_clear)


def drop_running_lines(pages: list[list[Line]]) -> int:
    """Blank running headers/footers and page numbers in place; returns how many lines went."""

    def zones(lines: list[Line]) -> tuple[list[Line], list[Line]]:
        real = [ln for ln in lines if ln.text]
        # Short pages: a narrower zone, or the body itself would count as header/footer.
        zone = max(1, min(ZONE, len(real) // 4))
        return real[:zone], real[-zone:]

    top: Counter[str] = Counter()
    bottom: Counter[str] = Counter()
    for lines in pages:
        head, foot = zones(lines)
        top.update({_norm(ln.text) for ln in head if len(ln.text) <= MAX_RUNNING})
        bottom.update({_norm(ln.text) for ln in foot if len(ln.text) <= MAX_RUNNING})
    n = len(pages)
    need = 2 if n <= 3 else 3
    dropped = 0
    for lines in pages:
        head, foot = zones(lines)
        # The first page of a chapter often carries its running header just above the heading.
        titles = {_fold(ln.title.split("—", 1)[-1]) for ln in lines if ln.heading == "chapter" and ln.title}
        for ln in head:
            if not ln.heading and ln.text and _fold(ln.text) in titles:
                _blank(ln)
                dropped += 1
        real = [ln for ln in lines if ln.text]
        edges = {id(real[0]), id(real[-1])} if real else set()
        for group, counts in ((head, top), (foot, bottom)):
            for ln in group:
                if ln.heading or not ln.text:
                    continue
                if counts[_norm(ln.text)] >= need or (id(ln) in edges and _PAGE_NUMBER.match(ln.text)):
                    _blank(ln)
                    dropped += 1
    return dropped


def _typical_length(lines: list[Line]) -> int:
    lengths = sorted(len(ln.text) for ln in lines if ln.text)
    return lengths[int(len(lengths) * 0.8)] if lengths else 0


def join_lines(left: str, right: str) -> str:
    """Join two lines of one paragraph, rejoining a word hyphenated across the line end."""
    if not left:
        return right
    if len(left) >= 2 and left[-1] in "-‐" and left[-2].isalpha():
        if right.split(" ", 1)[0] in _CONJUNCTIONS:
            return f"{left} {right}"  # "Nederlands-" + "en Franstalig"
        if right[:1].islower():
            return left[:-1] + right
        return left + right  # "Brussel-" + "Hoofdstad"
    return f"{left} {right}"


def _starts_item(prev: Line, line: Line) -> bool:
    """A list item: a bullet sign or "1." / "a)". A dash is a bullet only after a sentence or list
    end, or before a capital; else it is punctuation ("... Zorg" / "- en het departement WVG.")."""
    m = _BULLET.match(line.text)
    if m is None:
        return False
    if m.group(1) not in "-–—":
        return True
    return bool(_SENTENCE_END.search(prev.text)) or line.text[2:3].isupper()


def _is_short_title(prev: Line, typical: int, line: Line) -> bool:
    """An unnumbered heading: a short line without end punctuation before a capitalised line.

    It must end hard: a line that ends in a space was wrapped ("... de strategische adviesraden " +
    "SARO en MINA wordt ..."), whatever its length.
    """
    return (
        prev.hard_break
        and len(prev.text) < 0.6 * typical
        and prev.text[:1].isupper()
        and not prev.text.endswith((",", "-", ";", ":", "."))
        and line.text[:1].isupper()
    )


@dataclass(slots=True)
class _Para:
    text: str
    page: int
    heading: str | None
    title: str | None
    #: Starts at the top of a new column: may continue the paragraph before it (see _runs_on).
    after_column: bool = False


def page_paragraphs(lines: list[Line], page: int) -> list[_Para]:
    """Rebuild the paragraphs of one page (step 4 of the module doc)."""
    typical = _typical_length(lines)
    out: list[_Para] = []
    current: str = ""
    prev: Line | None = None
    column = False

    def flush() -> None:
        nonlocal current, column
        if current:
            out.append(_Para(current, page, None, None, after_column=column))
            column = False
        current = ""

    for ln in lines:
        if not ln.text:
            if prev is not None and not ln.hard_break:
                continue
            flush()
            column = column or ln.column
            prev = None
            continue
        if ln.heading:
            flush()
            out.append(_Para(ln.text, page, ln.heading, ln.title))
            prev = None
            continue
        if prev is not None and (
            _starts_item(prev, ln)
            or _is_short_title(prev, typical, ln)
            or (
                _SENTENCE_END.search(prev.text)
                and (prev.hard_break or len(prev.text) < 0.8 * typical)
                and not ln.text[:1].islower()
            )
        ):
            flush()
        current = join_lines(current, ln.text)
        prev = ln
    flush()
    return out


def _runs_on(prev: _Para, nxt: _Para) -> bool:
    """A paragraph cut by a page or column break: no sentence end before, a lowercase start after."""
    return (
        prev.heading is None
        and nxt.heading is None
        and not _SENTENCE_END.search(prev.text)
        and (nxt.text[:1].islower() or prev.text.endswith("-"))
    )


def build_paragraphs(
    page_texts: list[str],
    *,
    skip_pages: frozenset[int] = frozenset(),
    toc: list[tuple[int, str, int | None]] | None = None,
) -> tuple[list[Paragraph], int]:
    """Turn page texts into indexed paragraphs; returns them and the number of running lines dropped.

    ``skip_pages`` (1-based) contribute nothing (scans without OCR); ``toc`` is the PDF outline as
    ``(level, title, page_index)`` and, when usable, decides sections instead of the heuristics.
    """
    pages = [[] if no in skip_pages else clean_page(text) for no, text in enumerate(page_texts, start=1)]
    mark_headings(pages)
    dropped = drop_running_lines(pages)
    mark_caps_headings(pages)
    paras: list[_Para] = []
    for no, lines in enumerate(pages, start=1):
        for para in page_paragraphs(lines, no):
            if paras and (para.page != paras[-1].page or para.after_column) and _runs_on(paras[-1], para):
                paras[-1].text = join_lines(paras[-1].text, para.text)
            else:
                paras.append(para)
    sections = _sections_from_toc(paras, toc) if toc else None
    if sections is None:
        sections = _sections_from_headings(paras)
    return [
        Paragraph(index=i, text=p.text, page=p.page, section=s)
        for i, (p, s) in enumerate(zip(paras, sections, strict=True))
    ], dropped


def _sections_from_headings(paras: list[_Para]) -> list[str | None]:
    """Numbered chapters when the document has them, else its all-capital headings."""
    kind = "chapter" if any(p.heading == "chapter" for p in paras) else "caps"
    current: str | None = None
    out: list[str | None] = []
    for p in paras:
        if p.heading == kind:
            current = p.title
        out.append(current)
    return out


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _sections_from_toc(paras: list[_Para], toc: list[tuple[int, str, int | None]]) -> list[str | None] | None:
    """Sections from the outline: its top level with at least two entries, placed by page.

    On the entry's own page the section starts at the paragraph that carries the title, when one
    does, else at the top of the page. None when the outline is unusable (no placed entries).
    """
    placed = [(lvl, t.strip(), pg) for lvl, t, pg in toc if pg is not None and pg >= 0 and t.strip()]
    levels = sorted({lvl for lvl, _, _ in placed})
    chosen = next((lv for lv in levels if sum(1 for x in placed if x[0] == lv) >= 2), None)
    if chosen is None:
        return None
    entries = sorted(((pg + 1, t) for lvl, t, pg in placed if lvl == chosen), key=lambda e: e[0])
    starts: list[tuple[int, int, str]] = []  # (paragraph position, order, title)
    for order, (page, title) in enumerate(entries):
        on_page = [i for i, p in enumerate(paras) if p.page == page]
        folded = _fold(title)
        hit = next(
            (i for i in on_page if folded and folded in _fold(paras[i].text)[: len(folded) + 12]), None
        )
        if hit is None:
            later = [i for i, p in enumerate(paras) if p.page >= page]
            if not later:
                continue
            hit = later[0]
        starts.append((hit, order, title))
    starts.sort()
    out: list[str | None] = []
    k = 0
    current: str | None = None
    for i in range(len(paras)):
        while k < len(starts) and starts[k][0] <= i:
            current = starts[k][2]
            k += 1
        out.append(current)
    return out
