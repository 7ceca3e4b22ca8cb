"""The two ASGI layers every request passes: security headers, and the guard (size, tokens).

Both are plain ASGI middlewares (no per-request task or body copy unless a write needs one), so
they cost next to nothing on the reads that make up most of the traffic.

:class:`Guard` decides before any route runs:

- a body larger than its cap is refused with 413 (by its Content-Length, or while it streams in);
- a write (POST, PUT, PATCH, DELETE) without a valid write token is refused with 401, and with a
  read token with 403, whatever the path -- so a write route added later cannot forget the check;
- when reading is closed by configuration, a read without a token is refused (401 for the API, the
  sign-in page for a browser), except the health check, the static files and the sign-in itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, quote

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from miner.store.base import StoreUnavailable
from miner.store.tokens import TokenInfo, TokenScope
from miner.web.access import READ_COOKIE, Access, bearer_token

log = logging.getLogger(__name__)

#: Sent with every response. No inline script or style is allowed: pages use none.
SECURITY_HEADERS = (
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Largest request body other than an upload (forms, JSON): reviews and notes are small.
BODY_LIMIT = 256 * 1024
#: Paths a browser needs while reading is closed (and the sign-in form, whose token is checked there).
OPEN_PATHS = ("/healthz", "/static/", "/login", "/logout", "/lang/", "/openapi.json", "/favicon.ico")
#: Posts that are not writes: signing in and out (the sign-in route checks the token it is given).
NOT_WRITES = ("/login", "/logout")

#: Builds the refusal for a request: (scope, status, message) -> response.
Refuse = Callable[[Scope, int, str], Response]


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, including the 500 of an unexpected error
    (answered here, inside the app, so that it carries the headers too; the error is logged)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers[name] = value
                if scope["path"].startswith("/static/"):
                    headers["cache-control"] = "public, max-age=3600"
                elif "cache-control" not in headers:
                    headers["cache-control"] = "no-store" if scope["method"] != "GET" else "no-cache"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if started:
                raise
            await PlainTextResponse("internal error (logged)", status_code=500)(
                scope, receive, send_with_headers
            )


class BodyTooLarge(Exception):
    pass


def _capped(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return capped


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _read_all(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class Guard:
    """Body caps and access checks in front of every route (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        access: Access,
        refuse: Refuse,
        upload_paths: Iterable[str] = (),
        upload_limit: int = 0,
    ) -> None:
        self.app = app
        self.access = access
        self.refuse = refuse
        self.upload_paths = frozenset(upload_paths)
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = Headers(scope=scope)
        limit = self.upload_limit if path in self.upload_paths else BODY_LIMIT
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self.refuse(scope, 413, f"the request body is over the limit of {limit} bytes")(
                scope, receive, send
            )
            return
        receive = _capped(receive, limit)
        try:
            verdict = await self._check(scope, headers, receive)
        except BodyTooLarge:
            verdict = self.refuse(scope, 413, f"the request body is over the limit of {limit} bytes")
        except StoreUnavailable:
            verdict = self.refuse(scope, 503, "the store is unavailable; try again shortly")
        if isinstance(verdict, Response):
            await verdict(scope, receive, send)
            return
        try:
            await self.app(scope, verdict or receive, send)
        except BodyTooLarge:
            await self.refuse(scope, 413, f"the request body is over the limit of {limit} bytes")(
                scope, receive, send
            )

    async def _check(self, scope: Scope, headers: Headers, receive: Receive) -> Response | Receive | None:
        """None or a replaying ``receive`` to go on; a response to refuse."""
        path: str = scope["path"]
        token = bearer_token(headers.get("authorization"))
        if scope["method"] in WRITE_METHODS and not path.startswith(NOT_WRITES):
            replay: Receive | None = None
            if token is None and headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                body = await _read_all(receive, BODY_LIMIT)
                found = parse_qs(body.decode("latin-1")).get("token")
                token = found[0] if found else None
                replay = _replay(body, receive)
            info = await self._identify(token)
            if info is None:
                return self.refuse(scope, 401, "writes need a token: 'Authorization: Bearer <token>'")
            if not info.allows(TokenScope.WRITE):
                return self.refuse(scope, 403, f"the token {info.name!r} may read but not write")
            _remember(scope, info)
            return replay
        if not self.access.reading_closed or path.startswith(OPEN_PATHS):
            return None
        if token is None:
            token = _cookie(headers, READ_COOKIE)
        info = await self._identify(token)
        if info is None:
            if path.startswith("/api/"):
                return self.refuse(scope, 401, "reading needs a token: 'Authorization: Bearer <token>'")
            target = path + (
                "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
            )
            return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
        _remember(scope, info)
        return None

    async def _identify(self, token: str | None) -> TokenInfo | None:
        if token is None:
            return None
        return await anyio.to_thread.run_sync(self.access.identify, token)


def _remember(scope: Scope, info: TokenInfo) -> None:
    state: dict[str, Any] = scope.setdefault("state", {})
    state["token"] = info


def _cookie(headers: Headers, name: str) -> str | None:
    from http.cookies import SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def json_refusal(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if status == 503:
        headers["Retry-After"] = "30"
    return JSONResponse({"detail": message}, status_code=status, headers=headers)
