"""The real services the tests talk to: a fresh PostgreSQL schema and a dedicated Redis database.

Each helper skips the test with the reason when its server is not reachable (``make test`` starts
both first, see ``scripts/services.sh``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get("MINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: Database 13 of the local Redis belongs to the tests; it is flushed before and after each use.
#: ``MINER_TEST_REDIS_URL`` picks another one, so that two checkouts can run their suites side by side.
REDIS_URL = os.environ.get("MINER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A store URL whose connections live in a new schema of ``test``; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        from miner.store import db

        db.engine_for.cache_clear()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def redis_client() -> Iterator[redis.Redis]:
    """A client on the tests' Redis database, flushed before and after."""
    r = redis.Redis.from_url(REDIS_URL)
    try:
        r.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    r.flushdb()
    try:
        yield r
    finally:
        r.flushdb()
        r.close()


@contextmanager
def redis_db() -> Iterator[str]:
    """The URL of the tests' Redis database (a Celery broker), flushed before and after."""
    with redis_client():
        yield REDIS_URL
