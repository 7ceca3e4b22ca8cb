"""Bytes to text for pages and plain-text files: which charset to believe, and when.

Order: a byte-order mark wins; then strict UTF-8; then UTF-8 *with replacement* when the page
declares UTF-8 or is plainly UTF-8 with a few damaged bytes; then the declared charset; only then a
statistical guess. Why UTF-8 comes before the declaration: pages that declare iso-8859-1 but are
UTF-8 are common (the Belgian official journal), while Latin-1 text that happens to be valid UTF-8
is vanishingly rare outside pure ASCII, which both read alike. Why replacement beats a guess: one
broken byte in a UTF-8 page made the detector answer cp1251 and garbled every accent of the page;
with replacement, one character is lost.
"""

from __future__ import annotations

import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8", "unicode-1-1-utf-8"})
#: Browsers read these as windows-1252 (curly quotes, euro sign); so do we.
_LATIN1_NAMES = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"})
#: How much of a page the statistical detector reads (its cost grows with the input).
GUESS_BYTES = 200_000


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag of its first 4 KiB, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def mostly_utf8(data: bytes) -> bool:
    """True when the bytes are UTF-8 apart from a few damaged sequences.

    Legacy 8-bit text (windows-1252, cp1251) almost never forms valid multi-byte UTF-8 sequences, so
    a page with at least twice as many valid sequences as broken ones is UTF-8 that was damaged.
    """
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad
    return valid >= 1 and valid >= 2 * bad


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text, per the order in the module's docstring; never raises."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    enc = (declared or "").strip().lower()
    if enc in _UTF8_NAMES or mostly_utf8(data):
        return data.decode("utf-8", "replace")
    if enc:
        if enc in _LATIN1_NAMES:
            enc = "windows-1252"
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:GUESS_BYTES]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding, "replace")
        except LookupError:
            pass
    return data.decode("windows-1252", "replace")
