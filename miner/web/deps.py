"""What routes are given: the repository of the app's store."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from miner.config import Settings
from miner.store.repository import Repository


def repository_factory(settings: Settings) -> Callable[[], Repository]:
    """Opens the store on each call; the engine (and the migration check) is made once per process,
    and a store that was down when first asked is tried again on the next call."""

    def repository() -> Repository:
        from miner.store import open_repository

        return open_repository(settings.database_url)

    return repository


def repository(request: Request) -> Repository:
    """The store (a route's dependency)."""
    factory: Callable[[], Repository] = request.app.state.repository
    return factory()
