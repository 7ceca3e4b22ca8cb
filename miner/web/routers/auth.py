"""Signing in to read (when reading is closed by configuration), signing out, and the language switch.

Only reading is ever granted by the sign-in cookie; writes always carry their token themselves (see
:mod:`miner.web.access`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from miner.store.tokens import TokenScope
from miner.web import i18n
from miner.web.access import READ_COOKIE
from miner.web.render import render

router = APIRouter()
#: How long the language and sign-in cookies last (seconds).
LANG_COOKIE_AGE = 365 * 24 * 3600
READ_COOKIE_AGE = 30 * 24 * 3600


def local_path(target: str | None) -> str:
    """``target`` when it is a path of this site (``/documents?x``), else ``/``: never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 32 for c in target):
        return "/"
    return target


@router.get("/lang/{language}", include_in_schema=False)
def switch_language(language: str, next: str = "/") -> Response:
    """Remember the interface language in a cookie and go back where the link was."""
    response = RedirectResponse(local_path(next), status_code=303)
    if language in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, language, max_age=LANG_COOKIE_AGE, samesite="lax", httponly=True)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": local_path(next), "failed": False})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    token: Annotated[str, Form(max_length=512)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check a token and keep it in a cookie that lets this browser read (never write)."""
    info = request.app.state.access.identify(token.strip())
    if info is None or not info.allows(TokenScope.READ):
        return render(request, "login.html", {"next": local_path(next), "failed": True}, status_code=401)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(
        READ_COOKIE,
        token.strip(),
        max_age=READ_COOKIE_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(READ_COOKIE)
    return response
