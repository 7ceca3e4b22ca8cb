"""The store: SQLAlchemy models, the repository (every query), Alembic migrations, backups.

Use :func:`open_repository`; nothing outside this package writes SQL.
"""

from __future__ import annotations

from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from miner.errors import ConfigError
from miner.store.repository import Repository, StoreUnavailable
from miner.store.states import FrontierState, Outcome, RunTrigger, UrlRole


def open_repository(url: str | None = None) -> Repository:
    """The repository of ``url`` (default: the ``MINER_DATABASE_URL`` setting), schema up to date.

    Raises :class:`ConfigError` for a URL that names no usable database, :class:`StoreUnavailable`
    (transient) when the database cannot be reached.
    """
    if url is None:
        from miner.config import get_settings

        url = get_settings().database_url
    try:
        return Repository.open(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ConfigError(f"MINER_DATABASE_URL is not a usable database URL: {exc}") from exc
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot open the store: {getattr(exc, 'orig', None) or exc}") from exc


__all__ = [
    "FrontierState",
    "Outcome",
    "Repository",
    "RunTrigger",
    "StoreUnavailable",
    "UrlRole",
    "open_repository",
]
