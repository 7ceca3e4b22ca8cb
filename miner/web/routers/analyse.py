"""``POST /api/analyse``: a file uploaded, answered with the JSON ``miner analyse`` gives for it.

The upload's size is capped by the guard before it is read (``MINER_WEB_MAX_UPLOAD_BYTES``); the
file is extracted in the same sandbox as every crawled document (time, memory and size limits) and
is not stored. A file that cannot be analysed (not a document, corrupt, encrypted) is answered 422
with the same JSON, its ``error`` set.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import JSONResponse

from miner.errors import ConfigError
from miner.store.tokens import TokenInfo
from miner.web import schemas
from miner.web.access import bearer, writer

router = APIRouter()


def _name(upload: UploadFile) -> str:
    """The uploaded file's base name (what the sniffer weighs against the bytes), bounded."""
    raw = (upload.filename or "upload").replace("\\", "/")
    return PurePath(raw).name[-200:] or "upload"


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
def analyse_upload(
    file: Annotated[UploadFile, File(description="A PDF, HTML, DOCX, ODT or text file.")],
    who: Annotated[TokenInfo, Depends(writer)],
) -> JSONResponse:
    """Score one document (not stored): the answer of `miner analyse --format json` for the file."""
    from miner.cli.analyse import failed
    from miner.pipeline import analyse_bytes

    name = _name(file)
    data = file.file.read()
    try:
        result = analyse_bytes(data, doc_id=name, name=name)[1]
    except ConfigError:
        raise
    except Exception as exc:  # the same per-input answer as the command line's
        result = failed(name, exc)
    return JSONResponse(result.as_dict(), status_code=422 if result.error else 200)
