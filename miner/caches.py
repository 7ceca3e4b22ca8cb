"""Every process-wide cache of the product, cleared in one call: :func:`miner.reset_caches`.

Why one registry: memoised tables (language models, lemma tables, canonical keys, the settings
read from the environment, database engines) live in the modules that build them, and a test that
changes the environment or the data under ``corpora/`` must be able to start from a clean process
state without knowing each of them. A module registers the ``cache_clear`` of what it memoises here
when it is imported; a cache of a module never imported is empty anyway. The analysis data itself
(rubric, lexicons, classifier) is not cached: it is loaded into an :class:`~miner.analyser.Analyser`
that its caller holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[[], None])
_clearers: list[Callable[[], None]] = []


def register(clear: F) -> F:
    """Remember ``clear`` (a ``cache_clear`` or any function emptying a cache) for :func:`reset_caches`."""
    if clear not in _clearers:
        _clearers.append(clear)
    return clear


def reset_caches() -> None:
    """Empty every registered cache, as if the process had just started (the settings are re-read
    from the environment on their next use)."""
    for clear in list(_clearers):
        clear()
