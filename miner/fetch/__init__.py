"""The fetch stage: guarded, polite HTTP (``client``), robots.txt (``robots``), discovery (``discover``)."""

from __future__ import annotations

from miner.fetch.client import Fetcher
from miner.fetch.guard import Guard, refusal
from miner.fetch.politeness import HostLimiter, LocalHostLimiter

__all__ = ["Fetcher", "Guard", "HostLimiter", "LocalHostLimiter", "refusal"]
