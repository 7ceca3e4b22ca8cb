"""Scoring: the 0/50/100 rule per dimension, flags with their evidence, sections, relevance, the rubric."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from analysers import default_analyser, scoring_data

from miner.analyse.nlp import tokenize
from miner.errors import ConfigError, InputError
from miner.records import Analysis, Paragraph
from miner.rubric import parse_rubric
from miner.score import document_relevance, load_rubric, score_document
from miner.scoring import versions


def analyse(
    texts: list[str] | str,
    lang: str = "nl",
    *,
    relevance: float | list[float] = 0.5,
    sections: list[str | None] | None = None,
    pages: list[int | None] | None = None,
    threshold: float = 0.5,
) -> Analysis:
    if isinstance(texts, str):
        texts = [texts]
    paras = [
        Paragraph(
            index=i,
            text=t,
            language=lang,
            section=sections[i] if sections else None,
            page=pages[i] if pages else None,
        )
        for i, t in enumerate(texts)
    ]
    toks = [tokenize(p.text, lang) for p in paras]
    rel = relevance if isinstance(relevance, list) else [relevance] * len(paras)
    return score_document("doc", paras, toks, rel, migrant_threshold=threshold, **scoring_data())


def dims(a: Analysis) -> dict[str, int]:
    return {d.name: d.score for d in a.dimensions}


def flag(a: Analysis, code: str) -> list:
    return [f for f in a.flags if f.code == code]


# --- the 0/50/100 rule --------------------------------------------------------------------------------


def test_no_evidence_scores_zero_everywhere() -> None:
    a = analyse("De trein naar Luxemburg had twee uur vertraging door een technisch incident.", relevance=0.0)
    assert set(dims(a).values()) == {0}
    assert a.score == 0 and a.evidence == () and a.flags == ()
    assert [d.name for d in a.dimensions] == [d.name for d in load_rubric().dimensions]


def test_generic_mention_scores_50_and_tied_mention_100() -> None:
    generic = analyse("Werkgevers krijgen loonsubsidies voor elke aanwerving.")
    assert dims(generic)["target_group"] == 50
    tied = analyse("Werkgevers krijgen loonsubsidies wanneer ze nieuwkomers aanwerven.")
    assert dims(tied)["target_group"] == 100
    (ev,) = next(d for d in tied.dimensions if d.name == "target_group").evidence
    assert ev.text == "Werkgevers krijgen loonsubsidies wanneer ze nieuwkomers aanwerven."
    assert ev.term == "loonsubsidies" and tied.evidence and ev in tied.evidence
    assert "Werkgevers krijgen loonsubsidies"[ev.start : ev.end] == "loonsubsidies"
    assert ev.language == "nl" and ev.paragraph == 0 and not ev.negated


def test_recognition_is_binary_as_in_the_codebook() -> None:
    # 0 or 2 in the codebook: the group named is the group recognised, in any domain
    assert dims(analyse("Vluchtelingen worden opgevangen in Brussel."))["recognition"] == 100
    assert dims(analyse("Vluchtelingen krijgen sneller toegang tot de arbeidsmarkt."))["recognition"] == 100
    assert dims(analyse("De bruggen over de Schelde worden hersteld."))["recognition"] == 0


def test_negated_evidence_does_not_count_but_is_shown() -> None:
    a = analyse("Het plan besteedt geen aandacht aan nieuwkomers.")
    rec = next(d for d in a.dimensions if d.name == "recognition")
    assert rec.score == 0 and "negated" in rec.reason
    assert [(e.term, e.negated, e.counted, e.direction) for e in rec.evidence] == [
        ("nieuwkomers", True, False, "excluding")
    ]
    assert a.evidence == ()  # the top-level list holds only quotes that decided a score


def test_intersection_needs_the_same_clause() -> None:
    same = analyse("Vrouwen met een migratieachtergrond krijgen een eigen traject naar werk.")
    apart = analyse("Vrouwen krijgen een eigen traject naar werk. Ook nieuwkomers zoeken werk.")
    listed = analyse("Vrouwen krijgen een traject naar werk; nieuwkomers krijgen taalles op de werkvloer.")
    assert dims(same)["intersection"] == 100
    assert dims(apart)["intersection"] == 50
    assert dims(listed)["intersection"] == 50


def test_specific_indicator_is_100_on_its_own() -> None:
    a = analyse("De conferentie moet oog hebben voor etnostratificatie in bepaalde sectoren.")
    assert dims(a)["intersection"] == 100


def test_barriers_are_100_only_when_tied_to_the_group() -> None:
    one = analyse("Wij bestrijden discriminatie bij aanwerving.")
    three = analyse(
        "Wij bestrijden discriminatie, versnellen de diploma-erkenning en bieden taalcursussen aan."
    )
    tied = analyse("Wij bieden taalcursussen aan anderstalige nieuwkomers.")
    assert dims(one)["barriers"] == 50
    assert dims(three)["barriers"] == 50  # the codebook's 1: barriers for people in general
    assert dims(tied)["barriers"] == 100


def test_overall_score_is_the_weighted_mean() -> None:
    rubric = load_rubric()
    a = analyse("Anderstalige nieuwkomers krijgen voorrang op de arbeidsmarkt.")
    scores = dims(a)
    assert scores["recognition"] == 100
    expected = sum(d.weight * scores[d.name] for d in rubric.dimensions) / sum(
        d.weight for d in rubric.dimensions
    )
    assert a.score == round(expected) and 0 < a.score < 100


def test_same_text_in_dutch_and_french_scores_the_same() -> None:
    nl = (
        "Vrouwen met een migratieachtergrond vinden moeilijk werk. "
        "Wij erkennen buitenlandse diploma's sneller en bestrijden discriminatie bij aanwerving. "
        "Via een samenwerkingsakkoord volgen we dit op met indicatoren."
    )
    fr = (
        "Les femmes d'origine étrangère trouvent difficilement un emploi. Nous accélérons la reconnaissance "
        "des diplômes et luttons contre la discrimination à l'embauche. Un accord de coopération assure le "
        "suivi à l'aide d'indicateurs."
    )
    a, b = analyse(nl, "nl"), analyse(fr, "fr")
    assert dims(a) == dims(b)
    assert a.score == b.score > 50


# --- flags --------------------------------------------------------------------------------------------


def test_in_scope_plan_ignoring_migration_background_is_flagged() -> None:
    text = (
        "Langdurig werkzoekenden en laaggeschoolde jongeren krijgen een traject naar werk. "
        "De VDAB begeleidt elke werkzoekende naar een job op de arbeidsmarkt."
    )
    a = analyse(text, relevance=0.1)
    assert "employment" in a.domains
    (f,) = flag(a, "ignores_migration_background")
    assert f.severity == "high" and "employment" in f.reason
    assert {e.term for e in f.evidence} >= {"Langdurig werkzoekenden"}
    with_group = analyse(text + " Ook nieuwkomers krijgen die begeleiding.", relevance=0.1)
    assert not flag(with_group, "ignores_migration_background")


def test_target_group_instruments_without_migrants_or_without_measuring() -> None:
    none = analyse("De doelgroepvermindering voor oudere werknemers blijft behouden.")
    (f,) = flag(none, "target_group_without_migrants")
    assert "never name migrants" in f.reason and f.evidence[0].term == "doelgroepvermindering"
    unmeasured = analyse("De loonsubsidie geldt ook voor nieuwkomers.")
    (g,) = flag(unmeasured, "target_group_without_migrants")
    assert "do not measure" in g.reason
    measured = analyse("De loonsubsidie geldt ook voor nieuwkomers; een monitoring meet het effect op hen.")
    assert not flag(measured, "target_group_without_migrants")


def test_gender_lens_and_measurable_targets() -> None:
    a = analyse("Nieuwkomers krijgen een traject naar werk.")
    assert flag(a, "no_gender_lens")[0].evidence[0].term == "Nieuwkomers"
    assert flag(a, "no_measurable_targets")
    b = analyse(
        "Nieuwkomers, mannen en vrouwen, krijgen een traject naar werk. "
        "Onze doelstelling is 5.000 nieuwkomers extra aan het werk."
    )
    assert not flag(b, "no_gender_lens") and not flag(b, "no_measurable_targets")


def test_migrant_content_only_in_integration_centres() -> None:
    centre = "Het Agentschap Integratie en Inburgering organiseert inburgeringscursussen voor nieuwkomers."
    only = analyse(centre)
    (f,) = flag(only, "integration_centres_only")
    assert f.evidence and f.severity == "warning"
    broader = analyse(
        [
            centre,
            "Werkgevers krijgen een loonsubsidie wanneer ze nieuwkomers aanwerven.",
        ]
    )
    assert not flag(broader, "integration_centres_only")


def test_dropped_content_quotes_what_a_new_version_lost() -> None:
    """One owner of the comparison (miner.scoring.versions): the old version's quote that is gone."""
    old_texts = [
        "Werkgevers krijgen loonsubsidies wanneer ze nieuwkomers aanwerven.",
        "Wij bestrijden discriminatie.",
    ]
    new_texts = ["Werkgevers krijgen loonsubsidies.", "Wij bestrijden discriminatie."]
    old = versions.of_analysis(_pars(old_texts), analyse(old_texts))
    new = versions.of_analysis(_pars(new_texts), analyse(new_texts))
    diff = versions.compare(old, new)
    assert diff.changed and [p.text for p in diff.removed] == [old_texts[0]]
    assert [e.text for e in diff.evidence_lost] == [old_texts[0]]
    flag = versions.dropped_content(diff)
    assert flag is not None and flag.code == "dropped_content"
    assert flag.evidence[0].text == old_texts[0] and flag.evidence[0].paragraph == 0
    same = versions.compare(old, old)
    assert not same.changed and versions.dropped_content(same) is None
    failed = versions.of_analysis(_pars(new_texts), Analysis.failed("doc", "no text"))
    assert versions.compare(old, failed).score_after is None


def _pars(texts: list[str]) -> list[Paragraph]:
    return [Paragraph(i, t, language="nl") for i, t in enumerate(texts)]


# --- document level -----------------------------------------------------------------------------------


def test_sections_are_scored_separately() -> None:
    a = analyse(
        [
            "Nieuwkomers volgen een inburgeringstraject met taallessen.",
            "Nieuwkomers krijgen ook een traject naar de arbeidsmarkt bij de VDAB.",
            "De bruggen over de Schelde worden hersteld.",
        ],
        sections=["2 Inburgering", "2 Inburgering", "1 Mobiliteit"],
        pages=[10, 11, 3],
        relevance=[0.9, 0.8, 0.05],
    )
    assert [(s.title, s.first_paragraph, s.page_start, s.page_end) for s in a.sections] == [
        ("2 Inburgering", 0, 10, 11),
        ("1 Mobiliteit", 2, 3, 3),
    ]
    inburgering, mobiliteit = a.sections
    assert inburgering.score > 0 and mobiliteit.score == 0
    assert dict(inburgering.dimensions)["recognition"] == 100
    assert inburgering.relevance > 0.5 > mobiliteit.relevance


def test_relevance_aggregate() -> None:
    rubric = load_rubric()
    assert document_relevance([0.73], [100], rubric) == 0.73
    assert document_relevance([], [], rubric) == 0.0
    everywhere = document_relevance([0.9, 0.9, 0.9, 0.9], [100] * 4, rubric)
    assert everywhere == pytest.approx(0.9)
    one_of_fifty = document_relevance([0.9] + [0.0] * 49, [100] * 50, rubric)
    # the best window decides: one relevant passage makes a long document relevant, undiluted
    assert one_of_fifty == pytest.approx(0.9)
    a = analyse(["a b c", "d e f"], relevance=[0.9, 0.9], threshold=0.8)
    assert a.migrant and a.relevance == pytest.approx(0.9)
    assert not analyse("a b c", relevance=0.79, threshold=0.8).migrant


def test_language_mix_and_unscored_languages() -> None:
    paras = [
        Paragraph(0, "Nieuwkomers zoeken werk op de arbeidsmarkt in Vlaanderen.", language="nl"),
        Paragraph(1, "Menschen mit Migrationshintergrund suchen Arbeit.", language="de"),
    ]
    toks = [tokenize(p.text, p.language) for p in paras]
    a = score_document(
        "d", paras, toks, [0.5, 0.5], migrant_threshold=0.5, model_version="m1", **scoring_data()
    )
    assert a.language == "nl" and dict(a.language_mix).keys() == {"nl", "de"}
    assert any("'de'" in w and "no lexicon" in w for w in a.warnings)
    assert a.model_version == "m1" and a.rubric_version.startswith(load_rubric().version + "+lex.")


def test_length_mismatch_is_an_input_error() -> None:
    p = Paragraph(0, "tekst", language="nl")
    with pytest.raises(InputError, match="same length"):
        score_document("d", [p], [], [0.5], migrant_threshold=0.5, **scoring_data())


def test_analysis_serialises() -> None:
    a = analyse("Vrouwen met een migratieachtergrond krijgen loonsubsidies naar werk.")
    data = json.loads(json.dumps(a.as_dict()))
    assert data["dimensions"]["intersection"]["score"] == 100
    assert data["flags"] and data["evidence"]


# --- rubric validation --------------------------------------------------------------------------------

RUBRIC = Path(__file__).resolve().parent.parent / "corpora" / "rubric.toml"


def _rubric_text() -> str:
    return RUBRIC.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('version = "', 'versio = "', r"key 'version': is missing"),
        ("weight = 2.0", "weight = -1.0", r"key 'dimensions\[0\]\.weight': must be > 0"),
        ("weight = 2.0", 'weight = "heavy"', r"key 'dimensions\[0\]\.weight': must be a number"),
        ('scope = "clause"', 'scope = "page"', r"dimensions\[1\]\.scope.*clause, sentence, paragraph"),
        ('code = "no_gender_lens"', 'code = "no_such_rule"', r"flags\[3\]\.code.*unknown flag rule"),
        ('scale = "binary"\n', 'scale = "ternary"\n', r"dimensions\[0\]\.scale"),
        ('ignore_directions = ["excluding"]', 'ignore_directions = ["hostile"]', r"ignore_directions"),
        ('aggregate = "document"', 'aggregate = "sometimes"', r"flags\[3\]\.aggregate"),
        ('severity = "high"', 'severity = "urgent"', r"flags\[0\]\.severity"),
        ('name = "barriers"', 'name = "recognition"', r"duplicate dimension"),
        ("top_k = 1", "top_k = 0", r"relevance\.top_k"),
    ],
)
def test_rubric_validation_names_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = _rubric_text()
    assert old in text
    bad = tmp_path / "rubric.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_rubric(bad)
    assert str(bad) in str(info.value)


def test_rubric_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_rubric(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_rubric(broken)


def test_rubric_referring_to_unknown_lexicon_category_fails_at_scoring() -> None:
    import tomllib

    data = tomllib.loads(_rubric_text())
    data["dimensions"][1]["categories"] = ["no_such_category"]
    rubric = parse_rubric(data, "custom.toml")
    p = Paragraph(0, "Nieuwkomers zoeken werk.", language="nl")
    with pytest.raises(ConfigError, match="no_such_category"):
        score_document(
            "d",
            [p],
            [tokenize(p.text, "nl")],
            [0.5],
            migrant_threshold=0.5,
            rubric=rubric,
            lexicons=default_analyser().lexicons,
        )


def test_default_rubric_is_valid_and_versioned() -> None:
    r = load_rubric()
    assert r.version and len(r.dimensions) == 7
    assert {d.name for d in r.dimensions} == {
        "recognition",
        "barriers",
        "intersection",
        "mainstreaming",
        "intergovernmental",
        "target_group",
        "targets_monitoring",
    }
    assert all(set(d.label) >= {"nl", "fr", "en"} for d in r.dimensions)
    assert replace(r, version="x").version == "x"  # frozen, copied rather than mutated


# --- real documents -----------------------------------------------------------------------------------


@pytest.mark.corpora
def test_dutch_french_pairs_score_alike(corpora: Path) -> None:
    path = corpora / "parliament" / "chamber-2017-nl-fr-pairs" / "belgium_parliament_2017_pairs.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    gaps = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            a, b = analyse(row["text_nl"], "nl"), analyse(row["text_fr"], "fr")
            gaps.append(abs(a.score - b.score))
    assert len(gaps) == 1000
    assert sum(gaps) / len(gaps) <= 5.0


@pytest.mark.corpora
def test_coalition_agreement_chapters(corpora: Path) -> None:
    folder = corpora / "policy" / "vlaams-regeerakkoord-2019-2024" / "sections_raw"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")

    def chapter(prefix: str) -> Analysis:
        (path,) = folder.glob(prefix + "_*.txt")
        return analyse(path.read_text(encoding="utf-8"))

    werk = chapter("147")  # Werk en sociale economie, Werf 1: Elk talent telt
    assert {"employment"} <= set(werk.domains)
    assert dims(werk)["recognition"] == 100 and dims(werk)["barriers"] == 100
    # the target-group reductions are not tied to newcomers in the same clause
    assert dims(werk)["target_group"] == 50 and flag(werk, "target_group_without_migrants")
    energie = chapter("001")  # Energie en klimaat
    assert dims(energie)["recognition"] == 0 and energie.score < werk.score
    # outside employment and education a generic cooperation agreement is no evidence
    assert not energie.domains and dims(energie)["intergovernmental"] == 0


def test_empty_document_scores_zero_without_crashing() -> None:
    a = score_document("empty", [], [], [], migrant_threshold=0.5, **scoring_data())
    assert (a.score, a.relevance, a.migrant, a.language, a.flags) == (0, 0.0, False, "", ())
    assert len(a.dimensions) == len(load_rubric().dimensions)
    blank = Paragraph(0, "", language="fr")
    b = score_document("blank", [blank], [tokenize("", "fr")], [0.2], migrant_threshold=0.5, **scoring_data())
    assert b.score == 0 and b.language == "fr" and b.language_mix == ()


def test_a_change_is_judged_on_normalised_text_without_date_lines() -> None:
    """Layout (white space, case, Unicode forms) and date lines are not changes; a changed figure is."""
    old = [Paragraph(0, "Gepubliceerd op 4 mei 2023."), Paragraph(1, "De VDAB  begeleidt\nnieuwkomers.")]
    layout = [Paragraph(0, "Mis à jour le 02/03/2024"), Paragraph(1, "de vdab begeleidt nieuwkomers.")]
    figure = [Paragraph(0, "Gepubliceerd op 4 mei 2023."), Paragraph(1, "De VDAB begeleidt 80 nieuwkomers.")]
    assert versions.text_hash(old) == versions.text_hash(layout) != versions.text_hash(figure)
    assert not versions.compare(versions.VersionText(tuple(old)), versions.VersionText(tuple(layout))).changed
    diff = versions.compare(versions.VersionText(tuple(old)), versions.VersionText(tuple(figure)))
    assert [p.index for p in diff.removed] == [1] and [p.index for p in diff.added] == [1]
    long_line = "Op 4 mei 2023 keurde de regering een plan goed voor nieuwkomers en hun werk."
    assert not versions.is_date_line(long_line) and versions.is_date_line("Mis à jour le 02/03/2024")
