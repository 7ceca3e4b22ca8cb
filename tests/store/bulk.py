"""Fill a store with many analysed documents quickly (tests of scale, and ``bench/bench_store.py``).

Going through the repository would cost a few transactions per document; a store of 100,000
documents is filled here with multi-row ``INSERT``s of the same rows the repository would write (a
source, then per document: url, blob, document, version, analysis, and a flag on every other one).
Ids are given explicitly, so PostgreSQL's sequences are moved past them afterwards: the repository
can keep writing to the same store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select, text

from miner.records import Source
from miner.store.base import ANALYSES, BLOBS, DOCUMENTS, FLAGS, SOURCES, URLS, VERSIONS
from miner.store.states import UrlRole

SOURCE = Source(
    id="bulk",
    name="Bulk test source",
    government="federal",
    domains=("employment",),
    languages=("nl",),
    start_urls=("http://127.0.0.1:1/",),
    scope=("http://127.0.0.1:1/",),
)
CHUNK = 5000


def url_of(i: int) -> str:
    return f"http://127.0.0.1:1/doc/{i:07d}.pdf"


def _rows(start: int, stop: int, stamp: datetime) -> dict[Table, list[dict[str, Any]]]:
    out: dict[Table, list[dict[str, Any]]] = {
        t: [] for t in (URLS, BLOBS, DOCUMENTS, VERSIONS, ANALYSES, FLAGS)
    }
    for i in range(start, stop):
        n = i + 1
        data = f"document {i}".encode()
        digest = hashlib.sha256(data).hexdigest()
        out[URLS].append(
            {
                "id": n,
                "source_id": SOURCE.id,
                "url": url_of(i),
                "role": UrlRole.DOCUMENT,
                "first_seen_at": stamp,
            }
        )
        out[BLOBS].append({"content_hash": digest, "size": len(data), "data": data, "stored_at": stamp})
        out[DOCUMENTS].append(
            {
                "id": n,
                "url_id": n,
                "source_id": SOURCE.id,
                "url": url_of(i),
                "government": SOURCE.government,
                "current_version_id": n,
                "first_seen_at": stamp,
                "updated_at": stamp,
            }
        )
        out[VERSIONS].append(
            {
                "id": n,
                "document_id": n,
                "content_hash": digest,
                "size": len(data),
                "content_type": "application/pdf",
                "kind": "pdf",
                "title": f"Plan {i}",
                "fetched_at": stamp,
            }
        )
        out[ANALYSES].append(
            {
                "id": n,
                "version_id": n,
                "rubric_version": "r1",
                "model_version": "m1",
                "content_hash": digest,
                "score": i % 101,
                "relevance": 0.5,
                "migrant": i % 2 == 0,
                "language": "nl",
                "title": f"Plan {i}",
                "kind": "pdf",
                "dimensions": {},
                "sections": [],
                "detail": {},
                "computed_at": stamp,
            }
        )
        if i % 2 == 0:
            out[FLAGS].append(
                {"analysis_id": n, "code": "no-targets", "severity": "warning", "reason": "r", "evidence": []}
            )
    return out


def _chunks(start: int, stop: int) -> Iterator[tuple[int, int]]:
    for lo in range(start, stop, CHUNK):
        yield lo, min(stop, lo + CHUNK)


def fill(engine: Engine, count: int, *, start: int = 0) -> None:
    """Add documents ``start`` .. ``start + count - 1`` (each analysed; every other one flagged)."""
    stamp = datetime.now(UTC)
    with engine.begin() as conn:
        if (
            conn.execute(
                select(func.count()).select_from(SOURCES).where(SOURCES.c.id == SOURCE.id)
            ).scalar_one()
            == 0
        ):
            conn.execute(
                SOURCES.insert().values(
                    id=SOURCE.id, name=SOURCE.name, government=SOURCE.government, config={}, updated_at=stamp
                )
            )
    for lo, hi in _chunks(start, start + count):
        rows = _rows(lo, hi, stamp)
        with engine.begin() as conn:
            for table, values in rows.items():
                if values:
                    conn.execute(table.insert(), values)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in (URLS, DOCUMENTS, VERSIONS, ANALYSES, FLAGS):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table.name}))"
                    )
                )
