"""What in a document is running text, and how it falls into chapters.

Why in the scorer: a table of contents names every chapter ("2.2 Inburgering en integratie 107"),
front matter restates the whole plan, and a line repeated on every page repeats its words; counted
as evidence they make a 214-page plan look as if every page spoke of the group. The extractor gives
paragraphs, pages and (when it can tell) chapter titles; the rules below decide from those alone,
so that every extractor (PDF, HTML, office, text) gets the same treatment.

* table of contents: dot leaders before a page number, or lines / runs of "title page" entries
  ("1.2.1 Kwaliteit 23 1.2.2 Leerkrachten 26"), or a run of numbered headings without text;
* repeated line: a short paragraph (``[chapters] repeated_max_chars``) found twice, or any
  paragraph found three times;
* heading: a numbered heading standing alone ("3 — Werk en sociale economie"): a title, not a
  sentence of the plan;
* front matter: in a document with chapters, the text before the first chapter on pages before it.

A document with chapters is scored per chapter; one without chapters but long is scored in blocks
of about ``[chapters] block_words`` words cut at page breaks; anything else is one unit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from miner.records import Paragraph
from miner.rubric import ChapterRule

TOC, FRONT_MATTER, REPEATED, HEADING = "table_of_contents", "front_matter", "repeated_line", "heading"

_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\b|…\s*\d{1,4}\b|_{4,}\s*\d{1,4}\b")
#: "... title 22 1.2 Next title" : a page number then a numbered heading.
_ENTRY = re.compile(
    r"(?<![\d.,])\d{1,3}\s+(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.?)\s+(?:[—–-]\s+)?[A-ZÀ-Ý]"
)
#: "2.2.1 Title" : a numbered heading of at least two levels.
_HEADING_NO = re.compile(r"(?<![\d.,])\d{1,2}(?:\.\d{1,2}){1,4}\.?\s+[A-ZÀ-Ýa-z]")
_LINE_ENDS_WITH_PAGE = re.compile(r"\S\s+\d{1,4}\s*$")
#: "3 — Werk en sociale economie", "1.3 Activering stimuleren", "IV. Onderwijs": a numbered heading.
_NUMBERED_HEADING = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s*(?:[—–-]\s*)?[^\W\d]")
_WORD = re.compile(r"\w+")


def is_toc(text: str) -> bool:
    """A table of contents (or a list of numbered headings), judged from the text alone."""
    if len(_DOT_LEADER.findall(text)) >= 2:
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) >= 3 and sum(1 for line in lines if _LINE_ENDS_WITH_PAGE.search(line)) >= 0.6 * len(lines):
        return True
    if not any(c.isdigit() for c in text):
        return False
    words = _WORD.findall(text)
    if not words:
        return False
    numbers = sum(1 for w in words if w.isdigit())
    entries = len(_ENTRY.findall(text))
    headings = len(_HEADING_NO.findall(text))
    # Running text cites a "2.1" now and then; a contents page is a run of them with page numbers.
    return (entries >= 3 and numbers >= 0.12 * len(words)) or (
        headings >= 4 and headings >= 0.08 * len(words)
    )


def is_heading(text: str) -> bool:
    """A numbered heading on its own: a title, not a sentence (at most 12 words, no full stop)."""
    if not _NUMBERED_HEADING.match(text):
        return False
    rest = _NUMBERED_HEADING.sub("", text, count=1)
    return len(text.split()) <= 12 and not any(c in rest for c in ".?!;")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def exclusions(paragraphs: Sequence[Paragraph], rule: ChapterRule) -> list[str | None]:
    """Per paragraph: why it is not running text (TOC, REPEATED, HEADING), or None. Front matter is
    decided with the chapters (:func:`chapters`). A text of one paragraph is always running text."""
    if len(paragraphs) <= 1:
        return [None] * len(paragraphs)
    counts = Counter(_norm(p.text) for p in paragraphs if p.text.strip())
    out: list[str | None] = []
    for p in paragraphs:
        n = _norm(p.text)
        if not n:
            out.append(None)
        elif is_heading(p.text):
            out.append(HEADING)
        elif counts[n] >= 3 or (counts[n] >= 2 and len(n) <= rule.repeated_max_chars):
            out.append(REPEATED)
        elif is_toc(p.text):
            out.append(TOC)
        else:
            out.append(None)
    return out


@dataclass(frozen=True, slots=True)
class Chapter:
    title: str
    positions: tuple[int, ...]  # indices into the paragraph sequence


def chapters(
    paragraphs: Sequence[Paragraph], words: Sequence[int], rule: ChapterRule
) -> tuple[list[Chapter], list[int]]:
    """The units a document is scored in, and the positions of its front matter."""
    if any(p.section for p in paragraphs):
        return _by_section(paragraphs, rule)
    total = sum(words)
    if total <= rule.block_words * 1.5:
        return [Chapter("", tuple(range(len(paragraphs))))], []
    return _blocks(paragraphs, words, rule.block_words), []


def _by_section(paragraphs: Sequence[Paragraph], rule: ChapterRule) -> tuple[list[Chapter], list[int]]:
    runs: list[tuple[str | None, list[int]]] = []
    for i, p in enumerate(paragraphs):
        if runs and runs[-1][0] == p.section:
            runs[-1][1].append(i)
        else:
            runs.append((p.section, [i]))
    front: list[int] = []
    titled = sum(1 for title, _ in runs if title)
    if runs and runs[0][0] is None and titled >= rule.front_matter_min_chapters:
        first_page = paragraphs[runs[1][1][0]].page
        lead = runs[0][1]
        if first_page is not None and all((paragraphs[i].page or 0) < first_page for i in lead):
            front = lead
            runs = runs[1:]
    out = [Chapter(title or "(before the first chapter)", tuple(pos)) for title, pos in runs]
    return out, front


def _blocks(paragraphs: Sequence[Paragraph], words: Sequence[int], size: int) -> list[Chapter]:
    out: list[Chapter] = []
    current: list[int] = []
    count = 0
    for i, p in enumerate(paragraphs):
        page_break = bool(current) and p.page is not None and p.page != paragraphs[current[-1]].page
        if count >= size and (page_break or p.page is None):
            out.append(_block(paragraphs, current))
            current, count = [], 0
        current.append(i)
        count += words[i]
    if current:
        if out and count < size // 3:  # a short tail joins the block before it
            last = out.pop()
            current = [*last.positions, *current]
        out.append(_block(paragraphs, current))
    return out


def _block(paragraphs: Sequence[Paragraph], positions: list[int]) -> Chapter:
    pages = [pg for i in positions if (pg := paragraphs[i].page) is not None]
    if pages:
        title = f"pp. {min(pages)}-{max(pages)}"
    else:
        title = f"paragraphs {paragraphs[positions[0]].index}-{paragraphs[positions[-1]].index}"
    return Chapter(title, tuple(positions))
