"""Alerts' fixtures: a real store (SQLite and PostgreSQL), a real webhook receiver on 127.0.0.1, a
real SMTP server on 127.0.0.1 (aiosmtpd), and documents stored the way a crawl stores them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from services import postgres_schema

# The web tests' store builder (documents analysed by the real pipeline, hostile markup planted).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))

from receivers import Mailbox, Receiver


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as m:
        yield m


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Commands run in this process read the settings of the environment each test gives them."""
    from miner.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
