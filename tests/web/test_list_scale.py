"""The web list at scale (real SQLite and PostgreSQL): no statement binds a parameter per row, the
default order is read through its index, and every page of a large store is seen once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from services import postgres_schema
from sqlalchemy import Engine, event, text

from miner.store import open_repository
from miner.store.browse import DocumentFilter, Sort

ROOT = Path(__file__).resolve().parents[2]


def _bulk() -> Any:
    """``tests/store/bulk.py``: many analysed documents, quickly (every other one flagged)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "store"))
    import bulk as module

    return module


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with postgres_schema() as found:
            yield found


@contextmanager
def parameters(engine: Engine) -> Iterator[list[int]]:
    """How many parameters each statement sent while the block runs bound."""
    seen: list[int] = []

    def listen(_conn: Any, _cur: Any, _statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append(len(params) if isinstance(params, dict | list | tuple) else 0)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def test_no_list_statement_binds_a_parameter_per_row(url: str) -> None:
    bulk = _bulk()
    repo = open_repository(url)

    def most() -> int:
        with parameters(repo.engine) as seen:
            for sort in Sort:
                page = repo.browse(sort=sort, limit=200)
                repo.browse(sort=sort, limit=200, cursor=page.next_cursor)
            repo.browse(
                DocumentFilter(flag="no-targets", score_min=10, text="plan", domain="employment"), limit=200
            )
            assert sum(1 for _ in repo.iter_browse(page_size=200)) == len(repo.documents())
        return max(seen)

    bulk.fill(repo.engine, 201)
    small = most()
    bulk.fill(repo.engine, 1000, start=201)
    assert most() == small <= 16


def test_every_document_once_in_every_order(url: str) -> None:
    bulk = _bulk()
    repo = open_repository(url)
    bulk.fill(repo.engine, 650)
    for sort in Sort:
        for descending in (True, False):
            seen = [d.id for d in repo.iter_browse(sort=sort, descending=descending, page_size=97)]
            assert len(seen) == len(set(seen)) == 650, (sort, descending)


def test_the_default_order_reads_its_index(tmp_path: Path) -> None:
    bulk = _bulk()
    repo = open_repository(f"sqlite:///{tmp_path / 'store.db'}")
    bulk.fill(repo.engine, 50)
    from miner.store import browse

    with repo._read() as conn:
        expr, _ = browse._sort_key(Sort.UPDATED)
        q = (
            browse.select(*browse._COLUMNS)
            .select_from(browse._joined(True, True))
            .order_by(expr.desc(), browse.DOCUMENTS.c.id.desc())
            .limit(26)
        )
        sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_documents_updated_id" in plan and "TEMP B-TREE" not in plan
