"""Passage features shared by training and inference: concept ids and bilingual word ids.

Why one module for both: the exported model is a plain ``{feature: weight}`` table, so the only
way its probabilities can equal scikit-learn's is that training and prediction extract features
with the very same code. Features are language-independent by construction:

- ``c:<concept>`` from the hand-written bilingual concept lexicon (:mod:`miner.analyse.concepts`),
  with context rules for false friends ("revenu d'intégration" is the leefloon);
- ``w:<dutch key>`` for words of a dictionary learned from the official nl/fr question pairs
  (a French key maps to the Dutch key it co-occurs with), so that both languages share weights.

Cost: a passage costs one ``set()`` of its keys plus one dict lookup per distinct key; the
per-key answer is cached for the process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: (key, concept, key sequences, window) as stored in the model file.
ContextRule = tuple[str, str, tuple[str, ...], int]


@dataclass(slots=True)
class FeatureTables:
    """The lookup tables of one language, as exported in the model file."""

    stems: tuple[tuple[str, str], ...]
    context: tuple[ContextRule, ...]
    words: Mapping[str, str]
    #: (concept, concept, implied concept): both present add the third.
    combine: tuple[tuple[str, str, str], ...] = ()
    _rules: dict[str, list[ContextRule]] = field(default_factory=dict)
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict)

    _exact: dict[str, str] = field(default_factory=dict)
    _any_stem: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        for rule in self.context:
            self._rules.setdefault(rule[0], []).append(rule)
        for stem, concept in self.stems:
            if stem.startswith("="):
                self._exact.setdefault(stem[1:], concept)
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
        return got

    def extract(self, keys: Sequence[str]) -> set[str]:
        """The set of features of a passage given its folded lemma keys."""
        feats: set[str] = set()
        distinct = set(keys)
        of_key = self.of_key
        for key in distinct:
            if key in self._rules:
                continue
            feats.update(of_key(key))
        for key in distinct & self._rules.keys():
            for i, k in enumerate(keys):
                if k == key:
                    feats.update(self._in_context(keys, i, key))
        for a, b, implied in self.combine:
            if a in feats and b in feats:
                feats.add(implied)
        return feats

    def _in_context(self, keys: Sequence[str], i: int, key: str) -> tuple[str, ...]:
        word = self.words.get(key)
        for _, concept, sequences, window in self._rules[key]:
            before = " " + " ".join(keys[max(0, i - window) : i]) + " "
            if any(f" {s} " in before or not s for s in sequences):
                hit = (concept,) if concept else ()
                return (*hit, word) if word else hit
        return self.of_key(key)


def build_tables(
    stems: Iterable[Sequence[str]],
    context: Iterable[Sequence[Any]],
    words: Mapping[str, str],
    combine: Iterable[Sequence[str]] = (),
) -> FeatureTables:
    """Tables from the JSON-shaped lists of the model file."""
    return FeatureTables(
        stems=tuple((str(s[0]), str(s[1])) for s in stems),
        context=tuple((str(r[0]), str(r[1]), tuple(str(x) for x in r[2]), int(r[3])) for r in context),
        words=dict(words),
        combine=tuple((str(c[0]), str(c[1]), str(c[2])) for c in combine),
    )
