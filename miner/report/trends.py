"""Figures per government, source, language or year over the stored documents (for analysts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from miner.store.repository import DocumentListing

GROUPINGS = ("government", "source", "language", "year")


def _key(d: DocumentListing, by: str) -> str:
    if by == "government":
        return d.government
    if by == "source":
        return d.source_id
    if by == "language":
        return d.language or "unknown"
    return str(d.fetched_at.year) if d.fetched_at else "unknown"


def summarise(documents: Iterable[DocumentListing], by: str) -> list[dict[str, Any]]:
    """One row per group: documents, scored, mean score, share about migrants, flagged, top flags."""
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}, not {by!r}")
    groups: dict[str, list[DocumentListing]] = {}
    for d in documents:
        groups.setdefault(_key(d, by), []).append(d)
    rows: list[dict[str, Any]] = []
    for key in sorted(groups):
        docs = groups[key]
        scored = [d for d in docs if d.score is not None]
        flag_counts: dict[str, int] = {}
        for d in docs:
            for f in d.flags:
                flag_counts[f] = flag_counts.get(f, 0) + 1
        rows.append(
            {
                by: key,
                "documents": len(docs),
                "scored": len(scored),
                "mean_score": round(sum(d.score or 0 for d in scored) / len(scored), 1) if scored else None,
                "migrant_share": round(sum(1 for d in scored if d.migrant) / len(scored), 3)
                if scored
                else None,
                "flagged": sum(1 for d in docs if d.flags),
                "flags": dict(sorted(flag_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            }
        )
    return rows
