"""Out-of-sample figures of the passage classifier, measured at training time.

Every figure is measured with the product's own inference (the exported table, best window of a
passage: :meth:`PassageClassifier.predict_units`) on texts the fold's model never saw:

- Chamber questions: stratified k-fold;
- plan passages: k-fold *grouped by document* (stratified), so that no document has passages on
  both sides; figures per language at the shipped threshold, and *nested* (each fold decided at a
  threshold chosen without its labels); plus a model fitted without any plan passage;
- the threshold: the grid value with the best mean F1 over the questions and each language of the
  passages (out-of-fold probabilities), so that one threshold serves questions and plans;
- nl/fr pairs: k-fold cross-fitting: each fold of pairs is scored by a model whose word dictionary
  and self-training were learned on the other folds' pairs only, i.e. as new pairs will be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from miner.analyse.train import (
    SEED,
    Featurizer,
    Params,
    as_classifier,
    feature_spec,
    fit_joint,
    learn_dictionary,
    training_set,
)
from miner.analyse.trainsets import Corpus


def prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean predictions."""
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


def _figures(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    pr, rc, f1 = prf(y, p >= threshold)
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "predicted": int((p >= threshold).sum()),
        "precision": round(pr, 4),
        "recall": round(rc, 4),
        "f1": round(f1, 4),
        "f1_at_0.5": round(prf(y, p >= 0.5)[2], 4),
    }


def _oof(
    feat: Featurizer,
    corpus: Corpus,
    params: Params,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    on: str,
) -> np.ndarray:
    """Out-of-fold probabilities of the questions (``on="questions"``) or the plan passages."""
    texts = corpus.questions if on == "questions" else corpus.passages
    out = np.zeros(len(texts))
    for tr, te in splits:
        ts = (
            training_set(feat, corpus, params, questions=tr.tolist())
            if on == "questions"
            else training_set(feat, corpus, params, passages=tr.tolist())
        )
        clf = as_classifier(fit_joint(ts, feat.spec, params), feat.spec, params)
        out[te] = [clf.predict_units(feat.units(texts[i])) for i in te]
    return out


#: Thresholds considered for ``migrant`` (a coarse grid: the data cannot tell finer steps apart).
GRID = tuple(round(0.2 + 0.025 * i, 3) for i in range(29))


def choose_threshold(
    yq: np.ndarray, pq: np.ndarray, yp: np.ndarray, pp: np.ndarray, langs: np.ndarray
) -> float:
    """The grid threshold with the best mean F1 over the Chamber questions and each language of the
    plan passages (out-of-fold probabilities): one threshold must serve federal questions and
    regional plans alike."""
    best, best_score = 0.5, -1.0
    for t in GRID:
        scores = [prf(yq, pq >= t)[2]]
        scores += [prf(yp[langs == lang], pp[langs == lang] >= t)[2] for lang in sorted(set(langs))]
        score = float(np.mean(scores))
        if score > best_score + 1e-9:
            best, best_score = t, score
    return best


def cross_validate(corpus: Corpus, params: Params, feat: Featurizer | None = None) -> dict[str, Any]:
    """All out-of-sample figures as a JSON-ready dict (see the module docstring)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    if feat is None:
        feat = Featurizer(feature_spec(*learn_dictionary(corpus.pair_nl, corpus.pair_fr, params)))
    y = corpus.labels
    folds = StratifiedKFold(params.folds, shuffle=True, random_state=SEED)
    oof = _oof(feat, corpus, params, list(folds.split(np.zeros(len(y)), y)), "questions")
    yp = corpus.passage_labels
    langs = np.array([p.lang for p in corpus.passages])
    pp = np.zeros(len(yp))
    nested = np.zeros(len(yp), dtype=bool)
    use_passages = bool(len(yp)) and params.passage_weight > 0
    if use_passages:
        split = StratifiedGroupKFold(params.folds, shuffle=True, random_state=SEED)
        splits = list(split.split(np.zeros(len(yp)), yp, np.array(corpus.passage_docs)))
        pp = _oof(feat, corpus, params, splits, "passages")
        for tr, te in splits:
            # the threshold applied to a fold is chosen without that fold's labels
            t_fold = choose_threshold(y, oof, yp[tr], pp[tr], langs[tr])
            nested[te] = pp[te] >= t_fold
    t = choose_threshold(y, oof, yp, pp, langs) if use_passages else best_threshold(y, oof)
    out: dict[str, Any] = {"threshold": t, "folds": params.folds}
    out["questions"] = {
        **_figures(y, oof, t),
        "threshold": t,
        "roc_auc": round(float(roc_auc_score(y, oof)), 4),
        "how": f"{params.folds}-fold stratified CV (seed {SEED}); the threshold is chosen on these "
        "probabilities and the plan passages' (mean F1)",
    }
    if use_passages:
        plan: dict[str, Any] = {}
        for lang in [*sorted(set(langs)), "all"]:
            m = langs == lang if lang != "all" else np.ones(len(yp), dtype=bool)
            pr, rc, f1 = prf(yp[m], nested[m])
            plan[lang] = {
                **_figures(yp[m], pp[m], t),
                "nested_precision": round(pr, 4),
                "nested_recall": round(rc, 4),
                "nested_f1": round(f1, 4),
            }
        # the same figures from a model that never saw a plan passage (questions and pairs only)
        unseen = replace(params, passage_weight=0.0)
        blind = as_classifier(
            fit_joint(training_set(feat, corpus, unseen), feat.spec, unseen), feat.spec, unseen
        )
        pb = np.array([blind.predict_units(feat.units(t)) for t in corpus.passages])
        plan["not_trained_on_them"] = {
            lang: _figures(yp[langs == lang], pb[langs == lang], t) for lang in sorted(set(langs))
        }
        plan["how"] = (
            f"{params.folds}-fold CV grouped by document (stratified, seed {SEED}): a fold's passages, "
            "and every other passage of their documents, are left out of its training. nested_*: each "
            "fold decided at a threshold chosen without its labels; the others at the shipped threshold. "
            "not_trained_on_them: a model fitted on the questions and pairs only, at the shipped threshold"
        )
        out["plan_passages"] = plan
    out["pairs"] = _cross_fit_pairs(corpus, params, t)
    return out


def _cross_fit_pairs(corpus: Corpus, params: Params, t: float) -> dict[str, Any]:
    from sklearn.model_selection import KFold

    n = len(corpus.pair_ids)
    pn, pf = np.zeros(n), np.zeros(n)
    for tr, te in KFold(params.folds, shuffle=True, random_state=SEED).split(np.arange(n)):
        words = learn_dictionary([corpus.pair_nl[i] for i in tr], [corpus.pair_fr[i] for i in tr], params)
        feat = Featurizer(feature_spec(*words))
        clf = as_classifier(
            fit_joint(training_set(feat, corpus, params, pairs=tr.tolist()), feat.spec, params),
            feat.spec,
            params,
        )
        pn[te] = [clf.predict_units(feat.units(corpus.pair_nl[i])) for i in te]
        pf[te] = [clf.predict_units(feat.units(corpus.pair_fr[i])) for i in te]
    a, b = pn >= t, pf >= t
    return {
        "n": n,
        "positives_nl": int(a.sum()),
        "positives_fr": int(b.sum()),
        "agreement": round(float(np.mean(a == b)), 4),
        "kappa": round(kappa(a, b), 4),
        "mean_abs_prob_diff": round(float(np.mean(np.abs(pn - pf))), 4),
        "how": f"{params.folds}-fold cross-fitting over pairs (dictionary and self-training from the other folds)",
    }
