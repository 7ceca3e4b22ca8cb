"""The Celery path with real workers, real Redis and real PostgreSQL: same result as in-process."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from services import postgres_schema, redis_db
from sitefixture import DOCUMENTS, StaticSite, build_site
from workerfixture import ROOT, Workers, worker_env

from miner.store import open_repository
from workers.schedule import cadence_schedule, schedule_for

MINER = ROOT / ".venv" / "bin" / "miner"
#: A re-crawl is a new run with its own frontier and requests; the 404 of the site fails again in it.
RUN_TABLES = ("crawl_runs", "run_urls", "fetch_log", "dead_letters")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[StaticSite]:
    with StaticSite(build_site(tmp_path / "site")) as s:
        yield s


def _miner(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MINER), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def test_miner_run_through_workers_stores_once_and_rechecks_with_304(
    site: StaticSite, tmp_path: Path
) -> None:
    (site.root / "plans" / "weg.html").unlink(missing_ok=True)
    (site.root / "plans" / "druk.html").write_text("<html><body>busy</body></html>")
    site.broken["/plans/druk.html"] = 503
    index = site.root / "index.html"
    extra = '<li><a href="/plans/weg.html">weg</a></li><li><a href="/plans/druk.html">druk</a></li>'
    index.write_text(index.read_text().replace("</ul>", extra + "</ul>"))
    with redis_db() as broker, postgres_schema() as db, Workers(worker_env(db, broker), tmp_path) as workers:
        env = worker_env(db, broker)
        workers.start("a", concurrency=2)
        sources = site.sources_toml(tmp_path / "sources.toml")

        first = _miner("run", "--sources", str(sources), "--allow-private-addresses", env=env)
        assert first.returncode == 0, first.stdout + first.stderr + workers.log("a")
        assert re.search(r"new 5\b", first.stdout) and re.search(r"failed 2\b", first.stdout), first.stdout
        assert "weg.html" in first.stdout  # the 404 is reported, from its dead letter
        # The one retry policy through Celery: the 503 page is asked retry_attempts (4) times, not more.
        assert [c for p, c in site.log if p == "/plans/druk.html"] == [503] * 4
        repo = open_repository(db)
        assert {d["subject"].removeprefix(site.url("")): d["attempts"] for d in repo.dead_letters()} == {
            "/plans/weg.html": 1,
            "/plans/druk.html": 4,
        }
        counts = {k: v for k, v in repo.row_counts().items() if k not in RUN_TABLES}
        seen = len(site.log)

        docs = json.loads(_miner("documents", "--format", "json", env=env).stdout)
        assert sorted(d["url"].removeprefix(site.url("")) for d in docs) == sorted(DOCUMENTS)
        assert all(isinstance(d["score"], int) for d in docs)

        second = _miner("run", "--sources", str(sources), "--allow-private-addresses", "--json", env=env)
        assert second.returncode == 0, second.stdout + second.stderr
        summary = json.loads(second.stdout)
        assert (summary["unchanged"], summary["new"], summary["pending"]) == (5, 0, 0), summary
        assert all(line["finished"] for line in summary["per_source"])
        again = [
            (p, c)
            for p, c in site.requests(seen)
            if p not in ("/robots.txt", "/plans/weg.html", "/plans/druk.html")
        ]
        assert again and all(c == 304 for _, c in again), again
        assert {k: v for k, v in repo.row_counts().items() if k not in RUN_TABLES} == counts
        assert not [p for p, _ in site.log if p.startswith("/private/")]

        # the same site in-process on SQLite (no broker): the same documents, scores and flags
        local = {k: v for k, v in env.items() if k != "MINER_BROKER_URL"}
        local["MINER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'local.db'}"
        assert (
            _miner("run", "--sources", str(sources), "--allow-private-addresses", env=local).returncode == 0
        )
        in_process = json.loads(_miner("documents", "--format", "json", env=local).stdout)
        assert _outcome(in_process) == _outcome(docs)


def _outcome(docs: list[dict[str, object]]) -> list[tuple[object, ...]]:
    """What a user compares between two runs: per URL, the content, the score and the flags."""
    return sorted(
        (d["url"], d["content_hash"], d["language"], d["score"], tuple(sorted(map(str, d["flags"]))))
        for d in docs
    )


def test_beat_schedule_follows_each_sources_cadence() -> None:
    from miner.records import Source

    def src(i: str, cadence: str) -> Source:
        return Source(
            i, i, "federal", ("employment",), ("nl",), ("https://x.be/",), ("https://x.be/",), cadence
        )

    sched = schedule_for([src("a", "hourly"), src("b", "daily"), src("c", "weekly"), src("d", "monthly")])
    assert sched["crawl:a"]["args"] == ("a",) and sched["crawl:a"]["options"]["queue"] == "fetch"
    assert sched["crawl:a"]["schedule"].hour == set(range(24))
    assert len(sched["crawl:b"]["schedule"].hour) == 1 and len(sched["crawl:b"]["schedule"].day_of_week) == 7
    assert len(sched["crawl:c"]["schedule"].day_of_week) == 1
    assert len(sched["crawl:d"]["schedule"].day_of_month) == 1
    # Stable per source, different across sources.
    assert cadence_schedule("b", "daily") == sched["crawl:b"]["schedule"]
    minutes = {next(iter(cadence_schedule(f"s{i}", "daily").minute)) for i in range(20)}
    assert len(minutes) > 5
    with pytest.raises(ValueError, match="cadence"):
        cadence_schedule("x", "fortnightly")
    # ... and the reconciler, whose passes expire rather than pile up behind a long queue
    assert sched["reconcile"]["task"] == "miner.reconcile" and sched["reconcile"]["schedule"] == 60.0
    assert sched["reconcile"]["options"]["expires"] == 60.0


def test_each_task_name_is_spelled_once() -> None:
    """The Celery name, the queue, and the dead-letter task and key of a unit of work come from one
    member of ``Task``: what the client sends is what a worker registers and routes."""
    from miner.tasknames import Queue, Task
    from workers.app import app

    app.loader.import_default_modules()
    registered = {name for name in app.tasks if name.startswith("miner.")}
    assert registered == {t.celery_name for t in Task}
    routes = app.conf.task_routes
    assert {name: r["queue"] for name, r in routes.items()} == {t.celery_name: t.queue for t in Task}
    assert {q.name for q in app.conf.task_queues} == set(Queue)
    assert Task.FETCH_URL.dead_letter_key(3, 7) == "fetch_url:3:7"
    assert Task.PROCESS_DOCUMENT.dead_letter_key(12) == "process_document:12"
