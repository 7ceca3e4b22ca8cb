"""Analysts' reviews as extra gold labels: how often each flag was right where people looked.

A review in force confirms or dismisses a flag the product raised on one version of a document
(:meth:`~miner.store.reviews.ReviewStore.iter_review_labels`). That is a label on a *raised* flag
only -- a confirmed flag is a true positive, a dismissed one a false positive; a flag the product
missed is never reviewed -- so reviews measure a flag's **precision**, never its recall. They are
counted apart from the annotated plan passages (whose coders saw every passage) and, where those
were measured too, beside them: the two precisions pooled, each label counted once.

The reviews are not a random sample (analysts review what they doubt, or what matters to them):
the report says how many labels and reviewers each figure rests on, so that a reader can weigh it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from miner.rubric import FLAG_CODES
from miner.store.reviews import ReviewLabel

HOW = (
    "reviews in force (the latest per document and flag) of the store's documents: a confirmed flag "
    "is a true positive, a dismissed one a false positive; precision only (a missed flag is never "
    "reviewed); analysts choose what they review, so these are not a random sample"
)


def _precision(confirmed: int, dismissed: int) -> float | None:
    return round(confirmed / (confirmed + dismissed), 4) if confirmed + dismissed else None


def _figures(confirmed: int, dismissed: int, documents: int, reviewers: int) -> dict[str, Any]:
    return {
        "reviewed": confirmed + dismissed,
        "confirmed": confirmed,
        "dismissed": dismissed,
        "precision": _precision(confirmed, dismissed),
        "documents": documents,
        "reviewers": reviewers,
    }


def review_figures(labels: Iterable[ReviewLabel], plan_flags: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per flag code and in all: reviewed, confirmed, dismissed, precision, and how many documents
    and reviewers that rests on. ``plan_flags``: the plan-passage figures per flag
    (``evaluate_plans(...)["all"]["flags"]``) to pool with, when they were measured."""
    counts: dict[str, list[int]] = {}
    documents: dict[str, set[int]] = {}
    reviewers: dict[str, set[str]] = {}
    for label in labels:
        c = counts.setdefault(label.flag_code, [0, 0])
        c[0 if label.confirmed else 1] += 1
        documents.setdefault(label.flag_code, set()).add(label.document_id)
        reviewers.setdefault(label.flag_code, set()).add(label.reviewer)
    codes = [c for c in FLAG_CODES if c in counts] + sorted(set(counts) - set(FLAG_CODES))
    flags = {
        code: _figures(counts[code][0], counts[code][1], len(documents[code]), len(reviewers[code]))
        for code in codes
    }
    every_doc: set[int] = set().union(*documents.values())
    every_reviewer: set[str] = set().union(*reviewers.values())
    total = _figures(
        sum(c[0] for c in counts.values()),
        sum(c[1] for c in counts.values()),
        len(every_doc),
        len(every_reviewer),
    )
    if plan_flags:
        for code, fig in flags.items():
            fig["pooled_with_plans"] = pooled(fig, plan_flags.get(code))
    return {"labels": total["reviewed"], "all": total, "flags": flags, "how": HOW}


def pooled(reviews: dict[str, Any], plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """The precision of a flag over the plan passages' raised flags and the reviews together."""
    if not plan or not plan.get("predicted") or plan.get("precision") is None:
        return None
    plan_tp = round(plan["precision"] * plan["predicted"])
    tp, raised = plan_tp + reviews["confirmed"], plan["predicted"] + reviews["reviewed"]
    return {"raised": raised, "precision": round(tp / raised, 4) if raised else None}
