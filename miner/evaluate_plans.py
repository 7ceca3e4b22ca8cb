"""Measure the product on annotated plan passages: ``migrant``, the seven dimensions, flags, evidence.

The passages (``annotated/plan-passages/plan-passages-dev.jsonl`` under the shared corpora) are
real text from the Flemish coalition agreement 2019-2024 and from federal Chamber questions and
answers of 2020, labelled by the project team with the codebook beside them. Every figure is
measured on the product's own JSON answer (``analyse_text(id, text, lang).as_dict()``, what
``miner analyse --jsonl`` prints), per language:

- ``migrant`` against ``about_migrants``: precision, recall, F1;
- each dimension: weighted kappa (quadratic weights) of the product's 0/50/100 read as 0/1/2
  (0 -> 0, 100 -> 2, anything else -> 1) against the coded 0/1/2;
- each coded flag: precision and recall, judged on the coalition-agreement passages only (flags
  are meant for plans; the ones coded on Chamber questions are informative only);
- evidence precision: the share of the product's quotes that overlap a coded quote of the same
  dimension (containment either way, or at least half of the shorter quote's words in common).

Honesty: the classifier is trained on these passages, so ``migrant`` here is *in-sample*; the
cross-validated figures (folds grouped by document) are measured at training time and reported
beside (:mod:`miner.analyse.crossval`). The rubric and lexicons were written with this set in view:
its dimension, flag and evidence figures are development figures, not held-out ones.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from miner.analyse.trainsets import PLAN_PASSAGES
from miner.analyser import Analyser
from miner.errors import ConfigError

DIMENSIONS = (
    "recognition",
    "barriers",
    "intersection",
    "mainstreaming",
    "intergovernmental",
    "target_group",
    "targets_monitoring",
)
#: The flags the codebook codes.
FLAGS = ("ignores_migration_background", "target_group_without_migrants", "excludes_migrants")
#: Passages of this source are parliamentary questions, not plans: their coded flags are not judged.
NOT_PLANS = "chamber-2020"
LANGUAGES = ("nl", "fr")

#: ``analyse(id, text, lang) -> the JSON answer`` of the product.
Answer = Callable[[str, str, str], dict[str, Any]]


def load_passages(corpora: Path) -> list[dict[str, Any]]:
    """The annotated passages; a missing or malformed file is a clear error."""
    path = corpora / PLAN_PASSAGES
    if not path.is_file():
        raise ConfigError(f"annotated plan passages not found: {path} (pass --corpora PATH)")
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    for key in ("id", "lang", "text", "about_migrants", "dims", "flags", "src"):
                        if key not in row:
                            raise KeyError(key)
                    rows.append(row)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"annotated plan passages are malformed ({type(exc).__name__}: {exc})") from exc
    return rows


def level(score: Any) -> int:
    """The product's 0/50/100 as the codebook's 0/1/2."""
    if not score:
        return 0
    return 2 if score >= 100 else 1


def weighted_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's kappa with quadratic weights over the levels 0/1/2 (None when undefined)."""
    n = len(a)
    if not n:
        return None

    def w(i: int, j: int) -> float:
        return (i - j) ** 2 / 4

    observed = sum(w(x, y) for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[i] * cb[j] * w(i, j) for i in range(3) for j in range(3)) / n / n
    return round(1 - observed / expected, 4) if expected else None


def overlaps(quote: str, golds: Sequence[str]) -> bool:
    """True when ``quote`` and one coded quote contain one another or share at least half of the
    shorter one's words (at least two)."""
    q = " ".join(quote.lower().split())
    for g in golds:
        g = " ".join(g.lower().split())
        if not g:
            continue
        shared = len(set(q.split()) & set(g.split()))
        if g in q or q in g or shared >= max(2, min(len(q.split()), len(g.split())) // 2):
            return True
    return False


def _prf(pairs: Sequence[tuple[bool, bool]]) -> dict[str, Any]:
    tp = sum(1 for y, p in pairs if y and p)
    fp = sum(1 for y, p in pairs if p and not y)
    fn = sum(1 for y, p in pairs if y and not p)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if tp + fp + fn else None)
    )
    return {
        "n": len(pairs),
        "positives": tp + fn,
        "predicted": tp + fp,
        "precision": None if precision is None else round(precision, 4),
        "recall": None if recall is None else round(recall, 4),
        "f1": None if f1 is None else round(f1, 4),
    }


def _flags(answer: dict[str, Any]) -> set[str]:
    return {str(f.get("code")) if isinstance(f, dict) else str(f) for f in answer.get("flags") or []}


def _dimension_scores(answer: dict[str, Any]) -> dict[str, Any]:
    dims = answer.get("dimensions") or {}
    if isinstance(dims, list):  # a list of {"name", "score"}
        return {str(d.get("name")): d.get("score") for d in dims if isinstance(d, dict)}
    return {k: (v.get("score") if isinstance(v, dict) else v) for k, v in dims.items()}


def figures(rows: Sequence[dict[str, Any]], answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Every figure for one group of passages given the product's answers by passage id."""
    got = [(r, answers[r["id"]]) for r in rows if r["id"] in answers and not answers[r["id"]].get("error")]
    out: dict[str, Any] = {"n": len(rows), "answered": len(got)}
    out["migrant"] = _prf([(bool(r["about_migrants"]), bool(a.get("migrant"))) for r, a in got])
    kappas: dict[str, Any] = {}
    for d in DIMENSIONS:
        coded = [int(r["dims"].get(d, 0)) for r, _ in got]
        product = [level(_dimension_scores(a).get(d)) for _, a in got]
        kappas[d] = weighted_kappa(coded, product)
    out["kappa"] = kappas
    plans = [(r, a) for r, a in got if r.get("src") != NOT_PLANS]
    out["flags"] = {
        code: _prf([(code in (r.get("flags") or []), code in _flags(a)) for r, a in plans]) for code in FLAGS
    }
    good = total = 0
    for r, a in got:
        for e in a.get("evidence") or []:
            d = e.get("dimension")
            if d not in DIMENSIONS:
                continue
            total += 1
            gold = (r.get("evidence") or {}).get(d)
            golds = [gold] if isinstance(gold, str) else list(gold or [])
            good += int(int(r["dims"].get(d, 0)) > 0 and overlaps(str(e.get("text", "")), golds))
    out["evidence"] = {
        "quotes": total,
        "overlapping": good,
        "precision": round(good / total, 4) if total else None,
    }
    return out


def pipeline_answer(analyser: Analyser) -> Answer:
    """The product's JSON answer for one passage, as ``miner analyse --jsonl`` gives it."""
    from miner.pipeline import analyse_text

    return lambda pid, text, lang: analyse_text(pid, text, lang, analyser=analyser).as_dict()


def evaluate_plans(corpora: Path, answer: Answer, measured: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan-passage report: figures per language and overall, plus the cross-validated
    ``migrant`` figures stored in the model (``measured``, the model file's ``measured`` section)."""
    rows = load_passages(corpora)
    answers = {r["id"]: answer(str(r["id"]), str(r["text"]), str(r["lang"])) for r in rows}
    report: dict[str, Any] = {
        "file": str(corpora / PLAN_PASSAGES),
        "labels": "the project team's expert labels with the codebook (CODEBOOK.md beside the file)",
        "by_language": {lang: figures([r for r in rows if r["lang"] == lang], answers) for lang in LANGUAGES},
        "all": figures(rows, answers),
        "flags_judged_on": f"passages whose src is not {NOT_PLANS} (plan text)",
        "in_sample": "migrant: the classifier is trained on these passages (in-sample); dimensions, flags and "
        "evidence: rules written with this set in view (development figures, not held out)",
    }
    cv = (measured or {}).get("plan_passages")
    if cv:
        report["cross_validated"] = cv
    return report
