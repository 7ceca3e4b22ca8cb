"""Secrets kept out of everything the product shows: settings listings, error messages, logs.

One place decides what a secret looks like, so that ``miner settings``, the command line's error
messages and the job layer's broker messages hide the same things the same way:

- a setting whose *name* says it is a secret (``api_token``, ``smtp_password``, ``signing_secret``)
  is shown only as set or unset;
- a URL keeps its scheme, user, host, port and path, but its password, and the value of any query
  parameter whose name says it is a secret (``?password=``, ``?token=``), become ``***``;
- free text (an exception message that quotes a URL) gets the same treatment for every URL in it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: What a hidden value is replaced with.
MASK = "***"

#: Words that make a setting or query parameter name a secret (matched inside the lower-cased name).
SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "credential", "auth")

# scheme://user:password@ inside free text; the password may not contain "@", "/" or white space.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:)(?P<password>[^\s@/]+)(?=@)")
# secret=value pairs in the query string of a URL inside free text
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&](?:[^\s=&#]*(?:" + "|".join(SECRET_WORDS) + r")[^\s=&#]*)=)(?P<value>[^\s&#]+)",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a setting or parameter called ``name`` holds a secret (its value is never shown)."""
    low = name.lower()
    return any(word in low for word in SECRET_WORDS)


def redact_url(url: str) -> str:
    """``url`` with its password and secret query values replaced by ``***``; the rest kept for reading.

    ``postgresql+psycopg://miner:s3cret@db:5432/miner`` -> ``postgresql+psycopg://miner:***@db:5432/miner``.
    A value that does not parse as a URL is redacted as free text (:func:`redact_text`).
    """
    try:
        parts = urlsplit(url)
        if not parts.scheme or ("@" not in parts.netloc and not parts.query):
            return redact_text(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, sep, _password = userinfo.partition(":")
            netloc = f"{user}:{MASK}@{hostport}" if sep else f"{userinfo}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(is_secret_name(k) for k, _ in pairs):
                query = urlencode([(k, MASK if is_secret_name(k) else v) for k, v in pairs], safe="*")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:  # a malformed port or bracket: fall back to the pattern-based redaction
        return redact_text(url)


def redact_text(text: str) -> str:
    """Every URL password and secret query value inside ``text`` replaced by ``***``."""
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    return _QUERY_SECRET.sub(lambda m: m.group("head") + MASK, text)


def redact_setting(name: str, value: Any) -> str:
    """How the value of setting ``name`` may be shown: secrets as ``(set)``/``(unset)``, URLs redacted."""
    if is_secret_name(name):
        return "(set)" if value else "(unset)"
    if value is None:
        return "(unset)"
    shown = str(value)
    return redact_url(shown) if "://" in shown else shown
