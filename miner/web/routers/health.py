"""``/healthz``: whether the store and the broker answer, for load balancers and operators.

The store down is a 503 with ``Retry-After`` (the app cannot answer anything useful); the broker
down is reported as ``degraded`` with a 200, because every page still works -- only crawls queued
from now on wait. Each probe has a short timeout, so the check answers within a few seconds.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from miner.errors import MinerError
from miner.redact import redact_text
from miner.web import schemas

router = APIRouter()
#: Seconds the broker probe may take.
BROKER_TIMEOUT_S = 2.0


def _store(request: Request) -> schemas.Component:
    try:
        request.app.state.repository().ping()
    except (MinerError, SQLAlchemyError) as exc:
        return schemas.Component(status="unavailable", detail=redact_text(str(exc))[:300])
    return schemas.Component(status="ok")


def _broker(url: str | None) -> schemas.Component:
    if not url:
        return schemas.Component(status="not-configured", detail="in-process mode (MINER_BROKER_URL unset)")
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_S) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)
    except Exception as exc:  # any failure to connect: refused, timed out, bad credentials
        return schemas.Component(
            status="unavailable", detail=redact_text(f"{type(exc).__name__}: {exc}")[:300]
        )
    return schemas.Component(status="ok")


@router.get(
    "/healthz",
    response_model=schemas.Health,
    tags=["operations"],
    summary="Health of the store and the broker",
    responses={503: {"model": schemas.Health, "description": "The store is unavailable."}},
)
def healthz(request: Request) -> JSONResponse:
    """`ok`; `degraded` (200) when the broker is down; `unavailable` (503, `Retry-After`) when the store is."""
    store = _store(request)
    broker = _broker(request.app.state.settings.broker_url)
    if store.status != "ok":
        status, code = "unavailable", 503
    elif broker.status == "unavailable":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    body = schemas.Health(status=status, store=store, broker=broker)
    headers = {"Retry-After": "30"} if code == 503 else {}
    return JSONResponse(body.model_dump(mode="json"), status_code=code, headers=headers)
