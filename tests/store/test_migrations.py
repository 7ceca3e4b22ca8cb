"""Every migration, up and down, on a store full of data (real SQLite and real PostgreSQL)."""

from __future__ import annotations

import bulk
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from test_backup import _populate
from test_store_paging import _store_document

from miner.store import Repository, db, open_repository
from miner.store.backup import fingerprint

#: Tables a revision creates. Taking that revision down drops them, rows and all (the older schema has
#: no place for those rows); bringing it up again gives them back empty.
CREATED_BY = {"api_tokens": "0030_web_tokens_reviews", "flag_reviews": "0030_web_tokens_reviews"}


def _created_after(revision: str, revisions: list[str]) -> set[str]:
    """Tables that revisions newer than ``revision`` create."""
    newer = set(revisions[revisions.index(revision) + 1 :])
    return {t for t, r in CREATED_BY.items() if r in newer}


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


def test_every_revision_goes_down_and_up_again_keeping_the_rows(store_url: str) -> None:
    repo, failed = _populated(store_url)
    at_head = fingerprint(repo.engine)
    rows = {table: n for table, (n, _) in at_head.items() if table != "alembic_version"}
    revisions = _revisions()
    assert revisions[-1] == db.head_revision() and len(revisions) >= 3
    # Down one revision at a time: every row stays where the older schema has a place for it.
    for older in reversed(revisions[:-1]):
        db.downgrade(repo.engine, older)
        assert db.current_revision(repo.engine) == older
        now = fingerprint(repo.engine)
        kept = {t: n for t, n in rows.items() if t not in _created_after(older, revisions)}
        assert {t: n for t, (n, _) in now.items() if t != "alembic_version"} == kept
        if older == "0002":
            indexes = {i["name"] for i in inspect(repo.engine).get_indexes("documents")}
            assert "ix_documents_url_id" not in indexes and "ix_documents_source_id" in indexes
    columns = {c["name"] for c in inspect(repo.engine).get_columns("dead_letters")}
    assert "permanent" not in columns and "version_id" not in columns  # the 0001 schema
    # And up again: the same rows with the same content, columns added since filled in from the data.
    for newer in revisions[1:]:
        db.upgrade(repo.engine, newer)
        assert db.current_revision(repo.engine) == newer
    after = fingerprint(repo.engine)
    changed = {t for t in at_head if after[t] != at_head[t]}
    # ``permanent`` cannot survive a schema that has no column for it: it comes back as False; the
    # tables created since 0001 come back empty.
    assert changed == {"dead_letters"} | {t for t in CREATED_BY if rows[t]}
    assert all(after[t][0] == 0 for t in CREATED_BY)
    dead = {d["key"]: d for d in repo.dead_letters()}
    assert dead[f"process_document:{failed}"]["version_id"] == failed  # read back from the key
    assert repo.documents() and len(repo.documents()) == rows["documents"]


def test_the_newest_revision_down_and_up_is_lossless(store_url: str) -> None:
    """One step back (a release rolled back) and forward again changes nothing, byte for byte, but
    the tables that step creates (which come back empty)."""
    repo, failed = _populated(store_url)
    before = fingerprint(repo.engine)
    revisions = _revisions()
    previous = revisions[-2]
    dropped = _created_after(previous, revisions)
    db.downgrade(repo.engine, previous)
    assert not dropped & set(inspect(repo.engine).get_table_names())
    db.upgrade(repo.engine)
    after = fingerprint(repo.engine)
    assert {t: v for t, v in after.items() if t not in dropped} == {
        t: v for t, v in before.items() if t not in dropped
    }
    assert all(after[t][0] == 0 for t in dropped)
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
