"""``POST /api/analyse``: a file uploaded, answered with the JSON ``miner analyse`` gives for it.

The upload's size is capped by the guard before it is read (``MINER_WEB_MAX_UPLOAD_BYTES``); the
file is extracted in the same sandbox as every crawled document (time, memory and size limits) and
is not stored. A file that cannot be analysed (not a document, corrupt, encrypted) is answered 422
with the same JSON, its ``error`` set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated

import anyio
from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse

from miner.errors import ConfigError
from miner.records import Analysis
from miner.store.tokens import TokenInfo
from miner.web import schemas
from miner.web.access import bearer, writer

if TYPE_CHECKING:
    from miner.analyser import Analyser

router = APIRouter()


def _name(upload: UploadFile) -> str:
    """The uploaded file's base name (what the sniffer weighs against the bytes), bounded."""
    raw = (upload.filename or "upload").replace("\\", "/")
    return PurePath(raw).name[-200:] or "upload"


#: Analyses that may run at once: each is seconds of work, kept off the threads that answer reads.
_ANALYSES = anyio.CapacityLimiter(2)


@router.post(
    "/api/analyse",
    response_model=schemas.Analysis,
    tags=["analyse"],
    summary="Analyse an uploaded document",
    dependencies=[Depends(bearer)],
    responses={
        422: {"model": schemas.Analysis, "description": "Not analysable: `error` says why."},
        **schemas.WRITE_ERRORS,
    },
)
async def analyse_upload(
    file: Annotated[UploadFile, File(description="A PDF, HTML, DOCX, ODT or text file.")],
    who: Annotated[TokenInfo, Depends(writer)],
    request: Request,
) -> JSONResponse:
    """Score one document (not stored): the answer of `miner analyse --format json` for the file."""
    name = _name(file)
    data = await file.read()
    analyser = request.app.state.analyser
    result = await anyio.to_thread.run_sync(_analyse, data, name, analyser, limiter=_ANALYSES)
    return JSONResponse(result.as_dict(), status_code=422 if result.error else 200)


def _analyse(data: bytes, name: str, analyser: Callable[[], Analyser]) -> Analysis:
    """In a worker thread: the app's analyser (built on the first upload, so a broken rubric is this
    request's 500, as before), then the pipeline."""
    from miner.cli.analyse import failed
    from miner.pipeline import analyse_bytes

    try:
        return analyse_bytes(data, doc_id=name, analyser=analyser(), name=name)[1]
    except ConfigError:
        raise
    except Exception as exc:  # the same per-input answer as the command line's
        return failed(name, exc)
