"""The labelled and unlabelled texts the passage classifier learns from, tokenised once.

- the federal Chamber's written questions (Dutch) with the Chamber's own theme tags: positive when
  one tag is a migration theme (:data:`MIGRATION_THEMES`); labels nobody here wrote;
- 1,000 official Dutch/French question pairs, without labels: they teach which French key
  translates which Dutch key, and pull both languages towards the same decision;
- the annotated plan passages (development half): the project team's expert labels under the
  codebook (``about_migrants``), real plan text in both languages. Every figure on them is
  cross-validated *by document* (:mod:`miner.analyse.crossval`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

QUESTIONS = Path("parliament/chamber-2017-nl/questions-dev.jsonl")
PAIRS = Path("parliament/chamber-2017-nl-fr-pairs/belgium_parliament_2017_pairs.jsonl")
PLAN_PASSAGES = Path("annotated/plan-passages/plan-passages-dev.jsonl")

#: Chamber themes that make a question positive. SOCIALE INTEGRATIE is absent on purpose: it is the
#: right to social integration (leefloon), not migrant integration.
MIGRATION_THEMES = frozenset(
    {
        "MIGRATIEBELEID", "ASIELRECHT", "VLUCHTELING", "VLUCHTELINGENCENTRUM", "VLUCHTELINGENHULP",
        "ILLEGALE MIGRATIE", "IMMIGRATIE", "MIGRANT", "MIGRATIE", "MIGRERENDE WERKNEMER",
        "TOELATING VAN VREEMDELINGEN", "FAMILIEMIGRATIE", "REMIGRATIE", "POLITIEK ASIEL", "ETNISCHE GROEP",
        "RACISME", "NATIONALE MINDERHEID", "NATIONALITEIT", "DUBBELE NATIONALITEIT",
        "BUITENLANDSE STAATSBURGER",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Text:
    """A tokenised text as the features need it: lemma keys, surface words, sentence numbers."""

    lang: str
    keys: tuple[str, ...]
    words: tuple[str, ...]
    sents: tuple[int, ...]


@dataclass(frozen=True)
class Corpus:
    """Chamber questions (nl, labelled), nl/fr pairs (unlabelled), plan passages (nl+fr, labelled)."""

    question_ids: tuple[str, ...]
    questions: tuple[Text, ...]
    labels: np.ndarray
    pair_ids: tuple[str, ...]
    pair_nl: tuple[Text, ...]
    pair_fr: tuple[Text, ...]
    passage_ids: tuple[str, ...] = ()
    #: The document each passage was cut from: cross-validation folds never split a document.
    passage_docs: tuple[str, ...] = ()
    passages: tuple[Text, ...] = ()
    passage_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def is_migration_question(themes: str) -> bool:
    """The label of a Chamber question from its comma-separated theme tags."""
    return bool({t.strip() for t in themes.split(",")} & MIGRATION_THEMES)


def text_of(text: str, lang: str) -> Text:
    from miner.analyse.nlp import tokenize

    t = tokenize(text, lang)
    return Text(lang, t.keys, t.words, t.sents)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_corpus(corpora: Path, *, passages: bool = True) -> Corpus:
    """Read and tokenise the training data under ``corpora``.

    ``passages``: also the annotated plan passages, when their file is present.
    """
    rows = read_jsonl(corpora / QUESTIONS)
    pairs = read_jsonl(corpora / PAIRS)
    plan = read_jsonl(corpora / PLAN_PASSAGES) if passages and (corpora / PLAN_PASSAGES).is_file() else []
    return Corpus(
        question_ids=tuple(str(r["doc_id"]) for r in rows),
        questions=tuple(text_of(r["question"], "nl") for r in rows),
        labels=np.array([is_migration_question(r["question_theme"]) for r in rows], dtype=bool),
        pair_ids=tuple(str(p["doc_id"]) for p in pairs),
        pair_nl=tuple(text_of(p["text_nl"], "nl") for p in pairs),
        pair_fr=tuple(text_of(p["text_fr"], "fr") for p in pairs),
        passage_ids=tuple(str(r["id"]) for r in plan),
        passage_docs=tuple(f"{r['src']}/{r['doc']}" for r in plan),
        passages=tuple(text_of(r["text"], r["lang"]) for r in plan),
        passage_labels=np.array([bool(r["about_migrants"]) for r in plan], dtype=bool),
    )
