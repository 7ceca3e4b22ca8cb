"""Fault injection at scale: 200 documents, two real workers, one killed with SIGKILL mid-run.

Afterwards every document is stored exactly once (one document, one version, one analysis each),
none is missing and nothing was dead-lettered: the killed worker's messages were redelivered to
the other one (late acknowledgement + broker visibility timeout) and redoing them changed nothing.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from services import postgres_schema, redis_db
from sitefixture import StaticSite, build_site
from workerfixture import ROOT, Workers, worker_env

from miner.store import open_repository

MINER = ROOT / ".venv" / "bin" / "miner"
EXTRA = 195  # + the 5 documents of the standard site = 200


@pytest.mark.slow
def test_200_documents_two_workers_one_killed(tmp_path: Path) -> None:
    limits = {
        "MINER_TASK_SOFT_TIME_LIMIT": "50",
        "MINER_TASK_TIME_LIMIT": "60",
        "MINER_BROKER_VISIBILITY_TIMEOUT": "70",
    }
    with (
        StaticSite(build_site(tmp_path / "site", extra_docs=EXTRA)) as site,
        redis_db() as broker,
        postgres_schema() as db,
        Workers(worker_env(db, broker, **limits), tmp_path) as workers,
    ):
        env = worker_env(db, broker, **limits)
        workers.start("victim", concurrency=2)
        workers.start("survivor", concurrency=2)
        sources = site.sources_toml(tmp_path / "sources.toml")
        out = open(tmp_path / "run.log", "w")  # noqa: SIM115
        run = subprocess.Popen(
            [str(MINER), "run", "--sources", str(sources), "--allow-private-addresses"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        repo = open_repository(db)
        killed_at = None
        deadline = time.monotonic() + 900
        while run.poll() is None and time.monotonic() < deadline:
            counts = repo.row_counts()
            if killed_at is None and counts["analyses"] >= 40:
                workers.kill("victim", signal.SIGKILL)
                killed_at = counts["analyses"]
            time.sleep(0.5)
        if run.poll() is None:
            run.kill()
        run.wait(timeout=30)
        out.close()
        log = (tmp_path / "run.log").read_text()
        assert run.returncode == 0, log + workers.log("survivor")
        assert killed_at is not None and killed_at < 200, "the worker was not killed mid-run"

        counts = repo.row_counts()
        assert counts["documents"] == 200
        assert counts["document_versions"] == 200
        assert counts["analyses"] == 200
        assert repo.dead_letters() == []
        docs = repo.documents()
        assert len({d.url for d in docs}) == 200 and all(d.score is not None for d in docs)
        assert "new 200" in log and "failed 0" in log
