"""The repository on real SQLite and real PostgreSQL: idempotent upserts, versions, dead letters."""

from __future__ import annotations

import threading

from sqlalchemy import inspect

from miner.records import Analysis, DimensionScore, Evidence, Extracted, Fetched, Flag, Paragraph, Source
from miner.store import Repository, db, open_repository
from miner.store.models import Base

SOURCE = Source(
    id="test-source",
    name="A test source",
    government="flemish",
    domains=("employment",),
    languages=("nl",),
    start_urls=("http://127.0.0.1:1/index.html",),
    scope=("http://127.0.0.1:1/",),
    delay=0.0,
)


def _fetched(url: str, body: bytes, etag: str = '"a"') -> Fetched:
    return Fetched(url=url, final_url=url, status=200, content=body, content_type="text/html", etag=etag)


def _extracted() -> Extracted:
    return Extracted(
        kind="html",
        paragraphs=(
            Paragraph(0, "Nieuwkomers krijgen taalondersteuning op de werkvloer.", None, "nl", "Werk"),
            Paragraph(1, "De VDAB volgt de resultaten op.", None, "nl", "Werk"),
        ),
        title="Actieplan",
    )


def _analysis(digest: str, rubric: str = "r1") -> Analysis:
    ev = Evidence("language", "Nieuwkomers krijgen taalondersteuning.", "nieuwkomer", 0, None, 0, 11, "nl")
    return Analysis(
        id="doc",
        language="nl",
        relevance=0.8,
        migrant=True,
        score=50,
        dimensions=(DimensionScore("language", 100, (ev,), "named"),),
        flags=(Flag("no-targets", "warning", "no numeric target", (ev,)),),
        evidence=(ev,),
        content_hash=digest,
        title="Actieplan",
        kind="html",
        rubric_version=rubric,
        model_version="m1",
    )


def _document(repo: Repository, run_id: int, url: str) -> int:
    run_url = repo.enqueue(run_id, SOURCE.id, url, role="document", depth=1)
    assert run_url is not None
    return run_url


def test_schema_matches_models_after_migration(store_url: str) -> None:
    repo = open_repository(store_url)
    assert db.current_revision(repo.engine) == db.head_revision()
    tables = set(inspect(repo.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    # A second open (another process starting) is a no-op, not an error.
    db.upgrade(repo.engine)


def test_every_step_twice_leaves_the_same_rows(store_url: str) -> None:
    repo = open_repository(store_url)

    def one_pass() -> None:
        repo.upsert_source(SOURCE)
        run_id = repo.start_run(SOURCE.id)
        run_url = _document(repo, run_id, "http://127.0.0.1:1/a.html")
        item = repo.work_item(run_url)
        assert item is not None
        body = b"<html><p>Nieuwkomers</p></html>"
        for _ in range(2):  # the same answer stored twice (a redelivered task)
            stored = repo.store_fetched(item, _fetched(item.url, body), government="flemish")
        for _ in range(2):
            repo.store_analysis(stored.version_id or 0, _extracted(), _analysis(stored.outcome))
        repo.finish_item(run_url, state="done", outcome=stored.outcome, version_id=stored.version_id)

    one_pass()
    first = repo.row_counts()
    one_pass()
    second = repo.row_counts()
    # A second run adds a run and its frontier row, nothing else.
    assert second.pop("crawl_runs") == first.pop("crawl_runs") + 1
    assert second.pop("run_urls") == first.pop("run_urls") + 1
    assert second == first
    assert first["documents"] == 1 and first["document_versions"] == 1 and first["blobs"] == 1
    assert first["analyses"] == 1 and first["flags"] == 1 and first["evidence"] == 1
    assert first["paragraphs"] == 2


def test_outcomes_new_unchanged_changed_and_back(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    url = "http://127.0.0.1:1/plan.html"
    outcomes = []
    for body in (b"v1", b"v1", b"v2", b"v1"):
        run_id = repo.start_run(SOURCE.id)
        item = repo.work_item(_document(repo, run_id, url))
        assert item is not None
        stored = repo.store_fetched(item, _fetched(url, body), government="flemish")
        if stored.needs_analysis:
            repo.store_analysis(stored.version_id or 0, _extracted(), _analysis("x"))
        outcomes.append((stored.outcome, stored.needs_analysis))
    # Flipping back to known bytes is a change but needs no new analysis.
    assert outcomes == [("new", True), ("unchanged", False), ("changed", True), ("changed", False)]
    counts = repo.row_counts()
    assert counts["document_versions"] == 2 and counts["analyses"] == 2 and counts["documents"] == 1
    [doc] = repo.documents()
    assert doc.content_hash == Fetched(url, url, 200, b"v1").content_hash
    assert doc.score == 50 and doc.flags == ("no-targets",) and doc.language == "nl"


def test_a_new_rubric_adds_an_analysis_beside_the_old_one(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    item = repo.work_item(_document(repo, run_id, "http://127.0.0.1:1/x.pdf"))
    assert item is not None
    stored = repo.store_fetched(item, _fetched(item.url, b"%PDF-1.4 x"), government="flemish")
    vid = stored.version_id or 0
    assert repo.versions_to_rescore("r1", "m1") == [vid]
    assert repo.store_analysis(vid, _extracted(), _analysis("h", rubric="r1")) is True
    assert repo.store_analysis(vid, _extracted(), _analysis("h", rubric="r1")) is False
    assert repo.versions_to_rescore("r1", "m1") == []
    assert repo.versions_to_rescore("r2", "m1") == [vid]
    assert repo.store_analysis(vid, _extracted(), _analysis("h", rubric="r2")) is True
    assert repo.row_counts()["analyses"] == 2
    assert repo.documents()[0].rubric_version == "r2"
    # The raw bytes are kept: re-scoring needs no fetch.
    info = repo.version_info(vid)
    assert info is not None and repo.blob(info.content_hash) == b"%PDF-1.4 x"


def test_two_writers_at_once_store_one_analysis(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    item = repo.work_item(_document(repo, run_id, "http://127.0.0.1:1/race.html"))
    assert item is not None
    results: list[bool] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            stored = repo.store_fetched(item, _fetched(item.url, b"race"), government="flemish")
            results.append(repo.store_analysis(stored.version_id or 0, _extracted(), _analysis("h")))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [False, False, False, True]
    counts = repo.row_counts()
    assert counts["document_versions"] == 1 and counts["analyses"] == 1 and counts["paragraphs"] == 2


def test_frontier_dedupes_and_caps_documents(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    first = repo.enqueue(run_id, SOURCE.id, "http://127.0.0.1:1/1", role="document", depth=1, limit=2)
    again = repo.enqueue(run_id, SOURCE.id, "http://127.0.0.1:1/1", role="document", depth=1, limit=2)
    second = repo.enqueue(run_id, SOURCE.id, "http://127.0.0.1:1/2", role="document", depth=1, limit=2)
    third = repo.enqueue(run_id, SOURCE.id, "http://127.0.0.1:1/3", role="document", depth=1, limit=2)
    assert first is not None and again is None and second is not None and third is None
    assert repo.pending([run_id]) == 3  # two queued items plus the unseeded run
    repo.mark_seeded(run_id)
    repo.finish_item(first, state="done", outcome="new")
    repo.dead_letter(
        task="fetch_url",
        subject="http://127.0.0.1:1/2",
        key=f"fetch_url:{run_id}:2",
        error_code="fetch-permanent",
        message="404",
        run_id=run_id,
        run_url_id=second,
    )
    assert repo.pending([run_id]) == 0
    info = repo.run_info(run_id)
    assert info is not None and info["finished_at"] is not None
    summary = repo.summary([run_id]).as_dict()
    assert (summary["new"], summary["failed"], summary["pending"]) == (1, 1, 0)
    assert summary["failures"][0]["message"] == "404"


def test_dead_letter_is_recorded_once_per_key(store_url: str) -> None:
    repo = open_repository(store_url)
    for attempt in (1, 2, 3):
        repo.dead_letter(
            task="process_document",
            subject="7",
            key="process_document:7",
            error_code="corrupt",
            message=f"attempt {attempt}",
            attempts=attempt,
        )
    [row] = repo.dead_letters()
    assert row["attempts"] == 3 and row["message"] == "attempt 3"


def test_source_round_trips(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    assert repo.get_source(SOURCE.id) == SOURCE
    assert repo.get_source("missing") is None


def test_migration_and_models_agree(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from miner.store.search import SEARCH_COLUMNS, SEARCH_INDEX_TABLES, SEARCH_INDEXES

    def modelled(name: str | None, _type: str, _parents: object) -> bool:
        """The full-text index is derived data the migration builds, not a model."""
        return name not in (*SEARCH_INDEX_TABLES, *SEARCH_INDEXES, *SEARCH_COLUMNS)

    repo = open_repository(store_url)
    with repo.engine.connect() as conn:
        opts = {"compare_type": False, "include_name": modelled}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == []


def test_only_a_permanent_analysis_failure_stops_later_runs_retrying(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    versions = {}
    for name, permanent in (("bug", False), ("corrupt", True)):
        run_id = repo.start_run(SOURCE.id)
        item = repo.work_item(_document(repo, run_id, f"http://127.0.0.1:1/{name}.pdf"))
        assert item is not None
        stored = repo.store_fetched(item, _fetched(item.url, name.encode()), government="flemish")
        assert stored.needs_analysis and stored.version_id is not None
        versions[name] = (item, stored.version_id)
        repo.dead_letter(
            task="process_document",
            subject=item.url,
            key=f"process_document:{stored.version_id}",
            error_code="internal" if not permanent else "corrupt",
            message="x",
            permanent=permanent,
            version_id=stored.version_id,
        )
    assert repo.versions_to_rescore("r1", "m1") == [versions["bug"][1]]
    for name, expected in (("bug", True), ("corrupt", False)):
        item, _vid = versions[name]
        again = repo.store_fetched(item, _fetched(item.url, name.encode()), government="flemish")
        assert again.needs_analysis is expected


def test_a_step_redone_in_the_same_run_keeps_its_outcome(store_url: str) -> None:
    """A worker died after storing, before settling: the redelivered step gets a 304 (the validators
    were stored) or the same bytes, and the run still counts the document as new, once."""
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    item = repo.work_item(_document(repo, run_id, "http://127.0.0.1:1/redo.html"))
    assert item is not None
    assert repo.store_fetched(item, _fetched(item.url, b"one"), government="flemish").outcome == "new"
    assert repo.store_fetched(item, _fetched(item.url, b"one"), government="flemish").outcome == "new"
    assert repo.store_not_modified(item).outcome == "new"
    later = repo.work_item(_document(repo, repo.start_run(SOURCE.id), item.url))
    assert later is not None
    assert repo.store_not_modified(later).outcome == "unchanged"
    assert repo.store_fetched(later, _fetched(item.url, b"two"), government="flemish").outcome == "changed"
    assert repo.store_not_modified(later).outcome == "changed"
