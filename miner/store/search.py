"""Full-text search over the paragraphs of current versions: what ``miner mentions`` and watchlists read.

The search is the database's own full-text index (created by migration ``0011_paragraph_search``):

- **SQLite**: the FTS5 table ``paragraphs_fts`` (case and accents folded by its tokenizer); a word of
  the query is a prefix query on its stem (``"inburger"*`` finds *inburgering* and
  *inburgeringstraject*) or, for a short stem, the word itself;
- **PostgreSQL**: the stored column ``paragraphs.search_vector`` (``to_tsvector`` with the ``dutch``
  configuration for Dutch paragraphs, ``french`` for French ones, ``simple`` for the rest, of the
  text with its accents folded by ``translate``) and its GIN index; a word is the configuration's
  own stem of the query word, as a prefix (``'inburger':*``) or exact.
  Stop words are not indexed there: a query made only of stop words (``de``) is answered by a
  regular-expression scan of the folded text instead (slower, still right).

What to look for is given per language (:class:`LanguageQuery`: the words already folded and
stemmed by :mod:`miner.report.terms`, which owns the linguistics); this module only turns it into
SQL. Results come in keyset pages in (document URL, document, paragraph) order, with totals counted
by the same query, so a listing is never cut without saying how much is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    distinct,
    func,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.engine import Connection

from miner.records import Paragraph
from miner.store import keyset
from miner.store.base import DOCUMENTS, PARAGRAPHS, VERSIONS, StoreBase, transient

#: Paragraph languages with a PostgreSQL text-search configuration of their own (its stemmer and
#: stop words); every other language is searched with ``simple`` (no stemming). The stemmers of
#: :mod:`miner.report.terms` are keyed by the same languages.
TEXT_SEARCH_CONFIGS = {"nl": "dutch", "fr": "french"}
OTHER_CONFIG = "simple"
#: Accented letters of Latin-1 and Latin Extended-A and what :func:`miner.analyse.nlp.fold` makes of
#: them: PostgreSQL's ``translate`` folds them in the stored vectors of migration 0011, and the
#: stop-word scan folds them in its letter classes. A change here needs a migration that recomputes
#: the vectors.
FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭ"
    "ĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ"
)
FOLD_TO = (
    "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIi"
    "IiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
)
#: Tables SQLite keeps for the FTS5 index: derived from ``paragraphs``, rebuilt by a migration.
SEARCH_INDEX_TABLES = (
    "paragraphs_fts",
    "paragraphs_fts_config",
    "paragraphs_fts_data",
    "paragraphs_fts_docsize",
    "paragraphs_fts_idx",
)
#: PostgreSQL's generated column and index of the same migration (not in the models: SQLite has neither).
SEARCH_COLUMNS = ("search_vector",)
SEARCH_INDEXES = ("ix_paragraphs_search",)
_TAG = "mentions"


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of a search phrase: ``word`` folded as typed, ``stem`` its stem in the language
    searched; ``prefix``: any word that begins with the stem matches (else only the word itself)."""

    word: str
    stem: str
    prefix: bool


Phrase = tuple[QueryWord, ...]


@dataclass(frozen=True, slots=True)
class LanguageQuery:
    """What to look for in the paragraphs of ``language`` ("" = every language without a text-search
    configuration of its own): any of ``phrases``, each a run of consecutive words."""

    language: str
    phrases: tuple[Phrase, ...]


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Which paragraphs count: of a government, a source, a paragraph language, and published (or,
    without a publication date, fetched) between ``since`` and ``until`` inclusive."""

    government: str | None = None
    source_id: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class FoundParagraph:
    """A paragraph of a document's current version that the search found, with its document."""

    document_id: int
    url: str
    source_id: str
    government: str
    title: str | None
    published: date | None
    published_source: str | None
    fetched_at: datetime | None
    paragraph: Paragraph


@dataclass(frozen=True, slots=True)
class SearchTotals:
    paragraphs: int
    documents: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of the search and the totals of the whole search, read in one transaction."""

    page: keyset.Page[FoundParagraph]
    totals: SearchTotals


class SearchStore(StoreBase):
    """Paragraph search, page by page, with its totals."""

    @transient
    def search(
        self,
        queries: Sequence[LanguageQuery],
        *,
        filters: SearchFilter = SearchFilter(),
        cursor: str | None = None,
        limit: int = keyset.PAGE_SIZE,
    ) -> SearchResult:
        """One page of the paragraphs that match and the totals, on one snapshot (what a person
        reading the first page of ``miner mentions`` gets: the page and how much there is)."""
        key = keyset.decode(_TAG, cursor, (str, int, int))
        with self._search() as conn:
            page = _page(conn, queries, filters, key, limit)
            if key is None and page.next_cursor is None:  # the whole search is this page
                totals = SearchTotals(len(page.items), len({f.document_id for f in page.items}))
            else:
                totals = _totals(conn, queries, filters)
        return SearchResult(page, totals)

    @transient
    def search_page(
        self,
        queries: Sequence[LanguageQuery],
        *,
        filters: SearchFilter = SearchFilter(),
        cursor: str | None = None,
        limit: int = keyset.PAGE_SIZE,
    ) -> keyset.Page[FoundParagraph]:
        """One page of the paragraphs that match, in (URL, document, paragraph) order."""
        key = keyset.decode(_TAG, cursor, (str, int, int))
        with self._search() as conn:
            return _page(conn, queries, filters, key, limit)

    def iter_search(
        self,
        queries: Sequence[LanguageQuery],
        *,
        filters: SearchFilter = SearchFilter(),
        page_size: int = keyset.PAGE_SIZE,
    ) -> Iterator[FoundParagraph]:
        """Every paragraph :meth:`search_page` finds, one page (one transaction) at a time."""
        return keyset.iterate(lambda c: self.search_page(queries, filters=filters, cursor=c, limit=page_size))

    @transient
    def search_totals(
        self,
        queries: Sequence[LanguageQuery],
        *,
        filters: SearchFilter = SearchFilter(),
    ) -> SearchTotals:
        """How many paragraphs, in how many documents, :meth:`search_page` would list in all."""
        with self._search() as conn:
            return _totals(conn, queries, filters)

    @contextmanager
    def _search(self) -> Iterator[Connection]:
        """A read transaction for a search. On PostgreSQL without parallel workers: starting them
        costs more (~10 ms) than the index scans of a search take."""
        with self._read() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            yield conn


def _page(
    conn: Connection,
    queries: Sequence[LanguageQuery],
    filters: SearchFilter,
    key: tuple[Any, ...] | None,
    limit: int,
) -> keyset.Page[FoundParagraph]:
    found = _union(conn, queries, filters, key)
    if found is None:
        return keyset.Page((), None)
    q = select(found).order_by(found.c.url, found.c.document_id, found.c.idx)
    rows = conn.execute(q.limit(keyset.check_limit(limit) + 1)).mappings().all()
    kept, next_cursor = keyset.cut(rows, limit, _TAG, lambda r: (r["url"], r["document_id"], r["idx"]))
    return keyset.Page(tuple(_found(r) for r in kept), next_cursor)


def _totals(conn: Connection, queries: Sequence[LanguageQuery], filters: SearchFilter) -> SearchTotals:
    found = _union(conn, queries, filters, None)
    if found is None:
        return SearchTotals(0, 0)
    row = conn.execute(select(func.count(), func.count(distinct(found.c.document_id)))).one()
    return SearchTotals(int(row[0]), int(row[1]))


def _found(r: Any) -> FoundParagraph:
    return FoundParagraph(
        document_id=r["document_id"],
        url=r["url"],
        source_id=r["source_id"],
        government=r["government"],
        title=r["title"],
        published=r["published"],
        published_source=r["published_source"],
        fetched_at=r["fetched_at"],
        paragraph=Paragraph(r["idx"], r["text"], r["page"], r["language"], r["section"]),
    )


def _union(
    conn: Connection, queries: Sequence[LanguageQuery], filters: SearchFilter, key: tuple[Any, ...] | None
) -> Any:
    """The matching paragraphs as one subquery (one arm per language), or None if no arm is left."""
    arms = []
    for i, query in enumerate(queries):
        if not query.phrases or not _language_allowed(query.language, filters.language):
            continue
        match = _match(conn, query, f"q{i}")
        if match is None:
            continue
        arms.append(_arm(query.language, match, filters, key))
    if not arms:
        return None
    return (arms[0] if len(arms) == 1 else union_all(*arms)).subquery("found")


def _language_allowed(arm: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    return arm == wanted if arm else wanted not in TEXT_SEARCH_CONFIGS


def _arm(language: str, match: Any, filters: SearchFilter, key: tuple[Any, ...] | None) -> Select[Any]:
    p, v, d = PARAGRAPHS.c, VERSIONS.c, DOCUMENTS.c
    where: list[Any]
    if language:
        where = [p.language == language, match]
    else:
        where = [p.language.not_in(list(TEXT_SEARCH_CONFIGS)), match]
        if filters.language is not None:
            where.append(p.language == filters.language)
    if filters.government is not None:
        where.append(d.government == filters.government)
    if filters.source_id is not None:
        where.append(d.source_id == filters.source_id)
    where += _dates(filters.since, filters.until)
    if key is not None:
        where.append(keyset.after([d.url, d.id, p.idx], key))
    return (
        select(
            d.url,
            d.id.label("document_id"),
            d.source_id,
            d.government,
            v.title,
            v.published,
            v.published_source,
            v.fetched_at,
            p.idx,
            p.page,
            p.language,
            p.section,
            p.text,
        )
        .select_from(
            # One join condition per table (through ix_documents_current_version): PostgreSQL
            # estimated the pair (id = document_id AND current_version_id = id) at one row and
            # then tested every paragraph of every document instead of reading its index.
            PARAGRAPHS.join(VERSIONS, v.id == p.version_id).join(DOCUMENTS, d.current_version_id == v.id)
        )
        .where(*where)
    )


def _dates(since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """The publication date between ``since`` and ``until``; the fetch date where there is none."""
    v = VERSIONS.c
    out = []
    if since is not None:
        start = datetime.combine(since, time(), tzinfo=UTC)
        out.append(
            or_(
                and_(v.published.is_not(None), v.published >= since),
                and_(v.published.is_(None), v.fetched_at >= start),
            )
        )
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
        out.append(
            or_(
                and_(v.published.is_not(None), v.published <= until),
                and_(v.published.is_(None), v.fetched_at < end),
            )
        )
    return out


# --- the match, per backend --------------------------------------------------------------------------------


def _match(conn: Connection, query: LanguageQuery, name: str) -> Any:
    if conn.dialect.name == "postgresql":
        return _pg_match(conn, query, name)
    expression = " OR ".join(f"({fts5_phrase(ph)})" for ph in query.phrases)
    return PARAGRAPHS.c.id.in_(
        text(f"SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH :{name}").bindparams(
            bindparam(name, expression)
        )
    )


def fts5_phrase(phrase: Phrase) -> str:
    """An FTS5 phrase: ``"inburger"*`` or ``"primo"* + "arriv"*``. Words are letters and digits only
    (:mod:`miner.report.terms` splits on everything else), so quoting cannot be escaped."""
    return " + ".join(f'"{w.stem}"*' if w.prefix else f'"{w.word}"' for w in phrase)


def tsquery_phrase(phrase: Phrase) -> str:
    """A ``to_tsquery`` operand: the configuration stems each word (``'inburgering':*``)."""
    return " <-> ".join(f"'{w.word}'" + (":*" if w.prefix else "") for w in phrase)


def _pg_match(conn: Connection, query: LanguageQuery, name: str) -> Any:
    config = TEXT_SEARCH_CONFIGS.get(query.language, OTHER_CONFIG)
    indexed = [ph for ph in query.phrases if not _only_stop_words(conn, config, tsquery_phrase(ph))]
    scanned = [ph for ph in query.phrases if ph not in indexed]
    conds: list[Any] = []
    if indexed:
        q = " | ".join(f"({tsquery_phrase(ph)})" for ph in indexed)
        conds.append(
            text(f"paragraphs.search_vector @@ to_tsquery('{config}'::regconfig, :{name})").bindparams(
                bindparam(name, q)
            )
        )
    for i, ph in enumerate(scanned):
        conds.append(
            text(f"paragraphs.text ~ :{name}_re{i}").bindparams(bindparam(f"{name}_re{i}", _word_pattern(ph)))
        )
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else or_(*conds)


def _letters(ch: str) -> str:
    """A regular-expression class of every letter that folds to ``ch``, either case."""
    if not ("a" <= ch <= "z"):
        return re.escape(ch)
    variants = [ch, ch.upper()] + [f for f, t in zip(FOLD_FROM, FOLD_TO, strict=True) if t.lower() == ch]
    return "[" + "".join(variants) + "]"


def _word_pattern(phrase: Phrase) -> str:
    """A PostgreSQL regular expression for ``phrase`` on the unfolded text (folding is in the letter
    classes: no ``translate`` of every row, which costs more than the match)."""
    words = ["".join(_letters(c) for c in w.word) + ("[[:alnum:]]*" if w.prefix else "") for w in phrase]
    return r"\m" + "[^[:alnum:]]+".join(words) + r"\M"


def _only_stop_words(conn: Connection, config: str, operand: str) -> bool:
    """True when the configuration drops every word of ``operand`` (``de``, ``la``, ``met een``).
    Asked of the server once per process: its stop-word lists do not change while it runs."""
    key = (conn.engine.url.render_as_string(), config, operand)
    if key not in _STOP_WORDS:
        if len(_STOP_WORDS) > 4096:
            _STOP_WORDS.clear()
        nodes = conn.execute(
            text(f"SELECT numnode(to_tsquery('{config}'::regconfig, :q))"), {"q": operand}
        ).scalar_one()
        _STOP_WORDS[key] = int(nodes) == 0
    return _STOP_WORDS[key]


_STOP_WORDS: dict[tuple[str, str, str], bool] = {}
