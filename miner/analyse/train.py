"""Train the passage classifier ("is this passage about people with a migration background?").

Run ``python -m miner.analyse.train [--corpora PATH]``: it rewrites
``corpora/models/migrant-classifier.json`` byte for byte the same on the same data (fixed seeds,
sorted tables, rounded weights), and prints the cross-validated figures that go in the model card.

Data (none of it written here): the federal Chamber's written questions with the Chamber's own
theme tags (positive = a migration theme, see :data:`MIGRATION_THEMES`), and 1,000 official
Dutch/French question pairs, used without labels to learn which French key translates which Dutch
key. Method: binary features (:mod:`miner.analyse.features`), L2-normalised, logistic regression;
the weights are exported as a plain table so that inference needs neither scikit-learn nor pickle.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from miner.analyse.concepts import COMBINE, CONTEXT, PRIOR, STEMS
from miner.analyse.features import FeatureTables, build_tables

VERSION = "migrant-clf-2026.11-1"
MODEL_FILE = "migrant-classifier.json"
SEED = 0
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
QUESTIONS = Path("parliament/chamber-2017-nl/questions-dev.jsonl")
PAIRS = Path("parliament/chamber-2017-nl-fr-pairs/belgium_parliament_2017_pairs.jsonl")
_WORD = re.compile(r"^[a-z][a-z_\-']*[a-z]$")


@dataclass(frozen=True)
class Params:
    """Training choices (the defaults are the shipped model's)."""

    c: float = 3.0
    dict_min_df: int = 3
    dict_min_dice: float = 0.5
    dict_max_df: float = 0.2
    #: Keep only mutual best matches (False: every French key keeps its best Dutch key).
    mutual: bool = False
    folds: int = 5
    #: Sample weight of each one-concept pseudo-passage of :data:`PRIOR` (0: no prior).
    prior_weight: float = 2.0
    #: Sample weight of the nl/fr pair texts, labelled by a first model's Dutch decision (0: unused).
    pair_weight: float = 0.5
    #: Give French its own threshold, matching the Dutch positive rate on the pairs. Off: the
    #: shared features make one threshold natural, and cross-fitting measured it as the better.
    match_fr_threshold: bool = False


@dataclass(frozen=True)
class Corpus:
    """Tokenised training data: Chamber questions (nl, labelled) and nl/fr pairs (unlabelled)."""

    question_ids: tuple[str, ...]
    question_keys: tuple[tuple[str, ...], ...]
    labels: np.ndarray
    pair_ids: tuple[str, ...]
    pair_nl: tuple[tuple[str, ...], ...]
    pair_fr: tuple[tuple[str, ...], ...]


def is_migration_question(themes: str) -> bool:
    """The label of a Chamber question from its comma-separated theme tags."""
    return bool({t.strip() for t in themes.split(",")} & MIGRATION_THEMES)


def load_corpus(corpora: Path) -> Corpus:
    """Read and tokenise the Chamber questions and the nl/fr pairs under ``corpora``."""
    from miner.analyse.nlp import tokenize

    qids, qkeys, labels = [], [], []
    with (corpora / QUESTIONS).open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            qids.append(str(row["doc_id"]))
            qkeys.append(tokenize(row["question"], "nl").keys)
            labels.append(is_migration_question(row["question_theme"]))
    pids, pnl, pfr = [], [], []
    with (corpora / PAIRS).open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            pids.append(str(row["doc_id"]))
            pnl.append(tokenize(row["text_nl"], "nl").keys)
            pfr.append(tokenize(row["text_fr"], "fr").keys)
    return Corpus(
        tuple(qids), tuple(qkeys), np.array(labels, dtype=bool), tuple(pids), tuple(pnl), tuple(pfr)
    )


def _stems(lang: str) -> list[list[str]]:
    return [list(s) for s in STEMS[lang]]


def _context(lang: str) -> list[list[Any]]:
    return [[k, c, list(seq), w] for k, c, seq, w in CONTEXT[lang]]


def learn_dictionary(
    pair_nl: Sequence[Sequence[str]], pair_fr: Sequence[Sequence[str]], params: Params
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
    a = cn.fit_transform(pair_nl)
    b = cf.fit_transform(pair_fr)
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


def feature_spec(nl_words: dict[str, str], fr_words: dict[str, str]) -> dict[str, Any]:
    """The ``features`` section of the model file."""
    combine = [list(c) for c in COMBINE]
    return {
        "nl": {"stems": _stems("nl"), "context": _context("nl"), "words": nl_words, "combine": combine},
        "fr": {"stems": _stems("fr"), "context": _context("fr"), "words": fr_words, "combine": combine},
        "other": {
            "stems": _stems("other") + _stems("nl") + _stems("fr"),
            "context": [],
            "words": {},
            "combine": combine,
        },
    }


def tables_of(spec: dict[str, Any], lang: str) -> FeatureTables:
    s = spec[lang]
    return build_tables(s["stems"], s["context"], s["words"], s.get("combine", ()))


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=sorted, binary=True, use_idf=False, norm="l2", lowercase=False)


def fit(docs: Sequence[set[str]], y: np.ndarray, params: Params, weights: np.ndarray | None = None) -> Any:
    """scikit-learn pipeline: binary features, L2 norm, balanced logistic regression.

    The :data:`PRIOR` pseudo-passages (one concept each) are appended with ``prior_weight``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        _vectorizer(),
        LogisticRegression(C=params.c, class_weight="balanced", max_iter=5000, random_state=SEED),
    )
    prior = sorted(PRIOR.items()) if params.prior_weight > 0 else []
    x = [*docs, *({c} for c, _ in prior)]
    labels = np.concatenate([y, np.array([v[0] for _, v in prior], dtype=bool)])
    base = weights if weights is not None else np.ones(len(docs))
    weight = np.concatenate([base, np.array([params.prior_weight * v[1] for _, v in prior])])
    model.fit(x, labels, logisticregression__sample_weight=weight)
    return model


def export_linear(model: Any) -> dict[str, Any]:
    """``{"weights": {feature: weight}, "intercept": b}`` of a fitted :func:`fit` pipeline.

    Every vocabulary feature is kept (even a tiny weight): the L2 norm counts them all.
    """
    names = model[0].get_feature_names_out()
    coef = model[-1].coef_[0]
    weights = {str(f): float(w) for f, w in sorted(zip(names, coef, strict=True))}
    return {"weights": weights, "intercept": float(model[-1].intercept_[0])}


def fit_joint(
    docs: Sequence[set[str]],
    y: np.ndarray,
    pair_nl: Sequence[set[str]],
    pair_fr: Sequence[set[str]],
    params: Params,
) -> Any:
    """Fit on the questions, then refit with both sides of the pairs labelled by the Dutch side.

    Why: a pair's two texts then pull the shared weights towards features that decide the same
    way in both languages (self-training across translations).
    """
    first = fit(docs, y, params)
    if params.pair_weight <= 0 or not pair_nl:
        return first
    pseudo = first.predict_proba(list(pair_nl))[:, 1] >= 0.5
    return fit(
        [*docs, *pair_nl, *pair_fr],
        np.concatenate([y, pseudo, pseudo]),
        params,
        weights=np.concatenate([np.ones(len(docs)), np.full(2 * len(pseudo), params.pair_weight)]),
    )


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability threshold with the best F1 (midpoint between neighbouring scores)."""
    order = np.sort(np.unique(p))
    cands = (order[:-1] + order[1:]) / 2 if len(order) > 1 else order
    best, best_f1 = 0.5, -1.0
    for t in cands:
        f1 = prf(y, p >= t)[2]
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return round(best, 4)


def prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    fn = int(np.sum(~pred & y))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two boolean decisions."""
    if not len(a):
        return 0.0
    agree = float(np.mean(a == b))
    pa, pb = float(np.mean(a)), float(np.mean(b))
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (agree - pe) / (1 - pe) if pe < 1 else 0.0


def matched_threshold(p_other: np.ndarray, rate: float) -> float:
    """The threshold giving ``p_other`` the positive rate ``rate`` (French matched to Dutch)."""
    k = round(rate * len(p_other))
    if k <= 0:
        return 1.0
    s = np.sort(p_other)[::-1]
    hi = s[k - 1]
    lo = s[k] if k < len(s) else 0.0
    return round(float((hi + lo) / 2), 4)


def cross_validate(corpus: Corpus, params: Params) -> dict[str, Any]:
    """Out-of-sample figures: k-fold CV on the questions; k-fold cross-fitting on the pairs.

    On the pairs, each fold learns the dictionary on the other folds' pairs, trains on all
    questions, sets the French threshold on the other folds, and is measured on its own pairs.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import KFold, StratifiedKFold

    y = corpus.labels
    nl_words, fr_words = learn_dictionary(corpus.pair_nl, corpus.pair_fr, params)
    nl = tables_of(feature_spec(nl_words, fr_words), "nl")
    fr = tables_of(feature_spec(nl_words, fr_words), "fr")
    docs = [nl.extract(k) for k in corpus.question_keys]
    p_nl = [nl.extract(k) for k in corpus.pair_nl]
    p_fr = [fr.extract(k) for k in corpus.pair_fr]
    oof = np.zeros(len(y))
    for tr, te in StratifiedKFold(params.folds, shuffle=True, random_state=SEED).split(docs, y):
        m = fit_joint([docs[i] for i in tr], y[tr], p_nl, p_fr, params)
        oof[te] = m.predict_proba([docs[i] for i in te])[:, 1]
    t = best_threshold(y, oof)
    p, r, f1 = prf(y, oof >= t)
    auc = float(roc_auc_score(y, oof))
    out: dict[str, Any] = {
        "questions": {"n": len(y), "positives": int(y.sum()), "threshold": t, "precision": round(p, 4),
                      "recall": round(r, 4), "f1": round(f1, 4), "roc_auc": round(auc, 4),
                      "f1_at_0.5": round(prf(y, oof >= 0.5)[2], 4)},
    }  # fmt: skip
    n = len(corpus.pair_ids)
    pn, pf = np.zeros(n), np.zeros(n)
    tf = np.zeros(n)
    for tr, te in KFold(params.folds, shuffle=True, random_state=SEED).split(np.arange(n)):
        w_nl, w_fr = learn_dictionary(
            [corpus.pair_nl[i] for i in tr], [corpus.pair_fr[i] for i in tr], params
        )
        spec = feature_spec(w_nl, w_fr)
        t_nl, t_fr = tables_of(spec, "nl"), tables_of(spec, "fr")
        m = fit_joint(
            [t_nl.extract(k) for k in corpus.question_keys],
            y,
            [t_nl.extract(corpus.pair_nl[i]) for i in tr],
            [t_fr.extract(corpus.pair_fr[i]) for i in tr],
            params,
        )
        a_tr = m.predict_proba([t_nl.extract(corpus.pair_nl[i]) for i in tr])[:, 1]
        b_tr = m.predict_proba([t_fr.extract(corpus.pair_fr[i]) for i in tr])[:, 1]
        tf[te] = matched_threshold(b_tr, float(np.mean(a_tr >= t)))
        pn[te] = m.predict_proba([t_nl.extract(corpus.pair_nl[i]) for i in te])[:, 1]
        pf[te] = m.predict_proba([t_fr.extract(corpus.pair_fr[i]) for i in te])[:, 1]
    a, b_matched, b_same = pn >= t, pf >= tf, pf >= t
    b = b_matched if params.match_fr_threshold else b_same
    other = b_same if params.match_fr_threshold else b_matched
    out["pairs"] = {"n": n, "positives_nl": int(a.sum()), "positives_fr": int(b.sum()),
                    "agreement": round(float(np.mean(a == b)), 4), "kappa": round(kappa(a, b), 4),
                    "mean_abs_prob_diff": round(float(np.mean(np.abs(pn - pf))), 4),
                    "french_threshold": "matched to the Dutch positive rate" if params.match_fr_threshold
                    else "same as Dutch",
                    "kappa_with_the_other_french_threshold": round(kappa(a, other), 4)}  # fmt: skip
    return out


def train(corpus: Corpus, params: Params) -> dict[str, Any]:
    """Fit on all questions and return the model file's content (weights, tables, thresholds)."""
    y = corpus.labels
    nl_words, fr_words = learn_dictionary(corpus.pair_nl, corpus.pair_fr, params)
    spec = feature_spec(nl_words, fr_words)
    t_nl, t_fr = tables_of(spec, "nl"), tables_of(spec, "fr")
    model = fit_joint(
        [t_nl.extract(k) for k in corpus.question_keys],
        y,
        [t_nl.extract(k) for k in corpus.pair_nl],
        [t_fr.extract(k) for k in corpus.pair_fr],
        params,
    )
    cv = cross_validate(corpus, params)
    threshold = cv["questions"]["threshold"]
    a = model.predict_proba([t_nl.extract(k) for k in corpus.pair_nl])[:, 1]
    b = model.predict_proba([t_fr.extract(k) for k in corpus.pair_fr])[:, 1]
    fr_threshold = (
        matched_threshold(b, float(np.mean(a >= threshold))) if params.match_fr_threshold else threshold
    )
    return {
        "version": VERSION,
        "task": "migrant: is this passage about people with a migration background?",
        "method": "binary concept/word features, L2-normalised, logistic regression (scikit-learn), "
        f"C={params.c}, class_weight=balanced",
        **export_linear(model),
        "thresholds": {"nl": threshold, "fr": fr_threshold, "default": threshold},
        "features": spec,
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
    ap.add_argument("--out", type=Path, default=get_settings().corpora_dir / "models" / MODEL_FILE)
    ap.add_argument("--c", type=float, default=Params.c)
    ap.add_argument("--dict-min-dice", type=float, default=Params.dict_min_dice)
    ap.add_argument("--dict-max-df", type=float, default=Params.dict_max_df)
    ap.add_argument("--prior-weight", type=float, default=Params.prior_weight)
    ap.add_argument("--pair-weight", type=float, default=Params.pair_weight)
    ap.add_argument("--match-fr-threshold", action="store_true", help="own French threshold (rate-matched)")
    ap.add_argument("--mutual", action="store_true", help="keep only mutual best word matches")
    args = ap.parse_args(argv)
    if not (args.corpora / QUESTIONS).is_file():
        print(f"training data not found: {args.corpora / QUESTIONS} (pass --corpora PATH)", file=sys.stderr)
        return 2
    params = Params(
        c=args.c,
        dict_min_dice=args.dict_min_dice,
        dict_max_df=args.dict_max_df,
        mutual=args.mutual,
        match_fr_threshold=args.match_fr_threshold,
        prior_weight=args.prior_weight,
        pair_weight=args.pair_weight,
    )
    model = train(load_corpus(args.corpora), params)
    write_model(model, args.out)
    print(json.dumps(model["measured"], indent=1))
    print(f"thresholds: {model['thresholds']}  features: {len(model['weights'])}  -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
