"""The reconciler on real SQLite and real PostgreSQL: frontier entries whose messages are gone are sent
again -- once, and only when their run is idle -- unseeded runs are seeded, settled runs closed."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from services import postgres_schema
from sqlalchemy import update

from miner import crawl
from miner.broker import BrokerUnavailable, reconcile_after
from miner.config import Settings
from miner.jobs import reconcile
from miner.records import Source
from miner.store import Repository, open_repository
from miner.store.models import CrawlRun, RunUrl
from miner.tasknames import Task

SOURCE = Source(
    id="test-source",
    name="A test source",
    government="flemish",
    domains=("employment",),
    languages=("nl",),
    start_urls=("http://127.0.0.1:1/index.html", "http://127.0.0.1:1/other.html"),
    scope=("http://127.0.0.1:1/",),
    delay=0.0,
)
#: Small timings so that "idle" is seconds, not minutes; the rule is the same.
SETTINGS = Settings(task_time_limit=2, retry_backoff_max=1, broker_visibility_timeout=5, reconcile_interval=1)  # type: ignore[call-arg]


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    if request.param == "sqlite":
        yield open_repository(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        with postgres_schema() as url:
            yield open_repository(url)


class Sent(list[tuple[Task, tuple[int | str, ...]]]):
    def __call__(self, task: Task, args: Sequence[int | str]) -> None:
        self.append((task, tuple(args)))


def _age(repo: Repository, run_id: int, seconds: float) -> None:
    """Make a run look as if nothing had happened to it for ``seconds``."""
    then = datetime.now(UTC) - timedelta(seconds=seconds)
    with repo.engine.begin() as conn:
        conn.execute(update(RunUrl.__table__).where(RunUrl.run_id == run_id).values(updated_at=then))  # type: ignore[arg-type]
        conn.execute(update(CrawlRun.__table__).where(CrawlRun.id == run_id).values(started_at=then))  # type: ignore[arg-type]


def _run(repo: Repository) -> tuple[int, list[int]]:
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    return run_id, crawl.seed(repo, SOURCE, run_id)


def test_only_idle_runs_are_sent_again_and_only_once(repo: Repository) -> None:
    idle = reconcile_after(SETTINGS)
    run_id, (first, second) = _run(repo)
    repo.finish_item(second, state="analysing", outcome="new", version_id=42)
    sent = Sent()

    assert not reconcile(repo, sent, settings=SETTINGS)  # the run is moving: its messages are at work
    _age(repo, run_id, idle - 2)
    assert not reconcile(repo, sent, settings=SETTINGS)
    _age(repo, run_id, idle + 2)
    done = reconcile(repo, sent, settings=SETTINGS)
    assert (done.fetches, done.analyses) == (1, 1)
    assert sorted(sent) == sorted([(Task.FETCH_URL, (first,)), (Task.PROCESS_DOCUMENT, (42,))])
    assert not reconcile(repo, sent, settings=SETTINGS)  # claimed: the next pass waits another idle time
    assert len(sent) == 2


def test_a_run_whose_crawl_source_was_lost_is_seeded(repo: Repository) -> None:
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    _age(repo, run_id, reconcile_after(SETTINGS) + 2)
    sent = Sent()
    done = reconcile(repo, sent, settings=SETTINGS)
    assert done.seeded == 1 and done.fetches == 2
    assert [task for task, _ in sent] == [Task.FETCH_URL, Task.FETCH_URL]
    assert repo.run_info(run_id)["seeded"]  # type: ignore[index]


def test_a_settled_run_left_open_is_closed(repo: Repository) -> None:
    run_id, _ids = _run(repo)
    with repo.engine.begin() as conn:  # the last step settled its entry but died before closing the run
        conn.execute(update(RunUrl.__table__).values(state="done"))  # type: ignore[arg-type]
    assert repo.run_info(run_id)["finished_at"] is None  # type: ignore[index]
    assert reconcile(repo, Sent(), settings=SETTINGS).closed == 1
    assert repo.run_info(run_id)["finished_at"] is not None  # type: ignore[index]


def test_a_claim_the_broker_refused_is_released_for_the_next_pass(repo: Repository) -> None:
    run_id, ids = _run(repo)
    _age(repo, run_id, reconcile_after(SETTINGS) + 2)

    def down(task: Task, args: Sequence[int | str]) -> None:
        raise BrokerUnavailable("connection refused")

    with pytest.raises(BrokerUnavailable):
        reconcile(repo, down, settings=SETTINGS)
    sent = Sent()
    assert reconcile(repo, sent, settings=SETTINGS).fetches == 2
    assert sorted(args for _, args in sent) == [(i,) for i in sorted(ids)]


def test_two_reconcilers_at_once_send_each_entry_once() -> None:
    with postgres_schema() as url:
        repo = open_repository(url)
        run_ids = []
        for _ in range(5):
            run_id, _ids = _run(repo)
            _age(repo, run_id, reconcile_after(SETTINGS) + 2)
            run_ids.append(run_id)
        sent = Sent()
        lock = threading.Lock()

        def send(task: Task, args: Sequence[int | str]) -> None:
            with lock:
                sent(task, args)

        threads = [
            threading.Thread(target=reconcile, args=(repo, send), kwargs={"settings": SETTINGS})
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(sent) == 10 and len(set(sent)) == 10
