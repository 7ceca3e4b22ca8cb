"""How a search term matches text: one rule for the store's full-text search and for the spans shown.

A term is split into words (letters and digits; everything else separates, as in SQLite's
``unicode61`` tokenizer and PostgreSQL's parser). A word is folded (case and accents:
:func:`miner.analyse.nlp.fold`) and stemmed with the Snowball stemmer of the paragraph's language --
``dutch_porter`` for Dutch and ``french`` for French, the algorithms of PostgreSQL's ``dutch`` and
``french`` configurations -- and a word of the text matches when

- the stem has at least :data:`MIN_PREFIX` letters and the text's word, or its stem, begins with it
  (*inburgering* -> ``inburger``: *inburgering*, *inburgeringstraject*, *inburgeraars*;
  *intégration* -> ``integr``: *intégration*, *intégrer*, *intégrée*, and also *intégral*);
- else the text's word is the word itself or has the same stem (*de*, *les*).

A phrase matches a run of consecutive words. Words in other languages are not stemmed. A term can be
meant for one language only (``nl:inburgering``, ``fr:primo-arrivant``): it is then looked for in the
paragraphs of that language.

The store turns :func:`language_queries` into its full-text query (:mod:`miner.store.search`);
:func:`find_spans` finds the same words in a paragraph to show them in context.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import snowballstemmer

from miner import caches
from miner.analyse.nlp import fold
from miner.store.search import TEXT_SEARCH_CONFIGS, LanguageQuery, Phrase, QueryWord

#: Snowball algorithm per paragraph language: the ones PostgreSQL's configurations of
#: :data:`miner.store.search.TEXT_SEARCH_CONFIGS` use (Snowball 3 renamed the old Dutch one).
STEMMERS = {"nl": "dutch_porter", "fr": "french"}
#: A stem this long or longer matches as a prefix; a shorter one only as the word or its stem.
MIN_PREFIX = 4
#: Languages a term can be restricted to (``nl:...``, ``fr:...``).
TERM_LANGUAGES = tuple(STEMMERS)
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")

assert set(STEMMERS) == set(TEXT_SEARCH_CONFIGS), "one stemmer per text-search configuration"


@dataclass(frozen=True, slots=True)
class Term:
    """A term as typed, and the language it is meant for ("" = every language)."""

    text: str
    language: str = ""

    def __str__(self) -> str:
        return f"{self.language}:{self.text}" if self.language else self.text


@dataclass(frozen=True, slots=True)
class Span:
    """Where a term was found in a text: ``text[start:end]`` is the matched words."""

    start: int
    end: int
    term: str


def parse_term(raw: str) -> Term:
    """``"nl:inburgering"`` -> Term("inburgering", "nl"); ``"inburgering"`` -> Term("inburgering")."""
    raw = raw.strip()
    head, sep, rest = raw.partition(":")
    if sep and head.lower() in TERM_LANGUAGES and rest.strip():
        return Term(rest.strip(), head.lower())
    return Term(raw)


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of ``text``: (start, end, folded word)."""
    return [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]


@functools.lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a folded ``word`` in ``language`` (the word itself without a stemmer)."""
    algorithm = STEMMERS.get(language)
    if algorithm is None:
        return word
    return str(_stemmer(algorithm).stemWord(word))


@functools.cache
def _stemmer(algorithm: str) -> "snowballstemmer.Stemmer":  # noqa: UP037 - the package has no stubs
    return snowballstemmer.stemmer(algorithm)


caches.register(stem.cache_clear)
caches.register(_stemmer.cache_clear)


def phrase(text: str, language: str) -> Phrase:
    """The words of ``text`` as the search looks for them in paragraphs of ``language``."""
    lang = language if language in STEMMERS else ""
    out = []
    for _s, _e, w in words(text):
        s = stem(w, lang)
        out.append(QueryWord(w, s, len(s) >= MIN_PREFIX))
    return tuple(out)


def language_queries(terms: Sequence[Term]) -> list[LanguageQuery]:
    """What the store looks for: per paragraph language, the phrases of the terms meant for it."""
    out = []
    for language in (*TERM_LANGUAGES, ""):
        phrases = []
        for t in terms:
            if t.language and t.language != language:
                continue
            ph = phrase(t.text, language)
            if ph and ph not in phrases:
                phrases.append(ph)
        if phrases:
            out.append(LanguageQuery(language, tuple(phrases)))
    return out


def _word_matches(token: str, q: QueryWord, language: str) -> bool:
    if q.prefix:
        if token.startswith(q.stem):
            return True
        # A stem keeps the word's first letters: only a word that shares them can stem to a match.
        return token[:3] == q.stem[:3] and stem(token, language).startswith(q.stem)
    return token == q.word or (token[:1] == q.word[:1] and stem(token, language) == q.stem)


def find_spans(text: str, terms: Iterable[Term], language: str | None = None) -> list[Span]:
    """Every match of ``terms`` in ``text`` (a paragraph in ``language``), in order; where two
    overlap, the one that starts first (then the longer) is kept."""
    lang = language if language in STEMMERS else ""
    tokens = words(text)
    found: list[Span] = []
    for t in terms:
        if t.language and t.language != (language or ""):
            continue
        ph = phrase(t.text, lang)
        n = len(ph)
        if not n:
            continue
        for i in range(len(tokens) - n + 1):
            if all(_word_matches(tokens[i + k][2], ph[k], lang) for k in range(n)):
                found.append(Span(tokens[i][0], tokens[i + n - 1][1], str(t)))
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    for s in found:
        if not kept or s.start >= kept[-1].end:
            kept.append(s)
    return kept
