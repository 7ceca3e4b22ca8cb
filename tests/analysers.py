"""The analyser most tests use: the shipped rubric, lexicons and classifier under the settings of the
test process, built once (tests that vary a setting build their own with ``Analyser.from_settings``)."""

from __future__ import annotations

import functools

from miner.analyser import Analyser
from miner.config import Settings


@functools.cache
def default_analyser() -> Analyser:
    return Analyser.from_settings(Settings())


def scoring_data() -> dict[str, object]:
    """``rubric=`` and ``lexicons=`` of :func:`miner.score.score_document`, from the default analyser."""
    a = default_analyser()
    return {"rubric": a.rubric, "lexicons": a.lexicons}
