"""Shared fixtures: where the real documents are, and the real services the tests talk to."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysers import default_analyser

from miner.analyser import Analyser

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def analyser() -> Analyser:
    """The shipped rubric, lexicons and classifier with this process's settings (built once)."""
    return default_analyser()


@pytest.fixture(scope="session")
def corpora() -> Path:
    """``../shared/corpora`` beside the project; tests that need real documents skip without it."""
    if not CORPORA.is_dir():
        pytest.skip(f"real documents not available: {CORPORA} is absent (see README, 'Test data')")
    return CORPORA
