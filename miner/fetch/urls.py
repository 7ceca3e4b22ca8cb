"""URLs: one canonical spelling per resource, and the one test of whether a URL belongs to a source.

Pure functions without I/O or heavy imports, shared by the registry reader (``miner.sources``), the
crawler and discovery, so that the three never disagree about what a URL is or where a scope ends.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit, urlunsplit

from miner.records import Source

#: Query parameters that only track the visitor; dropped by :func:`canonicalize`.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "_hsenc"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
# Characters left as they are in a path / query component (RFC 3986 reserved + unreserved + '%').
_SAFE_PATH = _UNRESERVED | frozenset("!$&'()*+,;=:@/%")
_SAFE_QUERY = _SAFE_PATH | frozenset("?")


def _normalise_escapes(text: str, safe: frozenset[str]) -> str:
    """Decode %XX of unreserved characters, upper-case the others, escape what must be escaped."""

    def unescape(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else f"%{m.group(1).upper()}"

    text = _PCT.sub(unescape, text)
    out = []
    for ch in text:
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    # A lone '%' not followed by two hex digits is data: escape it.
    return re.sub(r"%(?![0-9A-F]{2})", "%25", "".join(out))


def _remove_dot_segments(path: str) -> str:
    if not path:
        return "/"
    normal = posixpath.normpath(path)
    if normal.startswith("//"):
        normal = "/" + normal.lstrip("/")
    if path.endswith("/") and not normal.endswith("/"):
        normal += "/"
    return normal


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k.startswith("utm_") or k in TRACKING_PARAMS


def canonicalize(url: str) -> str:
    """One spelling per resource, so the frontier and the store see a URL once.

    Lower-case scheme and host, no default port, no fragment, ``.``/``..`` resolved, empty path
    -> ``/``, percent-encoding normalised, tracking parameters (``utm_*``, ``fbclid``, ...)
    dropped and the remaining query parameters sorted. Raises ``ValueError`` for a URL without a
    scheme or host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not scheme or not host:
        raise ValueError(f"not an absolute URL: {url!r}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ValueError(f"bad host name in {url!r}") from exc
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{auth}@{netloc}"
    path = _remove_dot_segments(_normalise_escapes(parts.path, _SAFE_PATH))
    pairs = []
    for item in parts.query.split("&"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if _is_tracking(_PCT.sub(lambda m: chr(int(m.group(1), 16)), key)):
            continue
        pairs.append((_normalise_escapes(key, _SAFE_QUERY), sep, _normalise_escapes(value, _SAFE_QUERY)))
    query = "&".join(k + sep + v for k, sep, v in sorted(pairs))
    return urlunsplit((scheme, netloc, path, query, ""))


def _site_host(netloc: str) -> str:
    """The host of a canonical netloc without a leading ``www.``: the publisher's site."""
    return netloc[4:] if netloc.startswith("www.") else netloc


def _respell(canonical: str, prefix: str) -> str:
    """``canonical`` written with the scheme and host of ``prefix`` when both name one site
    (``www`` or bare host, http or https), else unchanged."""
    url, pre = urlsplit(canonical), urlsplit(prefix)
    if url.netloc == pre.netloc and url.scheme == pre.scheme:
        return canonical
    if _site_host(url.netloc) != _site_host(pre.netloc):
        return canonical
    return urlunsplit((pre.scheme, pre.netloc, url.path, url.query, ""))


def _canonical_all(urls: tuple[str, ...]) -> list[str]:
    out = []
    for u in urls:
        try:
            out.append(canonicalize(u))
        except ValueError:
            continue
    return out


def document_locations(source: Source) -> list[str]:
    """Canonical URL prefixes where the source's documents may sit outside its scope: each of its
    ``document_paths`` on every host of its scope, and each of its ``document_hosts``."""
    hosts = dict.fromkeys(
        f"{urlsplit(p).scheme}://{urlsplit(p).netloc}" for p in _canonical_all(source.scope)
    )
    prefixes = [h + path for h in hosts for path in source.document_paths]
    prefixes += [h if "://" in h else f"https://{h}/" for h in source.document_hosts]
    return _canonical_all(tuple(prefixes))


def scoped(source: Source, url: str, *, listing: bool = False) -> str | None:
    """``url`` as the source spells it when it belongs to the source, else ``None``.

    The one scope test of the product (the registry checks start URLs with it, the crawler every
    link). Both sides are canonicalised, so ``https://example.be:443/plans/a.pdf`` is inside the
    scope ``https://example.be/plans/``. A URL belongs to a source when it starts with one of the
    source's scope prefixes -- or, unless it is a ``listing`` to crawl further, with one of its
    document locations (:func:`document_locations`: ``/sites/default/files/``, another host of the
    publisher) -- and contains none of its exclusions. Where the source says ``same_site`` (the
    default), ``www`` and bare host and http and https are one site, and the URL is returned in the
    spelling of the prefix it matched, so that one resource is fetched and stored once whichever
    form a page linked. Non-http(s) and malformed URLs are out of scope.
    """
    try:
        canonical = canonicalize(url)
    except ValueError:
        return None
    if urlsplit(canonical).scheme not in DEFAULT_PORTS:
        return None
    prefixes = _canonical_all(source.scope)
    if not listing:
        prefixes += document_locations(source)
    for prefix in prefixes:
        candidate = _respell(canonical, prefix) if source.same_site else canonical
        if candidate.startswith(prefix):
            return None if any(x in candidate for x in source.exclude) else candidate
    return None


def in_scope(source: Source, url: str, *, listing: bool = False) -> bool:
    """True when ``url`` belongs to ``source`` (:func:`scoped`)."""
    return scoped(source, url, listing=listing) is not None
