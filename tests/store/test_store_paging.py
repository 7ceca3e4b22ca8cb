"""Keyset pages on real SQLite and PostgreSQL: every row exactly once while rows are inserted, no
statement whose parameters grow with the store, cursors that cannot be mixed up."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bulk
import pytest
from sqlalchemy import Engine, event
from test_store_repository import SOURCE, _analysis, _document, _extracted, _fetched

from miner.records import Extracted, Paragraph
from miner.store import Repository, keyset, open_repository
from miner.store.keyset import InvalidCursor
from miner.store.search import LanguageQuery, QueryWord, SearchTotals

_PLAN = [LanguageQuery("", ((QueryWord("plan", "plan", True),),))]


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent to the database while the block runs, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _parameters(params: Any) -> int:
    if isinstance(params, dict):
        return len(params)
    if isinstance(params, (list, tuple)):
        return len(params)
    return 0


def _store_document(repo: Repository, url: str, body: bytes, paragraphs: tuple[str, ...] = ()) -> int:
    item = repo.work_item(_document(repo, repo.start_run(SOURCE.id), url))
    assert item is not None
    stored = repo.store_fetched(item, _fetched(url, body), government="flemish")
    assert stored.version_id is not None
    extracted = (
        Extracted(
            kind="html", paragraphs=tuple(Paragraph(i, t, None, "nl") for i, t in enumerate(paragraphs))
        )
        if paragraphs
        else _extracted()
    )
    repo.store_analysis(stored.version_id, extracted, _analysis("x"))
    return stored.version_id


def test_documents_pages_return_every_row_once_while_rows_are_inserted(store_url: str) -> None:
    repo = open_repository(store_url)
    bulk.fill(repo.engine, 120)
    before = {bulk.url_of(i) for i in range(120)}
    repo.upsert_source(SOURCE)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = repo.documents_page(cursor=cursor, limit=25)
        seen.extend(d.url for d in page.items)
        pages += 1
        # Between pages another process stores documents, before and after the cursor.
        for url in (f"http://127.0.0.1:1/a-{pages}.html", f"http://127.0.0.1:1/z-{pages}.html"):
            _store_document(repo, url, url.encode())
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)), "a row came twice"
    assert before <= set(seen), "a row that was there all along was skipped"
    # Rows inserted behind the cursor are not seen; those ahead of it are seen (once), up to the
    # last page read: 120 old rows and four z- rows make five pages of 25, and no empty sixth page.
    assert pages == 5
    assert not any("/a-" in u for u in seen)
    assert {u for u in seen if "/z-" in u} == {f"http://127.0.0.1:1/z-{k}.html" for k in range(1, pages)}
    assert set(seen) <= {d.url for d in repo.documents()}


def test_iter_documents_and_documents_agree_with_flags_and_scores(store_url: str) -> None:
    repo = open_repository(store_url)
    bulk.fill(repo.engine, 30)
    listed = repo.documents()
    assert [d.url for d in listed] == [bulk.url_of(i) for i in range(30)]
    assert list(repo.iter_documents(page_size=7)) == listed
    assert listed[0].flags == ("no-targets",) and listed[1].flags == ()
    assert [d.score for d in listed[:3]] == [0, 1, 2] and listed[0].language == "nl"
    assert repo.documents(source_id="nope") == []
    assert len(repo.documents(source_id=bulk.SOURCE.id)) == 30


def test_no_statement_binds_a_parameter_per_row(store_url: str) -> None:
    """What made the list fail above 65,535 analysed documents on PostgreSQL: the parameters of
    every statement of every listing are as many for a store of two pages as for one of five."""
    repo = open_repository(store_url)

    def most_parameters() -> int:
        with statements(repo.engine) as seen:
            assert len(repo.documents()) == len(list(repo.iter_documents()))
            repo.versions_to_rescore("r2", "m1")
            list(repo.iter_versions_to_rescore("r2", "m1"))
            repo.dead_letters()
            list(repo.iter_search(_PLAN, page_size=5000))
            repo.search_totals(_PLAN)
            list(repo.iter_facts(evidence=True))
        return max(_parameters(p) for _s, p in seen)

    bulk.fill(repo.engine, keyset.PAGE_SIZE + 1)
    small = most_parameters()
    bulk.fill(repo.engine, 4 * keyset.PAGE_SIZE, start=keyset.PAGE_SIZE + 1)
    assert len(repo.documents()) == 5 * keyset.PAGE_SIZE + 1
    assert most_parameters() == small <= 8


def test_dead_letters_and_rescore_are_paged(store_url: str) -> None:
    repo = open_repository(store_url)
    bulk.fill(repo.engine, 12)
    for i in range(12):
        repo.dead_letter(task="t", subject=str(i), key=f"t:{i}", error_code="e", message="m")
    first = repo.dead_letters_page(limit=5)
    assert [r["subject"] for r in first.items] == ["0", "1", "2", "3", "4"] and first.next_cursor
    assert [r["subject"] for r in repo.iter_dead_letters(page_size=5)] == [str(i) for i in range(12)]
    assert repo.dead_letters() == list(repo.iter_dead_letters(page_size=5))
    # Every version is scored under r1; under r2 all twelve are to do, page after page.
    assert repo.versions_to_rescore("r1", "m1") == []
    todo = repo.versions_to_rescore("r2", "m1")
    assert len(todo) == 12 and list(repo.iter_versions_to_rescore("r2", "m1", page_size=5)) == todo


def test_paragraph_search_pages(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    for d in range(3):
        texts = tuple(f"Paragraaf {p} over inburgering." if p % 2 == 0 else "Iets anders." for p in range(9))
        _store_document(repo, f"http://127.0.0.1:1/p{d}.html", f"p{d}".encode(), texts)
    query = [LanguageQuery("nl", ((QueryWord("inburgering", "inburger", True),),))]
    found = list(repo.iter_search(query, page_size=4))
    assert [(p.url[-7:], p.paragraph.index) for p in found] == [
        (f"p{d}.html", i) for d in range(3) for i in (0, 2, 4, 6, 8)
    ]
    first = repo.search_page(query, limit=7)
    assert list(first.items) == found[:7] and first.next_cursor is not None
    assert repo.search_totals(query) == SearchTotals(15, 3)
    assert found[0].paragraph.text == "Paragraaf 0 over inburgering." and found[0].government == "flemish"


def test_cursors_are_checked(store_url: str) -> None:
    repo = open_repository(store_url)
    bulk.fill(repo.engine, 3)
    cursor = repo.documents_page(limit=1).next_cursor
    assert cursor is not None and repo.documents_page(cursor=cursor, limit=1).items[0].url == bulk.url_of(1)
    for bad in (
        "x",
        "!!!",
        keyset.encode("documents", [1, 2]),
        repo.dead_letters_page().next_cursor or "e30",
    ):
        with pytest.raises(InvalidCursor):
            repo.documents_page(cursor=bad)
    with pytest.raises(InvalidCursor):
        repo.dead_letters_page(cursor=cursor)  # a cursor of another listing
    with pytest.raises(ValueError):
        repo.documents_page(limit=0)


def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    """A listing (a read-only transaction) goes on while another process holds the write lock."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    repo = open_repository(url)
    bulk.fill(repo.engine, 10)
    writer = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # e.g. a crawl in the middle of storing a document
    try:
        started = time.monotonic()
        assert len(repo.documents()) == 10 and repo.dead_letters() == []
        assert time.monotonic() - started < 5  # a writer's lock would hold this for the 60 s busy timeout
    finally:
        writer.execute("ROLLBACK")
        writer.close()
