"""The per-host limiter shared by workers, on the real Redis (a dedicated db, flushed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import redis
from services import REDIS_URL, redis_client

from workers.limits import RedisHostLimiter


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    with redis_client() as r:
        yield r


def test_two_workers_share_one_host_slot_sequence(client: redis.Redis) -> None:
    a = RedisHostLimiter(client)
    b = RedisHostLimiter(redis.Redis.from_url(REDIS_URL))  # another worker, its own connection
    waits = [a.reserve("www.vlaanderen.be", 30.0), b.reserve("WWW.vlaanderen.be", 30.0)]
    waits.append(a.reserve("www.vlaanderen.be", 30.0))
    # Slots are reserved back to back, 30 s apart, whichever worker asks (the Redis clock decides).
    assert waits[0] == 0.0
    assert 29.0 < waits[1] <= 30.0
    assert 59.0 < waits[2] <= 60.0
    # Another host is not held up by the first one.
    assert b.reserve("emploi.wallonie.be", 30.0) == 0.0


def test_concurrent_reservations_never_share_a_slot(client: redis.Redis) -> None:
    limiter = RedisHostLimiter(client)
    got: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        w = limiter.reserve("www.fwb.be", 10.0)
        with lock:
            got.append(w)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slots = sorted(round(w / 10.0) for w in got)
    assert slots == list(range(8))


def test_wait_sleeps_for_the_reserved_time(client: redis.Redis) -> None:
    slept: list[float] = []
    limiter = RedisHostLimiter(client, sleep=slept.append)
    limiter.wait("www.belgium.be", 5.0)
    limiter.wait("www.belgium.be", 5.0)
    assert len(slept) == 1 and 4.0 < slept[0] <= 5.0


def test_redis_down_is_an_outage_not_a_failure_of_the_url() -> None:
    """Without Redis a request must neither go out unspaced nor count against its URL."""
    from faults import free_port

    from miner.retry import is_outage
    from workers.limits import LimiterUnavailable

    limiter = RedisHostLimiter(redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0"))
    with pytest.raises(LimiterUnavailable) as info:
        limiter.wait("www.vlaanderen.be", 2.0)
    assert is_outage(info.value)
