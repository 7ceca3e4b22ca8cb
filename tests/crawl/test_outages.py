"""What ``miner run`` says while it waits, and that it never prints a password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from faults import free_port
from services import redis_db

from miner.broker import stall_limit, timings
from miner.config import Settings
from miner.jobs import WorkersNotProgressing, run_sources
from miner.records import Source
from miner.redact import redact_url as redact
from miner.store import open_repository

ROOT = Path(__file__).resolve().parents[2]
MINER = Path(sys.executable).with_name("miner")


def test_redact_hides_passwords_and_secret_parameters() -> None:
    assert redact("redis://:s3cret@127.0.0.1:6379/0") == "redis://:***@127.0.0.1:6379/0"
    assert redact("postgresql+psycopg://miner:p%40ss@db:5432/m") == "postgresql+psycopg://miner:***@db:5432/m"
    assert "zz" not in redact("postgresql://db/m?options=-csearch_path%3Dx&password=zz")
    assert redact("sqlite:///miner.db") == "sqlite:///miner.db"
    assert redact("redis://127.0.0.1:6379/4") == "redis://127.0.0.1:6379/4"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    return subprocess.run(
        [str(MINER), *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_miner_run_never_prints_the_broker_or_store_password(tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(
        '[[source]]\nid = "xx"\nname = "X"\ngovernment = "federal"\ndomains = ["employment"]\n'
        'languages = ["nl"]\nstart_urls = ["http://127.0.0.1:1/"]\nscope = ["http://127.0.0.1:1/"]\n'
        'cadence = "daily"\n'
    )
    nobody = free_port()
    broker_down = _run(
        "run",
        "--sources",
        str(sources),
        MINER_DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}",
        MINER_BROKER_URL=f"redis://:s3cret-broker@127.0.0.1:{nobody}/0",
    )
    assert broker_down.returncode != 0 and "Traceback" not in broker_down.stderr
    assert f"redis://:***@127.0.0.1:{nobody}/0" in broker_down.stderr + broker_down.stdout
    store_down = _run(
        "run",
        "--sources",
        str(sources),
        MINER_DATABASE_URL=f"postgresql+psycopg://miner:s3cret-store@127.0.0.1:{nobody}/miner",
    )
    assert store_down.returncode != 0 and "Traceback" not in store_down.stderr
    for res in (broker_down, store_down):
        assert "s3cret" not in res.stdout + res.stderr


def test_miner_run_says_when_no_worker_answers(tmp_path: Path) -> None:
    """No worker consumes the queues: ``miner run`` says so while it waits, then gives up with it."""
    fast = {
        "task_time_limit": 1,
        "retry_backoff_max": 0,
        "broker_visibility_timeout": 1,
        "reconcile_interval": 0.5,
    }
    said: list[str | None] = []
    with redis_db() as broker:
        s = Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}", broker_url=broker, **fast)  # type: ignore[arg-type]
        source = Source(
            "xx", "X", "federal", ("employment",), ("nl",), ("http://127.0.0.1:1/",), ("http://127.0.0.1:1/",)
        )
        with pytest.raises(WorkersNotProgressing, match="no worker answers") as info:
            run_sources(
                open_repository(s.database_url), [source], allow_private=True, settings=s, status=said.append
            )
    assert f"no progress for {stall_limit(s)} s" in str(info.value)
    assert any(m and m.startswith("no worker answers") for m in said), said


def test_the_recovery_figures_in_the_docs_are_those_of_the_defaults() -> None:
    t = timings(Settings.model_construct())
    operations = (ROOT / "docs" / "operations.md").read_text()
    reliability = (ROOT / "docs" / "reliability.md").read_text()
    for key in ("visibility_timeout", "recovery_time", "reconcile_after", "stall_limit"):
        assert f"{t[key]:g} s" in operations and f"{t[key]:g} s" in reliability, key
    assert t["requests_per_failing_url"] == 4 and "| **4** (`retry_attempts`)" in reliability


def test_miner_run_waits_longer_than_a_killed_worker_s_recovery() -> None:
    """With default settings the broker redelivers a dead worker's messages before ``miner run`` would
    call the workers stalled, and the reconciler steps in only after that redelivery."""
    from miner.broker import reconcile_after, recovery_time
    from workers.app import app

    s = Settings.model_construct()
    options = app.conf.broker_transport_options
    redelivered = options["visibility_timeout"] + options["unacked_restore_interval"]
    assert redelivered == recovery_time(s) <= 10 * 60  # minutes, not an hour
    assert recovery_time(s) < reconcile_after(s) < stall_limit(s)
    assert options["visibility_timeout"] > s.task_time_limit + s.retry_backoff_max  # no task runs twice
