"""Tokens of the web API: created with a name and a scope, shown once, stored hashed, revocable.

A token is 32 random bytes (URL-safe base64, with a ``pm_`` prefix so that a leaked one is easy to
recognise in logs and secret scanners). Only its SHA-256 is stored: a stolen backup of the store
gives no token. Looking a token up hashes what the client sent and finds the row by that hash; the
hash read back is compared with :func:`hmac.compare_digest` as well, so that no comparison in the
product takes a time that depends on how much of a guess was right.

A revoked token keeps its row (with ``revoked_at``), so the name on a review always names exactly
one token, and a name is never given to a second one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from miner.errors import InputError
from miner.store.base import StoreBase, _table, now, transient
from miner.store.models import ApiToken

API_TOKENS = _table(ApiToken)
#: Random bytes in a token (256 bits: guessing is not an attack).
TOKEN_BYTES = 32
#: What every token starts with.
TOKEN_PREFIX = "pm_"
#: What a token name may be: it is shown on reviews and in listings.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


class TokenScope(StrEnum):
    """What a token may do: ``read`` (when reading is closed by configuration) or ``write`` (both)."""

    READ = "read"
    WRITE = "write"


class TokenError(InputError):
    """A token name that is invalid, taken, or unknown."""

    code = "token"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed: never the token itself, which only its creator saw."""

    name: str
    scope: TokenScope
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: TokenScope) -> bool:
        """Whether this token may do what ``scope`` needs (write includes read)."""
        return self.active and (self.scope == TokenScope.WRITE or scope == TokenScope.READ)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scope": str(self.scope),
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
            "active": self.active,
        }


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256 of its UTF-8 bytes, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _info(row: Any) -> TokenInfo:
    return TokenInfo(row.name, TokenScope(row.scope), row.created_at, row.revoked_at)


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise TokenError(
            "a token name is 1 to 100 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
            subject=name[:100],
        )
    return name


class TokenStore(StoreBase):
    """Creating, listing, revoking and checking API tokens."""

    @transient
    def create_token(self, name: str, scope: TokenScope | str = TokenScope.WRITE) -> str:
        """A new token called ``name``; returns the token, which is not kept and cannot be shown again."""
        scope = TokenScope(scope)
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with self._write() as conn:
                conn.execute(
                    API_TOKENS.insert().values(
                        name=check_name(name), scope=scope, token_hash=hash_token(token), created_at=now()
                    )
                )
        except IntegrityError as exc:
            raise TokenError(
                "a token of that name exists (or existed: names of revoked tokens are not reused)",
                subject=name,
            ) from exc
        return token

    @transient
    def tokens(self) -> list[TokenInfo]:
        """Every token ever created, active or revoked, by name."""
        with self._read() as conn:
            rows = conn.execute(select(API_TOKENS).order_by(API_TOKENS.c.name)).all()
        return [_info(r) for r in rows]

    @transient
    def revoke_token(self, name: str) -> TokenInfo:
        """Revoke the token called ``name`` (at once: the next request with it is refused). Revoking
        a revoked token changes nothing; an unknown name is a :class:`TokenError`."""
        with self._write() as conn:
            conn.execute(
                update(API_TOKENS)
                .where(API_TOKENS.c.name == name, API_TOKENS.c.revoked_at.is_(None))
                .values(revoked_at=now())
            )
            row = conn.execute(select(API_TOKENS).where(API_TOKENS.c.name == name)).first()
        if row is None:
            raise TokenError("no token of that name", subject=name[:100])
        return _info(row)

    @transient
    def token_for(self, token: str) -> TokenInfo | None:
        """The active token whose secret is ``token``, or None (unknown, revoked, or malformed)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = hash_token(token)
        with self._read() as conn:
            row = conn.execute(
                select(API_TOKENS).where(API_TOKENS.c.token_hash == digest, API_TOKENS.c.revoked_at.is_(None))
            ).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return _info(row)
