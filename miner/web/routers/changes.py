"""A document's versions and the change between two of them (``miner history`` and ``miner diff``
over HTTP), and what the document page shows of its last change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from miner import changes
from miner.errors import InputError
from miner.store.repository import Repository
from miner.web import changeschemas as cs
from miner.web import schemas, views
from miner.web.deps import repository

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The document's id.")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": schemas.Problem, "description": "No such document, or no such version of it."},
    **schemas.READ_ERRORS,
}


def _version(document_id: int, record: dict[str, Any]) -> cs.VersionOut:
    return cs.VersionOut(**record, link=views.document_link(document_id, record["version_id"]))


def _exists(store: Repository, document_id: int) -> None:
    if store.document_detail(document_id) is None:
        raise HTTPException(404, "no such document")


@router.get(
    "/api/documents/{document_id}/versions",
    response_model=cs.Versions,
    tags=["documents"],
    summary="A document's versions",
    responses=NOT_FOUND,
)
def api_versions(document_id: DocumentId, store: Store) -> cs.Versions:
    """Every version stored, oldest first (`version` 1, 2, ...), with its score and flags; `changed`
    is false for a version whose text is the same as the one before (layout or dates only)."""
    rows = changes.history(store, document_id)
    if not rows:
        _exists(store, document_id)
    return cs.Versions(document_id=document_id, items=[_version(document_id, r) for r in rows])


def diff_of(store: Repository, document_id: int, old: int | None, new: int | None) -> cs.Diff:
    """The diff as the API gives it; raises :class:`miner.changes.NotStored` or ``InputError``."""
    d = changes.diff(store, document_id, from_version=old, to_version=new)
    return cs.Diff(
        **{k: v for k, v in d.items() if k not in ("from", "to")},
        document_id=document_id,
        **{"from": _version(document_id, d["from"])},
        to=_version(document_id, d["to"]),
    )


@router.get(
    "/api/documents/{document_id}/diff",
    response_model=cs.Diff,
    response_model_by_alias=True,
    tags=["documents"],
    summary="What changed between two versions",
    responses={
        **NOT_FOUND,
        422: {
            "model": schemas.Problem,
            "description": "The document has a single version: nothing to compare.",
        },
    },
)
def api_diff(
    document_id: DocumentId,
    store: Store,
    from_: Annotated[
        int | None,
        Query(
            alias="from", ge=1, le=100_000, description="The older version (default: the one before `to`)."
        ),
    ] = None,
    to: Annotated[
        int | None, Query(ge=1, le=100_000, description="The newer version (default: the latest).")
    ] = None,
) -> cs.Diff:
    """Paragraphs added and removed, the score before and after, flags raised and cleared, evidence on
    the group lost and gained, and whether it counts as dropped content (docs/scoring.md)."""
    try:
        return diff_of(store, document_id, from_, to)
    except changes.NotStored as exc:
        raise HTTPException(404, exc.message) from exc
    except InputError as exc:
        raise HTTPException(422, exc.message) from exc


def last_change(store: Repository, document_id: int, version_id: int | None) -> cs.Diff | None:
    """What the shown version changed against the one before it (None for a first version)."""
    rows = store.history(document_id)
    number = next((r.version for r in rows if r.version_id == version_id), None)
    if number is None or number < 2:
        return None
    return diff_of(store, document_id, number - 1, number)
