"""The interface in English, Dutch and French: Babel catalogues, compiled when the app starts.

The catalogues are the ``.po`` files under ``miner/web/locales`` (English is the source language:
its catalogue is empty). They are compiled in memory when the app is built -- there is no ``.mo``
file to forget to compile and no step for whoever installs the product. Which language a request
gets: the ``lang`` cookie (set by the language links on every page), else the browser's
``Accept-Language``, else English.

Translation happens while a page renders, in the thread that renders it: :func:`activate` sets the
request's language for the duration (a context variable), and :func:`gettext` reads it, so that one
Jinja environment serves every language at once.

``python -m miner.web.catalogue`` extracts the messages of the templates and the web code and merges them
into the catalogues (new messages come in empty; ``tests/web/test_i18n.py`` fails until each one is
translated).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from miner import caches

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
#: Languages of the interface, the first being the fallback.
LANGUAGES = ("en", "nl", "fr")
#: Each language's own name (what its switch link says, in that language).
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}
#: The Babel locale used for numbers and dates (Belgian conventions for nl and fr).
BABEL_LOCALES = {"en": "en_GB", "nl": "nl_BE", "fr": "fr_BE"}
COOKIE = "lang"

_current: ContextVar[str] = ContextVar("miner_web_language", default="en")


@cache
def translations(language: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the messages as written)."""
    po = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.is_file():
        return stdlib_gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return stdlib_gettext.GNUTranslations(buf)


def load_all() -> None:
    """Compile every catalogue now (at start-up), so that a broken one stops the app, not a page."""
    for language in LANGUAGES:
        translations(language)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language of a request: the cookie's if it names one, else the best of Accept-Language."""
    if cookie in LANGUAGES:
        return str(cookie)
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        candidate = (-quality, position, base)
        if quality > 0 and (best is None or candidate < best):
            best = candidate
    return best[2] if best else LANGUAGES[0]


@contextmanager
def activate(language: str) -> Iterator[None]:
    """Translate into ``language`` inside the block (one render)."""
    token = _current.set(language if language in LANGUAGES else LANGUAGES[0])
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    return _current.get()


def babel_locale() -> Locale:
    return _locale(current())


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES[language])


def gettext(message: str) -> str:
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return message


caches.register(translations.cache_clear)
caches.register(_locale.cache_clear)
