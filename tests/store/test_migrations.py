"""Every migration, up and down, on a store full of data (real SQLite and real PostgreSQL)."""

from __future__ import annotations

import bulk
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from test_backup import _populate
from test_store_paging import _store_document

from miner.store import Repository, db, open_repository
from miner.store.backup import fingerprint
from miner.store.search import SEARCH_INDEX_TABLES


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(db._alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _populated(store_url: str) -> tuple[Repository, int]:
    """A store with rows in every table, and the version whose analysis failed for good (which a
    round trip must not forget: it is not to be rescored)."""
    repo = open_repository(store_url)
    _populate(repo)
    failed = _store_document(repo, "http://127.0.0.1:1/corrupt.pdf", b"%PDF corrupt")
    repo.dead_letter(
        task="process_document",
        subject="http://127.0.0.1:1/corrupt.pdf",
        key=f"process_document:{failed}",
        error_code="corrupt",
        message="x",
        permanent=True,
        version_id=failed,
    )
    return repo, failed


def _rows(prints: dict[str, tuple[int, str]]) -> dict[str, int]:
    """Rows per table, but the schema revision's and the full-text index's (derived data, rebuilt
    by its migration, its internal layout differing with the order rows came in)."""
    return {t: n for t, (n, _) in prints.items() if t != "alembic_version" and t not in SEARCH_INDEX_TABLES}


def test_every_revision_goes_down_and_up_again_keeping_the_rows(store_url: str) -> None:
    repo, failed = _populated(store_url)
    at_head = fingerprint(repo.engine)
    rows = _rows(at_head)
    revisions = _revisions()
    assert revisions[-1] == db.head_revision() and len(revisions) >= 3
    # Down one revision at a time: every row stays where the older schema has a place for it.
    for older in reversed(revisions[:-1]):
        db.downgrade(repo.engine, older)
        assert db.current_revision(repo.engine) == older
        now = _rows(fingerprint(repo.engine))
        assert now == {t: n for t, n in rows.items() if t in now}
        if older == "0002":  # before the keyset indexes
            indexes = {i["name"] for i in inspect(repo.engine).get_indexes("documents")}
            assert "ix_documents_url_id" not in indexes and "ix_documents_source_id" in indexes
    at_base = set(now)
    columns = {c["name"] for c in inspect(repo.engine).get_columns("dead_letters")}
    assert "permanent" not in columns and "version_id" not in columns  # the 0001 schema
    # And up again: the same rows with the same content, columns added since filled in from the data.
    for newer in revisions[1:]:
        db.upgrade(repo.engine, newer)
        assert db.current_revision(repo.engine) == newer
    after = fingerprint(repo.engine)
    changed = {t for t in _rows(at_head) if after[t] != at_head[t]}
    # ``permanent`` cannot survive a schema that has no column for it: it comes back as False; the
    # tables created since 0001 come back empty (the 0001 schema had no place for their rows).
    assert changed - (set(rows) - at_base) == {"dead_letters"}
    dead = {d["key"]: d for d in repo.dead_letters()}
    assert dead[f"process_document:{failed}"]["version_id"] == failed  # read back from the key
    assert repo.documents() and len(repo.documents()) == rows["documents"]


def test_the_newest_revision_down_and_up_is_lossless(store_url: str) -> None:
    """One step back (a release rolled back) and forward again changes nothing, byte for byte, in
    every table the older schema has (a table the newest revision creates comes back empty)."""
    repo, failed = _populated(store_url)
    before = fingerprint(repo.engine)
    previous = _revisions()[-2]
    db.downgrade(repo.engine, previous)
    kept = set(_rows(fingerprint(repo.engine)))
    db.upgrade(repo.engine)
    after = fingerprint(repo.engine)
    assert kept and {t: after[t] for t in kept} == {t: before[t] for t in kept}
    # After the round trip the permanently failed version is still not offered for rescoring.
    assert failed not in repo.versions_to_rescore("r-new", "m1")
    assert len(repo.versions_to_rescore("r-new", "m1")) == before["documents"][0] - 1


def test_down_to_nothing_and_up_to_a_working_store(store_url: str) -> None:
    repo = open_repository(store_url)
    bulk.fill(repo.engine, 10)
    db.downgrade(repo.engine, "base")
    assert set(inspect(repo.engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(repo.engine)
    assert sum(repo.row_counts().values()) == 0
    bulk.fill(repo.engine, 10)
    assert len(repo.documents()) == 10
