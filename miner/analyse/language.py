"""Language of each paragraph (nl, fr, de, en, other) and a document's language mix.

Why per paragraph and not per document: Belgian federal documents are often bilingual, and the Senate
annales print the original speech beside its translation. Averaging would make a bilingual page
"half Dutch"; instead a paragraph that holds two languages is split into one paragraph per language,
so each part is analysed with its own tokenizer, lemmas and lexicon.

py3langid does the detection. Two identifiers: the full one (97 languages) tells "other" apart and
catches Frisian/Afrikaans-like guesses for short Dutch text (mapped back to nl); the one restricted to
the four languages of Belgian policy decides between them, and is the only one used per sentence.
Very short paragraphs (headings, table cells) carry too little signal; they inherit the language of
their neighbours.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from miner import caches
from miner.records import Extracted, Paragraph

SUPPORTED = ("nl", "fr", "de", "en")
#: Close relatives that py3langid proposes for short Belgian text.
_ALIASES = {"af": "nl", "fy": "nl", "li": "nl", "wa": "fr", "lb": "de"}
#: Fewer letters than this and a guess is not trusted on its own.
SHORT = 40
#: With at least this many letters, a confident non-supported guess means "other".
OTHER_MIN_LETTERS = 120
_SENTENCE = re.compile(r"(?<=[.!?…:;])\s+(?=[\"“«(\[]?[A-ZÀ-ÖØ-Ý0-9])|\n+")
_lock = threading.Lock()


#: Detection reads at most this many characters: enough for a confident guess, and the cost of
#: py3langid grows with the length of the text.
SAMPLE = 600


#: Frequent function words that belong to one of the four languages only ("de", "en", "in", "is",
#: "die", "des" are shared and left out). Running text in nl/fr/de/en is full of them.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "nl": frozenset(
        [
            "het",
            "een",
            "van",
            "te",
            "op",
            "voor",
            "met",
            "niet",
            "zijn",
            "dat",
            "er",
            "aan",
            "ook",
            "om",
            "als",
            "bij",
            "door",
            "worden",
            "wordt",
            "naar",
            "maar",
            "dan",
            "nog",
            "over",
            "deze",
            "wat",
            "hoe",
            "welke",
            "werd",
            "zal",
            "kunnen",
            "heeft",
            "hebben",
            "u",
            "wij",
            "we",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "du",
            "une",
            "et",
            "est",
            "que",
            "qui",
            "dans",
            "pour",
            "pas",
            "sur",
            "au",
            "aux",
            "par",
            "ne",
            "ce",
            "cette",
            "ces",
            "avec",
            "sont",
            "ont",
            "il",
            "elle",
            "nous",
            "vous",
            "leur",
            "été",
            "être",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "das",
            "und",
            "ist",
            "nicht",
            "mit",
            "von",
            "den",
            "dem",
            "ein",
            "eine",
            "zu",
            "auf",
            "für",
            "sich",
            "auch",
            "wird",
            "werden",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "that",
            "for",
            "on",
            "with",
            "are",
            "be",
            "by",
            "this",
            "as",
            "it",
            "not",
            "or",
            "from",
            "which",
            "have",
            "has",
        ]
    ),
}
#: word -> its language (each function word belongs to one language only)
_LANGUAGE_OF = {w: lang for lang, vocab in _FUNCTION_WORDS.items() for w in vocab}
_WORD = re.compile(r"[^\W\d_]+")


def _by_function_words(text: str) -> tuple[str, float] | None:
    """A fast, reliable answer for running text; ``None`` when the evidence is not decisive.

    Decisive means: at least 15 words, at least 8 function-word hits from at least 5 distinct words,
    and 85 % of the hits in one language. Headings, lists and other languages fall through to the
    statistical detector.
    """
    words = _WORD.findall(text[:SAMPLE].lower())
    if len(words) < 15:
        return None
    found = [(_LANGUAGE_OF[w], w) for w in words if w in _LANGUAGE_OF]
    if len(found) < 8:
        return None
    hits = Counter(lang for lang, _ in found)
    best, count = hits.most_common(1)[0]
    share = count / len(found)
    if share < 0.85 or len({w for lang, w in found if lang == best}) < 5:
        return None
    return best, share


@lru_cache(maxsize=1)
def _full() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _lock:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


caches.register(_full.cache_clear)


@lru_cache(maxsize=1)
def _restricted() -> Any:
    import copy

    # A shallow copy is enough: set_languages rebinds the model's arrays (sliced copies) instead of
    # changing them in place, so the full identifier is untouched; a deep copy cost ~0.2 s per process.
    identifier = copy.copy(_full())
    identifier.set_languages(list(SUPPORTED))
    return identifier


caches.register(_restricted.cache_clear)


def _sample(text: str) -> str:
    if len(text) <= SAMPLE:
        return text
    cut = text.rfind(" ", 0, SAMPLE)
    return text[: cut if cut > SAMPLE // 2 else SAMPLE]


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def detect_with_confidence(text: str) -> tuple[str, float]:
    """The language of ``text`` and the detector's probability for it."""
    text = _sample(text)
    fast = _by_function_words(text)
    if fast is not None:
        return fast
    n = _letters(text)
    if n < 2:
        return "other", 0.0
    lang, prob = _full().classify(text)
    lang = _ALIASES.get(lang, lang)
    if lang in SUPPORTED:
        return lang, float(prob)
    if (n >= OTHER_MIN_LETTERS and prob >= 0.5) or (n >= SHORT and prob >= 0.9):
        return "other", float(prob)
    lang, prob = _restricted().classify(text)
    return str(lang), float(prob)


def detect(text: str) -> str:
    """One of "nl", "fr", "de", "en", "other"."""
    return detect_with_confidence(text)[0]


def _sentence_languages(text: str) -> list[tuple[str, str]]:
    """(language, segment) for each sentence-like segment, short segments joined to a neighbour."""
    restricted = _restricted()
    parts = [s for s in _SENTENCE.split(text) if s and s.strip()]
    labelled: list[list[str]] = []
    for part in parts:
        lang = str(restricted.classify(part)[0]) if _letters(part) >= 25 else ""
        labelled.append([lang, part])
    # short segments take the language of the previous one (or the next one at the start): one pass
    # forward carries the last label, one pass backward the next one (linear, however many segments)
    nxt = [""] * len(labelled)
    following = ""
    for i in range(len(labelled) - 1, -1, -1):
        nxt[i] = following
        following = labelled[i][0] or following
    previous = ""
    out: list[tuple[str, str]] = []
    for i, (lang, seg) in enumerate(labelled):
        out.append((lang or previous or nxt[i], seg))
        previous = lang or previous
    return out


def split_by_language(text: str) -> list[tuple[str, str]]:
    """Split a paragraph into (language, text) parts, one per run of one language.

    A paragraph in one language comes back as one part. When columns in two languages were
    interleaved line by line (many short runs), the parts are gathered into one per language,
    in order of first appearance: each language is kept whole, never averaged.
    """
    segments = _sentence_languages(text)
    langs = {lang for lang, _ in segments if lang}
    if len(langs) <= 1:
        return [(next(iter(langs)) if langs else "", text)]
    runs: list[tuple[str, list[str]]] = []
    for lang, seg in segments:
        if runs and runs[-1][0] == lang:
            runs[-1][1].append(seg)
        else:
            runs.append((lang, [seg]))
    if len(runs) > 4:
        gathered: dict[str, list[str]] = {}
        for lang, segs in runs:
            gathered.setdefault(lang, []).extend(segs)
        return [(lang, " ".join(segs)) for lang, segs in gathered.items()]
    return [(lang, " ".join(segs)) for lang, segs in runs]


def assign_languages(doc: Extracted) -> Extracted:
    """Set ``language`` on every paragraph, splitting paragraphs that hold two languages.

    Languages are decided first (a list of strings) and each output paragraph is built once at the
    end: a document of 300,000 table cells must not be copied three times over.
    """
    parts_of: list[tuple[Paragraph, str]] = []  # (source paragraph, text of the part)
    langs: list[str] = []
    uncertain: list[int] = []
    for p in doc.paragraphs:
        text = p.text
        if _letters(text) < SHORT:
            lang, _ = detect_with_confidence(text)
            uncertain.append(len(langs))
            parts_of.append((p, text))
            langs.append(lang)
            continue
        lang, _ = detect_with_confidence(text)
        if lang == "other":
            parts_of.append((p, text))
            langs.append("other")
            continue
        parts = split_by_language(text) if _SENTENCE.search(text) else [(lang, text)]
        if len(parts) == 1:
            parts_of.append((p, text))
            langs.append(parts[0][0] or lang)
            continue
        for part_lang, part_text in parts:
            parts_of.append((p, part_text))
            langs.append(part_lang or lang)
    _inherit(langs, uncertain, doc.declared_language)
    paragraphs = tuple(
        replace(p, index=i, text=text, language=langs[i]) for i, (p, text) in enumerate(parts_of)
    )
    return replace(doc, paragraphs=paragraphs)


def _inherit(langs: list[str], uncertain: Sequence[int], declared: str | None) -> None:
    """Short paragraphs take the language of the nearest confident paragraph (the next one first:
    a heading belongs to the text under it), else the declared language, else their own guess."""
    if not uncertain:
        return
    skip = set(uncertain)
    fallback = _short_code(declared)
    n = len(langs)
    # The nearest confident paragraph after and before each position, in one pass each: a document
    # of short paragraphs (table cells, list items) costs linear time, not a scan per paragraph.
    after: list[str | None] = [None] * n
    found: str | None = None
    for j in range(n - 1, -1, -1):
        after[j] = found
        if j not in skip:
            found = langs[j]
    before: list[str | None] = [None] * n
    found = None
    for j in range(n):
        before[j] = found
        if j not in skip:
            found = langs[j]
    for i in uncertain:
        near = after[i] if after[i] is not None else before[i]
        lang = near or fallback
        if lang:
            langs[i] = lang


def _short_code(declared: str | None) -> str | None:
    if not declared:
        return None
    code = declared.strip().lower()[:2]
    return code if code in SUPPORTED else None


def language_mix(paragraphs: Sequence[Paragraph]) -> dict[str, float]:
    """Share of characters per language, largest first (rounded to 4 decimals)."""
    counts: dict[str, int] = {}
    for p in paragraphs:
        counts[p.language or "other"] = counts.get(p.language or "other", 0) + len(p.text)
    total = sum(counts.values())
    if not total:
        return {}
    return {k: round(v / total, 4) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
