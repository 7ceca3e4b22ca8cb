"""Who may do what: reading is open unless configured closed; every write needs a write token.

A token reaches the app in one of three ways, each checked here and nowhere else:

- ``Authorization: Bearer <token>`` (API clients; any request);
- a ``token`` field of an HTML form (the review form), read by :class:`~miner.web.security.Guard`
  from the body before the route sees it -- never from a cookie, so that no other site can make a
  browser write (no CSRF);
- the ``miner_token`` cookie set by the sign-in page, which only ever grants *reading* (when
  reading is closed), never a write.

``MINER_API_TOKEN`` (the setting of earlier releases) keeps working: it is a write token named
:data:`SETTING_TOKEN_NAME`, compared in constant time. Tokens made with ``miner tokens create``
are stored hashed and can be revoked one by one, which the setting cannot; prefer them.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from fastapi.security import HTTPBearer

from miner.config import Settings
from miner.store.repository import Repository
from miner.store.tokens import TokenInfo, TokenScope

#: The name reviews carry when they were made with the MINER_API_TOKEN setting.
SETTING_TOKEN_NAME = "MINER_API_TOKEN"
#: The cookie of the sign-in page (reading only).
READ_COOKIE = "miner_token"
#: Declares the bearer scheme in the OpenAPI description (the check itself is :class:`Access`).
bearer = HTTPBearer(
    auto_error=False, description="A token from `miner tokens create NAME --scope write|read`."
)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


class Access:
    """Turns a presented token into a :class:`TokenInfo` (or None): stored tokens and the setting."""

    def __init__(self, settings: Settings, repository: Callable[[], Repository]) -> None:
        self.settings = settings
        self.repository = repository

    @property
    def reading_closed(self) -> bool:
        return self.settings.web_reading == "token"

    def identify(self, token: str | None) -> TokenInfo | None:
        if not token or len(token) > 512:
            return None
        legacy = self.settings.api_token
        if legacy and hmac.compare_digest(token.encode("utf-8", "surrogatepass"), legacy.encode()):
            return TokenInfo(SETTING_TOKEN_NAME, TokenScope.WRITE, datetime(1970, 1, 1, tzinfo=UTC), None)
        return self.repository().token_for(token)


def writer(request: Request) -> TokenInfo:
    """The write token the guard accepted for this request (a route's dependency: no write route
    runs without one, even if the guard were taken out)."""
    info = getattr(request.state, "token", None)
    if not isinstance(info, TokenInfo) or not info.allows(TokenScope.WRITE):
        raise HTTPException(401, "a write token is needed", headers={"WWW-Authenticate": "Bearer"})
    return info
