"""The fetch stage: guarded, polite HTTP (``client``), robots.txt (``robots``), discovery (``discover``),
URLs and scope (``urls``).

The names below are loaded on first use, so that ``miner.fetch.urls`` (imported by the registry
reader and the store) does not pull in the HTTP client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from miner.fetch.client import Fetcher
    from miner.fetch.guard import Guard, refusal
    from miner.fetch.politeness import HostLimiter, LocalHostLimiter

_HOME = {
    "Fetcher": "miner.fetch.client",
    "Guard": "miner.fetch.guard",
    "refusal": "miner.fetch.guard",
    "HostLimiter": "miner.fetch.politeness",
    "LocalHostLimiter": "miner.fetch.politeness",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'miner.fetch' has no attribute {name!r}")


__all__ = ["Fetcher", "Guard", "HostLimiter", "LocalHostLimiter", "refusal"]
