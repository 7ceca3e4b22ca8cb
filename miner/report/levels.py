"""A level of mainstreaming per government: none, light, partial or strong, from the evidence.

The policy paper behind the product rates each Belgian government by whether integration of people
with a migration background is built into its employment and education policy ("federal: none;
Flanders: light"). The product states the same from its scores, over the government's scored,
in-scope plans (employment or education), using the dimensions *tied to the group* (score 100: the
plan names people with a migration background in the same sentence or paragraph as the measure):

=========  ====================================================================================
level      rule (shares of the government's scored in-scope documents)
=========  ====================================================================================
strong     recognition >= 50 %, mainstreaming mechanism >= 50 % and targets/monitoring >= 25 %
partial    recognition >= 50 %, and mainstreaming mechanism >= 20 % or barriers >= 50 %
light      recognition >= 20 %, or any plan with a mainstreaming mechanism tied to the group
none       otherwise
=========  ====================================================================================

Fewer than :data:`MIN_DOCUMENTS` such documents give no level ("too few documents"): a level
from one plan would be an anecdote. Why these thresholds: docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from miner.store.reports import DocumentFacts

#: Domains a plan must be about for its score to count (the scope of the product's flags).
IN_SCOPE_DOMAINS = ("employment", "education")
#: The levels, weakest first.
LEVELS = ("none", "light", "partial", "strong")
#: Fewest scored in-scope documents a government needs for a level.
MIN_DOCUMENTS = 3
#: A dimension counts as tied to the group at this score.
TIED = 100
#: The dimensions the levels read (names of the rubric's dimensions).
RECOGNITION, BARRIERS, MECHANISM, TARGETS = "recognition", "barriers", "mainstreaming", "targets_monitoring"
TIED_DIMENSIONS = (RECOGNITION, BARRIERS, MECHANISM, TARGETS)
#: The fields of a level row, in order.
LEVEL_FIELDS = (
    "government",
    "level",
    "documents",
    "mean_score",
    *(f"{k}_tied" for k in TIED_DIMENSIONS),
    "basis",
)
STRONG = {RECOGNITION: 0.5, MECHANISM: 0.5, TARGETS: 0.25}
PARTIAL_RECOGNITION, PARTIAL_MECHANISM, PARTIAL_BARRIERS = 0.5, 0.2, 0.5
LIGHT_RECOGNITION = 0.2


def in_scope(f: DocumentFacts) -> bool:
    """A plan about employment or education (as the analysis detected it in the text)."""
    return any(d in IN_SCOPE_DOMAINS for d in f.domains)


def level_of(shares: dict[str, float], documents: int) -> tuple[str | None, str]:
    """The level for these tied-dimension shares over ``documents`` documents, and why."""
    if documents < MIN_DOCUMENTS:
        return None, f"too few documents: {documents} scored in scope, a level needs {MIN_DOCUMENTS}"
    r, b, m, t = (shares.get(k, 0.0) for k in (RECOGNITION, BARRIERS, MECHANISM, TARGETS))
    said = f"recognition {r:.0%}, mechanism {m:.0%}, barriers {b:.0%}, targets {t:.0%}"
    if all(shares.get(k, 0.0) >= v for k, v in STRONG.items()):
        return "strong", said
    if r >= PARTIAL_RECOGNITION and (m >= PARTIAL_MECHANISM or b >= PARTIAL_BARRIERS):
        return "partial", said
    if r >= LIGHT_RECOGNITION or m > 0:
        return "light", said
    return "none", said


@dataclass
class _Counts:
    documents: int = 0
    score_sum: int = 0
    tied: dict[str, int] = field(default_factory=dict)


class LevelCounter:
    """Counts, per government, the scored in-scope documents and their tied dimensions."""

    def __init__(self) -> None:
        self.governments: dict[str, _Counts] = {}

    def see(self, government: str) -> None:
        """A government with documents, scored or not: it gets a row (without a level if need be)."""
        self.governments.setdefault(government, _Counts())

    def add(self, f: DocumentFacts) -> None:
        """Count ``f``, a *scored* document (the caller applies the not-scored rule)."""
        counts = self.governments.setdefault(f.government, _Counts())
        if not in_scope(f):
            return
        counts.documents += 1
        counts.score_sum += f.score or 0
        for name, value in f.dimensions.items():
            if value >= TIED:
                counts.tied[name] = counts.tied.get(name, 0) + 1

    def rows(self) -> list[dict[str, Any]]:
        """Per government: ``level`` (None: too few documents), ``documents`` it rests on,
        ``mean_score``, the tied shares it was decided on, and ``basis`` in words."""
        out = []
        for government in sorted(self.governments):
            c = self.governments[government]
            shares = {
                k: round(c.tied.get(k, 0) / c.documents, 3) if c.documents else 0.0 for k in TIED_DIMENSIONS
            }
            level, basis = level_of(shares, c.documents)
            out.append(
                {
                    "government": government,
                    "level": level,
                    "documents": c.documents,
                    "mean_score": round(c.score_sum / c.documents, 1) if c.documents else None,
                    **{f"{k}_tied": v for k, v in shares.items()},
                    "basis": basis,
                }
            )
        return out


def government_levels(scored: Iterable[DocumentFacts]) -> list[dict[str, Any]]:
    """:meth:`LevelCounter.rows` over ``scored`` documents."""
    counter = LevelCounter()
    for f in scored:
        counter.add(f)
    return counter.rows()
