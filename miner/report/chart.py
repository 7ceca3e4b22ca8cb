"""A trend report as a chart (``miner report --chart PATH.png|.svg``), drawn with matplotlib.

Grouped by year: the mean score per publication year, one line per group of the other grouping;
otherwise one bar per group. Every point or bar carries the number of documents it rests on; the
footnote gives the totals and how many documents were not scored. Series differ by marker and line
style as well as colour, so the chart reads in grey; a year that is a fetch year (no publication
date known) is drawn as a hollow marker, off the line, and said so in the legend. SVG keeps its
text as text (searchable, and what the tests read).

Library API: :func:`draw_chart` ``(report, path) -> Path``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from miner.report.dates import FETCHED
from miner.report.trends import TrendReport

#: Line colours of distinct lightness (Okabe-Ito, black first), with a marker and a dash each.
STYLES = (
    ("#000000", "o", "-"),
    ("#0072B2", "s", "--"),
    ("#D55E00", "^", ":"),
    ("#009E73", "D", "-."),
    ("#CC79A7", "v", "-"),
    ("#E69F00", "P", "--"),
    ("#56B4E9", "X", ":"),
)
FORMATS = (".png", ".svg")


def chart_title(report: TrendReport) -> str:
    """The chart's title (also what a test looks for in the SVG)."""
    if "year" in report.by:
        other = [b for b in report.by if b != "year"]
        return "Mean mainstreaming score per publication year" + (f", by {other[0]}" if other else "")
    return f"Mean mainstreaming score by {' and '.join(report.by)}"


def draw_chart(report: TrendReport, path: str | Path) -> Path:
    """Draw ``report`` to ``path`` (.png or .svg); ValueError for another suffix or no figures."""
    import matplotlib
    from matplotlib.figure import Figure

    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"a chart is written as {' or '.join(FORMATS)}, not {path.suffix or 'no suffix'!r}")
    drawable = [r for r in report.rows if r["mean_score"] is not None]
    if not drawable:
        raise ValueError("no scored in-scope documents to chart")
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 10}):
        # Bars: the figure grows with the groups, so that two bars are not two slabs.
        height = 5.6 if "year" in report.by else min(12.0, max(3.6, 1.8 + 0.45 * len(report.rows)))
        fig = Figure(figsize=(9, height), dpi=110, layout="constrained")
        if "year" in report.by:
            series = _series(report)
            grid = fig.add_gridspec(2, 1, height_ratios=[5, 0.9 + 0.32 * len(series)])
            ax = fig.add_subplot(grid[0])
            _years(ax, report, series)
            _count_table(fig.add_subplot(grid[1]), series)
        else:
            ax = fig.add_subplot()
            _bars(ax, report)
        ax.set_title(chart_title(report), fontsize=13, fontweight="bold", loc="left")
        t = report.totals
        note = (
            f"In all: {t['documents']} documents, {t['scored']} scored ({t['in_scope']} in scope: about "
            f"employment or education), {t['not_scored']} not scored (errors, scans without OCR, no "
            "lexicon for the language: counted apart, never averaged as 0)."
        )
        fig.supxlabel(textwrap.fill(note, 150), x=0.01, ha="left", fontsize=8, color="#333333")
        fig.savefig(path, format=path.suffix[1:].lower())
    return path


def _series_key(report: TrendReport, row: dict[str, Any]) -> str:
    other = [b for b in report.by if b != "year"]
    return str(row[other[0]]) if other else "all documents"


def _series(report: TrendReport) -> dict[str, list[dict[str, Any]]]:
    """The rows with a year and a mean, per series (the other grouping), in name order."""
    series: dict[str, list[dict[str, Any]]] = {}
    for row in report.rows:
        if row["year"] is not None and row["mean_score"] is not None:
            series.setdefault(_series_key(report, row), []).append(row)
    return dict(sorted(series.items()))


def _years(ax: Any, report: TrendReport, series: dict[str, list[dict[str, Any]]]) -> None:
    fetched_shown = False
    years: set[int] = set()
    for i, (name, rows) in enumerate(series.items()):
        colour, marker, dash = STYLES[i % len(STYLES)]
        published = [r for r in rows if r["year_source"] != FETCHED]
        fetched = [r for r in rows if r["year_source"] == FETCHED]
        years |= {r["year"] for r in rows}
        style = {"color": colour, "marker": marker, "markersize": 8}
        if published:
            ax.plot(
                [r["year"] for r in published],
                [r["mean_score"] for r in published],
                linestyle=dash,
                linewidth=2,
                label=name,
                **style,
            )
        if fetched:
            ax.plot(
                [r["year"] for r in fetched],
                [r["mean_score"] for r in fetched],
                linestyle="none",
                markerfacecolor="white",
                markeredgewidth=2,
                label=None if published else name,
                **style,
            )
            fetched_shown = True
    if fetched_shown:
        ax.plot([], [], color="#555555", marker="o", linestyle="none", markerfacecolor="white",
                markeredgewidth=2, label="hollow: fetch year\n(no publication date)")  # fmt: skip
    ax.set_xlabel("Publication year")
    ax.set_ylabel("Mean score (0-100)\nscored in-scope documents")
    ax.set_ylim(0, 100)
    ordered = sorted(years)
    if ordered[-1] - ordered[0] < 30:  # as the count table below: one column per year of the span
        ordered = list(range(ordered[0], ordered[-1] + 1))
    ax.set_xticks(ordered, [str(y) for y in ordered])
    ax.set_xlim(ordered[0] - 0.5, ordered[-1] + 0.5)
    ax.grid(True, axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    ax.legend(
        title=_legend_title(report), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False
    )


def _count_table(ax: Any, series: dict[str, list[dict[str, Any]]]) -> None:
    """Beside the lines: how many scored in-scope documents each point rests on."""
    present = sorted({r["year"] for rows in series.values() for r in rows})
    # Every year of the span, so that each column stands under its year on the axis above.
    years = list(range(present[0], present[-1] + 1)) if present[-1] - present[0] < 30 else present
    cells = []
    for rows in series.values():
        by_year: dict[int, list[str]] = {}
        for r in rows:
            by_year.setdefault(r["year"], []).append(
                str(r["in_scope"]) + ("*" if r["year_source"] == FETCHED else "")
            )
        cells.append([" + ".join(by_year.get(y, [])) or "-" for y in years])
    ax.axis("off")
    table = ax.table(
        cellText=cells,
        rowLabels=list(series),
        colLabels=[str(y) for y in years],
        loc="upper center",
        cellLoc="center",
        edges="horizontal",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    ax.set_title(
        "Documents behind each point (scored, in scope; * fetch year)",
        fontsize=8,
        loc="left",
        color="#333333",
    )


def _legend_title(report: TrendReport) -> str:
    other = [b for b in report.by if b != "year"]
    return other[0] if other else "documents"


def _bars(ax: Any, report: TrendReport) -> None:
    rows = report.rows
    levels = {r["government"]: r["level"] for r in report.levels} if report.by == ("government",) else {}
    labels = [" / ".join(str(r[b]) for b in report.by) for r in rows]
    means = [r["mean_score"] or 0 for r in rows]
    positions = list(range(len(rows)))[::-1]
    bars = ax.barh(positions, means, color="#4d4d4d", edgecolor="black", height=0.6, label="mean score")
    for bar, r in zip(bars, rows, strict=True):
        note = "no scored in-scope document" if r["mean_score"] is None else f"{r['mean_score']:.1f}"
        note += f"   n={r['in_scope']} in scope of {r['documents']} docs"
        if r["not_scored"]:
            note += f", {r['not_scored']} not scored"
        if levels.get(r.get("government")):
            note += f"; level: {levels[r['government']]}"
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, note, va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, 150)
    ax.set_xticks(range(0, 101, 20))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("Mean score of scored in-scope documents (0-100)")
    ax.set_ylabel(" / ".join(report.by).capitalize())
    ax.grid(True, axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
