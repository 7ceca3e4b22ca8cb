"""Train the passage classifier ("is this passage about people with a migration background?").

Run ``python -m miner.analyse.train [--corpora PATH]``: it rewrites
``corpora/models/migrant-classifier.json`` byte for byte the same on the same data (fixed seeds,
sorted tables, deterministic solver), and prints the cross-validated figures that go in the model
card (:mod:`miner.analyse.crossval`).

Data (:mod:`miner.analyse.trainsets`): the federal Chamber's written questions with the Chamber's
own theme tags, 1,000 official Dutch/French question pairs (unlabelled: they teach which French
key translates which Dutch key, and self-training across them aligns the two languages), and the
annotated plan passages (the project team's codebook labels). Method: binary concept and word
features (:mod:`miner.analyse.features`), the two blocks normalised apart, logistic regression on
whole texts then on their best windows; the weights are exported as a plain table so that
inference needs neither scikit-learn nor pickle. Model card: ``corpora/models/README.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from miner.analyse.classifier import CONCEPT, PassageClassifier, model_path
from miner.analyse.concepts import ACRONYMS, COMBINE, CONTEXT, PRIOR, STEMS, SUPPRESS
from miner.analyse.features import WINDOW, FeatureTables, build_tables, windows
from miner.analyse.trainsets import (
    MIGRATION_THEMES,
    PAIRS,
    PLAN_PASSAGES,
    QUESTIONS,
    Corpus,
    Text,
    is_migration_question,
    load_corpus,
)

__all__ = [
    "MIGRATION_THEMES",
    "PAIRS",
    "PLAN_PASSAGES",
    "QUESTIONS",
    "Corpus",
    "Featurizer",
    "LinearModel",
    "Params",
    "fit",
    "is_migration_question",
    "load_corpus",
    "train",
]

VERSION = "migrant-clf-2026.12-1"
MODEL_FILE = "migrant-classifier.json"
SEED = 0
_WORD = re.compile(r"^[a-z][a-z_\-']*[a-z]$")


@dataclass(frozen=True)
class Params:
    """Training choices (the defaults are the shipped model's)."""

    c: float = 1.0
    #: Scale of the word block against the concept block (< 1: words need more evidence to weigh).
    word_scale: float = 1.0
    #: Each block is divided by (number of its features) ** power: 0.5 is the L2 norm, 1 the mean.
    concept_power: float = 0.25
    word_power: float = 0.5
    dict_min_df: int = 3
    dict_min_dice: float = 0.5
    dict_max_df: float = 0.2
    #: Keep only mutual best matches (False: every French key keeps its best Dutch key).
    mutual: bool = False
    folds: int = 5
    #: Sample weight of each one-concept pseudo-passage of :data:`PRIOR` (0: no prior).
    prior_weight: float = 10.0
    #: Sample weight of the nl/fr pair texts, labelled by a first model's Dutch decision (0: unused).
    pair_weight: float = 0.5
    #: Sample weight of an annotated plan passage (0: not trained on).
    passage_weight: float = 2.0
    #: Units per scoring window (see :mod:`miner.analyse.features`).
    window: int = WINDOW
    #: Multiple-instance rounds on windows after the fit on whole texts (0: whole texts only).
    mil_rounds: int = 1
    #: Windows of a negative text kept as negatives in each round (its highest-scoring ones).
    hard_negatives: int = 1


# --- features -------------------------------------------------------------------------------------


def _stems(lang: str) -> list[list[str]]:
    return [list(s) for s in STEMS[lang]]


def _context(lang: str) -> list[list[Any]]:
    return [[k, c, list(before), list(after), w] for k, c, before, after, w in CONTEXT[lang]]


def feature_spec(nl_words: dict[str, str], fr_words: dict[str, str]) -> dict[str, Any]:
    """The ``features`` section of the model file."""
    return {
        "nl": {"stems": _stems("nl"), "context": _context("nl"), "words": nl_words},
        "fr": {"stems": _stems("fr"), "context": _context("fr"), "words": fr_words},
        "other": {"stems": _stems("other") + _stems("nl") + _stems("fr"), "context": [], "words": {}},
    }


def tables_of(spec: dict[str, Any], lang: str) -> FeatureTables:
    s = spec[lang]
    return build_tables(s["stems"], s["context"], s["words"], COMBINE, ACRONYMS)


def joined(units: Sequence[set[str]]) -> set[str]:
    """All units of a text as one window, with the concepts implied by pairs (:data:`COMBINE`)."""
    feats: set[str] = set().union(*units)
    for a, b, implied in COMBINE:
        if a in feats and b in feats:
            feats.add(implied)
    for trigger, concept in SUPPRESS:
        if trigger in feats:
            feats.discard(concept)
    return feats


class Featurizer:
    """Unit features of training texts under one feature spec (one learned dictionary), cached."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.tables = {lang: tables_of(spec, lang) for lang in spec}
        #: id(text) -> (text, units): the text is kept so that its id cannot be reused
        self._units: dict[int, tuple[Text, list[set[str]]]] = {}

    def units(self, text: Text) -> list[set[str]]:
        got = self._units.get(id(text))
        if got is None:
            tables = self.tables.get(text.lang, self.tables["other"])
            got = self._units[id(text)] = (text, tables.units(text.keys, text.words, text.sents))
        return got[1]

    def whole(self, text: Text) -> set[str]:
        """The whole text as one window: what the model is fitted on."""
        return joined(self.units(text))


def learn_dictionary(
    pair_nl: Sequence[Text], pair_fr: Sequence[Text], params: Params
) -> tuple[dict[str, str], dict[str, str]]:
    """Learn ``{nl key: feature}`` and ``{fr key: feature}`` from aligned documents.

    A French key maps to the Dutch key whose document occurrences it matches best (Dice
    coefficient over the pairs, at least ``dict_min_df`` documents each, Dice >= ``dict_min_dice``).
    Keys the concept lexicon already covers are left to it.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    nl_tables = build_tables(_stems("nl"), [], {})
    fr_tables = build_tables(_stems("fr"), [], {})

    def words(tables: FeatureTables) -> Any:
        return lambda keys: sorted({k for k in keys if _WORD.match(k) and not tables.of_key(k)})

    cn = CountVectorizer(
        analyzer=words(nl_tables), binary=True, min_df=params.dict_min_df, max_df=params.dict_max_df
    )
    cf = CountVectorizer(
        analyzer=words(fr_tables), binary=True, min_df=params.dict_min_df, max_df=params.dict_max_df
    )
    a = cn.fit_transform([t.keys for t in pair_nl])
    b = cf.fit_transform([t.keys for t in pair_fr])
    co = (a.T @ b).toarray().astype(float)
    dn = np.asarray(a.sum(0)).ravel()
    df = np.asarray(b.sum(0)).ravel()
    dice = 2 * co / (dn[:, None] + df[None, :])
    nl_names = cn.get_feature_names_out()
    fr_names = cf.get_feature_names_out()
    best = dice.argmax(0)
    best_fr = dice.argmax(1)
    nl_map: dict[str, str] = {}
    fr_map: dict[str, str] = {}
    for j, fr_key in enumerate(fr_names):
        i = int(best[j])
        if dice[i, j] >= params.dict_min_dice and (not params.mutual or best_fr[i] == j):
            fr_map[str(fr_key)] = nl_map[str(nl_names[i])] = f"w:{nl_names[i]}"
    return dict(sorted(nl_map.items())), dict(sorted(fr_map.items()))


# --- the linear model -----------------------------------------------------------------------------


class LinearModel:
    """Logistic regression over two binary blocks (concepts, words), each L2-normalised.

    Built by hand rather than with a scikit-learn vectoriser so that the exported table is
    exactly what :meth:`PassageClassifier.logit` computes (``tests/test_classifier.py`` checks it).
    """

    def __init__(self, vocabulary: Sequence[str], params: Params, estimator: Any) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {f: i for i, f in enumerate(self.vocabulary)}
        self.word_scale = params.word_scale
        self.powers = (params.concept_power, params.word_power)
        self.estimator = estimator

    def matrix(self, docs: Sequence[set[str]]) -> Any:
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        for r, doc in enumerate(docs):
            known = sorted(self.index[f] for f in doc if f in self.index)
            concepts = [i for i in known if self.vocabulary[i].startswith(CONCEPT)]
            words = [i for i in known if not self.vocabulary[i].startswith(CONCEPT)]
            for block, scale, power in (
                (concepts, 1.0, self.powers[0]),
                (words, self.word_scale, self.powers[1]),
            ):
                if block:
                    v = scale / len(block) ** power
                    rows.extend([r] * len(block))
                    cols.extend(block)
                    vals.extend([v] * len(block))
        return csr_matrix((vals, (rows, cols)), shape=(len(docs), len(self.vocabulary)))

    def proba(self, docs: Sequence[set[str]]) -> np.ndarray:
        return self.estimator.predict_proba(self.matrix(docs))[:, 1]

    def export(self) -> dict[str, Any]:
        """``{"weights": {feature: weight}, "intercept": b}``; word weights carry the block scale."""
        coef = self.estimator.coef_[0]
        weights = {
            f: float(coef[i]) * (1.0 if f.startswith(CONCEPT) else self.word_scale)
            for i, f in enumerate(self.vocabulary)
        }
        return {"weights": dict(sorted(weights.items())), "intercept": float(self.estimator.intercept_[0])}


def fit(
    docs: Sequence[set[str]], y: np.ndarray, params: Params, weights: np.ndarray | None = None
) -> LinearModel:
    """Balanced logistic regression on feature sets, with the :data:`PRIOR` pseudo-passages."""
    from sklearn.linear_model import LogisticRegression

    prior = sorted(PRIOR.items()) if params.prior_weight > 0 else []
    x = [*docs, *({c} for c, _ in prior)]
    labels = np.concatenate([y, np.array([v[0] for _, v in prior], dtype=bool)])
    base = weights if weights is not None else np.ones(len(docs))
    weight = np.concatenate([base, np.array([params.prior_weight * v[1] for _, v in prior])])
    model = LinearModel(
        sorted(set().union(*x)),
        params,
        LogisticRegression(C=params.c, class_weight="balanced", max_iter=5000, random_state=SEED),
    )
    model.estimator.fit(model.matrix(x), labels, sample_weight=weight)
    return model


def as_classifier(model: LinearModel, spec: dict[str, Any], params: Params) -> PassageClassifier:
    """The exported model as the product loads it (for measuring exactly what is shipped)."""
    return PassageClassifier(model_file(model, spec, params, {"default": 0.5}))


def model_file(
    model: LinearModel, spec: dict[str, Any], params: Params, thresholds: dict[str, float]
) -> dict[str, Any]:
    return {
        "version": VERSION,
        **model.export(),
        "thresholds": thresholds,
        "features": spec,
        "acronyms": dict(sorted(ACRONYMS.items())),
        "combine": [list(c) for c in COMBINE],
        "suppress": [list(c) for c in SUPPRESS],
        "window": params.window,
        "norm_powers": {"concepts": params.concept_power, "words": params.word_power},
    }


@dataclass
class TrainingSet:
    """Unit features of the labelled texts under one dictionary (what :func:`fit_joint` needs)."""

    units: list[list[set[str]]]
    labels: np.ndarray
    weights: np.ndarray
    pair_nl: list[list[set[str]]]
    pair_fr: list[list[set[str]]]


def training_set(
    feat: Featurizer,
    corpus: Corpus,
    params: Params,
    questions: Sequence[int] | None = None,
    passages: Sequence[int] | None = None,
    pairs: Sequence[int] | None = None,
) -> TrainingSet:
    """Questions + plan passages (+ the pairs' units) selected by index (None: all)."""
    qi = list(range(len(corpus.questions)) if questions is None else questions)
    pi = list(range(len(corpus.passages)) if passages is None else passages)
    if params.passage_weight <= 0:
        pi = []
    ri = range(len(corpus.pair_ids)) if pairs is None else pairs
    units = [feat.units(corpus.questions[i]) for i in qi] + [feat.units(corpus.passages[i]) for i in pi]
    labels = np.concatenate([corpus.labels[qi], corpus.passage_labels[pi]]).astype(bool)
    weights = np.concatenate([np.ones(len(qi)), np.full(len(pi), params.passage_weight)])
    return TrainingSet(
        units,
        labels,
        weights,
        [feat.units(corpus.pair_nl[i]) for i in ri],
        [feat.units(corpus.pair_fr[i]) for i in ri],
    )


def fit_units(
    units: Sequence[Sequence[set[str]]],
    y: np.ndarray,
    weights: np.ndarray,
    spec: dict[str, Any],
    params: Params,
) -> LinearModel:
    """Fit on whole texts, then refine on windows (multiple-instance rounds).

    Why: the product scores a text by its best window, so the model must be right about windows.
    A positive text only says that *some* window is about migrants: each round keeps the window the
    current model finds most positive. A negative text says that *no* window is: each round keeps
    its ``hard_negatives`` highest-scoring windows as negatives, sharing the text's weight.
    """
    model = fit([joined(u) for u in units], y, params, weights)
    for _ in range(params.mil_rounds):
        clf = as_classifier(model, spec, params)
        docs: list[set[str]] = []
        labels: list[bool] = []
        wts: list[float] = []
        for us, label, weight in zip(units, y, weights, strict=True):
            wins = [joined([f]) for _, f in windows(list(us), params.window)]
            if len(wins) == 1:
                docs.append(wins[0])
                labels.append(bool(label))
                wts.append(float(weight))
                continue
            order = sorted(range(len(wins)), key=lambda i: -clf.logit(set(wins[i])))
            keep = order[:1] if label else order[: params.hard_negatives]
            for i in keep:
                docs.append(wins[i])
                labels.append(bool(label))
                wts.append(float(weight) / len(keep))
        model = fit(docs, np.array(labels, dtype=bool), params, np.array(wts))
    return model


def fit_joint(ts: TrainingSet, spec: dict[str, Any], params: Params) -> LinearModel:
    """Fit on the labelled texts, then refit with both sides of every pair labelled by the first
    model's decision on the Dutch side.

    Why: a pair's two texts then pull the shared weights towards features that decide the same
    way in both languages (self-training across translations).
    """
    first = fit_units(ts.units, ts.labels, ts.weights, spec, params)
    if params.pair_weight <= 0 or not ts.pair_nl:
        return first
    clf = as_classifier(first, spec, params)
    pseudo = np.array([clf.predict_units(u) >= 0.5 for u in ts.pair_nl], dtype=bool)
    return fit_units(
        [*ts.units, *ts.pair_nl, *ts.pair_fr],
        np.concatenate([ts.labels, pseudo, pseudo]),
        np.concatenate([ts.weights, np.full(2 * len(pseudo), params.pair_weight)]),
        spec,
        params,
    )


def train(corpus: Corpus, params: Params) -> dict[str, Any]:
    """Fit on all the data and return the model file's content (weights, tables, thresholds)."""
    from miner.analyse.crossval import cross_validate

    nl_words, fr_words = learn_dictionary(corpus.pair_nl, corpus.pair_fr, params)
    spec = feature_spec(nl_words, fr_words)
    feat = Featurizer(spec)
    model = fit_joint(training_set(feat, corpus, params), spec, params)
    cv = cross_validate(corpus, params, feat)
    threshold = cv["threshold"]
    out = model_file(model, spec, params, {"nl": threshold, "fr": threshold, "default": threshold})
    changed = {
        f.name: getattr(params, f.name) for f in fields(params) if getattr(params, f.name) != f.default
    }
    return {
        **out,
        "task": "migrant: is this passage about people with a migration background?",
        "method": "binary concept and word features (two blocks normalised apart), logistic regression "
        f"(scikit-learn), C={params.c}, class_weight=balanced; best window of {params.window} units"
        + (f"; non-default parameters {changed}" if changed else ""),
        "measured": cv,
    }


def write_model(model: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(model, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    from miner.config import get_settings

    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(prog="python -m miner.analyse.train", description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=root.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=model_path(get_settings().corpora_dir))
    for f in fields(Params):
        if f.type in ("float", "int"):
            ap.add_argument(
                f"--{f.name.replace('_', '-')}", type=float if f.type == "float" else int, default=f.default
            )
    ap.add_argument("--mutual", action="store_true", help="keep only mutual best word matches")
    ap.add_argument("--no-passages", action="store_true", help="do not read the annotated plan passages")
    args = ap.parse_args(argv)
    if not (args.corpora / QUESTIONS).is_file():
        print(f"training data not found: {args.corpora / QUESTIONS} (pass --corpora PATH)", file=sys.stderr)
        return 2
    values = {f.name: getattr(args, f.name) for f in fields(Params) if hasattr(args, f.name)}
    params = Params(**values)
    model = train(load_corpus(args.corpora, passages=not args.no_passages), params)
    write_model(model, args.out)
    print(json.dumps(model["measured"], indent=1))
    print(f"thresholds: {model['thresholds']}  features: {len(model['weights'])}  -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
