"""Mentions of a term in stored paragraphs, with their context (keyword in context).

Matching is accent- and case-insensitive and finds the term inside Dutch compounds
("inburgering" in "inburgeringstraject"), which is what integration centres watching a term expect.
The store does a cheap SQL pre-filter; the exact decision and the context window are made here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from miner.analyse.nlp import fold
from miner.store.repository import StoredParagraph


@dataclass(frozen=True, slots=True)
class Mention:
    url: str
    title: str | None
    government: str
    page: int | None
    paragraph: int
    language: str
    section: str | None
    #: The context: ``left + match + right`` is a window of the paragraph around the mention.
    text: str
    left: str
    match: str
    right: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def needles(term: str) -> list[str]:
    """What the store pre-filters on: the term as typed and without accents."""
    t = term.strip().lower()
    return sorted({t, fold(t)} - {""})


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded, and for each folded character the index of its source character."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def find_mentions(paragraphs: Iterable[StoredParagraph], term: str, *, width: int = 80) -> list[Mention]:
    """Every occurrence of ``term`` in ``paragraphs``, with ``width`` characters of context each side."""
    wanted = fold(term.strip())
    if not wanted:
        return []
    pattern = re.compile(re.escape(wanted))
    found: list[Mention] = []
    for stored in paragraphs:
        p = stored.paragraph
        folded, where = _folded_with_map(p.text)
        for m in pattern.finditer(folded):
            start, end = where[m.start()], where[m.end() - 1] + 1
            lo, hi = max(0, start - width), min(len(p.text), end + width)
            left, match, right = p.text[lo:start], p.text[start:end], p.text[end:hi]
            found.append(
                Mention(
                    url=stored.url,
                    title=stored.title,
                    government=stored.government,
                    page=p.page,
                    paragraph=p.index,
                    language=p.language,
                    section=p.section,
                    text=(left + match + right).strip(),
                    left=left,
                    match=match,
                    right=right,
                    start=start,
                    end=end,
                )
            )
    return found
