"""The real app in a test: FastAPI's TestClient over ``create_app`` with the settings a test needs."""

from __future__ import annotations

import warnings

from miner.config import Settings
from miner.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about httpx's successor
    from fastapi.testclient import TestClient


def client_for(url: str, **settings: object) -> TestClient:
    """A client of the real app over the store at ``url`` (``settings``: what to set besides)."""
    return TestClient(create_app(Settings(database_url=url, **settings)))  # type: ignore[arg-type]


__all__ = ["TestClient", "client_for"]
