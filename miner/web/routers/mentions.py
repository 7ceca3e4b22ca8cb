"""Mentions: a term's keyword-in-context lines and its counts per government and year.

Built on the report library (:func:`miner.report.mentions.search_mentions` and
:func:`~miner.report.mentions.count_mentions` over the store's full-text paragraph search); the year
of a mention is its document's publication year, else the year it was fetched.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from miner.report.mentions import as_terms, count_mentions, search_mentions
from miner.store.repository import Repository
from miner.store.search import SearchFilter
from miner.watchlists import MAX_NAME
from miner.web import charts, i18n, labels, schemas
from miner.web.deps import repository
from miner.web.render import language_of, render
from miner.web.routers.watchlists import mentions_link, watchlists_of
from miner.web.schemas import GovernmentCode
from miner.web.views import document_link

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]
#: Keyword-in-context lines a page shows (the counts cover every mention found).
PAGE_LINES = 200


def search(
    store: Repository,
    term: str,
    government: str | None,
    limit: int,
    width: int,
    *,
    terms: list[str] | None = None,
) -> schemas.Mentions:
    """The first ``limit`` matching paragraphs with their mentions, and the counts over all of them
    (of ``terms`` when given, a watchlist's, else of ``term``)."""
    filters = SearchFilter(government=government)
    terms = terms or [term]
    page = search_mentions(store, terms, filters=filters, limit=limit, width=width)
    refs = store.documents_by_url([m.url for m in page.mentions])
    items = []
    for m in page.mentions:
        ref = refs.get(m.url)
        items.append(
            schemas.Mention(
                document_id=ref.id if ref else None,
                link=document_link(ref.id) + f"#p{m.paragraph}" if ref else None,
                url=m.url,
                title=m.title,
                government=m.government,
                year=int(m.date[:4]) if m.date else None,
                page=m.page,
                paragraph=m.paragraph,
                language=m.language,
                section=m.section,
                left=m.left,
                match=m.match,
                right=m.right,
            )
        )
    counts = [
        schemas.MentionCount(government=r["government"], year=r["year"], count=r["mentions"])
        for r in count_mentions(store, terms, ["government", "year"], filters=filters)
    ]
    return schemas.Mentions(
        term=term.strip(),
        total=sum(c.count for c in counts),
        paragraphs_searched=page.total_paragraphs,
        truncated=page.next_cursor is not None,
        counts=counts,
        items=items,
    )


Term = Annotated[
    str, Query(min_length=1, max_length=100, description="Word or phrase; accents and case ignored.")
]
Government = Annotated[GovernmentCode | None, Query(description="Only this government's documents.")]
Limit = Annotated[int, Query(ge=1, le=5000, description="Matching paragraphs listed at most.")]
Width = Annotated[int, Query(ge=0, le=400, description="Characters of context each side.")]


@router.get(
    "/api/mentions",
    response_model=schemas.Mentions,
    tags=["mentions"],
    summary="Mentions of a term",
    responses=schemas.READ_ERRORS,
)
def api_mentions(
    term: Term, store: Store, government: Government = None, limit: Limit = 1000, width: Width = 80
) -> schemas.Mentions:
    """Every mention of `term` in the stored documents (keyword in context, with page and paragraph;
    compounds found: "inburgering" in "inburgeringstraject"), and the counts per government and year."""
    return search(store, term, government, limit, width)


def chart_of(result: schemas.Mentions) -> tuple[charts.Chart | None, list[Any], list[str]]:
    """The counts as a chart (years across, a bar per government), its table rows and its years."""
    years = sorted({c.year for c in result.counts}, key=lambda y: (y is None, y or 0))
    governments = sorted({c.government for c in result.counts})
    by = {(c.government, c.year): c.count for c in result.counts}
    year_names = [str(y) if y is not None else "?" for y in years]
    if not result.counts:
        return None, [], year_names
    series = [(labels.government(g), [float(by.get((g, y), 0)) for y in years]) for g in governments]
    table = [
        (g, [by.get((g, y), 0) for y in years], sum(by.get((g, y), 0) for y in years)) for g in governments
    ]
    return charts.grouped_bars(year_names, series, integers=True), table, year_names


@router.get("/mentions", response_class=HTMLResponse, include_in_schema=False)
def page_mentions(
    request: Request,
    store: Store,
    term: Annotated[str, Query(max_length=100)] = "",
    government: Annotated[str, Query(max_length=20)] = "",
    watchlist: Annotated[str, Query(max_length=MAX_NAME)] = "",
) -> HTMLResponse:
    chosen = government if government in labels.GOVERNMENTS else None
    lists = watchlists_of(store)
    followed = next((w for w in lists if w.name == watchlist.strip()), None) if not term.strip() else None
    result: schemas.Mentions | None = None
    if followed is not None and followed.terms:  # every term of the watchlist at once
        terms = [str(t) for t in followed.terms]
        result = search(store, ", ".join(terms), chosen, PAGE_LINES, 80, terms=terms)
    elif as_terms([term]):
        result = search(store, term, chosen, PAGE_LINES, 80)
    with i18n.activate(language_of(request)):  # the chart's legend and labels, in the reader's language
        chart, table, years = chart_of(result) if result else (None, [], [])
    return render(
        request,
        "mentions.html",
        {
            "term": term.strip(),
            "government": chosen or "",
            "governments": list(labels.GOVERNMENTS),
            "result": result,
            "lines": result.items[:PAGE_LINES] if result else [],
            "counts_chart": chart,
            "table": table,
            "years": years,
            "watchlists": lists,
            "watchlist": followed.name if followed else "",
            "term_link": mentions_link,
        },
    )
