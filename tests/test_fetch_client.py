"""The fetcher against a real local site: robots.txt, politeness, conditional requests, limits."""

from __future__ import annotations

import gzip
import itertools
import socket
from collections.abc import Iterator

import brotli
import pytest
from httpserver import LocalSite, Reply, conditional, sequence

from miner.config import Settings
from miner.errors import (
    BlockedAddress,
    DeadlineExceeded,
    PermanentFetchError,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    TransientFetchError,
)
from miner.fetch import Fetcher, LocalHostLimiter


def settings(**kw: object) -> Settings:
    base: dict[str, object] = {"default_delay": 0.0, "request_deadline": 5.0, "request_timeout": 5.0}
    return Settings(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as s:
        yield s


def fetcher(**kw: object) -> Fetcher:
    return Fetcher(settings(**kw), allow_private=True)


# --- robots.txt ------------------------------------------------------------------------------------------


ROBOTS = b"""User-agent: *
Disallow: /private/

User-agent: policy-miner
Disallow: /not-for-miner/
Disallow: /private/
"""


def test_no_request_reaches_a_disallowed_path(site: LocalSite) -> None:
    site.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
    site.route("/private/plan.pdf", Reply(200, b"secret"))
    site.route("/not-for-miner/x", Reply(200, b"secret"))
    site.route("/public/go", Reply(302, b"", {"Location": "/private/plan.pdf"}))
    site.route("/public/plan.pdf", Reply(200, b"%PDF-1.7 ok", {"Content-Type": "application/pdf"}))
    with fetcher() as f:
        for path in ("/private/plan.pdf", "/not-for-miner/x", "/public/go"):
            with pytest.raises(RobotsDisallowed) as info:
                f.fetch(site.url(path))
            assert info.value.subject == site.url(path)
        assert f.fetch(site.url("/public/plan.pdf")).content == b"%PDF-1.7 ok"
    assert not [p for p in site.paths() if p.startswith(("/private", "/not-for-miner"))]
    assert site.paths().count("/robots.txt") == 1  # cached per host


def test_a_503_robots_txt_stops_the_host(site: LocalSite) -> None:
    site.route("/robots.txt", Reply(503, b"down"))
    site.route("/a", Reply(200, b"a"))
    with fetcher() as f:
        for _ in range(2):
            with pytest.raises(RobotsDisallowed, match="503"):
                f.fetch(site.url("/a"))
    assert site.paths() == ["/robots.txt"]


def test_a_missing_robots_txt_allows_everything(site: LocalSite) -> None:
    site.route("/a", Reply(200, b"a"))
    with fetcher() as f:
        assert f.fetch(site.url("/a")).status == 200
    assert site.paths() == ["/robots.txt", "/a"]


def test_a_robots_txt_with_a_byte_order_mark_is_obeyed(site: LocalSite) -> None:
    bom_robots = b"\xef\xbb\xbfUser-agent: *\nDisallow: /private/\n"  # as Windows Notepad saves it
    site.route("/robots.txt", Reply(200, bom_robots, {"Content-Type": "text/plain"}))
    site.route("/private/plan.pdf", Reply(200, b"secret"))
    site.route("/public/plan.pdf", Reply(200, b"%PDF-1.7 ok"))
    with fetcher() as f:
        with pytest.raises(RobotsDisallowed):
            f.fetch(site.url("/private/plan.pdf"))
        assert f.fetch(site.url("/public/plan.pdf")).status == 200
    assert "/private/plan.pdf" not in site.paths()


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_robots_txt_over_500_kib_is_read_up_to_the_limit(site: LocalSite, encoding: str) -> None:
    """RFC 9309 2.5: parse at least the first 500 KiB. A longer file restricts what those say; it does
    not shut the whole host (which is what treating it as unreachable did)."""
    padding = b"# " + b"x" * 97 + b"\n"
    body = b"User-agent: *\nDisallow: /private/\n" + padding * 6000 + b"Disallow: /late/\n"
    assert len(body) > 500 * 1024
    headers = {"Content-Type": "text/plain"}
    if encoding == "gzip":
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    site.route("/robots.txt", Reply(200, body, headers))
    for path in ("/a", "/late/b", "/private/c"):
        site.route(path, Reply(200, b"x"))
    with fetcher() as f:
        assert f.fetch(site.url("/a")).status == 200
        assert f.fetch(site.url("/late/b")).status == 200  # beyond 500 KiB: not read
        with pytest.raises(RobotsDisallowed):
            f.fetch(site.url("/private/c"))
    assert "/private/c" not in site.paths()


def test_an_unreachable_host_is_disallowed() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with fetcher() as f, pytest.raises(RobotsDisallowed, match="unreachable"):
        f.fetch(f"http://127.0.0.1:{port}/a")


def test_crawl_delay_spaces_requests(site: LocalSite) -> None:
    site.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 0.3\n"))
    for i in range(3):
        site.route(f"/d{i}", Reply(200, b"x"))
    with fetcher() as f:
        for i in range(3):
            f.fetch(site.url(f"/d{i}"), delay=0.0)
    times = [r.at for r in site.requests if r.path.startswith("/d")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # The limiter spaces request *starts*; 5 ms covers the send-to-arrival jitter of a local socket.
    assert len(gaps) == 2 and all(g >= 0.3 - 0.005 for g in gaps), gaps


def test_source_delay_wins_over_a_smaller_crawl_delay(site: LocalSite) -> None:
    site.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 0.05\n"))
    site.route("/a", Reply(200, b"x"))
    with fetcher() as f:
        f.fetch(site.url("/a"), delay=0.3)
        f.fetch(site.url("/a"), delay=0.3)
    a, b = (r.at for r in site.hits("/a"))
    assert b - a >= 0.3 - 0.005


# --- conditional requests, status codes, retries ---------------------------------------------------------


def test_unchanged_document_is_a_304_and_not_modified(site: LocalSite) -> None:
    lm = "Wed, 01 Oct 2025 08:00:00 GMT"
    site.route("/plan.pdf", conditional(b"%PDF-1.7 plan", '"v1"', lm))
    with fetcher() as f:
        first = f.fetch(site.url("/plan.pdf"), source_id="vdab")
        assert (first.status, first.content, first.etag, first.last_modified) == (
            200,
            b"%PDF-1.7 plan",
            '"v1"',
            lm,
        )
        assert first.content_type == "application/pdf" and first.source_id == "vdab"
        again = f.fetch(site.url("/plan.pdf"), etag=first.etag, last_modified=first.last_modified)
        by_date = f.fetch(site.url("/plan.pdf"), last_modified=lm)
    assert again.not_modified and again.status == 304 and again.content == b"" and again.etag == '"v1"'
    assert by_date.not_modified
    sent = site.hits("/plan.pdf")
    assert "if-none-match" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == '"v1"' and sent[1].headers["if-modified-since"] == lm


@pytest.mark.parametrize(("status", "error"), [(404, PermanentFetchError), (410, PermanentFetchError)])
def test_gone_documents_are_permanent(site: LocalSite, status: int, error: type[Exception]) -> None:
    site.route("/x", Reply(status, b"no"))
    with fetcher() as f, pytest.raises(error) as info:
        f.fetch(site.url("/x"))
    assert not isinstance(info.value, TransientFetchError)
    assert info.value.subject == site.url("/x")  # type: ignore[attr-defined]


def test_server_errors_are_transient(site: LocalSite) -> None:
    site.route("/x", Reply(500, b"oops"))
    with fetcher() as f, pytest.raises(TransientFetchError):
        f.fetch(site.url("/x"))


@pytest.mark.parametrize("status", [429, 503, 500])
def test_a_busy_server_gets_one_request_per_call(site: LocalSite, status: int) -> None:
    """The fetcher never retries on its own: the one retry policy (miner.retry) decides, in the driver,
    so that a failing server is not asked the driver's attempts times the fetcher's."""
    site.route("/x", sequence(Reply(status, b"busy", {"Retry-After": "1"}), Reply(200, b"ok")))
    with fetcher() as f, pytest.raises(TransientFetchError) as info:
        f.fetch(site.url("/x"))
    assert len(site.hits("/x")) == 1
    assert info.value.retry_after == 1.0 and "Retry-After 1 s" in info.value.message
    with fetcher() as f:
        assert f.fetch(site.url("/x")).content == b"ok"  # the next call is the next request


def test_a_long_retry_after_is_handed_back(site: LocalSite) -> None:
    site.route("/x", Reply(503, b"maintenance", {"Retry-After": "3600"}))
    with fetcher() as f, pytest.raises(TransientFetchError) as info:
        f.fetch(site.url("/x"))
    assert info.value.retry_after == 3600.0
    assert len(site.hits("/x")) == 1


# --- redirects -------------------------------------------------------------------------------------------


def test_redirects_are_followed_and_final_url_kept(site: LocalSite) -> None:
    site.route("/old", Reply(301, b"", {"Location": "/mid"}))
    site.route("/mid", Reply(302, b"", {"Location": site.url("/new")}))
    site.route("/new", Reply(200, b"new"))
    with fetcher() as f:
        got = f.fetch(site.url("/old"))
    assert (got.url, got.final_url, got.content) == (site.url("/old"), site.url("/new"), b"new")


def test_a_redirect_loop_ends_in_too_many_redirects(site: LocalSite) -> None:
    site.route("/a", Reply(302, b"", {"Location": "/b"}))
    site.route("/b", Reply(302, b"", {"Location": "/a"}))
    with fetcher() as f, pytest.raises(TooManyRedirects, match="loop"):
        f.fetch(site.url("/a"))
    assert len(site.hits("/a")) == 1


def test_a_long_redirect_chain_ends_in_too_many_redirects(site: LocalSite) -> None:
    for i in range(10):
        site.route(f"/r{i}", Reply(302, b"", {"Location": f"/r{i + 1}"}))
    with fetcher(max_redirects=3) as f, pytest.raises(TooManyRedirects):
        f.fetch(site.url("/r0"))
    assert [p for p in site.paths() if p != "/robots.txt"] == ["/r0", "/r1", "/r2", "/r3"]


def test_a_redirect_to_a_file_url_is_blocked(site: LocalSite) -> None:
    site.route("/go", Reply(302, b"", {"Location": "file:///etc/passwd"}))
    with fetcher() as f, pytest.raises(BlockedAddress) as info:
        f.fetch(site.url("/go"))
    assert info.value.subject == site.url("/go")


# --- size caps and deadline ------------------------------------------------------------------------------

CAP = 1024 * 1024


def gzip_bomb(size: int) -> bytes:
    member = gzip.compress(b"\0" * (8 * 1024 * 1024), compresslevel=9)
    return member * (size // (8 * 1024 * 1024))  # concatenated members: a valid gzip stream


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip_bomb(64 * 1024 * 1024)),
        ("br", brotli.compress(b"\0" * (64 * 1024 * 1024), quality=5)),
        ("gzip, br", brotli.compress(gzip.compress(b"\0" * (8 * 1024 * 1024)), quality=5)),
    ],
)
def test_a_compression_bomb_stops_at_the_cap(site: LocalSite, encoding: str, body: bytes) -> None:
    assert len(body) < CAP  # small on the wire, 8-64 MiB once decompressed
    site.route("/bomb", Reply(200, body, {"Content-Encoding": encoding}))
    with fetcher(max_download_bytes=CAP) as f, pytest.raises(TooLarge, match="decompressed"):
        f.fetch(site.url("/bomb"))


def test_compressed_bodies_are_decoded(site: LocalSite) -> None:
    text = b"Actieplan integratie " * 1000
    site.route("/gz", Reply(200, gzip.compress(text), {"Content-Encoding": "gzip"}))
    site.route("/br", Reply(200, brotli.compress(text), {"Content-Encoding": "br"}))
    with fetcher() as f:
        assert f.fetch(site.url("/gz")).content == text
        assert f.fetch(site.url("/br")).content == text
    assert "br" in site.hits("/gz")[0].headers["accept-encoding"]


def test_raw_size_cap_with_and_without_content_length(site: LocalSite) -> None:
    big = b"x" * (CAP + 1)
    site.route("/declared", Reply(200, big))
    site.route("/undeclared", Reply(200, big, no_length=True))
    with fetcher(max_download_bytes=CAP) as f:
        for path in ("/declared", "/undeclared"):
            with pytest.raises(TooLarge):
                f.fetch(site.url(path))


def test_a_slow_drip_body_ends_at_the_deadline(site: LocalSite) -> None:
    site.route("/drip", Reply(200, b"x" * 200, drip=0.05))
    with fetcher(request_deadline=0.5) as f, pytest.raises(DeadlineExceeded) as info:
        f.fetch(site.url("/drip"))
    assert info.value.subject == site.url("/drip")


def test_slowly_dripped_headers_end_at_the_deadline(site: LocalSite) -> None:
    site.route("/drip", Reply(200, b"x", {"X-Padding": "p" * 200}, header_drip=0.02))
    with fetcher(request_deadline=0.5) as f, pytest.raises(DeadlineExceeded):
        f.fetch(site.url("/drip"))


# --- politeness between threads --------------------------------------------------------------------------


def test_a_shared_limiter_spaces_requests_from_two_fetchers(site: LocalSite) -> None:
    site.route("/a", Reply(200, b"x"))
    limiter = LocalHostLimiter()
    with (
        Fetcher(settings(), allow_private=True, limiter=limiter) as f1,
        Fetcher(settings(), allow_private=True, limiter=limiter) as f2,
    ):
        f1.fetch(site.url("/a"), delay=0.2)
        f2.fetch(site.url("/a"), delay=0.2)
    first, second = (r.at for r in site.hits("/a"))
    assert second - first >= 0.2 - 0.005


# --- smaller behaviours ----------------------------------------------------------------------------------


def test_robots_txt_redirect_is_followed(site: LocalSite) -> None:
    site.route("/robots.txt", Reply(301, b"", {"Location": "/real-robots.txt"}))
    site.route("/real-robots.txt", Reply(200, b"User-agent: *\nDisallow: /x\n"))
    site.route("/x", Reply(200, b"x"))
    with fetcher() as f, pytest.raises(RobotsDisallowed):
        f.fetch(site.url("/x"))
    assert site.hits("/x") == []


def test_robots_txt_is_fetched_again_after_its_ttl(site: LocalSite) -> None:
    now = [1000.0]
    site.route("/a", Reply(200, b"a"))
    with Fetcher(settings(robots_ttl=60.0), allow_private=True, clock=lambda: now[0]) as f:
        f.fetch(site.url("/a"))
        f.fetch(site.url("/a"))
        now[0] += 61.0
        f.fetch(site.url("/a"))
    assert site.paths() == ["/robots.txt", "/a", "/a", "/robots.txt", "/a"]


@pytest.mark.parametrize(
    ("encoding", "body", "fragment"),
    [("gzip", b"\x1f\x8b\x08\x00not gzip at all", "corrupt"), ("zstd", b"\x28\xb5\x2f\xfd", "unsupported")],
)
def test_bad_content_encoding_is_permanent(
    site: LocalSite, encoding: str, body: bytes, fragment: str
) -> None:
    site.route("/x", Reply(200, body, {"Content-Encoding": encoding}))
    with fetcher() as f, pytest.raises(PermanentFetchError, match=fragment):
        f.fetch(site.url("/x"))


def test_parse_retry_after() -> None:
    from datetime import UTC, datetime

    from miner.fetch.politeness import parse_retry_after

    now = datetime(2025, 10, 1, 8, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 01 Oct 2025 08:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Oct 2025 07:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_one_request_at_a_time_per_host_across_threads(site: LocalSite) -> None:
    import threading

    site.route("/slow", Reply(200, b"abcd", drip=0.05))  # each answer takes >= 0.2 s to complete
    with fetcher() as f:
        f.fetch(site.url("/slow"), delay=0.0)  # robots.txt fetched and cached first
        threads = [
            threading.Thread(target=f.fetch, args=(site.url("/slow"),), kwargs={"delay": 0.0}) for _ in "ab"
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    first, second, third = (r.at for r in site.hits("/slow"))
    assert third - second >= 0.2 and second - first >= 0.2  # never two requests in flight


def test_the_limiter_satisfies_the_protocol() -> None:
    from miner.fetch import HostLimiter

    assert isinstance(LocalHostLimiter(), HostLimiter)
