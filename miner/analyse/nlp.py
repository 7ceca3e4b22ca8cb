"""Tokens, lemma keys and sentences for Dutch and French (and a plain fallback for de/en).

Why this shape: spaCy's rule-based tokenizers handle abbreviations, elisions ("l'intégration") and
numbers well, and cost little; spaCy has no Dutch lemmatiser worth using (its lookup table leaves
"kinderen", "gemeenten", "migranten" unchanged), so lemmas come from simplemma's dictionaries.
Every token gets one *key*: its lemma, lower-cased, with accents folded away. Keys are what the
lexicons and the classifier see, so that "réfugiés", "refugies" (the Chamber's French texts are
often stripped of accents) and "réfugié" are one feature.

Cost: a token's key is computed once per distinct spaCy string hash and cached for the process,
so the hot loop is one C call (``Doc.to_array``) plus a dict lookup per token.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from miner import caches
from miner.config import DEFAULT_CACHE_DIR

#: Languages with a lemma dictionary; others are tokenised and folded but not lemmatised.
LEMMA_LANGUAGES = ("nl", "fr", "de", "en")
_SENT_END = frozenset({".", "!", "?", "…"})
_lock = threading.Lock()
#: Where lemma tables are cached on disk: the default cache folder until an
#: :class:`~miner.analyser.Analyser` built from settings names ``settings.cache_dir`` (:func:`use_cache_dir`).
_cache_dir: list[Path] = [DEFAULT_CACHE_DIR]


def use_cache_dir(path: Path) -> None:
    """Cache lemma tables under ``path`` from now on (the tables themselves do not depend on it)."""
    _cache_dir[0] = path


def fold(text: str) -> str:
    """Lower-case and strip accents: "Élèves" -> "eleves", "financiële" -> "financiele"."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


@dataclass(frozen=True, slots=True)
class Tokens:
    """A tokenised text. Parallel tuples, one entry per token (punctuation included)."""

    text: str
    lang: str
    words: tuple[str, ...]
    keys: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    #: Sentence number of each token (0-based, within this text).
    sents: tuple[int, ...]
    #: Character span (start, end) of each sentence.
    sent_spans: tuple[tuple[int, int], ...]
    #: Tokens that start with a letter or digit (punctuation and spaces excluded).
    word_count: int = 0

    def __len__(self) -> int:
        return len(self.words)

    def sentence_text(self, sent: int) -> str:
        s, e = self.sent_spans[sent]
        return self.text[s:e]


@cache
def _folded_lemmas(lang: str) -> dict[str, str]:
    """simplemma's form -> lemma dictionary for ``lang``, both sides folded, identities dropped.

    Folding the forms lets accent-stripped input find its lemma ("refugies" -> "refugie"). When two
    forms fold alike, the lemma that is a prefix of the form wins (the plural noun over a verb form).
    Building takes ~1.5 s, so the table is cached on disk (``MINER_CACHE_DIR``) keyed by the
    simplemma version; loading the cache takes ~0.1 s.
    """
    import pickle

    import simplemma

    path = _cache_dir[0] / f"lemmas-{lang}-simplemma{simplemma.__version__}.pickle"
    try:
        with path.open("rb") as fh:
            cached: dict[str, str] = pickle.load(fh)
        return cached
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    raw = DefaultDictionaryFactory().get_dictionary(lang)
    table: dict[str, str] = {}
    for form, lemma in raw.items():
        f = fold(form)
        lem = fold(lemma)
        old = table.get(f)
        if old is None or (not f.startswith(old) and f.startswith(lem)):
            table[f] = lem
    table = {k: v for k, v in table.items() if k != v}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(table, fh, protocol=5)
        tmp.replace(path)
    except OSError:
        pass  # a read-only home is fine: we just rebuild next time
    return table


class _Language:
    """spaCy tokenizer and the key cache of one language; loaded once per process."""

    def __init__(self, lang: str) -> None:
        import spacy

        self.lang = lang
        self.nlp = spacy.blank(lang if lang in ("nl", "fr", "de", "en") else "xx")
        # Every new word type gets lexical attributes (shape, like_num, like_url, ...) computed by these
        # getters; nothing here reads them, and on unseen text they cost about a third of the
        # tokenizer's time. The tokens themselves do not change (the tokenizer uses strings and rules).
        self.nlp.vocab.lex_attr_getters = {}  # type: ignore[attr-defined]  # public at runtime, not in the stub
        self.strings = self.nlp.vocab.strings
        self.lemmas = _folded_lemmas(lang) if lang in LEMMA_LANGUAGES else {}
        #: spaCy ORTH hash -> (surface, key, 1 if the token is a word else 0)
        self.cache: dict[int, tuple[str, str, int]] = {}

    def key_of(self, word: str) -> str:
        f = fold(word)
        lemma = self.lemmas.get(f)
        if lemma is not None:
            return lemma
        return _fallback_lemma(f, self.lang, self.lemmas)


def _fallback_lemma(f: str, lang: str, lemmas: dict[str, str]) -> str:
    """A conservative plural rule for words the dictionary does not know (compounds, rare words)."""
    if lang == "fr" and len(f) > 4 and f[-1] in "sx":
        stem = lemmas.get(f[:-1])
        return stem if stem is not None else f[:-1]
    if lang == "nl" and len(f) > 6:
        if f.endswith("en"):
            stem = f[:-2]
            # "migranten" -> "migrant", "trajecten" -> "traject", "gemeenten" -> "gemeente"
            if stem in lemmas:
                return lemmas[stem]
            if len(stem) > 2 and stem[-1] == stem[-2]:  # "groepen" is fine; "klassen" -> "klas"
                return stem[:-1]
            return stem
        if f.endswith("s") and f[-2] in "eloruía":
            return lemmas.get(f[:-1], f[:-1])
    return f


_languages: dict[str, _Language] = {}


def get_language(lang: str) -> _Language:
    """The shared tokenizer for ``lang`` (thread-safe lazy load)."""
    lang = lang if lang in LEMMA_LANGUAGES else "xx"
    got = _languages.get(lang)
    if got is None:
        with _lock:
            got = _languages.get(lang)
            if got is None:
                got = _languages[lang] = _Language(lang)
    return got


def tokenize(text: str, lang: str) -> Tokens:
    """Tokenise ``text`` as language ``lang`` and compute keys and sentence boundaries.

    Hot path: list comprehensions over the arrays spaCy hands back, one dict look-up per token.
    A sentence ends after ".", "!", "?" or "…" when the next token starts upper-case or with a
    digit, or a line break follows.
    """
    from spacy.attrs import IDX, LENGTH, ORTH

    lg = get_language(lang)
    doc = lg.nlp.tokenizer(text)
    n = len(doc)
    if not n:
        return Tokens(text, lang, (), (), (), (), (), ())
    arr = doc.to_array([ORTH, IDX, LENGTH])
    orths: list[int] = arr[:, 0].tolist()
    starts: list[int] = arr[:, 1].tolist()
    ends: list[int] = (arr[:, 1] + arr[:, 2]).tolist()
    get = lg.cache.get
    entries: list[Any] = [get(h) for h in orths]
    if None in entries:
        strings = lg.strings
        for i, entry in enumerate(entries):
            if entry is None:
                w = strings[orths[i]]
                entry = entries[i] = lg.cache[orths[i]] = (w, lg.key_of(w), int(w[:1].isalnum()))
    words = [e[0] for e in entries]
    keys = [e[1] for e in entries]
    cuts = [
        i
        for i in [j + 1 for j, w in enumerate(words) if w in _SENT_END]
        if i < n
        and (words[i][:1].isupper() or words[i][:1].isdigit() or "\n" in text[ends[i - 1] : starts[i] + 1])
    ]
    sents: list[int] = []
    spans: list[tuple[int, int]] = []
    prev = 0
    for number, cut in enumerate([*cuts, n]):
        sents.extend([number] * (cut - prev))
        spans.append((starts[prev], ends[cut - 1]))
        prev = cut
    return Tokens(
        text=text,
        lang=lang,
        words=tuple(words),
        keys=tuple(keys),
        starts=tuple(starts),
        ends=tuple(ends),
        sents=tuple(sents),
        sent_spans=tuple(spans),
        word_count=sum([e[2] for e in entries]),
    )


def _forget_languages() -> None:
    with _lock:
        _languages.clear()


caches.register(_folded_lemmas.cache_clear)
caches.register(_forget_languages)


def warm_up(langs: tuple[str, ...] = ("nl", "fr")) -> None:
    """Load tokenizers and lemma tables ahead of time (workers call this at start)."""
    for lang in langs:
        get_language(lang)
