"""What ``miner documents`` and ``miner failures`` show: their table columns and CSV fields.

Kept apart from the commands (in :mod:`miner.cli.crawl`) so that how a listing reads and how its
rows are fetched change independently. JSON and CSV use the rows' own field names
(``DocumentListing.as_dict`` of the store, the dead-letter table's columns); the table shows what a person needs at 80 columns, the rest with ``--wide``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from miner.cli.table import Column, Fit, Line


def _when(value: Any) -> str:
    """A stored time to the minute, in UTC (the store writes UTC; SQLite gives it back without a zone)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")[:16]


def _document(r: Any) -> list[str | Line]:
    lines: list[str | Line] = []
    if r.title:
        lines.append(Line(r.title, Fit.WRAP, max_lines=2))
    lines.append(Line(r.url, Fit.URL))
    if r.error:
        lines.append(Line(f"error: {r.error}", Fit.END))
    return lines


DOCUMENT_COLUMNS: tuple[Column[Any], ...] = (
    Column("document", _document, min_width=24),
    Column("lang", lambda r: r.language or "", shrink=False),
    Column("score", lambda r: "" if r.score is None else str(r.score), shrink=False, justify="right"),
    Column("flags", lambda r: ", ".join(r.flags), fit=Fit.WRAP),
    Column("migrant", lambda r: {True: "yes", False: "no"}.get(r.migrant, ""), wide_only=True),
    Column("relevance", lambda r: "" if r.relevance is None else f"{r.relevance:.2f}", wide_only=True),
    Column("government", lambda r: r.government, wide_only=True),
    Column("source", lambda r: r.source_id, wide_only=True),
    Column("kind", lambda r: r.kind or "", wide_only=True),
    Column("hash", lambda r: (r.content_hash or "")[:12], wide_only=True),
    Column("fetched", lambda r: _when(r.fetched_at), wide_only=True),
)

FAILURE_COLUMNS: tuple[Column[Any], ...] = (
    Column("when (UTC)", lambda r: _when(r["last_seen_at"]), shrink=False),
    Column("subject", lambda r: str(r["subject"]), fit=Fit.URL, min_width=20),
    Column("error", lambda r: f"{r['error_code']}: {r['message']}", min_width=20),
    Column("tries", lambda r: str(r["attempts"]), shrink=False, justify="right"),
    Column("task", lambda r: r["task"], wide_only=True),
    Column("run", lambda r: str(r.get("run_id") or ""), wide_only=True),
    Column("first seen", lambda r: _when(r.get("created_at")), wide_only=True),
)
