"""The Analyser: what the analysis needs besides the document, from the settings it was built with."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from miner.analyser import Analyser
from miner.config import CORPORA_DIR, Settings
from miner.errors import ConfigError, ExtractionLimit
from miner.pipeline import analyse_text

TEXT = "De Vlaamse regering begeleidt nieuwkomers met een migratieachtergrond naar werk en onderwijs."


def test_the_threshold_setting_replaces_the_models_own(analyser: Analyser) -> None:
    assert analyser.threshold_for("nl") == analyser.classifier.threshold_for("nl")
    strict = Analyser.from_settings(Settings(migrant_threshold=1.0))
    assert strict.threshold_for("nl") == strict.threshold_for("fr") == 1.0
    assert analyse_text("t", TEXT, "nl", analyser=analyser).migrant
    assert not analyse_text("t", TEXT, "nl", analyser=strict).migrant


def test_the_limits_come_from_the_settings_it_was_built_with(analyser: Analyser) -> None:
    small = Analyser.from_settings(Settings(max_text_chars=50, max_paragraph_chars=40))
    assert (small.limits.max_text_chars, small.limits.max_paragraph_chars) == (50, 40)
    with pytest.raises(ExtractionLimit, match="max_text_chars"):
        analyse_text("t", TEXT, "nl", analyser=small)
    assert analyse_text("t", TEXT, "nl", analyser=analyser).error is None


def test_lexicons_are_compiled_on_first_use_and_kept(analyser: Analyser) -> None:
    fresh = Analyser.from_settings(Settings())
    assert list(fresh.lexicons) == ["nl", "fr"] and fresh.lexicons.get("en") is None
    assert fresh.lexicons["nl"] is fresh.lexicons["nl"]
    assert fresh.warm_up().lexicons["fr"].version == analyser.lexicons["fr"].version


def test_the_data_comes_from_the_corpora_folder_of_the_settings(tmp_path: Path) -> None:
    """A copy of the shipped data with another rubric version is what an Analyser over it uses."""
    corpora = tmp_path / "corpora"
    for part in ("lexicons", "models"):
        shutil.copytree(CORPORA_DIR / part, corpora / part)
    rubric = (CORPORA_DIR / "rubric.toml").read_text(encoding="utf-8")
    version = Analyser.from_settings(Settings()).rubric.version
    (corpora / "rubric.toml").write_text(rubric.replace(f'"{version}"', '"test-1"', 1), encoding="utf-8")
    other = Analyser.from_settings(Settings(corpora_dir=corpora))
    assert other.rubric.version == "test-1"
    assert analyse_text("t", TEXT, "nl", analyser=other).rubric_version.startswith("test-1")
    (corpora / "rubric.toml").unlink()
    with pytest.raises(ConfigError, match="rubric"):
        Analyser.from_settings(Settings(corpora_dir=corpora))
