"""Measure the ``migrant`` decision on labelled data nobody here wrote.

Figures, per system (the shipped classifier, a plain keyword list, and the end-to-end pipeline
when it is importable):

- the Chamber's written questions (Dutch, theme tags as labels): precision, recall, F1, ROC AUC;
- the 1,000 official nl/fr question pairs: agreement of the Dutch and French decisions, Cohen's
  kappa, mean absolute difference of the two scores; and French precision/recall/F1/AUC against
  the Dutch decision on the twin text (silver labels: the pairs carry no theme tags).

The classifier was trained on these questions, so its figures here are *in-sample*; the honest
out-of-sample figures (cross-validation, cross-fitting) are measured at training time and stored
in the model file, and :func:`evaluate` reports them beside.

When the annotated plan passages are present, the report adds their figures (``migrant``, the
seven dimensions, flags, evidence; :mod:`miner.evaluate_plans`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from miner.analyse.classifier import PassageClassifier
from miner.analyse.nlp import Tokens, tokenize
from miner.analyse.trainsets import PAIRS, PLAN_PASSAGES, QUESTIONS, is_migration_question
from miner.analyser import Analyser
from miner.errors import ConfigError


class Scorer(Protocol):
    """What a system under evaluation offers: a probability and a per-language threshold."""

    def predict_tokens(self, tokens: Tokens) -> float: ...

    def threshold_for(self, lang: str) -> float: ...


#: The keyword baseline: a passage is positive when a key contains one of these stems.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "nl": ("migra", "migrant", "asiel", "vluchteling", "vreemdeling", "inburger", "nieuwkomer", "racis",
           "discrimin", "nationaliteit", "allochto", "etnisch"),
    "fr": ("migra", "migrant", "asile", "refugie", "etranger", "integration", "primo-arrivant", "racis",
           "discrimin", "nationalite", "allochtone", "ethni"),
}  # fmt: skip


class KeywordBaseline:
    """A plain keyword list, the bar the classifier has to clear."""

    version = "keywords"

    def predict_tokens(self, tokens: Tokens) -> float:
        stems = KEYWORDS.get(tokens.lang, KEYWORDS["nl"] + KEYWORDS["fr"])
        return 1.0 if any(s in k for k in set(tokens.keys) for s in stems) else 0.0

    def threshold_for(self, lang: str) -> float:
        return 0.5


@dataclass(frozen=True)
class Figures:
    """Detection figures of one system on one labelled set."""

    n: int
    positives: int
    predicted: int
    precision: float
    recall: float
    f1: float
    roc_auc: float | None


@dataclass(frozen=True)
class Agreement:
    """How often the Dutch and French texts of a pair get the same ``migrant``."""

    n: int
    positives_nl: int
    positives_fr: int
    agreement: float
    kappa: float
    #: Mean absolute difference of the nl and fr scores (probability x 100, or the 0-100 score).
    mean_abs_diff: float


@dataclass(frozen=True)
class SystemReport:
    system: str
    version: str
    chamber_nl: Figures
    pairs_fr_vs_nl: Figures
    pairs: Agreement


@dataclass(frozen=True)
class Data:
    """The labelled questions and the nl/fr pairs, as raw texts."""

    questions: tuple[str, ...]
    labels: tuple[bool, ...]
    pair_ids: tuple[str, ...]
    pairs_nl: tuple[str, ...]
    pairs_fr: tuple[str, ...]


def load_data(corpora: Path) -> Data:
    """Read the evaluation sets under ``corpora``; a missing folder or file is a clear error."""
    qpath, ppath = corpora / QUESTIONS, corpora / PAIRS
    for p in (qpath, ppath):
        if not p.is_file():
            raise ConfigError(
                f"evaluation data not found: {p} (pass --corpora PATH to the shared corpora folder)"
            )
    questions, labels, ids, nl, fr = [], [], [], [], []
    try:
        with qpath.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    questions.append(str(row["question"]))
                    labels.append(is_migration_question(str(row["question_theme"])))
        with ppath.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    ids.append(str(row["doc_id"]))
                    nl.append(str(row["text_nl"]))
                    fr.append(str(row["text_fr"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"evaluation data is malformed ({type(exc).__name__}: {exc})") from exc
    return Data(tuple(questions), tuple(labels), tuple(ids), tuple(nl), tuple(fr))


def detection(labels: Sequence[bool], scores: Sequence[float], threshold: float) -> Figures:
    """Precision, recall, F1 at ``threshold`` and ROC AUC (None when one class is absent)."""
    pred = [s >= threshold for s in scores]
    tp = sum(1 for p, y in zip(pred, labels, strict=True) if p and y)
    fp = sum(1 for p, y in zip(pred, labels, strict=True) if p and not y)
    fn = sum(1 for p, y in zip(pred, labels, strict=True) if not p and y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(
        n=len(labels),
        positives=sum(labels),
        predicted=sum(pred),
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        roc_auc=roc_auc(labels, scores),
    )


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Probability that a random positive outscores a random negative (ties count half)."""
    pos = sorted(s for s, y in zip(scores, labels, strict=True) if y)
    neg = sorted(s for s, y in zip(scores, labels, strict=True) if not y)
    if not pos or not neg:
        return None
    import bisect

    wins = 0.0
    for s in pos:
        lo = bisect.bisect_left(neg, s)
        hi = bisect.bisect_right(neg, s)
        wins += lo + (hi - lo) / 2
    return round(wins / (len(pos) * len(neg)), 4)


def agreement(a: Sequence[bool], b: Sequence[bool], sa: Sequence[float], sb: Sequence[float]) -> Agreement:
    """Agreement, Cohen's kappa and mean absolute score difference of paired decisions."""
    n = len(a)
    if not n:
        return Agreement(0, 0, 0, 0.0, 0.0, 0.0)
    same = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = (same - pe) / (1 - pe) if pe < 1 else 0.0
    gap = sum(abs(x - y) for x, y in zip(sa, sb, strict=True)) / n
    return Agreement(n, sum(a), sum(b), round(same, 4), round(kappa, 4), round(gap, 2))


def evaluate_system(name: str, version: str, scorer: Scorer, data: Data) -> SystemReport:
    """Every figure for one system that scores tokenised passages."""
    q = [scorer.predict_tokens(tokenize(t, "nl")) for t in data.questions]
    a = [scorer.predict_tokens(tokenize(t, "nl")) for t in data.pairs_nl]
    b = [scorer.predict_tokens(tokenize(t, "fr")) for t in data.pairs_fr]
    t_nl, t_fr = scorer.threshold_for("nl"), scorer.threshold_for("fr")
    da, db = [s >= t_nl for s in a], [s >= t_fr for s in b]
    return SystemReport(
        system=name,
        version=version,
        chamber_nl=detection(data.labels, q, t_nl),
        pairs_fr_vs_nl=detection(da, b, t_fr),
        pairs=agreement(da, db, [100 * s for s in a], [100 * s for s in b]),
    )


#: ``analyse_text(id, text, lang) -> Analysis`` of the end-to-end pipeline.
AnalyseText = Callable[[str, str, str | None], Any]


def pipeline_analyser(analyser: Analyser) -> AnalyseText | None:
    """The pipeline's ``analyse_text`` with ``analyser`` when the whole pipeline imports, else None."""
    try:
        from miner.pipeline import analyse_text
    except (ImportError, AttributeError):  # a stage not written yet
        return None
    return lambda doc_id, text, lang: analyse_text(doc_id, text, lang, analyser=analyser)


def evaluate_pipeline(analyse: AnalyseText, data: Data) -> SystemReport:
    """End-to-end figures: ``migrant`` and the 0-100 ``score`` as ``miner analyse`` answers them."""
    q = [analyse(f"q{i}", t, "nl") for i, t in enumerate(data.questions)]
    a = [analyse(f"{i}:nl", t, "nl") for i, t in zip(data.pair_ids, data.pairs_nl, strict=True)]
    b = [analyse(f"{i}:fr", t, "fr") for i, t in zip(data.pair_ids, data.pairs_fr, strict=True)]
    qa = [float(bool(x.migrant)) for x in q]
    da, db = [bool(x.migrant) for x in a], [bool(x.migrant) for x in b]
    version = str(getattr(a[0], "model_version", "") or "") if a else ""
    return SystemReport(
        system="pipeline",
        version=version or "end-to-end",
        chamber_nl=detection(data.labels, qa, 0.5),
        pairs_fr_vs_nl=detection(da, [float(x) for x in db], 0.5),
        pairs=agreement(da, db, [float(x.score or 0) for x in a], [float(x.score or 0) for x in b]),
    )


def evaluate(
    corpora: Path,
    analyser: Analyser,
    classifier: PassageClassifier | None = None,
    *,
    pipeline: bool | None = None,
    plans: bool | None = None,
) -> dict[str, Any]:
    """All figures as a JSON-ready dict: systems side by side, plus the cross-validated figures.

    ``analyser`` is the product's (its classifier is measured unless ``classifier`` is given).

    ``pipeline``: the end-to-end column on the Chamber questions and pairs (4,500 analyses): True
    requires it, False skips it, None adds it when the pipeline imports.
    ``plans``: the annotated plan passages (always end-to-end, 203 analyses): True requires them,
    False skips them, None measures them when their file is present.
    """
    data = load_data(corpora)
    clf = classifier or analyser.classifier
    systems = [
        evaluate_system("classifier", clf.version, clf, data),
        evaluate_system("keywords", KeywordBaseline.version, KeywordBaseline(), data),
    ]
    note = ""
    if pipeline is not False:
        analyse = pipeline_analyser(analyser)
        if analyse is not None:
            systems.append(evaluate_pipeline(analyse, data))
        elif pipeline:
            raise ConfigError("the end-to-end pipeline (miner.pipeline.analyse_text) is not importable")
        else:
            note = "end-to-end pipeline not importable: score gap not measured"
    plan_report = None
    if plans or (plans is None and (corpora / PLAN_PASSAGES).is_file()):
        from miner.evaluate_plans import evaluate_plans, pipeline_answer

        plan_report = evaluate_plans(corpora, pipeline_answer(analyser), measured=clf.meta.get("measured"))
    return {
        "corpora": str(corpora),
        "model_version": clf.version,
        "thresholds": {"nl": clf.threshold_for("nl"), "fr": clf.threshold_for("fr")},
        "in_sample": "classifier figures on the Chamber questions and pairs are in-sample (trained on them)",
        "cross_validated": clf.meta.get("measured"),
        "systems": [asdict(s) for s in systems],
        "plan_passages": plan_report,
        "note": note,
    }
