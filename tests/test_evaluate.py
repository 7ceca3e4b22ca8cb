"""``miner evaluate``: figures on real and self-written labelled sets, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from miner.analyse.train import PAIRS, QUESTIONS
from miner.errors import ConfigError
from miner.evaluate import KeywordBaseline, agreement, detection, evaluate, load_data, roc_auc

QUESTIONS_FIXTURE = [
    ("Hoeveel asielzoekers verblijven in de opvangcentra van Fedasil?", "ASIELRECHT,VLUCHTELING"),
    ("Hoeveel vreemdelingen kregen een bevel om het grondgebied te verlaten?", "MIGRATIEBELEID"),
    ("Hoeveel personen verkregen de Belgische nationaliteit?", "NATIONALITEIT"),
    ("Hoeveel leeflonen keerden de OCMW's uit in 2016?", "SOCIALE INTEGRATIE,MINIMUMBESTAANSINKOMEN"),
    ("Hoeveel treinen van de NMBS reden met vertraging?", "SPOORVERVOER"),
    ("Wat is de stand van de pensioenhervorming voor zelfstandigen?", "PENSIOENEN"),
]
PAIRS_FIXTURE = [
    (
        "Hoeveel asielzoekers verblijven in de opvangcentra?",
        "Combien de demandeurs d'asile séjournent dans les centres?",
    ),
    ("Hoeveel vluchtelingen werden erkend?", "Combien de réfugiés ont été reconnus?"),
    ("Hoeveel treinen reden met vertraging?", "Combien de trains ont circulé avec retard?"),
    ("De pensioenen van zelfstandigen.", "Les pensions des indépendants."),
    ("Het leefloon en het OCMW.", "Le revenu d'intégration et le CPAS."),
]


@pytest.fixture
def small_corpora(tmp_path: Path) -> Path:
    """A corpora folder with the real files' layout and a few texts written for the test."""
    q = tmp_path / QUESTIONS
    q.parent.mkdir(parents=True)
    with q.open("w", encoding="utf-8") as fh:
        for i, (text, themes) in enumerate(QUESTIONS_FIXTURE):
            fh.write(json.dumps({"doc_id": i, "question": text, "question_theme": themes}) + "\n")
    p = tmp_path / PAIRS
    p.parent.mkdir(parents=True)
    with p.open("w", encoding="utf-8") as fh:
        for i, (nl, fr) in enumerate(PAIRS_FIXTURE):
            fh.write(json.dumps({"doc_id": f"p{i}", "text_nl": nl, "text_fr": fr}) + "\n")
    return tmp_path


def _system(report: dict, name: str) -> dict:
    return next(s for s in report["systems"] if s["system"] == name)


def test_figures_on_a_small_labelled_set(small_corpora: Path) -> None:
    report = evaluate(small_corpora, pipeline=False)
    clf = _system(report, "classifier")
    assert clf["chamber_nl"]["positives"] == 3 and clf["chamber_nl"]["n"] == 6
    assert clf["chamber_nl"]["f1"] == 1.0 and clf["chamber_nl"]["roc_auc"] == 1.0
    assert clf["pairs"]["agreement"] == 1.0 and clf["pairs"]["kappa"] == 1.0
    assert clf["pairs"]["positives_nl"] == 2
    kw = _system(report, "keywords")
    # "revenu d'intégration" fools the keyword list on the French side, not the classifier
    assert kw["pairs"]["positives_fr"] == 3 and kw["pairs"]["kappa"] < 1.0
    assert report["cross_validated"]["questions"]["f1"] >= 0.85


def test_metric_helpers_on_known_values() -> None:
    f = detection([True, True, False, False], [0.9, 0.4, 0.6, 0.1], 0.5)
    assert (f.precision, f.recall, f.f1, f.predicted) == (0.5, 0.5, 0.5, 2)
    assert f.roc_auc == 0.75
    assert roc_auc([True, False], [0.5, 0.5]) == 0.5
    assert roc_auc([True, True], [0.1, 0.2]) is None
    a = agreement([True, False, False, False], [True, False, False, True], [90, 10, 0, 0], [80, 10, 0, 60])
    assert a.agreement == 0.75 and a.mean_abs_diff == 17.5
    assert a.kappa == pytest.approx(0.5)


def test_keyword_baseline_is_a_plain_list() -> None:
    from miner.analyse.nlp import tokenize

    kw = KeywordBaseline()
    assert kw.predict_tokens(tokenize("De asielaanvragen stijgen.", "nl")) == 1.0
    assert kw.predict_tokens(tokenize("De treinen rijden.", "nl")) == 0.0


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--corpora"):
        load_data(tmp_path)


def test_cli_json_and_errors(small_corpora: Path, tmp_path: Path) -> None:
    from miner.cli import app
    from miner.cli import evaluate as _registers_command  # noqa: F401

    runner = CliRunner()
    ok = runner.invoke(
        app, ["evaluate", "--corpora", str(small_corpora), "--format", "json", "--no-pipeline"]
    )
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    assert {s["system"] for s in report["systems"]} == {"classifier", "keywords"}
    table = runner.invoke(app, ["evaluate", "--corpora", str(small_corpora), "--no-pipeline"])
    assert table.exit_code == 0 and "kappa" in table.stdout and "keywords" in table.stdout
    absent = runner.invoke(app, ["evaluate", "--corpora", str(tmp_path / "nowhere")])
    assert absent.exit_code == 2 and "not found" in absent.output
    empty = runner.invoke(app, ["evaluate", "--corpora", str(tmp_path / "x"), "--format", "xml"])
    assert empty.exit_code == 2


def test_real_chamber_and_pairs(corpora: Path) -> None:
    report = evaluate(corpora, pipeline=False)
    clf, kw = _system(report, "classifier"), _system(report, "keywords")
    assert clf["chamber_nl"]["n"] == 2536 and clf["chamber_nl"]["positives"] == 226
    assert clf["chamber_nl"]["f1"] >= 0.9 > kw["chamber_nl"]["f1"]
    assert clf["pairs"]["n"] == 1000
    assert clf["pairs"]["agreement"] >= 0.95 and clf["pairs"]["kappa"] >= 0.85 > kw["pairs"]["kappa"]


def test_end_to_end_column_through_the_pipeline(small_corpora: Path) -> None:
    report = evaluate(small_corpora, pipeline=True)
    end = _system(report, "pipeline")
    assert end["chamber_nl"]["recall"] == 1.0 and end["chamber_nl"]["precision"] == 1.0
    assert end["pairs"]["agreement"] == 1.0
    assert 0.0 <= end["pairs"]["mean_abs_diff"] <= 100.0
