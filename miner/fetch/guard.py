"""The SSRF guard: the one check every outgoing request goes through.

Sources, robots.txt, sitemaps, feeds and (later) webhooks all reach the network through
:class:`Guard`. It accepts only ``http``/``https``, resolves the host itself and refuses the URL
when *any* address the name resolves to is not a public unicast address. The caller then dials
the address the guard returned (``Checked.address``, see ``transport.PinnedTransport``) so that a
DNS answer that changes between the check and the connection (DNS rebinding) cannot reach an
internal service.

The address policy is a plain function (:func:`refusal`) so it can be read and tested on its own.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from miner.errors import BlockedAddress, PermanentFetchError, TransientFetchError

#: Takes a host name, returns the IP addresses (as text) it resolves to.
Resolver = Callable[[str], Sequence[str]]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")

# Networks that must never be fetched, with the reason shown in the error. Python's ``is_global``
# is not used on its own: it calls 100.64/10 and ``::a.b.c.d`` "global" on some versions.
# Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) are deliberately
# not listed: they are never routed, so a request to them simply fails, and tests use them as
# stand-ins for public addresses.
_BLOCKED_V4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "'this network' / unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata lives here)"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
)
_BLOCKED_V6: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("100::/64", "discard-only"),
    ("2001:2::/48", "benchmarking"),
    ("2001:10::/28", "ORCHID"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
)
_V4_NETS = tuple((ipaddress.IPv4Network(n), why) for n, why in _BLOCKED_V4)
_V6_NETS = tuple((ipaddress.IPv6Network(n), why) for n, why in _BLOCKED_V6)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be fetched, or ``None`` when it is a public unicast address.

    IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``,
    Teredo ``2001::/32``, NAT64 ``64:ff9b::/96``) are judged by the address they carry, because
    that is where a dual-stack host or a relay would send the packet.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded: list[tuple[str, ipaddress.IPv4Address]] = []
        if address.ipv4_mapped is not None:
            embedded.append(("IPv4-mapped", address.ipv4_mapped))
        if address.sixtofour is not None:
            embedded.append(("6to4", address.sixtofour))
        if address.teredo is not None:
            server, client = address.teredo
            embedded += [("Teredo server", server), ("Teredo client", client)]
        if address in _NAT64:
            embedded.append(("NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)))
        for kind, v4 in embedded:
            inner = refusal(v4)
            if inner:
                return f"{kind} address embedding {v4} ({inner})"
        if address.ipv4_mapped is not None:
            return None
        for net, why in _V6_NETS:
            if address in net:
                return why
        if address.is_reserved and not embedded:
            return "reserved"
        return None
    for net4, why in _V4_NETS:
        if address in net4:
            return why
    if address == ipaddress.IPv4Address("255.255.255.255"):
        return "broadcast"
    return None


class ResolutionFailed(OSError):
    """The name could not be resolved; ``temporary`` when the resolver said "try again"."""

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary


def system_resolver(host: str) -> list[str]:
    """Every address the system resolver gives for ``host`` (A and AAAA), in its order."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolutionFailed(str(exc), temporary=exc.errno == socket.EAI_AGAIN) from exc
    except UnicodeError as exc:
        raise ResolutionFailed(f"not a valid host name ({exc})") from exc
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        if addr not in seen:
            seen.append(addr)
    return seen


@dataclass(frozen=True, slots=True)
class Checked:
    """A URL the guard accepted, and the address the connection must go to."""

    url: str
    scheme: str
    #: The host as it appears on the wire (IDNA, lower case, no brackets).
    host: str
    port: int
    address: str


class Guard:
    """Checks URLs before any byte is sent.

    ``allow_private`` lets tests and the offline demo reach 127.0.0.1; it is a constructor
    argument of the process, never a property of a source. ``resolver`` is injectable so tests
    can give a made-up name a public address without any DNS traffic.
    """

    def __init__(self, *, allow_private: bool = False, resolver: Resolver | None = None) -> None:
        self.allow_private = allow_private
        self._resolve = resolver or system_resolver

    def check(self, url: str) -> Checked:
        """Accept ``url`` and return where to connect, or raise :class:`BlockedAddress`.

        A name that does not exist is a :class:`PermanentFetchError`; a resolver that says
        "try again" (EAI_AGAIN) is a :class:`TransientFetchError`.
        """
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise BlockedAddress(f"not a valid URL ({exc})", subject=url) from exc
        scheme = parsed.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise BlockedAddress(
                f"scheme {scheme or '(none)'!r} is not fetched: only http and https", subject=url
            )
        host = parsed.raw_host.decode("ascii").lower().rstrip(".")
        if not host:
            raise BlockedAddress("URL has no host", subject=url)
        port = parsed.port or (443 if scheme == "https" else 80)
        if not self.allow_private and (host == "localhost" or host.endswith(".localhost")):
            # RFC 6761: these names are loopback whatever a resolver says.
            raise BlockedAddress(f"{host} is a loopback name: not a public address", subject=url)
        addresses = self._addresses(host, url)
        if not self.allow_private:
            for text in addresses:
                why = refusal(ipaddress.ip_address(text))
                if why:
                    shown = host if host == text else f"{host} resolves to {text}, which"
                    raise BlockedAddress(f"{shown} is {why}: not a public address", subject=url)
        return Checked(url=url, scheme=scheme, host=host, port=port, address=addresses[0])

    def _addresses(self, host: str, url: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        try:
            answers = list(self._resolve(host))
        except OSError as exc:
            if getattr(exc, "temporary", False):
                raise TransientFetchError(f"resolving {host} failed for now ({exc})", subject=url) from exc
            raise PermanentFetchError(f"host {host} does not resolve ({exc})", subject=url) from exc
        out: list[str] = []
        for a in answers:
            try:
                out.append(str(ipaddress.ip_address(str(a).split("%", 1)[0])))
            except ValueError as exc:
                raise BlockedAddress(f"resolver gave {a!r} for {host}: not an address", subject=url) from exc
        if not out:
            raise BlockedAddress(f"host {host} has no address", subject=url)
        # IPv4 first: the pinned connection tries one address, and v4 is the one that always routes.
        return sorted(out, key=lambda a: ":" in a)
