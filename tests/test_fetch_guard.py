"""The SSRF guard: the address policy, and the fetcher refusing internal targets end to end.

No test here sends a packet to a non-loopback address: refused addresses are refused before any
connection, and "public" names are served by a local server through an injected transport.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest
from httpserver import LocalSite, Reply

from miner.config import Settings
from miner.errors import BlockedAddress
from miner.fetch import Fetcher, Guard, refusal
from miner.fetch.guard import system_resolver
from miner.fetch.transport import PinnedTransport

FAST = Settings(default_delay=0.0, request_deadline=5.0, request_timeout=5.0)


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as s:
        s.route("/robots.txt", Reply(404))
        s.route("/doc", Reply(200, b"hello", {"Content-Type": "text/plain"}))
        yield s


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "2002:7f00:1::",  # 6to4 carrying 127.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 carrying 169.254.169.254
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "193.191.208.1", "2a02:2c40::1", "::ffff:8.8.8.8", "2002:808:808::", "203.0.113.5"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://2130706433/",  # decimal form of 127.0.0.1
        "http://0x7f000001/",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "gopher://127.0.0.1:70/",
        "http:///nohost",
    ],
)
def test_guard_refuses(url: str) -> None:
    with pytest.raises(BlockedAddress) as info:
        Guard().check(url)
    assert info.value.subject == url


def test_a_name_is_refused_when_any_of_its_addresses_is_private() -> None:
    guard = Guard(resolver=lambda host: ["203.0.113.5", "10.1.2.3"])
    with pytest.raises(BlockedAddress, match=r"10\.1\.2\.3"):
        guard.check("https://mixed.example/")


def test_localhost_names_are_loopback_whatever_the_resolver_says() -> None:
    with pytest.raises(BlockedAddress):
        Guard(resolver=lambda host: ["203.0.113.5"]).check("http://api.localhost/")


def test_guard_returns_the_address_it_checked() -> None:
    checked = Guard(resolver=lambda host: ["203.0.113.7"]).check("https://Public.Example./a?b")
    assert (checked.host, checked.port, checked.address) == ("public.example", 443, "203.0.113.7")


def test_allow_private_is_an_explicit_opt_in() -> None:
    assert Guard(allow_private=True).check("http://127.0.0.1:8/").address == "127.0.0.1"
    with pytest.raises(BlockedAddress):
        Guard(allow_private=True).check("file:///etc/passwd")


def test_fetcher_refuses_the_loopback_server_without_sending_a_byte(site: LocalSite) -> None:
    with Fetcher(FAST) as f:
        for host in ("127.0.0.1", "localhost", "[::ffff:127.0.0.1]"):
            with pytest.raises(BlockedAddress):
                f.fetch(site.url("/doc", host=host))
    assert site.requests == []


def test_the_same_server_is_reachable_with_allow_private(site: LocalSite) -> None:
    with Fetcher(FAST, allow_private=True) as f:
        assert f.fetch(site.url("/doc")).content == b"hello"
    assert site.paths() == ["/robots.txt", "/doc"]


def test_connection_goes_to_the_checked_address_with_the_name_in_host() -> None:
    """The name resolves (only) through the guard's resolver to 127.0.0.2, where the server is.

    The system resolver does not know ``docs.invalid``: the request can only arrive if the
    transport dialled the address the guard checked, and the Host header still names the host.
    """
    with LocalSite(host="127.0.0.2") as site:
        site.route("/robots.txt", Reply(404))
        site.route("/doc", Reply(200, b"pinned"))
        with Fetcher(FAST, allow_private=True, resolver=lambda host: ["127.0.0.2"]) as f:
            got = f.fetch(f"http://docs.invalid:{site.port}/doc")
        assert got.content == b"pinned"
        assert site.hits("/doc")[0].headers["host"] == f"docs.invalid:{site.port}"


def test_redirect_from_a_public_name_to_loopback_is_refused(site: LocalSite) -> None:
    """public.example "resolves" to a documentation address; the local server behind it redirects
    to loopback addresses, which the guard must refuse at the hop, before any request is made."""
    targets = {
        "/to-ip": site.url("/secret"),
        "/to-localhost": site.url("/secret", host="localhost"),
        "/to-v6": f"http://[::1]:{site.port}/secret",
        "/to-mapped": f"http://[::ffff:127.0.0.1]:{site.port}/secret",
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-file": "file:///etc/passwd",
    }
    for path, target in targets.items():
        site.route(path, Reply(302, b"", {"Location": target}))
    site.route("/secret", Reply(200, b"internal"))
    to_local = PinnedTransport(lambda host: "127.0.0.1")

    def resolver(host: str) -> list[str]:
        return ["203.0.113.5"] if host == "public.example" else system_resolver(host)

    with Fetcher(FAST, transport=to_local, resolver=resolver) as f:
        for path in targets:
            url = f"http://public.example:{site.port}{path}"
            with pytest.raises(BlockedAddress) as info:
                f.fetch(url)
            assert info.value.subject == url
            assert "redirect to" in info.value.message
    assert site.hits("/secret") == []
    assert sorted(set(site.paths())) == sorted(["/robots.txt", *targets])


def test_resolution_failures_say_whether_to_retry() -> None:
    """No DNS query leaves the machine: the resolver is injected and fails like getaddrinfo would."""
    from miner.errors import PermanentFetchError, TransientFetchError
    from miner.fetch.guard import ResolutionFailed

    def gone(host: str) -> list[str]:
        raise ResolutionFailed("Name or service not known")

    def busy(host: str) -> list[str]:
        raise ResolutionFailed("Temporary failure in name resolution", temporary=True)

    with pytest.raises(PermanentFetchError) as info:
        Guard(resolver=gone).check("http://gone.example/")
    assert not isinstance(info.value, BlockedAddress)
    with pytest.raises(TransientFetchError):
        Guard(resolver=busy).check("http://busy.example/")
