"""Outages mid-run with real components: a private PostgreSQL cluster stopped for 60 s, a private Redis
(no persistence) killed and restarted. Afterwards every document is stored exactly once, nothing
failed, the run is closed, and ``miner run`` prints the summary of a run without faults.

``make test-faults`` runs them (``pytest -m faults``); the figures they print are in
docs/reliability.md. Every setting is at its default.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faults import MINER, Outcome, PrivatePostgres, PrivateRedis, comparable, crawl_with_fault, default_env
from sitefixture import StaticSite, build_site
from workerfixture import ROOT, Workers, worker_env

from miner.store import open_repository

EXTRA = 195  # + the 5 documents of the standard site = 200
pytestmark = [pytest.mark.slow, pytest.mark.faults]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticSite]:
    with StaticSite(build_site(tmp_path_factory.mktemp("site"), extra_docs=EXTRA)) as s:
        yield s


@pytest.fixture(scope="module")
def without_faults(site: StaticSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The summary of the same site crawled with nothing going wrong (in-process, SQLite)."""
    tmp = tmp_path_factory.mktemp("baseline")
    env = worker_env(f"sqlite:///{tmp / 'miner.db'}", "")
    del env["MINER_BROKER_URL"]
    sources = site.sources_toml(tmp / "sources.toml")
    res = subprocess.run(
        [str(MINER), "run", "--sources", str(sources), "--allow-private-addresses", "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    summary: dict[str, Any] = json.loads(res.stdout)
    assert summary["new"] == 200 and summary["failed"] == 0
    return summary


def _check_after(outcome: Outcome, database_url: str, baseline: dict[str, Any], logs: str) -> None:
    assert outcome.returncode == 0, outcome.stderr + logs
    assert outcome.fault_at is not None, "the fault never happened"
    repo = open_repository(database_url)
    counts = repo.row_counts()
    # every document stored exactly once: one document, one version, one analysis each
    assert (counts["documents"], counts["document_versions"], counts["analyses"]) == (200, 200, 200)
    assert repo.dead_letters() == []  # nothing had to give up: each failure was retried to success
    runs = [repo.run_info(s["run_id"]) for s in outcome.summary["per_source"]]
    assert all(r is not None and r["finished_at"] is not None for r in runs)  # the run is closed
    assert comparable(outcome.summary) == comparable(baseline)


def _report(name: str, outcome: Outcome) -> None:
    """The figures docs/reliability.md quotes (run with -s to see them)."""
    last = max((t for t, n in outcome.timeline if n is not None and n < 200), default=None)
    print(
        f"\n[{name}] fault at {outcome.fault_at:.0f} s, over at {outcome.fault_done_at:.0f} s, last document "
        f"stored by {last} s, miner run ended at {outcome.ended_at:.0f} s; miner run said:\n{outcome.stderr}"
    )


def test_the_store_stopped_for_60_s_mid_run(
    site: StaticSite, without_faults: dict[str, Any], tmp_path: Path
) -> None:
    with PrivatePostgres() as pg, PrivateRedis() as broker:
        env = default_env(pg.url, broker.url)
        with Workers(env, tmp_path) as workers:
            workers.start("a", concurrency=2)
            workers.start("b", concurrency=2)

            def outage() -> None:
                pg.stop("fast")
                time.sleep(60)
                pg.start()

            outcome = crawl_with_fault(
                site.sources_toml(tmp_path / "sources.toml"),
                env=env,
                database_url=pg.url,
                fault=outage,
                log_dir=tmp_path,
            )
            _report("store stopped 60 s", outcome)
            _check_after(outcome, pg.url, without_faults, workers.log("a") + workers.log("b"))
            assert "waiting for the store" in outcome.stderr
            assert "start a worker" not in outcome.stderr and "no worker answers" not in outcome.stderr


def test_redis_killed_and_restarted_empty_mid_run(
    site: StaticSite, without_faults: dict[str, Any], tmp_path: Path
) -> None:
    with PrivatePostgres() as pg, PrivateRedis() as broker:
        env = default_env(pg.url, broker.url)
        with Workers(env, tmp_path) as workers:
            workers.start("a", concurrency=2)
            workers.start("b", concurrency=2)

            def crash() -> None:
                broker.kill()  # every queued and unacknowledged message is gone
                time.sleep(10)
                broker.start()

            outcome = crawl_with_fault(
                site.sources_toml(tmp_path / "sources.toml"),
                env=env,
                database_url=pg.url,
                fault=crash,
                log_dir=tmp_path,
            )
            _report("Redis killed and restarted empty", outcome)
            _check_after(outcome, pg.url, without_faults, workers.log("a") + workers.log("b"))
            assert "re-sent" in outcome.stderr  # the reconciler sent the lost messages again
            assert "start a worker" not in outcome.stderr and "no worker answers" not in outcome.stderr
