"""Plain text (and Markdown): paragraphs on blank lines, ``#`` headings as sections.

Runs inside the sandboxed child (:mod:`miner.extract._work`). Which bytes count as plain text at all
is the sniffer's decision (:mod:`miner.extract.sniff`): ``.txt`` and ``.md`` files, ``text/plain``
responses, and names without a suffix.
"""

from __future__ import annotations

import re
from typing import Any

from miner.extract.charset import decode
from miner.extract.limits import TextBudget

_BLANK = re.compile(r"\n\s*\n")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def paragraphs_from_text(text: str, budget: TextBudget | None = None) -> list[list[Any]]:
    """``[text, None, section]`` per paragraph: split on blank lines; a Markdown heading starts a
    section and is itself a paragraph."""
    out: list[list[Any]] = []
    section: str | None = None

    def add(paragraph: str) -> None:
        if budget is not None:
            budget.take(paragraph)
        out.append([paragraph, None, section])

    for block in _BLANK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        buf: list[str] = []
        for ln in lines:
            m = _HEADING.match(ln)
            if m:
                if buf:
                    add(" ".join(buf))
                    buf = []
                section = m.group(1)
                add(section)
            else:
                buf.append(ln)
        if buf:
            add(" ".join(buf))
    return out


def parse_text(data: bytes, *, budget: TextBudget) -> dict[str, Any]:
    """The sandboxed half of plain-text extraction."""
    text = decode(data)
    if len(text) > 2 * budget.max_chars:  # mostly text: refuse before splitting it at all
        budget.take_raw(len(text))
    paragraphs = paragraphs_from_text(text, budget)
    title = paragraphs[0][0][:200] if paragraphs else None
    return {"paragraphs": paragraphs, "title": title, "lang": None, "links": [], "dates": []}
