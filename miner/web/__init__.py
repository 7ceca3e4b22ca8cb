"""The web app: read-only pages and JSON over the store (parsing and rendering only).

Every page is rendered by Jinja2 with autoescaping, because titles and quotes come from scraped
documents and must never reach a browser as markup. Writes through the API need the bearer token of
``MINER_API_TOKEN``; without it (or with the wrong one) they are refused with 401 before any
handler runs, so that no write endpoint added later can forget the check.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from miner.config import Settings, get_settings

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _authorised(request: Request, settings: Settings) -> bool:
    token = settings.api_token
    given = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over the store of ``settings.database_url``."""
    settings = settings or get_settings()
    app = FastAPI(title="policy-miner", version="0.1.0")

    def documents() -> list[dict[str, Any]]:
        from miner.store import open_repository

        return [row.as_dict() for row in open_repository(settings.database_url).documents()]

    @app.middleware("http")
    async def guard_writes(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method in _WRITES and not _authorised(request, settings):
            return JSONResponse(
                {"error": "writes need 'Authorization: Bearer <token>' (MINER_API_TOKEN)"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await call_next(request)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/documents")
    def api_documents() -> list[dict[str, Any]]:
        """Stored documents: url, content hash, government, language, score, flags, title."""
        return documents()

    @app.get("/", response_class=HTMLResponse)
    @app.get("/documents", response_class=HTMLResponse)
    def page_documents() -> str:
        return _TEMPLATES.get_template("documents.html").render(documents=documents())

    return app
