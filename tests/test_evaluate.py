"""``miner evaluate``: figures on real and self-written labelled sets, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analysers import default_analyser
from typer.testing import CliRunner

from miner.analyse.trainsets import PAIRS, PLAN_PASSAGES, QUESTIONS
from miner.errors import ConfigError
from miner.evaluate import KeywordBaseline, agreement, detection, evaluate, load_data, roc_auc
from miner.evaluate_plans import evaluate_plans, figures, level, load_passages, overlaps, weighted_kappa

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
    report = evaluate(small_corpora, default_analyser(), pipeline=False)
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
    report = evaluate(corpora, default_analyser(), pipeline=False, plans=False)
    clf, kw = _system(report, "classifier"), _system(report, "keywords")
    assert clf["chamber_nl"]["n"] == 2536 and clf["chamber_nl"]["positives"] == 226
    # in-sample; the bar of the acceptance check is 0.85, the cross-validated figure is in the model
    assert clf["chamber_nl"]["f1"] >= 0.85 > kw["chamber_nl"]["f1"]
    assert report["cross_validated"]["questions"]["f1"] >= 0.85
    assert clf["pairs"]["n"] == 1000
    assert clf["pairs"]["agreement"] >= 0.95 and clf["pairs"]["kappa"] >= 0.85 > kw["pairs"]["kappa"]


def test_end_to_end_column_through_the_pipeline(small_corpora: Path) -> None:
    report = evaluate(small_corpora, default_analyser(), pipeline=True)
    end = _system(report, "pipeline")
    assert end["chamber_nl"]["recall"] == 1.0 and end["chamber_nl"]["precision"] == 1.0
    assert end["pairs"]["agreement"] == 1.0
    assert 0.0 <= end["pairs"]["mean_abs_diff"] <= 100.0


def _passage(pid: str, lang: str, about: bool, src: str = "plan", **over: object) -> dict:
    dims = dict.fromkeys(
        (
            "recognition",
            "barriers",
            "intersection",
            "mainstreaming",
            "intergovernmental",
            "target_group",
            "targets_monitoring",
        ),
        0,
    )
    row = {"id": pid, "lang": lang, "src": src, "doc": pid, "text": "t", "about_migrants": about}
    row.update({"dims": dims, "flags": [], "evidence": {}, "mention": "none"})
    row.update(over)
    return row


def test_plan_figures_on_known_answers() -> None:
    """Each figure computed by hand on four passages and the answers given for them."""
    rows = [
        _passage(
            "a",
            "nl",
            True,
            dims={**_passage("x", "nl", True)["dims"], "recognition": 2, "barriers": 1},
            evidence={"recognition": "nieuwkomers op de arbeidsmarkt", "barriers": "diploma's"},
            flags=["ignores_migration_background"],
        ),
        _passage("b", "nl", False, flags=["ignores_migration_background"]),
        _passage("c", "nl", False, src="chamber-2020", flags=["ignores_migration_background"]),
        _passage("d", "nl", True),
    ]
    answers = {
        "a": {
            "migrant": True,
            "dimensions": {"recognition": {"score": 100}, "barriers": {"score": 50}},
            "flags": [],
            "evidence": [
                {"dimension": "recognition", "text": "Nieuwkomers op de arbeidsmarkt krijgen hulp."},
                {"dimension": "barriers", "text": "iets anders"},
            ],
        },
        "b": {"migrant": True, "dimensions": {}, "flags": [{"code": "ignores_migration_background"}]},
        "c": {"migrant": False, "dimensions": {}, "flags": []},
        "d": {"migrant": False, "dimensions": {}, "flags": [], "evidence": [{"dimension": "x", "text": "y"}]},
    }
    f = figures(rows, answers)
    assert f["migrant"] == {
        "n": 4,
        "positives": 2,
        "predicted": 2,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }
    assert f["kappa"]["recognition"] == 1.0 and f["kappa"]["barriers"] == 1.0
    assert f["kappa"]["mainstreaming"] is None  # all zero on both sides: kappa undefined
    # the Chamber passage "c" is not judged; "a" is a miss, "b" a hit
    flag = f["flags"]["ignores_migration_background"]
    assert (flag["n"], flag["positives"], flag["precision"], flag["recall"]) == (3, 2, 1.0, 0.5)
    assert f["evidence"] == {"quotes": 2, "overlapping": 1, "precision": 0.5}


def test_plan_metric_helpers() -> None:
    assert [level(s) for s in (0, None, 50, 100)] == [0, 0, 1, 2]
    assert weighted_kappa([0, 1, 2, 2], [0, 1, 2, 2]) == 1.0
    assert weighted_kappa([0, 2], [2, 0]) == -1.0
    assert weighted_kappa([], []) is None
    assert overlaps("Erkenning van buitenlandse diploma's versnellen", ["buitenlandse diploma's"])
    assert overlaps("de erkenning van diploma's", ["de erkenning van buitenlandse diploma's door NARIC"])
    assert not overlaps("lastenverlaging voor bedrijven", ["buitenlandse diploma's"])


def test_plan_passages_missing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="plan passages not found"):
        load_passages(tmp_path)
    bad = tmp_path / PLAN_PASSAGES
    bad.parent.mkdir(parents=True)
    bad.write_text(json.dumps({"id": "a"}) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed"):
        load_passages(tmp_path)


def test_plan_passage_report_on_the_real_file(corpora: Path) -> None:
    """The end-to-end report on the annotated dev passages, as `miner evaluate` prints it."""
    if not (corpora / PLAN_PASSAGES).is_file():
        pytest.skip(f"{corpora / PLAN_PASSAGES} is absent")
    from miner.evaluate_plans import pipeline_answer

    analyser = default_analyser()
    report = evaluate_plans(
        corpora, pipeline_answer(analyser), measured=analyser.classifier.meta.get("measured")
    )
    nl, fr = report["by_language"]["nl"], report["by_language"]["fr"]
    assert (nl["n"], fr["n"]) == (114, 89) and nl["answered"] == 114 and fr["answered"] == 89
    assert nl["migrant"]["positives"] == 25 and fr["migrant"]["positives"] == 19
    # in-sample (trained on them) and cross-validated by document (measured at training)
    assert nl["migrant"]["f1"] >= 0.9 and fr["migrant"]["f1"] >= 0.9
    cv = report["cross_validated"]
    assert cv["nl"]["f1"] >= 0.9 and cv["fr"]["f1"] >= 0.9 and "grouped by document" in cv["how"]
    assert set(nl["kappa"]) == {
        "recognition",
        "barriers",
        "intersection",
        "mainstreaming",
        "intergovernmental",
        "target_group",
        "targets_monitoring",
    }
    # flags are judged on plan text only: the French passages are all Chamber questions
    assert fr["flags"]["ignores_migration_background"]["n"] == 0
    assert nl["flags"]["ignores_migration_background"]["positives"] == 7
    assert report["all"]["evidence"]["quotes"] > 0
    assert "in-sample" in report["in_sample"]


def test_cli_prints_the_plan_passage_table(corpora: Path) -> None:
    if not (corpora / PLAN_PASSAGES).is_file():
        pytest.skip(f"{corpora / PLAN_PASSAGES} is absent")
    from miner.cli import app
    from miner.cli import evaluate as _registers_command  # noqa: F401

    out = CliRunner().invoke(
        app, ["evaluate", "--corpora", str(corpora), "--format", "json", "--no-pipeline"]
    )
    assert out.exit_code == 0, out.output
    plan = json.loads(out.stdout)["plan_passages"]
    assert plan["by_language"]["nl"]["n"] == 114 and plan["cross_validated"]["nl"]["n"] == 114
