"""A trend report as Markdown or plain text (the command line's ``--format md``, the e-mailed report),
and its rows flattened for CSV.

Library API: :func:`render_markdown` ``(report) -> str``, :func:`render_text` ``(report) -> str``,
:func:`flat_row` ``(row) -> dict`` (one CSV column per dimension's coverage).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from miner.report.levels import MIN_DOCUMENTS
from miner.report.trends import TrendReport

#: What a report's columns mean, for readers of the Markdown and text renderings.
LEGEND = (
    "docs: documents in the group; scored / not scored: counted apart, never averaged as 0; "
    "in scope: scored documents about employment or education; mean: mean score (0-100) of those; "
    "flagged: share of scored documents with a flag; year: publication year, or the fetch year "
    "where none is known (marked *fetched*)."
)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _key_cells(report: TrendReport, row: dict[str, Any]) -> list[str]:
    cells = []
    for name in report.by:
        if name == "year":
            year = "unknown" if row["year"] is None else str(row["year"])
            cells.append(year + (" (fetched)" if row.get("year_source") == "fetched" else ""))
        else:
            cells.append(str(row[name]))
    return cells


def _reasons(row: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in row["not_scored_reasons"].items())


def report_table(report: TrendReport) -> tuple[list[str], list[list[str]]]:
    """The rows as a header and cells (strings), as every text rendering shows them."""
    header = [*report.by, "docs", "scored", "not scored", "in scope", "mean", "flagged", "top flags"]
    cells = []
    for row in report.rows:
        top = ", ".join(f"{k} ({v})" for k, v in list(row["flags"].items())[:3])
        not_scored = str(row["not_scored"]) + (f" ({_reasons(row)})" if row["not_scored"] else "")
        cells.append(
            [
                *_key_cells(report, row),
                str(row["documents"]),
                str(row["scored"]),
                not_scored,
                str(row["in_scope"]),
                "" if row["mean_score"] is None else f"{row['mean_score']:.1f}",
                _pct(row["flagged_share"]),
                top,
            ]
        )
    return header, cells


def levels_table(report: TrendReport) -> tuple[list[str], list[list[str]]]:
    header = ["government", "level", "docs", "mean", "recognition", "mechanism", "barriers", "targets"]
    cells = [
        [
            r["government"],
            r["level"] or f"- (under {MIN_DOCUMENTS} docs)",
            str(r["documents"]),
            "" if r["mean_score"] is None else f"{r['mean_score']:.1f}",
            _pct(r["recognition_tied"]),
            _pct(r["mainstreaming_tied"]),
            _pct(r["barriers_tied"]),
            _pct(r["targets_monitoring_tied"]),
        ]
        for r in report.levels
    ]
    return header, cells


def coverage_table(report: TrendReport) -> tuple[list[str], list[list[str]]]:
    names = list(report.rows[0]["coverage"]) if report.rows else []
    header = [*report.by, *names]
    cells = [[*_key_cells(report, r), *(_pct(r["coverage"][n]) for n in names)] for r in report.rows]
    return header, cells


def _md(header: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in cells]
    return "\n".join(lines)


def _title(report: TrendReport) -> str:
    scope = ", ".join(f"{k} {v}" for k, v in report.filters.items() if v)
    return f"Trends by {' and '.join(report.by)}" + (f" ({scope})" if scope else "")


def _totals_line(report: TrendReport) -> str:
    t = report.totals
    return (
        f"{t['documents']} documents: {t['scored']} scored ({t['in_scope']} in scope), "
        f"{t['not_scored']} not scored."
    )


def render_markdown(report: TrendReport) -> str:
    """The report as Markdown: figures, coverage of each dimension, the level per government."""
    parts = [f"# {_title(report)}", "", _totals_line(report), ""]
    if not report.rows:
        return "\n".join([*parts, "No documents stored yet.", ""])
    parts += [_md(*report_table(report)), "", f"*{LEGEND}*", ""]
    parts += [
        "## Coverage of each dimension",
        "",
        "Share of scored documents where the dimension is above 0.",
        "",
    ]
    parts += [_md(*coverage_table(report)), ""]
    parts += ["## Mainstreaming level per government", ""]
    parts += [
        "Over scored in-scope documents; shares of documents whose dimension is tied to people with "
        "a migration background (thresholds: docs/reports.md).",
        "",
        _md(*levels_table(report)),
        "",
    ]
    return "\n".join(parts)


def _text_table(header: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def render_text(report: TrendReport) -> str:
    """The report as plain text (an e-mail body): the same tables as :func:`render_markdown`."""
    parts = [_title(report), _totals_line(report), ""]
    if not report.rows:
        return "\n".join([*parts, "No documents stored yet.", ""])
    parts += [_text_table(*report_table(report)), "", LEGEND, ""]
    parts += ["Coverage of each dimension (share of scored documents above 0)", ""]
    parts += [_text_table(*coverage_table(report)), ""]
    parts += ["Mainstreaming level per government (tied shares; thresholds: docs/reports.md)", ""]
    parts += [_text_table(*levels_table(report)), ""]
    return "\n".join(parts)


def flat_row(row: dict[str, Any]) -> dict[str, Any]:
    """A report row for CSV: coverage as ``coverage_<dimension>`` columns, reasons and flags as
    ``name:count`` lists."""
    out = {k: v for k, v in row.items() if k not in ("coverage", "not_scored_reasons", "flags")}
    out["not_scored_reasons"] = [f"{k}:{v}" for k, v in row["not_scored_reasons"].items()]
    out["flags"] = [f"{k}:{v}" for k, v in row["flags"].items()]
    out.update({f"coverage_{k}": v for k, v in row["coverage"].items()})
    return out
