"""The pieces a compiled lexicon is made of: key normal forms, terms, false-friend rules, matches.

Why a module of its own: the compiler (:mod:`miner.analyse.lexicon_compile`) and the matcher
(:mod:`miner.analyse.lexicon`) both build on these records and on the one rule for comparing a term
key with a text key (:func:`canon_key`); keeping them apart keeps each module small and lets the
compiler import them without importing the matcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

#: Languages with a lexicon of their own.
LEXICON_LANGUAGES = ("nl", "fr")
#: Surface words skipped between the parts of a multi-word term (a comma too: "taal-, culturele").
_SKIP = {
    "nl": frozenset({"de", "het", "een", "'t", "'s", "’s", "-", ",", "."}),
    "fr": frozenset({"le", "la", "les", "l'", "l", "un", "une", "de", "d'", "d", "du", "des", "-", ",", "."}),
}
#: Tables of a lexicon file that are not term categories.
_RESERVED = frozenset(
    {"version", "language", "false_friends", "negation", "numbers", "direction", "description"}
)


def norm_key(key: str) -> str:
    """A key as terms are looked up: hyphens and apostrophes dropped ("migratie-achtergrond")."""
    return key.replace("-", "").replace("'", "") if ("-" in key or "'" in key) else key


#: Inflection endings a term key and a text key may still differ by: the lemma dictionary knows
#: "werkzoekenden" but not "werkzoekende", "oudere" but not every adjective form.
_ENDINGS = {"nl": ("en", "e", "s", "n"), "fr": ("ees", "ee", "es", "er", "s", "e", "x")}


@lru_cache(maxsize=1 << 17)
def canon_key(key: str, lang: str) -> str:
    """The form term keys and text keys are compared in: normalised, one inflection ending off.

    Dutch also writes a long vowel double in a closed final syllable and single in an open one
    ("transversaal" / "transversale", "cultureel" / "culturele", "inburgeraar" / "inburgeraars"):
    once the ending is off, a doubled vowel before the last consonant is written single, on both
    sides, so the lemma a term is written in and the inflected form in a text meet. French doubles
    a consonant in the feminine ("ethnoculturelle", "italienne"): it is written single likewise.
    """
    k = norm_key(key)
    # French participles and infinitives lemmatise unevenly ("ventilé" -> "ventiler", "ventilée"
    # -> "ventile"): French endings come off twice ("étrangère" -> "étranger" -> "étrang").
    for _ in range(2 if lang == "fr" else 1):
        if len(k) <= 5:
            break
        for end in _ENDINGS.get(lang, ()):
            if k.endswith(end):
                k = k[: -len(end)]
                break
        if lang == "nl" and len(k) > 5 and k[-1] not in "aeiouy" and k[-2] == k[-3] and k[-2] in "aeou":
            k = k[:-2] + k[-1]
        elif lang == "fr" and len(k) > 5 and k[-1] == k[-2] and k[-1] in "lnt":
            k = k[:-1]  # "culturelle" / "culturel", "italienne" / "italien"
    return k


@dataclass(frozen=True, slots=True)
class Match:
    """One lexicon hit inside one tokenised text.

    ``first``/``last`` are token indices (inclusive); ``start``/``end`` are character offsets in
    ``Tokens.text``; ``sent`` is the sentence index. ``false_friend`` names the rule that
    suppressed the match (it then never counts); ``negated`` says a negation cue governs it.
    """

    category: str
    indicator: str
    term: str
    first: int
    last: int
    start: int
    end: int
    sent: int
    negated: bool = False
    false_friend: str | None = None
    #: The indicator is migrant-specific on its own ("ethnostratification", "monitoring by origin").
    specific: bool = False

    @property
    def counts(self) -> bool:
        """True when the match is evidence: neither negated nor a false friend."""
        return not self.negated and self.false_friend is None


@dataclass(frozen=True, slots=True)
class _Term:
    category: str
    indicator: str
    term: str
    rest: tuple[str, ...]  # keys after the first one
    specific: bool
    requires_number: bool
    #: The term must be followed by a year ("tegen 2030", "d'ici 2030"): a deadline, not a date.
    requires_year: bool = False
    #: Folded surface forms the first word must have ("werk" the noun, not "werken"/"werkt", which
    #: share its lemma key); empty: any form with the key.
    surface: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    #: Categories whose matches on the claimed tokens this rule suppresses.
    mistaken_for: tuple[str, ...]
    explain: str
    rest: tuple[str, ...]
    before: frozenset[str]
    after: frozenset[str]
    window: int
    sentence_any: frozenset[str]
    sentence_none: frozenset[str]
    #: The rule holds only when none of these words is within ``window`` before the term (French
    #: "étrangers" is a people noun after "les", "des", "d'", an adjective or "abroad" otherwise).
    before_none: frozenset[str] = frozenset()


#: The cached answer for a key no term or rule can start at (compared by identity in the hot loop).
_NOTHING: tuple[tuple[_Term, ...], tuple[_Rule, ...]] = ((), ())


@dataclass(frozen=True, slots=True)
class _Negation:
    cues: frozenset[str]
    #: cue key -> (position of the cue in the exception, exception keys)
    exceptions: dict[str, tuple[tuple[int, tuple[str, ...]], ...]]
    breaks: frozenset[str]
    window: int
