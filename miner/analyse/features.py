"""Passage features shared by training and inference: concept ids and bilingual word ids, per unit.

Why one module for both: the exported model is a plain ``{feature: weight}`` table, so the only
way its probabilities can equal scikit-learn's is that training and prediction extract features
with the very same code. Features are language-independent by construction:

- ``c:<concept>`` from the hand-written bilingual concept lexicon (:mod:`miner.analyse.concepts`),
  with context rules for false friends ("revenu d'intégration" is the leefloon, "migratie van
  data" is IT) and case-sensitive acronyms ("CRI", "OKAN");
- ``w:<dutch key>`` for words of a dictionary learned from the official nl/fr question pairs
  (a French key maps to the Dutch key it co-occurs with), so that both languages share weights.

Why units and windows: a long text that mentions migrants in one paragraph is about them *there*;
averaged over the whole text the mention would vanish. So a text is cut into *units* (sentences,
long sentences cut every :data:`UNIT_TOKENS` tokens) and scored as overlapping *windows* of
:data:`WINDOW` consecutive units; a passage is as relevant as its best window. Units do not depend
on how the text was cut into paragraphs, so a file and the same text sent as one JSON line get the
same windows.

Cost: one pass over the tokens with one cached dict lookup per token.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: (key, concept, key sequences before, key sequences after, window) as stored in the model file.
ContextRule = tuple[str, str, tuple[str, ...], tuple[str, ...], int]

#: A unit is a sentence, or a slice of this many tokens of a longer one (lists, tables, run-ons).
UNIT_TOKENS = 60
#: Units per scoring window: about one Chamber question or half a page of a plan. Long enough to
#: hold what a passage says about a group, short enough that one relevant paragraph in a long
#: document is not outweighed by the rest (see docs/evaluation.md for the sizes measured).
WINDOW = 12


@dataclass(slots=True)
class FeatureTables:
    """The lookup tables of one language, as exported in the model file."""

    stems: tuple[tuple[str, str], ...]
    context: tuple[ContextRule, ...]
    words: Mapping[str, str]
    #: (concept, concept, implied concept): both present in a window add the third.
    combine: tuple[tuple[str, str, str], ...] = ()
    #: Surface word (case-sensitive) -> concept.
    acronyms: Mapping[str, str] = field(default_factory=dict)
    _rules: dict[str, list[ContextRule]] = field(default_factory=dict)
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Keys whose :meth:`of_key` is not empty, and context-rule keys (all of them seen so far).
    _hit_keys: set[str] = field(default_factory=set)
    _exact: dict[str, str] = field(default_factory=dict)
    _any_stem: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        for rule in self.context:
            self._rules.setdefault(rule[0], []).append(rule)
        for stem, concept in self.stems:
            if stem.startswith("="):
                self._exact.setdefault(stem[1:], concept)
        self._hit_keys.update(self._rules)
        inner = [re.escape(s) for s, _ in self.stems if not s.startswith("=")]
        # one C-level search rejects the many keys that contain no stem at all
        self._any_stem = re.compile("|".join(inner)) if inner else None

    def of_key(self, key: str) -> tuple[str, ...]:
        """Features of one key without context (stem concept, learned word), cached."""
        got = self._cache.get(key)
        if got is not None:
            return got
        out: list[str] = []
        if key in self._exact or (self._any_stem is not None and self._any_stem.search(key)):
            for stem, concept in self.stems:
                if (key == stem[1:]) if stem.startswith("=") else (stem in key):
                    if concept:
                        out.append(concept)
                    break
        word = self.words.get(key)
        if word is not None:
            out.append(word)
        got = tuple(out)
        self._cache[key] = got
        if got:
            self._hit_keys.add(key)
        return got

    def units(
        self, keys: Sequence[str], words: Sequence[str] | None = None, sents: Sequence[int] | None = None
    ) -> list[set[str]]:
        """The feature set of each unit of a passage (no combinations yet: see :func:`windows`).

        ``keys`` are the folded lemma keys, ``words`` the surface tokens (for acronyms) and
        ``sents`` each token's sentence number (non-decreasing, from 0); without ``sents`` the
        passage is one sentence. Hot path: one cached lookup per *distinct* key, then a set
        membership test per token.
        """
        n = len(keys)
        if not n:
            return [set()]
        # unit layout: a sentence of c tokens has ceil(c / UNIT_TOKENS) units
        counts = Counter(sents) if sents is not None else Counter({0: n})
        first_token: dict[int, int] = {}
        first_unit: dict[int, int] = {}
        token = unit = 0
        for sent in sorted(counts):
            first_token[sent], first_unit[sent] = token, unit
            token += counts[sent]
            unit += -(-counts[sent] // UNIT_TOKENS)
        out: list[set[str]] = [set() for _ in range(unit)]
        rules, of_key = self._rules, self.of_key
        distinct = set(keys)
        for key in distinct.difference(self._cache):  # keys never seen before: look them up once
            of_key(key)
        hits = distinct & self._hit_keys
        acronyms = self.acronyms
        found = set(words) & acronyms.keys() if words is not None and acronyms else set()
        if not hits and not found:
            return out

        def unit_of(i: int) -> set[str]:
            sent = sents[i] if sents is not None else 0
            return out[first_unit[sent] + (i - first_token[sent]) // UNIT_TOKENS]

        if hits:
            for i in [i for i, key in enumerate(keys) if key in hits]:
                key = keys[i]
                unit_of(i).update(self._in_context(keys, i, key) if key in rules else of_key(key))
        if found and words is not None:
            for i in [i for i, word in enumerate(words) if word in found]:
                unit_of(i).add(acronyms[words[i]])
        return out

    def extract(self, keys: Sequence[str], words: Sequence[str] | None = None) -> set[str]:
        """The features of a whole passage as one window (equal to the union of its units, with
        combinations), without placing each feature in its unit: the short-passage fast path."""
        distinct = set(keys)
        for key in distinct.difference(self._cache):
            self.of_key(key)
        feats: set[str] = set()
        rules = self._rules
        for key in distinct & self._hit_keys:
            if key not in rules:
                feats.update(self._cache[key])
                continue
            for i in [i for i, k in enumerate(keys) if k == key]:
                feats.update(self._in_context(keys, i, key))
        if words is not None and self.acronyms:
            feats.update(self.acronyms[w] for w in set(words) & self.acronyms.keys())
        return self.combined(feats)

    def combined(self, feats: set[str]) -> set[str]:
        """``feats`` plus the concepts implied by pairs (:attr:`combine`); changes ``feats``."""
        for a, b, implied in self.combine:
            if a in feats and b in feats:
                feats.add(implied)
        return feats

    def _in_context(self, keys: Sequence[str], i: int, key: str) -> tuple[str, ...]:
        word = self.words.get(key)
        for _, concept, before, after, window in self._rules[key]:
            fired = not before and not after
            if before and not fired:
                fired = _occurs(before, keys[max(0, i - window) : i])
            if after and not fired:
                fired = _occurs(after, keys[i + 1 : i + 1 + window])
            if fired:
                hit = (concept,) if concept else ()
                return (*hit, word) if word else hit
        return self.of_key(key)


def count_units(n_tokens: int, sents: Sequence[int] | None) -> int:
    """How many units :meth:`FeatureTables.units` cuts a passage of ``n_tokens`` tokens into."""
    if not n_tokens:
        return 1
    if sents is None:
        return -(-n_tokens // UNIT_TOKENS)
    return sum(-(-c // UNIT_TOKENS) for c in Counter(sents).values())


def _occurs(sequences: Sequence[str], keys: Sequence[str]) -> bool:
    """True when one of ``sequences`` occurs in ``keys``: a space-separated key sequence, "" (always),
    or "~" and a regular expression searched in the keys joined by single spaces."""
    text = " ".join(keys)
    padded = f" {text} "
    for s in sequences:
        if not s or (re.search(s[1:], text) if s.startswith("~") else f" {s} " in padded):
            return True
    return False


def windows(units: Sequence[set[str]], size: int = WINDOW) -> list[tuple[int, set[str]]]:
    """Overlapping windows of ``size`` consecutive units: ``(first unit, union of features)``.

    Fewer units than ``size``: one window over all of them. Combinations are not applied here
    (they depend on the language's tables; see :meth:`FeatureTables.combined`).
    """
    if len(units) <= size:
        return [(0, set().union(*units))]
    return [(i, set().union(*units[i : i + size])) for i in range(len(units) - size + 1)]


def build_tables(
    stems: Iterable[Sequence[str]],
    context: Iterable[Sequence[Any]],
    words: Mapping[str, str],
    combine: Iterable[Sequence[str]] = (),
    acronyms: Mapping[str, str] | None = None,
) -> FeatureTables:
    """Tables from the JSON-shaped lists of the model file."""
    return FeatureTables(
        stems=tuple((str(s[0]), str(s[1])) for s in stems),
        context=tuple(
            (str(r[0]), str(r[1]), tuple(str(x) for x in r[2]), tuple(str(x) for x in r[3]), int(r[4]))
            for r in context
        ),
        words=dict(words),
        combine=tuple((str(c[0]), str(c[1]), str(c[2])) for c in combine),
        acronyms=dict(acronyms or {}),
    )
