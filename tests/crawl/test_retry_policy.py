"""The one retry policy: how often and when a failed step is tried again, and how many requests a
failing server receives -- counted on a real local server, in-process with default settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sitefixture import StaticSite, build_site

from miner.config import Settings
from miner.errors import Permanent, Transient, TransientFetchError
from miner.jobs import run_sources
from miner.records import Source
from miner.retry import RetryPolicy
from miner.store import StoreUnavailable, open_repository


def test_backoff_doubles_up_to_its_cap_and_the_server_s_word_wins() -> None:
    p = RetryPolicy(attempts=4, backoff=2.0, backoff_max=60.0, outage=900.0)
    net = Transient("network error")
    assert [p.delay(n, net) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, None]
    assert p.delay(1, TransientFetchError("503", retry_after=30.0)) == 30.0
    # asked to come back later than we would wait: not retried in this run (never sooner than asked)
    assert p.delay(1, TransientFetchError("503", retry_after=3600.0)) is None
    assert p.delay(1, Permanent("404")) is None and p.delay(1, ValueError("bug")) is None


def test_a_store_outage_is_waited_out_without_using_the_input_s_attempts() -> None:
    p = RetryPolicy(attempts=4, backoff=2.0, backoff_max=60.0, outage=900.0)
    down = StoreUnavailable("database unavailable")
    waits = []
    attempt = 1
    while (wait := p.delay(attempt, down)) is not None:
        waits.append(wait)
        attempt += 1
    assert attempt == p.outage_attempts > p.attempts
    assert waits[:5] == [2.0, 4.0, 8.0, 16.0, 32.0] and max(waits) == 60.0
    assert 900.0 <= sum(waits) < 900.0 + 60.0


def test_the_policy_comes_from_the_settings() -> None:
    s = Settings(retry_attempts=3, retry_backoff=0.5, retry_backoff_max=5.0, outage_wait=30.0)  # type: ignore[call-arg]
    assert RetryPolicy.from_settings(s) == RetryPolicy(attempts=3, backoff=0.5, backoff_max=5.0, outage=30.0)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[StaticSite]:
    with StaticSite(build_site(tmp_path / "site")) as s:
        yield s


def _source(site: StaticSite) -> Source:
    return Source(
        id="local-test",
        name="Local test site",
        government="flemish",
        domains=("employment",),
        languages=("nl", "fr"),
        start_urls=(site.url("/index.html"),),
        scope=(site.url("/"),),
        delay=0.0,
    )


def test_a_url_that_always_answers_503_gets_retry_attempts_requests(site: StaticSite, tmp_path: Path) -> None:
    """Default settings except the backoff (0.01 s instead of 2 s, only to keep the test short): the
    failing URL is asked exactly ``retry_attempts`` (4) times, then dead-lettered with that count."""
    site.broken["/plans/beleidsnota.pdf"] = 503
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    repo = open_repository(db)
    s = Settings(database_url=db, broker_url=None, retry_backoff=0.01)  # type: ignore[call-arg]
    assert s.retry_attempts == 4

    summary = run_sources(repo, [_source(site)], allow_private=True, settings=s).as_dict()

    asked = [code for path, code in site.log if path == "/plans/beleidsnota.pdf"]
    assert asked == [503] * s.retry_attempts
    [letter] = repo.dead_letters()
    assert letter["subject"].endswith("/plans/beleidsnota.pdf") and letter["attempts"] == s.retry_attempts
    assert not letter["permanent"] and summary["failed"] == 1 and summary["new"] == 4


def test_a_host_whose_robots_txt_answers_503_gets_one_request(site: StaticSite, tmp_path: Path) -> None:
    """A host in trouble down to its robots.txt is left alone (RFC 9309: unreachable = disallowed)."""
    site.broken["/robots.txt"] = 503
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    repo = open_repository(db)
    s = Settings(database_url=db, broker_url=None, retry_backoff=0.01)  # type: ignore[call-arg]

    [line] = run_sources(repo, [_source(site)], allow_private=True, settings=s).sources

    assert site.log == [("/robots.txt", 503)]
    assert line.error and "robots.txt" in line.error and line.finished


def test_a_dead_letter_the_store_cannot_take_yet_is_written_when_it_can() -> None:
    """The step gave up on its input while the store was down: the failure is kept and written once the
    store answers (the work is not redone, the URL not asked again)."""
    from miner.crawl import Failure, with_retries

    p = RetryPolicy(attempts=2, backoff=1.0, backoff_max=60.0, outage=900.0)
    calls: list[str] = []
    written: list[Failure] = []
    slept: list[float] = []

    def step() -> None:
        calls.append("step")
        raise TransientFetchError("server answered 503")

    def give_up(failure: Failure) -> None:
        if len(slept) < 3:  # the store is down for the first attempts at writing
            raise StoreUnavailable("database unavailable")
        written.append(failure)

    assert with_retries(step, give_up, p, sleep=slept.append) is None
    assert calls == ["step", "step"]  # two requests (attempts), not one more per store failure
    assert written == [Failure("fetch-transient", "server answered 503", 2, False)]
    assert slept == [1.0, 1.0, 2.0]  # the input's backoff, then the outage's


def test_a_store_outage_longer_than_outage_wait_is_raised() -> None:
    from miner.crawl import record

    p = RetryPolicy(attempts=2, backoff=1.0, backoff_max=2.0, outage=5.0)
    slept: list[float] = []

    def down() -> None:
        raise StoreUnavailable("database unavailable")

    with pytest.raises(StoreUnavailable):
        record(down, p, sleep=slept.append)
    assert sum(slept) >= 5.0 and len(slept) == p.outage_attempts - 1


def test_an_outage_does_not_use_up_the_attempts_of_the_input() -> None:
    from miner.crawl import Failure, with_retries

    p = RetryPolicy(attempts=4, backoff=1.0, backoff_max=60.0, outage=900.0)
    answers = [StoreUnavailable("database unavailable")] * 5 + [
        TransientFetchError("server answered 503")
    ] * 9
    calls: list[BaseException] = []
    written: list[Failure] = []

    def step() -> None:
        calls.append(answers[len(calls)])
        raise calls[-1]

    with_retries(step, written.append, p, sleep=lambda _s: None)
    assert sum(isinstance(c, TransientFetchError) for c in calls) == 4  # the server is asked 4 times
    assert len(calls) == 9 and written == [Failure("fetch-transient", "server answered 503", 9, False)]
