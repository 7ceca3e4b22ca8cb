"""Web fixtures: the real app (FastAPI's TestClient over ``create_app``) on a real store, SQLite and
PostgreSQL, filled by :mod:`webstore` as a crawl fills it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from services import postgres_schema
from webclient import TestClient, client_for
from webstore import WebStore, fill


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStore]:
    """One store per database for the whole session, with every kind of document and hostile markup.
    Tests that use it only read (writes get :func:`fresh`)."""
    if request.param == "sqlite":
        yield fill(f"sqlite:///{tmp_path_factory.mktemp('web') / 'store.db'}")
    else:
        with postgres_schema() as url:
            yield fill(url)


@pytest.fixture
def client(filled: WebStore) -> TestClient:
    return client_for(filled.url)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WebStore]:
    """A store of its own (the four plans, no hostile documents) for a test that writes."""
    if request.param == "sqlite":
        yield fill(f"sqlite:///{tmp_path / 'store.db'}", hostile=False)
    else:
        with postgres_schema() as url:
            yield fill(url, hostile=False)
