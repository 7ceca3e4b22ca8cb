"""The passage classifier: real passages in both languages, the exported model against
scikit-learn, the false friends, loading errors and reproducible training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from miner.analyse import train
from miner.analyse.classifier import PassageClassifier, load_classifier, read_model
from miner.analyse.nlp import tokenize
from miner.errors import ConfigError

MODEL = Path(__file__).resolve().parent.parent / "corpora" / "models" / train.MODEL_FILE

POSITIVE = [
    ("nl", "Hoeveel asielzoekers werden vorig jaar opgevangen in de opvangcentra van Fedasil?"),
    ("fr", "Combien de demandeurs d'asile ont été accueillis l'an dernier dans les centres de Fedasil?"),
    ("nl", "Het aantal vreemdelingen dat als werkzoekende is ingeschreven, is gestegen."),
    ("fr", "Le nombre d'étrangers inscrits comme demandeurs d'emploi a augmenté."),
    ("nl", "Nieuwkomers volgen een inburgeringstraject met lessen Nederlands."),
    ("nl", "De werkzaamheidsgraad van personen met een migratieachtergrond blijft laag."),
    ("fr", "Les réfugiés reconnus et les migrants ont difficilement accès au marché du travail."),
    ("en", "The number of refugees and asylum seekers in employment programmes has increased."),
    ("nl", "Werkzoekenden van buitenlandse herkomst vinden moeilijker werk."),
    ("fr", "Les demandeurs d'emploi d'origine étrangère trouvent plus difficilement du travail."),
]
NEGATIVE = [
    ("nl", "De treinen reden met vertraging tussen Brussel en Luxemburg door een technisch incident."),
    (
        "fr",
        "Les trains ont circulé avec retard entre Bruxelles et Luxembourg à cause d'un incident technique.",
    ),
    # SOCIALE INTEGRATIE: the leefloon / revenu d'intégration is not about migrants.
    (
        "nl",
        "Het OCMW kent het leefloon toe in het kader van het recht op maatschappelijke integratie.",
    ),
    ("fr", "Le revenu d'intégration est accordé par le CPAS dans le cadre du droit à l'intégration sociale."),
    ("nl", "De integratie van personen met een handicap op de arbeidsmarkt."),
    ("fr", "L'intégration des personnes handicapées sur le marché du travail."),
    ("fr", "Les Belges qui résident à l'étranger peuvent voter via l'ambassade."),
]


@pytest.fixture(scope="module")
def clf() -> PassageClassifier:
    return load_classifier()


@pytest.mark.parametrize(("lang", "text"), POSITIVE)
def test_clear_positive_passages(clf: PassageClassifier, lang: str, text: str) -> None:
    p = clf.predict_tokens(tokenize(text, lang))
    assert p >= clf.threshold_for(lang), f"{p:.3f} < {clf.threshold_for(lang):.3f}: {text}"


@pytest.mark.parametrize(("lang", "text"), NEGATIVE)
def test_clear_negative_passages(clf: PassageClassifier, lang: str, text: str) -> None:
    p = clf.predict_tokens(tokenize(text, lang))
    assert p < clf.threshold_for(lang), f"{p:.3f} >= {clf.threshold_for(lang):.3f}: {text}"


def test_translations_score_alike(clf: PassageClassifier) -> None:
    nl = clf.predict_tokens(tokenize(POSITIVE[0][1], "nl"))
    fr = clf.predict_tokens(tokenize(POSITIVE[1][1], "fr"))
    assert abs(nl - fr) < 0.05


def test_false_friends_map_to_their_own_concepts(clf: PassageClassifier) -> None:
    fr = clf.tables_for("fr")
    assert "c:leefloon" in fr.extract(tokenize("le revenu d'intégration", "fr").keys)
    assert "c:integration" in fr.extract(tokenize("l'intégration des primo-arrivants", "fr").keys)
    assert "c:abroad" in fr.extract(tokenize("les Belges à l'étranger", "fr").keys)
    assert "c:foreigner" in fr.extract(tokenize("l'Office des étrangers", "fr").keys)
    nl = clf.tables_for("nl")
    assert "c:leefloon" in nl.extract(tokenize("het recht op maatschappelijke integratie", "nl").keys)
    assert "c:asylum" in nl.extract(tokenize("de asielaanvragen", "nl").keys)


def test_thresholds_per_language(clf: PassageClassifier) -> None:
    assert 0 < clf.threshold_for("nl") < 1 and 0 < clf.threshold_for("fr") < 1
    assert clf.threshold_for("de") == clf.threshold == clf.threshold_for("nl")
    assert clf.version.startswith("migrant-clf-")


def test_empty_and_unknown_language_passages(clf: PassageClassifier) -> None:
    assert clf.predict_tokens(tokenize("", "nl")) < clf.threshold_for("nl")
    assert 0.0 <= clf.predict_tokens(tokenize("123 456 !!", "other")) < 1.0


TRAIN_TEXTS = [
    ("Asielzoekers en vluchtelingen in de opvang van Fedasil.", True),
    ("De Dienst Vreemdelingenzaken en de verblijfsvergunning van vreemdelingen.", True),
    ("Gezinshereniging en de nationaliteit van migranten.", True),
    ("Racisme en discriminatie op grond van afkomst.", True),
    ("De treinen van de NMBS hadden vertraging.", False),
    ("Het leefloon van het OCMW en maatschappelijke integratie.", False),
    ("De fiscale aftrek voor kinderopvang.", False),
    ("Belgen in het buitenland en de ambassade.", False),
    ("De pensioenen van zelfstandigen.", False),
]


def test_exported_weights_reproduce_scikit_learn(clf: PassageClassifier) -> None:
    tables = clf.tables_for("nl")
    assert load_classifier(MODEL) is clf
    docs = [tables.extract(tokenize(t, "nl").keys) for t, _ in TRAIN_TEXTS]
    y = np.array([label for _, label in TRAIN_TEXTS])
    model = train.fit(docs, y, train.Params())
    spec = {"nl": read_model(MODEL)["features"]["nl"]}
    exported = PassageClassifier(
        {"version": "t", "thresholds": {"default": 0.5}, "features": spec, **train.export_linear(model)}
    )
    probe = [t for t, _ in TRAIN_TEXTS] + [
        "Vluchtelingen nemen de trein naar Brussel.",
        "Een tekst zonder enig bekend woord.",
        "Migranten en het OCMW: leefloon of opvang?",
    ]
    expected = model.predict_proba([tables.extract(tokenize(t, "nl").keys) for t in probe])[:, 1]
    got = [exported.predict_tokens(tokenize(t, "nl")) for t in probe]
    assert np.allclose(got, expected, rtol=0, atol=1e-9)


def test_missing_and_malformed_model_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="train"):
        load_classifier(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError):
        read_model(bad)
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"version": "x"}), encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed"):
        load_classifier(partial)


def test_load_is_cached() -> None:
    assert load_classifier() is load_classifier()


def _subset(corpora: Path) -> train.Corpus:
    full = train.load_corpus(corpora)
    pos = [i for i, y in enumerate(full.labels) if y][:40]
    neg = [i for i, y in enumerate(full.labels) if not y][:160]
    keep = sorted(pos + neg)
    return train.Corpus(
        tuple(full.question_ids[i] for i in keep),
        tuple(full.question_keys[i] for i in keep),
        full.labels[keep],
        full.pair_ids[:200],
        full.pair_nl[:200],
        full.pair_fr[:200],
    )


def test_training_is_reproducible_on_a_subset(corpora: Path, tmp_path: Path) -> None:
    corpus = _subset(corpora)
    params = train.Params(folds=2)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    train.write_model(train.train(corpus, params), a)
    train.write_model(train.train(corpus, params), b)
    assert a.read_bytes() == b.read_bytes()
    model = json.loads(a.read_text(encoding="utf-8"))
    assert model["weights"]["c:asylum"] > 0 and model["features"]["fr"]["words"]


@pytest.mark.slow
def test_full_training_rewrites_the_shipped_model(corpora: Path, tmp_path: Path) -> None:
    out = tmp_path / train.MODEL_FILE
    assert train.main(["--corpora", str(corpora), "--out", str(out)]) == 0
    assert out.read_bytes() == MODEL.read_bytes()
