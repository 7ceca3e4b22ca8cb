"""The passage classifier: real passages in both languages, the exported model against
scikit-learn, the false friends, loading errors and reproducible training.

The named hard cases (false friends, regional integration vocabulary) are passages written for
this test, not taken from any evaluation set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from miner import reset_caches
from miner.analyse import train
from miner.analyse.classifier import PassageClassifier, load_classifier, read_model
from miner.analyse.nlp import tokenize
from miner.analyse.trainsets import text_of
from miner.analyser import Analyser
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
    # the regional integration vocabulary the federal training questions seldom use
    (
        "nl",
        "In de VDAB-kantoren leggen de consulenten werkzoekenden geen vragen voor over hun land van herkomst.",
    ),
    ("fr", "La région financera une campagne contre la discrimination raciste dans les agences d'intérim."),
    ("fr", "Le ministre refuse tout enregistrement sur une base ethnique des élèves inscrits."),
    ("nl", "De kinderdagverblijven krijgen middelen om anderstalig personeel aan te werven."),
    ("fr", "Les primo-arrivants suivront des cours de FLE dès leur arrivée dans la commune."),
    ("fr", "Les élèves allophones de l'école sont accueillis dans un DASPA pendant douze mois."),
    ("fr", "Actiris organisera des tests de situation auprès des entreprises bruxelloises."),
    ("fr", "Le budget des CRI et des ILI augmente pour accompagner le parcours d'intégration."),
    ("nl", "Anderstalige nieuwkomers starten in een OKAN-klas voor ze naar het gewone secundair gaan."),
    ("nl", "Wie een inburgeringsattest wil, moet slagen voor NT2 op niveau A2."),
    ("fr", "La lutte contre la discrimination à l'embauche passe par des contrôles de l'inspection."),
    ("nl", "Belgen van Marokkaanse afkomst worden vaker afgewezen bij een sollicitatie."),
    ("fr", "Les travailleurs d'origine turque sont surreprésentés dans le secteur du nettoyage."),
    ("fr", "Les femmes d'origine maghrébine rencontrent des obstacles supplémentaires à l'embauche."),
    # naming the group only to say that nothing is done for them is still about them (codebook)
    ("nl", "Voor werkzoekenden met een migratieachtergrond voorziet dit plan geen specifieke maatregelen."),
    ("fr", "Ce plan ne prévoit aucune action ciblée pour les personnes issues de l'immigration."),
]
NEGATIVE = [
    ("nl", "De treinen reden met vertraging tussen Brussel en Luxemburg door een technisch incident."),
    (
        "fr",
        "Les trains ont circulé avec retard entre Bruxelles et Luxembourg à cause d'un incident technique.",
    ),
    # SOCIALE INTEGRATIE: the leefloon / revenu d'intégration is not about migrants.
    ("nl", "Het OCMW kent het leefloon toe in het kader van het recht op maatschappelijke integratie."),
    ("fr", "Le revenu d'intégration est accordé par le CPAS dans le cadre du droit à l'intégration sociale."),
    ("nl", "De integratie van personen met een handicap op de arbeidsmarkt."),
    ("fr", "L'intégration des personnes handicapées sur le marché du travail."),
    ("fr", "Les Belges qui résident à l'étranger peuvent voter via l'ambassade."),
    # false friends: migraines, migratory birds, data migration, puppies from abroad
    ("fr", "Les migraines fréquentes sont une cause d'absence au travail chez les enseignants."),
    ("nl", "Leerkrachten met zware migraine kunnen tijdelijk minder lesuren geven."),
    ("fr", "Les élèves de sixième observent les oiseaux migrateurs dans la réserve naturelle."),
    (
        "nl",
        "Na de migratie van data naar het nieuwe platform kunnen scholen hun leerlingen digitaal opvolgen.",
    ),
    ("nl", "De datamigratie van het personeelsdossier is in maart voltooid."),
    ("fr", "La migration vers le nouveau logiciel de paie des enseignants aura lieu en janvier."),
    ("fr", "L'importation de chiots originaires de l'étranger sera soumise à un contrôle vétérinaire."),
    ("nl", "Nieuwkomers op de arbeidsmarkt, de jongeren die pas van school komen, krijgen een mentor."),
    ("nl", "Een werkgever die een langdurig zieke werknemer laat re-integreren, krijgt een premie."),
    ("fr", "Les investissements étrangers en Flandre ont progressé de huit pour cent."),
    ("nl", "Alle leerlingen leren vanaf het vijfde leerjaar Frans als moderne vreemde taal."),
    ("fr", "L'origine des fonds versés aux partis politiques sera contrôlée par la Cour des comptes."),
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


def _concepts(features: set[str]) -> set[str]:
    return {f for f in features if f.startswith("c:")}


def test_false_friends_map_to_their_own_concepts(clf: PassageClassifier) -> None:
    fr = clf.tables_for("fr")
    assert "c:leefloon" in fr.extract(tokenize("le revenu d'intégration", "fr").keys)
    assert "c:leefloon" in fr.extract(tokenize("un projet d'intégration sociale", "fr").keys)
    assert "c:newcomer" in fr.extract(tokenize("le parcours d'intégration", "fr").keys)
    assert "c:integration" in fr.extract(tokenize("l'intégration des primo-arrivants", "fr").keys)
    assert "c:abroad" in fr.extract(tokenize("les Belges à l'étranger", "fr").keys)
    assert "c:foreigner" in fr.extract(tokenize("l'Office des étrangers", "fr").keys)
    assert "c:migration" in fr.extract(tokenize("dans leur pays d'origine", "fr").keys)
    assert not _concepts(fr.extract(tokenize("la migration des données vers le cloud", "fr").keys))
    assert not _concepts(fr.extract(tokenize("des oiseaux migrateurs", "fr").keys))
    nl = clf.tables_for("nl")
    assert "c:leefloon" in nl.extract(tokenize("het recht op maatschappelijke integratie", "nl").keys)
    assert "c:asylum" in nl.extract(tokenize("de asielaanvragen", "nl").keys)
    assert "c:migration" in nl.extract(tokenize("naar hun land van herkomst", "nl").keys)
    assert "c:origin" in nl.extract(tokenize("de herkomst van de gegevens", "nl").keys)
    assert not _concepts(nl.extract(tokenize("de migratie van data", "nl").keys))
    assert not _concepts(nl.extract(tokenize("nieuwkomers op de arbeidsmarkt", "nl").keys))
    # French-speaking Belgians in the Flemish periphery are not a migration background (codebook)
    rand = "de anderstaligen in de faciliteitengemeenten van de Vlaamse Rand"
    assert "c:second-language" not in nl.extract(tokenize(rand, "nl").keys)


def test_acronyms_are_case_sensitive(clf: PassageClassifier) -> None:
    fr = clf.tables_for("fr")
    cri = tokenize("Les CRI accompagnent les primo-arrivants.", "fr")
    assert "c:integration-service" in fr.extract(cri.keys, cri.words)
    cry = tokenize("Le cri d'alarme des enseignants.", "fr")
    assert "c:integration-service" not in fr.extract(cry.keys, cry.words)


def test_long_passages_are_not_diluted(clf: PassageClassifier) -> None:
    """One paragraph about newcomers in a long text about something else decides like it would alone."""
    about = (
        "Nieuwkomers volgen een inburgeringstraject en lessen Nederlands als tweede taal bij het Agentschap."
    )
    filler = " ".join(
        f"Het budget voor wegenwerken in de provincie stijgt in {2000 + i} met {i} procent."
        for i in range(60)
    )
    alone = clf.predict_tokens(tokenize(about, "nl"))
    inside = clf.predict_tokens(tokenize(f"{filler} {about} {filler}", "nl"))
    assert inside >= clf.threshold_for("nl") and inside == pytest.approx(alone, abs=0.2)
    assert clf.predict_tokens(tokenize(filler, "nl")) < clf.threshold_for("nl")


def test_paragraph_cuts_do_not_change_the_best_window(clf: PassageClassifier) -> None:
    sentences = [
        "De VDAB begeleidt werkzoekenden naar een job.",
        "Daarbij krijgen anderstalige nieuwkomers extra taalondersteuning.",
        "Het aanbod wordt jaarlijks geëvalueerd.",
    ]
    whole = clf.predict_paragraphs([tokenize(" ".join(sentences), "nl")])
    cut = clf.predict_paragraphs([tokenize(s, "nl") for s in sentences])
    assert max(cut) == pytest.approx(whole[0])
    # every paragraph a window touches gets that window's probability
    assert min(cut) == pytest.approx(max(cut))


def test_thresholds_per_language(clf: PassageClassifier) -> None:
    assert 0 < clf.threshold_for("nl") < 1 and 0 < clf.threshold_for("fr") < 1
    assert clf.threshold_for("de") == clf.threshold == clf.threshold_for("nl")
    assert clf.version.startswith("migrant-clf-")


def test_empty_and_unknown_language_passages(clf: PassageClassifier) -> None:
    assert clf.predict_tokens(tokenize("", "nl")) < clf.threshold_for("nl")
    assert 0.0 <= clf.predict_tokens(tokenize("123 456 !!", "other")) < 1.0
    assert clf.predict_paragraphs([]) == []


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


def test_exported_weights_reproduce_scikit_learn() -> None:
    spec = read_model(MODEL)["features"]
    feat = train.Featurizer(spec)
    texts = [text_of(t, "nl") for t, _ in TRAIN_TEXTS]
    y = np.array([label for _, label in TRAIN_TEXTS])
    params = train.Params()
    model = train.fit([feat.whole(t) for t in texts], y, params)
    exported = PassageClassifier(train.model_file(model, spec, params, {"default": 0.5}))
    probe = [t for t, _ in TRAIN_TEXTS] + [
        "Vluchtelingen nemen de trein naar Brussel.",
        "Een tekst zonder enig bekend woord.",
        "Migranten en het OCMW: leefloon of opvang?",
    ]
    expected = model.proba([feat.whole(text_of(t, "nl")) for t in probe])
    got = [exported.predict_keys(tokenize(t, "nl").keys, "nl", tokenize(t, "nl").words) for t in probe]
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


def test_the_analyser_holds_one_classifier_and_reset_caches_keeps_it(analyser: Analyser) -> None:
    """The model is read once per analyser (not per call, not per process-wide cache): what a
    caller built keeps its classifier, and miner.reset_caches() does not reach into it."""
    held = analyser.classifier
    reset_caches()
    assert analyser.classifier is held
    assert load_classifier().version == held.version


def _subset(corpora: Path) -> train.Corpus:
    full = train.load_corpus(corpora)
    pos = [i for i, y in enumerate(full.labels) if y][:40]
    neg = [i for i, y in enumerate(full.labels) if not y][:160]
    keep = sorted(pos + neg)
    return train.Corpus(
        tuple(full.question_ids[i] for i in keep),
        tuple(full.questions[i] for i in keep),
        full.labels[keep],
        full.pair_ids[:200],
        full.pair_nl[:200],
        full.pair_fr[:200],
        full.passage_ids,
        full.passage_docs,
        full.passages,
        full.passage_labels,
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
    plan = model["measured"]["plan_passages"]
    assert plan["nl"]["n"] + plan["fr"]["n"] == len(corpus.passages) and "grouped by document" in plan["how"]


@pytest.mark.slow
def test_full_training_rewrites_the_shipped_model(corpora: Path, tmp_path: Path) -> None:
    out = tmp_path / train.MODEL_FILE
    assert train.main(["--corpora", str(corpora), "--out", str(out)]) == 0
    assert out.read_bytes() == MODEL.read_bytes()
