"""Watchlists: named sets of terms (with Dutch and French variants) that mentions and alerts follow.

Reading them is open like every read; making, extending and removing them are writes (a write
token, checked by the guard and again by :func:`~miner.web.access.writer`). The library is
:mod:`miner.watchlists` (the same one ``miner watchlist`` uses), so a list made here is the list
the command line and the alerts read. The mentions page shows them (:func:`watchlists_of`) with a
form to add terms.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Response
from fastapi.responses import RedirectResponse

from miner import watchlists as wl
from miner.store.repository import Repository
from miner.store.tokens import TokenInfo
from miner.web import schemas
from miner.web.access import bearer, writer
from miner.web.deps import repository

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]
Writer = Annotated[TokenInfo, Depends(writer)]
Name = Annotated[str, Path(min_length=1, max_length=wl.MAX_NAME, description="The watchlist's name.")]
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": schemas.Problem, "description": "No watchlist by that name."}
}
#: Most terms one form or request adds (a watchlist is a handful of words and their variants).
MAX_TERMS = 100


def mentions_link(term: wl.Term) -> str:
    """The mentions page of a term (``nl:inburgering`` keeps its language)."""
    return "/mentions?term=" + quote(str(term), safe=":")


def as_schema(found: wl.Watchlist) -> schemas.Watchlist:
    return schemas.Watchlist(
        name=found.name,
        terms=[schemas.WatchlistTerm(term=t.text, language=t.language) for t in found.terms],
        mentions=["/api" + mentions_link(t) for t in found.terms],
    )


def watchlists_of(store: Repository) -> list[wl.Watchlist]:
    """Every watchlist with its terms, by name (a handful: one read each is cheap)."""
    found = (wl.get_watchlist(store, name) for name, _ in wl.list_watchlists(store))
    return [w for w in found if w is not None]


@router.get(
    "/api/watchlists",
    response_model=list[schemas.Watchlist],
    tags=["watchlists"],
    summary="Every watchlist",
    responses=schemas.READ_ERRORS,
)
def api_watchlists(store: Store) -> list[schemas.Watchlist]:
    """Every watchlist with its terms, by name."""
    return [as_schema(w) for w in watchlists_of(store)]


@router.get(
    "/api/watchlists/{name}",
    response_model=schemas.Watchlist,
    tags=["watchlists"],
    summary="One watchlist",
    responses={**NOT_FOUND, **schemas.READ_ERRORS},
)
def api_watchlist(name: Name, store: Store) -> schemas.Watchlist:
    """A watchlist's terms, in the order they were added."""
    found = wl.get_watchlist(store, name)
    if found is None:
        raise HTTPException(404, "no watchlist by that name")
    return as_schema(found)


@router.post(
    "/api/watchlists",
    response_model=schemas.Watchlist,
    status_code=201,
    tags=["watchlists"],
    summary="Create a watchlist or add terms to it",
    dependencies=[Depends(bearer)],
    responses={
        422: {"model": schemas.Problem, "description": "A name or term is empty."},
        **schemas.WRITE_ERRORS,
    },
)
def api_add(body: schemas.WatchlistIn, store: Store, who: Writer) -> schemas.Watchlist:
    """Add `terms` to the watchlist `name`, creating it if needed; a term it holds already is not
    added twice. Returns the watchlist as it now is."""
    return as_schema(wl.add_terms(store, body.name, body.terms))


@router.delete(
    "/api/watchlists/{name}",
    status_code=204,
    tags=["watchlists"],
    summary="Remove a watchlist or some of its terms",
    dependencies=[Depends(bearer)],
    responses={**NOT_FOUND, **schemas.WRITE_ERRORS},
)
def api_remove(
    name: Name,
    store: Store,
    who: Writer,
    term: Annotated[
        list[Annotated[str, Query(min_length=1, max_length=100)]] | None,
        Query(max_length=MAX_TERMS, description="Remove only these terms (default: the whole watchlist)."),
    ] = None,
) -> Response:
    """Remove the terms `term` (as written, `nl:` or `fr:` included) from the watchlist, or the whole
    watchlist without `term`."""
    if wl.remove_watchlist(store, name, term or ()) < 0:
        raise HTTPException(404, "no watchlist by that name")
    return Response(status_code=204)


@router.post("/watchlists", include_in_schema=False)
def form_add(
    store: Store,
    who: Writer,
    name: Annotated[str, Form(min_length=1, max_length=wl.MAX_NAME)],
    terms: Annotated[str, Form(min_length=1, max_length=MAX_TERMS * 101)],
) -> RedirectResponse:
    """The mentions page's form: terms one a line or separated by commas (its ``token`` field was
    checked by the guard)."""
    given = [t.strip() for line in terms.splitlines() for t in line.split(",") if t.strip()]
    if not given or len(given) > MAX_TERMS or any(len(t) > 100 for t in given):
        raise HTTPException(422, f"give 1 to {MAX_TERMS} terms of at most 100 characters")
    made = wl.add_terms(store, name, given)
    return RedirectResponse(f"/mentions?watchlist={quote(made.name, safe='')}#watchlists", status_code=303)
