"""The web app and its HTTP API: pages people read every day, JSON their developers build on.

:func:`create_app` assembles it: one router per area (:data:`ROUTERS`), the guard and the security
headers in front of every route (:mod:`miner.web.security`), and one way of answering errors -- JSON
for the API, a page for a browser, 503 with ``Retry-After`` whenever the store is unavailable.
Pages are server-rendered (:mod:`miner.web.render`); the interface speaks English, Dutch and French
(:mod:`miner.web.i18n`). Routes, access and settings are described in ``docs/web.md``.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from miner.config import Settings, get_settings
from miner.errors import ConfigError, InputError
from miner.redact import redact_text
from miner.store.base import StoreUnavailable
from miner.store.keyset import InvalidCursor
from miner.web import i18n
from miner.web.access import Access
from miner.web.deps import repository_factory
from miner.web.render import render
from miner.web.security import Guard, SecurityHeaders, json_refusal

if TYPE_CHECKING:
    from miner.analyser import Analyser

log = logging.getLogger(__name__)

#: The app's areas, each a module of :mod:`miner.web.routers` with a ``router``; a new area (watchlists,
#: alerts and feeds, version diffs) is a new module added here.
ROUTERS = (
    "site",
    "auth",
    "documents",
    "changes",
    "reviews",
    "sources",
    "mentions",
    "trends",
    "analyse",
    "alerts",
    "watchlists",
    "health",
)
#: Where uploads for analysis are posted (their body cap is ``web_max_upload_bytes``, not the forms').
UPLOAD_PATHS = ("/api/analyse",)
STATIC = Path(__file__).resolve().parent / "static"
RETRY_AFTER_S = 30


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool that runs the routes: rendering and reading rows hold the GIL, so threads
    beyond a few only contend for it (measured in ``bench/bench_web.py``)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.web_threads
    yield


def wants_json(path: str) -> bool:
    """Whether an answer to ``path`` is JSON (the API, the health check, a feed's errors) rather than a page."""
    return path.startswith(("/api/", "/healthz", "/openapi.json", "/feeds/"))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over the store of ``settings.database_url`` (opened on first use, not here: the app
    starts, and says so on ``/healthz``, while the database is down)."""
    settings = settings or get_settings()
    i18n.load_all()
    app = FastAPI(
        lifespan=_lifespan,
        title="policy-miner",
        version="0.1.0",
        summary="Belgian employment and education policy, scored for the mainstreaming of migrant integration.",
        description="Every score and flag comes with its quoted evidence (page, paragraph). Reading is open "
        "unless the server closes it; writes need a token (`miner tokens create NAME --scope write`), sent "
        "as `Authorization: Bearer <token>`. Lists are paged: follow `next_cursor`.",
        docs_url=None,  # the interactive docs load scripts from a CDN; the description is /openapi.json
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    access = Access(settings, repository_factory(settings))
    app.state.settings = settings
    app.state.analyser = _analyser_of(settings)
    app.state.access = access
    app.state.repository = access.repository
    app.state.reading_closed = access.reading_closed
    for name in ROUTERS:
        app.include_router(importlib.import_module(f"miner.web.routers.{name}").router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _handle_errors(app)
    app.add_middleware(
        Guard,
        access=access,
        refuse=_refusal,
        upload_paths=UPLOAD_PATHS,
        upload_limit=settings.web_max_upload_bytes,
    )
    app.add_middleware(SecurityHeaders)
    return app


def _analyser_of(settings: Settings) -> Callable[[], Analyser]:
    """The app's one :class:`~miner.analyser.Analyser`, built on the first analysis (not at start: the
    app serves pages while the rubric or lexicons are being fixed, and starts in a fraction of a second)."""
    built: list[Analyser] = []
    lock = threading.Lock()

    def get() -> Analyser:
        with lock:
            if not built:
                from miner.analyser import Analyser

                built.append(Analyser.from_settings(settings))
            return built[0]

    return get


def _refusal(scope: Scope, status: int, message: str) -> Response:
    """What the guard answers: JSON for the API, a page for a browser."""
    if wants_json(scope["path"]):
        return json_refusal(status, message)
    request = Request(scope)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return render(
        request, "error.html", {"status": status, "message": message}, status_code=status, headers=headers
    )


def _error(request: Request, status: int, message: str, *, headers: dict[str, str] | None = None) -> Response:
    if wants_json(request.url.path):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return render(
        request, "error.html", {"status": status, "message": message}, status_code=status, headers=headers
    )


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request.url.path):
            return await request_validation_exception_handler(request, exc)
        problems = [
            {
                "where": ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body")),
                "msg": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        return render(request, "error.html", {"status": 422, "problems": problems}, status_code=422)

    @app.exception_handler(InvalidCursor)
    async def invalid_cursor(request: Request, exc: InvalidCursor) -> Response:
        error = {"loc": ["query", "cursor"], "msg": exc.message, "type": "value_error", "input": exc.subject}
        if wants_json(request.url.path):
            return JSONResponse({"detail": [error]}, status_code=422)
        problems = [{"where": "cursor", "msg": exc.message}]
        return render(request, "error.html", {"status": 422, "problems": problems}, status_code=422)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(StoreUnavailable)
    async def store_down(request: Request, exc: StoreUnavailable) -> Response:
        log.warning("store unavailable: %s", redact_text(str(exc)))
        return _error(
            request,
            503,
            "the store is unavailable; try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )

    @app.exception_handler(ConfigError)
    async def misconfigured(request: Request, exc: ConfigError) -> Response:
        log.error("configuration: %s", redact_text(str(exc)))
        return _error(
            request,
            503,
            "the server is misconfigured (see its log)",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
