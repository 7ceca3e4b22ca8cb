"""From a child's JSON answer to the :class:`~miner.records.Extracted` record, in the parent.

The answer came from a process that handled hostile bytes, so its fields are checked for type here.
The finishing steps are the same for every kind: over-long paragraphs cut at sentence ends
(``Limits.max_paragraph_chars``), indices renumbered, and the publication date chosen among the
candidates the child found, the official journal's date and the text's own date lines
(:mod:`miner.extract.dates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from miner.extract import dates
from miner.extract.limits import DEFAULT_LIMITS, split_long
from miner.records import Extracted, Paragraph

#: Paragraphs from the start of a document searched for the official journal's date.
JOURNAL_PARAGRAPHS = 60
JOURNAL_CHARS = 200_000


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def paragraphs_from_answer(raw: Any) -> list[Paragraph]:
    """``[[text, page, section], ...]`` from the child as paragraphs (malformed items dropped)."""
    out: list[Paragraph] = []
    if not isinstance(raw, list):
        return out
    for item in raw:
        if not isinstance(item, list) or len(item) != 3 or not isinstance(item[0], str) or not item[0]:
            continue
        page = item[1] if isinstance(item[1], int) and not isinstance(item[1], bool) else None
        out.append(Paragraph(index=len(out), text=item[0], page=page, section=_str(item[2])))
    return out


def split_paragraphs(
    paragraphs: Sequence[Paragraph], max_chars: int = DEFAULT_LIMITS.max_paragraph_chars
) -> list[Paragraph]:
    """Over-long paragraphs cut into pieces (page and section kept); indices renumbered."""
    cap = max_chars
    if all(len(p.text) <= cap and p.index == i for i, p in enumerate(paragraphs)):
        return list(paragraphs)  # the common case: nothing to cut, nothing to renumber
    out: list[Paragraph] = []
    for p in paragraphs:
        pieces = split_long(p.text, cap) if len(p.text) > cap else [p.text]
        for piece in pieces:
            out.append(Paragraph(len(out), piece, p.page, p.language, p.section))
    return out


def publication(
    paragraphs: Sequence[Paragraph], raw_dates: Any, *, journal_text: str | None = None
) -> tuple[date | None, str | None]:
    """The publication date and where it came from, among every candidate of a document."""
    candidates: list[tuple[str, date | None]] = dates.as_pairs(
        raw_dates if isinstance(raw_dates, list) else []
    )
    head = journal_text
    if head is None:
        head = " ".join(p.text for p in paragraphs[:JOURNAL_PARAGRAPHS])[:JOURNAL_CHARS]
    journal = dates.official_journal_date(head)
    if journal is not None:
        candidates.append(("official-journal", journal))
    text = dates.text_date([p.text for p in paragraphs])
    if text is not None:
        candidates.append(("text", text))
    chosen = dates.choose(candidates)
    return (chosen[0], chosen[1]) if chosen else (None, None)


def _links(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(u for u in raw if isinstance(u, str) and u.startswith(("http://", "https://")))


def finish(
    kind: str,
    paragraphs: Sequence[Paragraph],
    answer: dict[str, Any],
    *,
    journal_text: str | None = None,
    warnings: Iterable[str] = (),
    max_paragraph_chars: int = DEFAULT_LIMITS.max_paragraph_chars,
    **fields: Any,
) -> Extracted:
    """The record of one document: paragraphs cut and renumbered, metadata, the publication date."""
    parts = split_paragraphs(paragraphs, max_paragraph_chars)
    published, source = publication(parts, answer.get("dates"), journal_text=journal_text)
    title = _str(answer.get("title"))
    return Extracted(
        kind=kind,
        paragraphs=tuple(parts),
        title=title[:1000] if title else None,
        declared_language=(_str(answer.get("lang")) or "")[:35] or None,
        published=published,
        published_source=source,
        links=_links(answer.get("links")),
        warnings=tuple(warnings),
        **fields,
    )
