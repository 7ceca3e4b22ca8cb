"""Store fixtures: a fresh SQLite file, or a fresh schema in the real PostgreSQL database ``test``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from services import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with postgres_schema() as url:
            yield url
