"""The home page: the newest documents and the latest changes, with their flags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from miner.store.repository import Repository
from miner.web import views
from miner.web.deps import repository
from miner.web.render import render

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]
#: Documents and changes the home page shows.
HOME_ITEMS = 8


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, store: Store) -> HTMLResponse:
    newest = store.browse(limit=HOME_ITEMS)
    flagged = store.browse(views.filters_flagged(), limit=1)
    return render(
        request,
        "home.html",
        {
            "newest": [views.item(d) for d in newest.items],
            "total": newest.total or 0,
            "flagged": flagged.total or 0,
            "changes": store.recent_versions(HOME_ITEMS),
            "sources": len(store.source_names()),
        },
    )
