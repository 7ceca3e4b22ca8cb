"""Sources and their health: the last run, the documents stored, the failures recorded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from miner.changes import source_checks
from miner.store.repository import Repository
from miner.web import schemas, views
from miner.web.deps import repository
from miner.web.render import render

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]


@router.get(
    "/api/sources",
    response_model=schemas.Sources,
    tags=["sources"],
    summary="Sources and their health",
    responses=schemas.READ_ERRORS,
)
def api_sources(store: Store) -> schemas.Sources:
    """Every source as last crawled: `status` is `ok`, `degraded` (some URLs of the last run failed),
    `failing` (the source as a whole failed), `running` or `never` (not crawled yet); `health`: its
    last success, documents found per run and warnings (silent for longer than its cadence predicts,
    a sharp drop in documents found, a failed run)."""
    return schemas.Sources(items=_sources(store))


def _sources(store: Repository) -> list[schemas.Source]:
    checks = source_checks(store)
    return [views.source(s, checks.get(s.id)) for s in store.sources_health()]


@router.get("/sources", response_class=HTMLResponse, include_in_schema=False)
def page_sources(request: Request, store: Store) -> HTMLResponse:
    return render(request, "sources.html", {"sources": _sources(store)})
