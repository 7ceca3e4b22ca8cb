"""Trends: documents, mean score, share about migrants and flags per government and year.

Built on the report library (:func:`miner.report.trends.build_report` by government and year, and by
government), over every stored document read page by page; a year is the publication year, else the
year the document was fetched (``year_source`` says which).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from miner.report.trends import build_report
from miner.store.repository import Repository
from miner.web import charts, i18n, labels, schemas
from miner.web.deps import repository
from miner.web.render import language_of, render

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]


def _row(r: dict[str, Any], year: str) -> schemas.TrendRow:
    return schemas.TrendRow(
        government=r["government"],
        year=year,
        year_source=r.get("year_source"),
        documents=r["documents"],
        scored=r["scored"],
        not_scored=r["not_scored"],
        mean_score=r["mean_score"],
        migrant_share=r["migrant_share"],
        flagged=r["flagged"],
        flags=r["flags"],
    )


def trends(store: Repository) -> schemas.Trends:
    rows = [
        _row(r, "?" if r["year"] is None else str(r["year"]))
        for r in build_report(store, ["government", "year"]).rows
    ]
    totals = [_row(r, "all") for r in build_report(store, ["government"]).rows]
    return schemas.Trends(rows=rows, totals=totals)


@router.get(
    "/api/trends",
    response_model=schemas.Trends,
    tags=["trends"],
    summary="Figures per government and year",
    responses=schemas.READ_ERRORS,
)
def api_trends(store: Store) -> schemas.Trends:
    """Per government and year: documents, how many were scored, their mean score, the share of the
    scored ones about people with a migration background, how many were flagged, and the flags."""
    return trends(store)


def _sections(result: schemas.Trends) -> list[dict[str, Any]]:
    """A section per government: its rows by year and a chart of the mean score per year."""
    sections = []
    for total in result.totals:
        rows = [r for r in result.rows if r.government == total.government]
        years = [r.year for r in rows]
        chart = charts.grouped_bars(
            years,
            [(labels.government(total.government), [r.mean_score for r in rows])],
            width=420,
            height=200,
            maximum=100.0,
        )
        sections.append({"total": total, "rows": rows, "chart": chart})
    return sections


def _overview(result: schemas.Trends) -> charts.Chart | None:
    """Mean score per year, a bar per government, over every government together."""
    if not result.rows:
        return None
    years = sorted({r.year for r in result.rows})
    governments = [t.government for t in result.totals]
    means = {(r.government, r.year): r.mean_score for r in result.rows}
    series = [(labels.government(g), [means.get((g, y)) for y in years]) for g in governments]
    return charts.grouped_bars(years, series, maximum=100.0)


@router.get("/trends", response_class=HTMLResponse, include_in_schema=False)
def page_trends(request: Request, store: Store) -> HTMLResponse:
    result = trends(store)
    with i18n.activate(language_of(request)):  # the charts' legends and labels, in the reader's language
        sections, overview = _sections(result), _overview(result)
    return render(request, "trends.html", {"result": result, "sections": sections, "overview": overview})
