"""Mentions of terms in stored paragraphs, with their context (keyword in context), page by page.

The store's full-text index finds the paragraphs (:mod:`miner.store.search`), with the totals, in
pages; :mod:`miner.report.terms` decides where in each paragraph the terms are, by the same rule
(accents and case folded both ways, word forms by stem, Dutch compounds by prefix). A listing is
never cut silently: :func:`search_mentions` returns the totals and the cursor of the next page, and
:func:`iter_mentions` walks every page.

Library API (the CLI and the web app call these):

- :func:`search_mentions` ``(repo, terms, *, filters, cursor, limit, width) -> MentionPage``;
- :func:`iter_mentions` ``(repo, terms, *, filters, width) -> Iterator[Mention]``;
- :func:`count_mentions` ``(repo, terms, by, *, filters) -> list[dict]``: mentions, paragraphs and
  documents per government / source / language / year (of publication; the fetch year, labelled,
  where no publication date is known).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from miner.report.dates import report_date
from miner.report.terms import Term, find_spans, language_queries, parse_term
from miner.store import keyset
from miner.store.repository import Repository
from miner.store.search import FoundParagraph, SearchFilter

#: What ``count_mentions`` can group by.
MENTION_GROUPINGS = ("government", "source", "language", "year")
#: Paragraphs per page when the caller does not say.
DEFAULT_PAGE = 50


@dataclass(frozen=True, slots=True)
class Mention:
    url: str
    title: str | None
    government: str
    source_id: str
    page: int | None
    paragraph: int
    language: str
    section: str | None
    #: The date the document is reported under (ISO) and whether it is its publication date.
    date: str | None
    date_source: str | None
    #: The term that matched, as given (``nl:inburgering`` for a Dutch-only watchlist term).
    term: str
    #: The context: ``left + match + right`` is a window of the paragraph around the mention.
    text: str
    left: str
    match: str
    right: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class MentionPage:
    """One page of mentions: those of ``paragraphs`` paragraphs, of ``total_paragraphs`` in
    ``total_documents`` documents in all; ``next_cursor`` reads the next page (None: the last)."""

    mentions: tuple[Mention, ...]
    paragraphs: int
    total_paragraphs: int
    total_documents: int
    next_cursor: str | None


def as_terms(terms: Iterable[str | Term]) -> list[Term]:
    """Terms given as text (``"nl:inburgering"``) or :class:`Term`, blanks dropped."""
    out = [t if isinstance(t, Term) else parse_term(t) for t in terms]
    return [t for t in out if t.text.strip()]


def mentions_in(found: FoundParagraph, terms: Sequence[Term], width: int = 80) -> list[Mention]:
    """The mentions of ``terms`` in one found paragraph, with ``width`` characters each side.

    The store found the paragraph by the same rule; should the two ever disagree (a PostgreSQL
    phrase across a dropped stop word), the paragraph is still shown, from its start, unmarked."""
    p = found.paragraph
    when, source = report_date(found.published, found.fetched_at)
    spans = find_spans(p.text, terms, p.language)
    out = []
    for start, end, term in [(s.start, s.end, s.term) for s in spans] or [(0, 0, "")]:
        lo, hi = max(0, start - width), min(len(p.text), end + width * (1 if spans else 2))
        left, match, right = p.text[lo:start], p.text[start:end], p.text[end:hi]
        out.append(
            Mention(
                url=found.url,
                title=found.title,
                government=found.government,
                source_id=found.source_id,
                page=p.page,
                paragraph=p.index,
                language=p.language,
                section=p.section,
                date=when.isoformat() if when else None,
                date_source=source,
                term=term,
                text=(left + match + right).strip(),
                left=left,
                match=match,
                right=right,
                start=start,
                end=end,
            )
        )
    return out


def search_mentions(
    repo: Repository,
    terms: Iterable[str | Term],
    *,
    filters: SearchFilter = SearchFilter(),
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE,
    width: int = 80,
) -> MentionPage:
    """One page of mentions (``limit`` paragraphs, each with all its mentions) and the totals."""
    wanted = as_terms(terms)
    queries = language_queries(wanted)
    result = repo.search(queries, filters=filters, cursor=cursor, limit=limit)
    page, paragraphs, documents = result.page, result.totals.paragraphs, result.totals.documents
    found = tuple(m for f in page.items for m in mentions_in(f, wanted, width))
    return MentionPage(found, len(page.items), paragraphs, documents, page.next_cursor)


def iter_mentions(
    repo: Repository,
    terms: Iterable[str | Term],
    *,
    filters: SearchFilter = SearchFilter(),
    width: int = 80,
    page_size: int = keyset.PAGE_SIZE,
) -> Iterator[Mention]:
    """Every mention, page after page (one short transaction each): constant memory."""
    wanted = as_terms(terms)
    for found in repo.iter_search(language_queries(wanted), filters=filters, page_size=page_size):
        yield from mentions_in(found, wanted, width)


def count_mentions(
    repo: Repository,
    terms: Iterable[str | Term],
    by: Sequence[str],
    *,
    filters: SearchFilter = SearchFilter(),
) -> list[dict[str, Any]]:
    """Mentions, paragraphs and documents per group (``by``: one or two of :data:`MENTION_GROUPINGS`).

    Grouped by ``year``, a row is the publication year (``year_source: "published"``) or, for
    documents without a known publication date, the fetch year (``"fetched"``), never both."""
    bad = [b for b in by if b not in MENTION_GROUPINGS]
    if bad or not by:
        raise ValueError(f"group by one or two of {', '.join(MENTION_GROUPINGS)}, not {', '.join(bad)}")
    wanted = as_terms(terms)
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for found in repo.iter_search(language_queries(wanted), filters=filters):
        when, source = report_date(found.published, found.fetched_at)
        values = {
            "government": found.government,
            "source": found.source_id,
            "language": found.paragraph.language or "unknown",
            "year": when.year if when else None,
        }
        key = tuple(values[b] for b in by) + ((source,) if "year" in by else ())
        n = len(find_spans(found.paragraph.text, wanted, found.paragraph.language)) or 1
        group = groups.setdefault(key, [0, 0, set()])
        group[0] += n
        group[1] += 1
        group[2].add(found.document_id)
    rows = []
    for key in sorted(groups, key=lambda k: tuple((v is None, str(v)) for v in k)):
        mentions, paragraphs, documents = groups[key]
        row: dict[str, Any] = dict(zip(by, key, strict=False))
        if "year" in by:
            row["year_source"] = key[-1]
        row.update(mentions=mentions, paragraphs=paragraphs, documents=len(documents))
        rows.append(row)
    return rows
