"""Documents: the filtered list (JSON, CSV and JSON exports, the page) and one document (JSON, page)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from miner.records import DOMAINS, GOVERNMENTS, LANGUAGES
from miner.rubric import FLAG_CODES
from miner.store.browse import DESCENDING, ListPage, Sort
from miner.store.repository import Repository
from miner.web import schemas, views
from miner.web.deps import repository
from miner.web.render import render
from miner.web.routers.changes import last_change

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]
Params = Annotated[schemas.ListParams, Query()]
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The document's id.")]
VersionId = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="A version of the document (default: the current one).")
]
#: Documents on a page of the list for a person (the API's default page is larger).
PAGE_LIMIT = 25
#: Most rows an export writes unless cut with ``limit``.
MAX_EXPORT = 1_000_000
#: Columns of the CSV export, in order (the list's JSON fields).
EXPORT_FIELDS = tuple(schemas.DocumentItem.model_fields)
#: A CSV cell starting with one of these is read as a formula by spreadsheets: it gets a quote first.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _page(store: Repository, p: schemas.ListParams) -> ListPage:
    return store.browse(
        views.filters(p),
        sort=p.sort,
        descending=p.descending,
        cursor=p.cursor,
        offset=p.offset,
        limit=p.limit,
    )


def _order(p: schemas.ListParams) -> str:
    desc = p.descending if p.descending is not None else p.sort in DESCENDING
    return "desc" if desc else "asc"


@router.get(
    "/api/documents",
    response_model=schemas.DocumentPage,
    tags=["documents"],
    summary="List documents",
    responses=schemas.READ_ERRORS,
)
def api_documents(p: Params, store: Store) -> schemas.DocumentPage:
    """Documents with their latest score and flags, filtered, sorted and paged (at most 200 a page).

    Page with `cursor` (the previous page's `next_cursor`: every page costs the same) or `offset`.
    """
    page = _page(store, p)
    return schemas.DocumentPage(
        items=[views.item(d) for d in page.items],
        total=page.total or 0,
        limit=p.limit,
        offset=p.offset,
        sort=p.sort,
        order=_order(p),
        next_cursor=page.next_cursor,
    )


def _export_rows(store: Repository, p: schemas.ListParams, limit: int | None) -> Iterator[dict[str, Any]]:
    rows = store.iter_browse(views.filters(p), sort=p.sort, descending=p.descending)
    for n, d in enumerate(rows):
        if limit is not None and n >= limit:
            return
        yield views.item(d).model_dump(mode="json")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


ExportLimit = Annotated[int | None, Query(ge=1, le=MAX_EXPORT, description="At most this many rows.")]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "RFC 4180 CSV, one header row.",
    },
    **schemas.READ_ERRORS,
}


@router.get(
    "/api/export/documents.csv",
    tags=["documents"],
    summary="Export the list as CSV",
    response_class=StreamingResponse,
    responses=CSV_RESPONSE,
)
def export_csv(p: Params, store: Store, limit: ExportLimit = None) -> StreamingResponse:
    """Every document matching the filters (paging parameters are ignored), streamed page by page.

    Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) start with a quote.
    """
    store.ping()  # an unavailable store is a 503 now, not a broken stream later

    def lines() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_FIELDS)
        for row in _export_rows(store, p, limit):
            writer.writerow([_csv_cell(row.get(k)) for k in EXPORT_FIELDS])
            if buf.tell() > 64 * 1024:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="documents.csv"'}
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=headers)


def _json_default(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


@router.get(
    "/api/export/documents.json",
    tags=["documents"],
    summary="Export the list as JSON",
    response_model=list[schemas.DocumentItem],
    response_class=StreamingResponse,
    responses=schemas.READ_ERRORS,
)
def export_json(p: Params, store: Store, limit: ExportLimit = None) -> StreamingResponse:
    """Every document matching the filters as one JSON array, streamed page by page."""
    store.ping()

    def chunks() -> Iterator[str]:
        yield "["
        for n, row in enumerate(_export_rows(store, p, limit)):
            yield ("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False, default=_json_default)
        yield "\n]\n"

    headers = {"Content-Disposition": 'attachment; filename="documents.json"'}
    return StreamingResponse(chunks(), media_type="application/json", headers=headers)


@router.get(
    "/api/export/documents.jsonl",
    tags=["documents"],
    summary="Export the list as JSON Lines",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/jsonl": {"schema": {"type": "string"}}},
            "description": "One JSON object a line, each shaped like an item of the list.",
        },
        **schemas.READ_ERRORS,
    },
)
def export_jsonl(p: Params, store: Store, limit: ExportLimit = None) -> StreamingResponse:
    """Every document matching the filters, one JSON object a line, streamed page by page: what a
    script reads a row at a time, whatever the size of the store."""
    store.ping()

    def lines() -> Iterator[str]:
        for row in _export_rows(store, p, limit):
            yield json.dumps(row, ensure_ascii=False, default=_json_default) + "\n"

    headers = {"Content-Disposition": 'attachment; filename="documents.jsonl"'}
    return StreamingResponse(lines(), media_type="application/jsonl; charset=utf-8", headers=headers)


def _detail(store: Repository, document_id: int, version: int | None) -> schemas.DocumentOut:
    found = store.document_detail(document_id, version)
    if found is None:
        what = "no such document" if version is None else "no such document, or no such version of it"
        raise HTTPException(404, what)
    return views.document(found)


@router.get(
    "/api/documents/{document_id}",
    response_model=schemas.DocumentOut,
    tags=["documents"],
    summary="One document",
    responses={
        404: {"model": schemas.Problem, "description": "No such document or version."},
        **schemas.READ_ERRORS,
    },
)
def api_document(document_id: DocumentId, store: Store, version: VersionId = None) -> schemas.DocumentOut:
    """A document with the score of each dimension and its reason, its flags with their reasons,
    evidence and reviews, its chapters and its versions (`version`: as of an older one)."""
    return _detail(store, document_id, version)


# --- pages -------------------------------------------------------------------------------------------


def page_params(request: Request, p: schemas.ListParams) -> schemas.ListParams:
    """A page for a person holds :data:`PAGE_LIMIT` documents unless the address says otherwise."""
    return p if "limit" in request.query_params else p.model_copy(update={"limit": PAGE_LIMIT})


#: Seconds the list of sources (the source filter's choices) is reused: sources are added by crawls,
#: rarely, and reading them on every page would be one more transaction per page.
SOURCES_TTL_S = 30.0
_source_choices: dict[str, tuple[float, list[tuple[str, str]]]] = {}


def source_choices(store: Repository) -> list[tuple[str, str]]:
    key = str(store.engine.url)
    now = time.monotonic()
    found = _source_choices.get(key)
    if found is None or found[0] < now:
        found = (now + SOURCES_TTL_S, store.source_names())
        _source_choices[key] = found
    return found[1]


def list_context(store: Repository, p: schemas.ListParams, page: ListPage) -> dict[str, Any]:
    """What the list page and the review queue show around a page of documents."""
    form = p.model_dump(mode="json", exclude={"limit", "offset", "cursor"}, exclude_none=True)
    if p.limit != PAGE_LIMIT:
        form["limit"] = p.limit
    return {
        "params": p,
        "form": form,
        "items": [views.item(d) for d in page.items],
        "total": page.total or 0,
        "next_cursor": page.next_cursor,
        "governments": GOVERNMENTS,
        "domains": DOMAINS,
        "languages": [code for code in LANGUAGES if code != "other"],
        "flags": FLAG_CODES,
        "sorts": list(Sort),
        "sources": source_choices(store),
    }


@router.get("/documents", response_class=HTMLResponse, include_in_schema=False)
def page_documents(request: Request, p: Params, store: Store) -> HTMLResponse:
    p = page_params(request, p)
    return render(request, "documents.html", list_context(store, p, _page(store, p)))


@router.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
def page_document(
    request: Request, document_id: DocumentId, store: Store, version: VersionId = None
) -> HTMLResponse:
    found = store.document_detail(document_id, version)
    if found is None:
        raise HTTPException(404, "no such document, or no such version of it")
    return render(
        request,
        "document.html",
        {
            "doc": views.document(found),
            "paragraphs": found.paragraphs,
            "change": last_change(store, document_id, found.version.id if found.version else None),
            "reviewed": request.query_params.get("reviewed"),
        },
    )
