"""A worker killed with SIGKILL during a 200-document run, with DEFAULT settings.

Two real workers share the run; one is killed (its whole process group) while it holds tasks. The
broker hands its unacknowledged messages to the other worker after the visibility timeout; ``miner run``
waits (it gives up only after :func:`miner.broker.stall_limit`, longer than that) and completes.
Afterwards every document is stored exactly once and nothing was dead-lettered, and the longest pause
of the frontier after the kill is within the recovery time that docs/operations.md states
(:func:`miner.broker.recovery_time`, 430 s with default settings) plus the few seconds the redelivered
task itself runs before it writes.

Every setting is at its default.
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faults import crawl_with_fault, default_env
from services import postgres_schema, redis_db
from sitefixture import StaticSite, build_site
from sqlalchemy import select
from workerfixture import Workers

from miner.broker import recovery_time
from miner.config import Settings
from miner.store import open_repository
from miner.store.models import RunUrl

EXTRA = 195  # + the 5 documents of the standard site = 200


@pytest.mark.slow
def test_200_documents_two_workers_one_killed_with_default_settings(tmp_path: Path) -> None:
    with (
        StaticSite(build_site(tmp_path / "site", extra_docs=EXTRA)) as site,
        redis_db() as broker,
        postgres_schema() as db,
    ):
        env = default_env(db, broker)
        killed: list[datetime] = []

        def kill() -> None:
            killed.append(datetime.now(UTC))
            workers.kill("victim", signal.SIGKILL)

        with Workers(env, tmp_path) as workers:
            workers.start("victim", concurrency=2)
            workers.start("survivor", concurrency=2)
            outcome = crawl_with_fault(
                site.sources_toml(tmp_path / "sources.toml"),
                env=env,
                database_url=db,
                fault=kill,
                log_dir=tmp_path,
            )
            logs = workers.log("survivor")
        assert outcome.returncode == 0, outcome.stderr + logs
        assert outcome.fault_at is not None, "the worker was not killed mid-run"
        repo = open_repository(db)
        counts = repo.row_counts()
        assert (counts["documents"], counts["document_versions"], counts["analyses"]) == (200, 200, 200)
        assert repo.dead_letters() == []
        assert outcome.summary["new"] == 200 and outcome.summary["failed"] == 0
        assert all(line["finished"] for line in outcome.summary["per_source"])

        # The frontier never paused after the kill for longer than the documented recovery time.
        with repo.engine.begin() as conn:
            stamps = sorted(conn.execute(select(RunUrl.updated_at)).scalars())
        after = [t for t in stamps if t >= killed[0]]
        gaps = [(b - a).total_seconds() for a, b in zip([killed[0], *after], after, strict=False)]
        pause = max(gaps, default=0.0)
        print(
            f"\n[SIGKILL, default settings] killed at {outcome.fault_at:.0f} s, miner run ended at "
            f"{outcome.ended_at:.0f} s, longest pause of the frontier after the kill {pause:.0f} s, "
            f"recovery time {recovery_time(Settings())} s; miner run said:\n{outcome.stderr}"
        )
        # redelivered within the recovery time, plus the redelivered task's own run before it writes
        assert pause <= recovery_time(Settings()) + 30
