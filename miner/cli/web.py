"""``miner serve`` (the web app and API) and ``miner tokens`` (who may write, or read when closed)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from miner.cli import app, output
from miner.cli.listings import _when
from miner.cli.table import Column


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Processes serving requests.", min=1, max=64)] = 1,
) -> None:
    """Serve the web app (pages at /, the API at /api, its description at /openapi.json) over the store.

    Reading is open unless MINER_WEB_READING=token; every write needs a write token (miner tokens).
    """
    import uvicorn

    from miner.config import get_settings

    get_settings()  # an invalid setting is a usage error now, not a failing page later
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "proxy_headers": True}
    if workers > 1:
        uvicorn.run("miner.web:create_app", factory=True, workers=workers, **options)
        return
    from miner.web import create_app

    uvicorn.run(create_app(), **options)


class TokenAction(StrEnum):
    CREATE = "create"
    LIST = "list"
    REVOKE = "revoke"


TOKEN_COLUMNS: tuple[Column[Any], ...] = (
    Column("name", lambda t: t.name, min_width=8),
    Column("scope", lambda t: str(t.scope), shrink=False),
    Column("created (UTC)", lambda t: _when(t.created_at), shrink=False),
    Column("revoked (UTC)", lambda t: _when(t.revoked_at) if t.revoked_at else "", shrink=False),
)


@app.command()
def tokens(
    action: Annotated[TokenAction, typer.Argument(help="create, list or revoke.")],
    name: Annotated[str | None, typer.Argument(help="The token's name (create, revoke).")] = None,
    scope: Annotated[str, typer.Option(help="read or write (create): write can also read.")] = "write",
    format: Annotated[str, output.format_option()] = "table",
) -> None:
    """Tokens of the web API: `create NAME [--scope read|write]` prints a new token once (only its
    SHA-256 is stored); `list` shows names, scopes and dates, never tokens; `revoke NAME` stops one at once.
    """
    from miner.store import open_repository
    from miner.store.tokens import TokenError, TokenScope

    if action is not TokenAction.LIST and not name:
        raise output.usage_error(f"`miner tokens {action}` needs the token's NAME", "'NAME'")
    if scope not in tuple(TokenScope):
        raise output.usage_error(f"{scope!r} is not one of read, write", "'--scope'")
    repo = open_repository()
    try:
        _token_action(repo, action, name, TokenScope(scope), format)
    except TokenError as exc:  # a name that is invalid, taken or unknown: fix the command
        raise output.usage_error(str(exc), "'NAME'") from exc


def _token_action(repo: Any, action: TokenAction, name: str | None, scope: str, format: str) -> None:
    if action is TokenAction.CREATE:
        assert name is not None
        token = repo.create_token(name, scope)
        if format == output.Format.TABLE:
            typer.echo(token)
        else:
            row = {"name": name, "scope": scope, "token": token}
            output.emit([row], format, columns=(), record=lambda r: r, fields=tuple(row), empty="")
        output.note(
            f"token {name!r} ({scope}) created: store it now, it is not shown again. "
            "Send it as 'Authorization: Bearer <token>'."
        )
        return
    if action is TokenAction.REVOKE:
        assert name is not None
        info = repo.revoke_token(name)
        output.note(f"token {info.name!r} revoked: requests with it are refused from now on")
        return
    output.emit(
        repo.tokens(),
        format,
        columns=TOKEN_COLUMNS,
        record=lambda t: t.as_dict(),
        fields=("name", "scope", "created_at", "revoked_at", "active"),
        empty="no tokens yet: `miner tokens create NAME --scope write` makes one",
    )
