"""Reviews: an analyst confirms or dismisses a flag with a note (API, the document page's form, and
the review queue of flagged documents)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from miner.store.repository import Repository
from miner.store.reviews import MAX_NOTE_CHARS, ReviewDecision
from miner.store.tokens import TokenInfo
from miner.web import schemas, views
from miner.web.access import bearer, writer
from miner.web.deps import repository
from miner.web.render import render
from miner.web.routers.documents import DocumentId, Params, list_context, page_params

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]
Writer = Annotated[TokenInfo, Depends(writer)]
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": schemas.Problem, "description": "No such document."},
    422: {"model": schemas.Problem, "description": "The document does not raise that flag."},
}


def _record(store: Repository, document_id: int, body: schemas.ReviewIn, who: TokenInfo) -> schemas.Review:
    """Record a review of a flag the document's current version raises."""
    found = store.document_detail(document_id)
    if found is None:
        raise HTTPException(404, "no such document")
    raised = {f.code for f in found.analysis.flags} if found.analysis else set()
    if body.flag not in raised:
        raise HTTPException(422, "the document's current version does not raise this flag")
    made = store.add_review(
        document_id,
        body.flag,
        body.decision,
        reviewer=who.name,
        note=body.note.strip(),
        version_id=found.version.id if found.version else None,
    )
    return views.review(made)


@router.post(
    "/api/documents/{document_id}/reviews",
    response_model=schemas.Review,
    status_code=201,
    tags=["reviews"],
    summary="Review a flag",
    dependencies=[Depends(bearer)],
    responses={**NOT_FOUND, **schemas.WRITE_ERRORS},
)
def api_review(document_id: DocumentId, body: schemas.ReviewIn, store: Store, who: Writer) -> schemas.Review:
    """Confirm or dismiss a flag of the document's current version, with a note (the organisation's
    right of reply). The latest review of a flag is in force; a dismissed flag is not alerted again."""
    return _record(store, document_id, body, who)


@router.get(
    "/api/documents/{document_id}/reviews",
    response_model=list[schemas.Review],
    tags=["reviews"],
    summary="Reviews of a document's flags",
    responses={404: NOT_FOUND[404], **schemas.READ_ERRORS},
)
def api_reviews(document_id: DocumentId, store: Store) -> list[schemas.Review]:
    """Every review of the document's flags, oldest first."""
    if store.document_detail(document_id) is None:
        raise HTTPException(404, "no such document")
    return [views.review(r) for r in store.reviews(document_id)]


@router.post("/documents/{document_id}/reviews", include_in_schema=False)
def form_review(
    document_id: DocumentId,
    store: Store,
    who: Writer,
    flag: Annotated[str, Form(max_length=100)],
    decision: Annotated[ReviewDecision, Form()],
    note: Annotated[str, Form(max_length=MAX_NOTE_CHARS)] = "",
) -> RedirectResponse:
    """The document page's review form (its ``token`` field was checked by the guard)."""
    made = _record(store, document_id, schemas.ReviewIn(flag=flag, decision=decision, note=note), who)
    return RedirectResponse(
        f"/documents/{document_id}?reviewed={made.flag}#flag-{made.flag}", status_code=303
    )


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def page_review(
    request: Request,
    p: Params,
    store: Store,
) -> HTMLResponse:
    """Flagged documents with the state of each flag's review: what analysts have left to look at."""
    flagged = page_params(request, p).model_copy(update={"flagged": True if p.flag is None else None})
    page = store.browse(
        views.filters(flagged),
        sort=p.sort,
        descending=p.descending,
        cursor=p.cursor,
        offset=p.offset,
        limit=p.limit,
    )
    reviews = store.reviews_of([d.id for d in page.items])
    context = list_context(store, flagged, page)
    context["reviews"] = {doc_id: views.in_force(found) for doc_id, found in reviews.items()}
    return render(request, "review.html", context)
