"""Backups restored into a fresh store hold every row of every table, byte for byte (real SQLite,
real PostgreSQL with pg_dump/pg_restore); a restore never overwrites data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import bulk
import pytest
from services import postgres_schema
from sqlalchemy import create_engine, text
from test_store_paging import _store_document
from test_store_repository import SOURCE

from miner.errors import ConfigError
from miner.store import Repository, db, open_repository
from miner.store.backup import BackupError, backup, fingerprint, restore
from miner.store.subscriptions import Event, Subscription
from miner.store.watchlists import StoredTerm


def _populate(repo: Repository) -> None:
    """Every table with rows: bulk documents, and documents stored the way a crawl stores them
    (runs, frontier, fetch log, paragraphs, evidence), plus a dead letter."""
    bulk.fill(repo.engine, 40)
    repo.upsert_source(SOURCE)
    repo.add_subscription(Subscription("new-plans", Event.NEW))  # its feed's alerts: the outbox
    for i in range(3):
        _store_document(repo, f"http://127.0.0.1:1/r{i}.html", f"body {i}".encode(), ("Nieuwkomers werken.",))
    repo.log_fetch(url="http://127.0.0.1:1/r0.html", started_at=bulk.datetime.now(bulk.UTC))
    repo.add_watchlist_terms("nieuwkomers", [StoredTerm("nieuwkomers"), StoredTerm("primo-arrivants", "fr")])
    repo.dead_letter(
        task="fetch_url", subject="http://127.0.0.1:1/x", key="fetch_url:1:9", error_code="e", message="m"
    )
    repo.create_token("analyst", "write")
    repo.add_review(1, "no-targets", "dismissed", reviewer="analyst", note="covered in the annex")


def _assert_every_table_has_rows(prints: dict[str, tuple[int, str]]) -> None:
    assert all(rows > 0 for rows, _ in prints.values()), prints


def test_sqlite_backup_restores_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    repo = open_repository(url)
    _populate(repo)
    before = fingerprint(repo.engine)
    _assert_every_table_has_rows(before)
    done = backup(url, tmp_path / "store.backup")
    assert done.bytes > 0 and not (tmp_path / ".store.backup.partial").exists()
    restored = restore(f"sqlite:///{tmp_path / 'fresh' / 'store.db'}", done.path)
    assert restored == before
    # The restored store works: the repository reads it as it read the original.
    again = open_repository(f"sqlite:///{tmp_path / 'fresh' / 'store.db'}")
    assert again.documents() == repo.documents()
    # Refusals: an existing backup is not overwritten, a store with data is not restored over.
    with pytest.raises(BackupError, match="overwrite"):
        backup(url, done.path)
    with pytest.raises(BackupError, match="already holds data"):
        restore(url, done.path)
    assert fingerprint(repo.engine) == before


def test_sqlite_backup_while_the_store_is_written(tmp_path: Path) -> None:
    """The online backup is one consistent snapshot while another thread keeps storing documents."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    repo = open_repository(url)
    repo.upsert_source(SOURCE)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            _store_document(repo, f"http://127.0.0.1:1/w{i}.html", f"w{i}".encode())
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(repo.documents()) < 5:
            pass
        backup(url, tmp_path / "live.backup")
    finally:
        stop.set()
        thread.join()
    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    counts = restore(restored_url, tmp_path / "live.backup")
    docs = open_repository(restored_url).documents()
    assert 5 <= len(docs) == counts["documents"][0] <= len(repo.documents())
    # One snapshot between two transactions: every document came with its version and its bytes
    # (one transaction); only the last one stored may still lack its analysis (the next one).
    assert all(d.content_hash for d in docs)
    assert counts["documents"][0] == counts["document_versions"][0] == counts["blobs"][0]
    assert counts["documents"][0] - 1 <= counts["analyses"][0] <= counts["documents"][0]


def test_postgresql_dump_restores_every_row_after_the_schema_is_lost() -> None:
    with postgres_schema() as url:
        repo = open_repository(url)
        _populate(repo)
        before = fingerprint(repo.engine)
        listed = repo.documents()
        _assert_every_table_has_rows(before)
        schema = url.rsplit("%3D", 1)[1]
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"{schema}.dump"
        try:
            backup(url, path)
            with pytest.raises(BackupError, match="already holds data"):
                restore(url, path)
            repo.engine.dispose()
            db.engine_for.cache_clear()
            admin = create_engine(url.split("?")[0])
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))  # the store is lost
            assert restore(url, path) == before
            # Again into a schema that exists with empty tables (``miner migrate`` on a new database).
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            admin.dispose()
            fresh = open_repository(url)
            assert sum(fresh.row_counts().values()) == 0
            assert restore(url, path) == before
            restored = open_repository(url)
            assert restored.documents() == listed
            # Sequences came back too: the restored store takes new rows without key collisions.
            _store_document(restored, "http://127.0.0.1:1/after.html", b"after")
            assert len(restored.documents()) == len(listed) + 1
            # A backup of another schema is refused, not restored somewhere else.
            other = url.replace(schema, f"{schema}x")
            with pytest.raises(BackupError, match="schema"):
                restore(other, path)
        finally:
            path.unlink(missing_ok=True)


def test_missing_client_tools_are_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres_schema() as url:
        open_repository(url)
        monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
        with pytest.raises(ConfigError, match="pg_dump not found"):
            backup(url, tmp_path / "x.dump")
        assert not (tmp_path / "x.dump").exists()


def test_the_commands_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _populate(open_repository(url))

    def miner(store: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
        env["MINER_DATABASE_URL"] = store
        return subprocess.run([sys.executable, "-m", "miner", *args], env=env, capture_output=True, text=True)

    made = miner(url, "backup", str(tmp_path / "b.db"))
    assert made.returncode == 0 and "SQLite online backup" in made.stdout, made.stderr
    again = miner(url, "backup", str(tmp_path / "b.db"))
    assert again.returncode == 1 and "refusing to overwrite" in again.stderr
    back = miner(f"sqlite:///{tmp_path / 'new.db'}", "restore", str(tmp_path / "b.db"))
    assert back.returncode == 0, back.stderr
    assert "documents" in back.stdout and " 43" in back.stdout
    assert "schema migrated" in back.stderr
    listed = miner(f"sqlite:///{tmp_path / 'json.db'}", "restore", str(tmp_path / "b.db"), "--format", "json")
    assert {"table": "documents", "rows": 43} in json.loads(listed.stdout)
    wrong = miner(f"sqlite:///{tmp_path / 'other.db'}", "restore", str(tmp_path / "store.db-wal"))
    assert wrong.returncode == 1 and "error:" in wrong.stderr
