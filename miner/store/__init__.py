"""The store: SQLAlchemy models, the repository (every query), Alembic migrations.

Use :func:`open_repository`; nothing outside this package writes SQL.
"""

from __future__ import annotations

from miner.store.repository import Repository, StoreUnavailable


def open_repository(url: str | None = None) -> Repository:
    """The repository of ``url`` (default: the ``MINER_DATABASE_URL`` setting), schema up to date."""
    if url is None:
        from miner.config import get_settings

        url = get_settings().database_url
    return Repository.open(url)


__all__ = ["Repository", "StoreUnavailable", "open_repository"]
