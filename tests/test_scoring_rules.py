"""What a score, a flag and a quote mean: directions, clauses, the plan's domain, chapters, unscored
languages and the JSON a watchdog publishes. Texts are written here; real documents are in
test_score.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from miner.analyse.nlp import tokenize
from miner.records import Analysis, Paragraph
from miner.rubric import FlagCode, load_rubric
from miner.score import score_document
from miner.scoring.layout import is_heading, is_toc

ROOT = Path(__file__).resolve().parent.parent


def analyse(
    texts: list[str] | str,
    lang: str | list[str] = "nl",
    *,
    sections: list[str | None] | None = None,
    pages: list[int | None] | None = None,
) -> Analysis:
    texts = [texts] if isinstance(texts, str) else texts
    langs = lang if isinstance(lang, list) else [lang] * len(texts)
    paras = [
        Paragraph(
            index=i,
            text=t,
            language=langs[i],
            section=sections[i] if sections else None,
            page=pages[i] if pages else None,
        )
        for i, t in enumerate(texts)
    ]
    toks = [tokenize(p.text, p.language) for p in paras]
    return score_document("doc", paras, toks, [0.5] * len(paras), migrant_threshold=0.5)


def dims(a: Analysis) -> dict[str, int]:
    return {d.name: d.score for d in a.dimensions}


def codes(a: Analysis) -> set[str]:
    return {f.code for f in a.flags}


def directions(a: Analysis, dim: str) -> list[str]:
    d = next(x for x in a.dimensions if x.name == dim)
    return [e.direction for e in d.evidence]


# --- directions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "direction"),
    [
        ("We bieden nieuwkomers een traject naar werk aan.", "nl", "inclusive"),
        ("Nous offrons aux primo-arrivants un trajet vers l'emploi.", "fr", "inclusive"),
        ("Nieuwkomers worden verplicht zich in te schrijven bij de VDAB.", "nl", "restrictive"),
        ("L'inscription des primo-arrivants chez Actiris devient obligatoire.", "fr", "restrictive"),
        ("Hoeveel nieuwkomers vonden werk in 2019?", "nl", "descriptive"),
        ("Combien de primo-arrivants ont trouvé un emploi en 2019?", "fr", "descriptive"),
        ("Het aandeel nieuwkomers op de werkvloer steeg tot 12 procent.", "nl", "descriptive"),
        ("Er zijn geen specifieke maatregelen voor nieuwkomers.", "nl", "excluding"),
        ("Cette mesure ne s'applique pas aux primo-arrivants.", "fr", "excluding"),
        ("Alle werkzoekenden, met uitzondering van nieuwkomers, krijgen een coach.", "nl", "excluding"),
        ("Jongeren zonder migratieachtergrond vinden sneller werk.", "nl", "descriptive"),
    ],
)
def test_each_quote_carries_its_direction(text: str, lang: str, direction: str) -> None:
    assert directions(analyse(text, lang), "recognition") == [direction]


def test_excluding_or_negated_mentions_do_not_recognise_the_group() -> None:
    a = analyse("Er zijn geen specifieke maatregelen voor nieuwkomers.")
    assert dims(a)["recognition"] == 0
    (f,) = [f for f in a.flags if f.code == FlagCode.EXCLUDES_MIGRANTS]
    assert f.evidence[0].text == "Er zijn geen specifieke maatregelen voor nieuwkomers."
    assert f.evidence[0].direction == "excluding"
    # a negation about something else is not an exclusion
    b = analyse("Het niet meer voldoen aan de bezettingsnorm na gezinshereniging is geen reden tot opzeg.")
    assert FlagCode.EXCLUDES_MIGRANTS not in codes(b)


def test_a_restrictive_language_requirement_does_not_remove_a_barrier() -> None:
    support = analyse("We bieden anderstalige nieuwkomers gratis lessen Nederlands aan.")
    requirement = analyse(
        "De kennis van het Nederlands wordt een voorwaarde voor nieuwkomers die een uitkering vragen."
    )
    assert dims(support)["barriers"] == 100
    assert dims(requirement)["barriers"] == 0
    shown = next(d for d in requirement.dimensions if d.name == "barriers").evidence
    assert [(e.direction, e.counted) for e in shown] == [("restrictive", False)]
    assert dims(requirement)["recognition"] == 100  # the group is still the target


def test_benefits_made_conditional_on_language_knowledge_are_restrictive() -> None:
    # the coalition agreement 2019-2024, p. 204 (Vlaamse rand)
    text = (
        "Maar we werken ook creatief maatregelen uit zoals de koppeling van sociale en andere voordelen "
        "aan de kennis van het Nederlands of minstens de bereidheid onze taal te leren."
    )
    a = analyse(text)
    assert dims(a)["barriers"] == 0
    shown = next(d for d in a.dimensions if d.name == "barriers").evidence
    assert shown and all((e.direction, e.counted) == ("restrictive", False) for e in shown)
    # French says it with "subordonner" / "conditionner"
    b = analyse("Nous subordonnons l'octroi des avantages sociaux à la connaissance du français.", "fr")
    assert dims(b)["barriers"] == 0


# --- ties and the plan's domain -----------------------------------------------------------------------


def test_a_tie_is_the_same_clause_not_three_sentences() -> None:
    near = analyse("Werkgevers krijgen een loonsubsidie wanneer ze nieuwkomers aanwerven.")
    far = analyse(
        "Werkgevers krijgen een loonsubsidie bij elke aanwerving. De VDAB begeleidt werkzoekenden. "
        "Ook nieuwkomers zoeken werk."
    )
    assert dims(near)["target_group"] == 100 and dims(far)["target_group"] == 50


def test_an_intersection_is_a_crossing_not_two_items_of_one_list() -> None:
    # the coalition agreement 2019-2024, p. 189: indicators listed side by side
    listed = analyse(
        "Om tot een versterkte aanpak van kwetsbare wijken (op basis van indicatoren zoals lage "
        "werkzaamheidsgraad, slechte woonkwaliteit, lage scholingsgraad, hoge concentratie "
        "anderstaligheid, lage inkomens) te komen, sluit de Vlaamse regering een wijkverbeteringscontract af."
    )
    crossed = analyse(
        "We hebben ook bijzondere aandacht voor vrouwen met een migratieachtergrond, een groep van wie "
        "de tewerkstellingsgraad bijzonder laag is."
    )
    crossed_fr = analyse(
        "Nous soutenons les femmes issues de l'immigration dans leur recherche d'emploi.", "fr"
    )
    assert dims(listed)["intersection"] < 100
    assert dims(crossed)["intersection"] == 100 and dims(crossed_fr)["intersection"] == 100


def test_a_generic_impact_analysis_is_evaluation_not_mainstreaming() -> None:
    # the coalition agreement 2019-2024, p. 38 (R&D programmes)
    spending = analyse(
        "Dit bereiken we onder meer via uitgaventoetsen en gestandaardiseerde en systemische "
        "impactanalyses voor de opleidingen en het onderwijs."
    )
    assert dims(spending)["mainstreaming"] == 0 and dims(spending)["targets_monitoring"] == 50
    fr = analyse("Chaque réforme de l'enseignement fait l'objet d'une analyse d'impact.", "fr")
    assert dims(fr)["mainstreaming"] == 0
    # an impact test of policy on a group is a mainstreaming instrument
    test = analyse("Elke nieuwe maatregel voor onderwijs en werk ondergaat een gelijkekansentoets.")
    assert dims(test)["mainstreaming"] == 50


def test_generic_evidence_counts_only_in_the_plans_domain() -> None:
    climate = analyse(
        "We sluiten een samenwerkingsakkoord met de federale overheid over de klimaatinspanningen."
    )
    jobs = analyse(
        "We sluiten een samenwerkingsakkoord met de federale overheid over de begeleiding van werkzoekenden "
        "naar werk op de arbeidsmarkt."
    )
    assert dims(climate)["intergovernmental"] == 0
    assert "outside employment and education" in next(
        d.reason for d in climate.dimensions if d.name == "intergovernmental"
    )
    assert dims(jobs)["intergovernmental"] == 50
    # barriers are the concern's own vocabulary: discrimination counts wherever it is addressed
    assert dims(analyse("We richten een meldpunt op tegen discriminatie in de sport."))["barriers"] == 50


# --- flags --------------------------------------------------------------------------------------------


def test_ignores_migration_background_on_a_short_passage_rests_on_the_lexicon() -> None:
    text = (
        "Langdurig werkzoekenden en laaggeschoolde jongeren krijgen een traject naar werk. "
        "De VDAB begeleidt elke werkzoekende naar een job."
    )
    assert FlagCode.IGNORES_MIGRATION_BACKGROUND in codes(analyse(text))
    # one mention of the group, or of migration at all, and the text does not ignore it
    assert FlagCode.IGNORES_MIGRATION_BACKGROUND not in codes(analyse(text + " Ook nieuwkomers krijgen dat."))
    assert FlagCode.IGNORES_MIGRATION_BACKGROUND not in codes(
        analyse(text + " De migratiestromen veranderen de arbeidsmarkt.")
    )
    # not in scope: no flag
    assert FlagCode.IGNORES_MIGRATION_BACKGROUND not in codes(
        analyse("Kansarme gezinnen krijgen een premie.")
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # the coalition agreement 2019-2024 (p. 189): a contract for deprived neighbourhoods whose
        # own sentence names school and work, in a passage that is not employment text as a whole
        (
            "Aangezien de steden en gemeenten zelf het best geplaatst zijn om de lokale situatie te "
            "beoordelen, nemen zij het initiatief om in te tekenen op een Vlaamse oproep met jurering. "
            "In dit wijkverbeteringscontract engageren zowel de verschillende betrokken beleidsdomeinen "
            "van de Vlaamse overheid als het betrokken lokaal bestuur zich om de vicieuze cirkel in deze "
            "wijken te doorbreken door in te zetten op o.a. wonen, onderwijs, werk. Om de open ruimte te "
            "vrijwaren, zal er naast het gemeentefonds een bijkomende financieringslijn opgebouwd worden.",
            "nl",
        ),
        (
            "Les communes lancent un appel à projets. Dans ces contrats de quartier, la Région s'engage "
            "à investir dans le logement, l'enseignement et l'emploi. Un fonds supplémentaire est créé.",
            "fr",
        ),
    ],
)
def test_an_employment_or_education_measure_for_deprived_areas_can_ignore_the_group(
    text: str, lang: str
) -> None:
    a = analyse(text, lang)
    assert FlagCode.IGNORES_MIGRATION_BACKGROUND in codes(a)
    flag = next(f for f in a.flags if f.code == FlagCode.IGNORES_MIGRATION_BACKGROUND)
    assert "in the measure's own sentence" in flag.reason
    assert any("onderwijs" in e.text or "enseignement" in e.text for e in flag.evidence)


def test_a_measure_for_the_disadvantaged_outside_employment_and_education_ignores_nothing() -> None:
    # neither the passage nor the measure's sentence is employment or education text
    text = "In dit wijkverbeteringscontract investeren we in groen en in betere woningen."
    assert FlagCode.IGNORES_MIGRATION_BACKGROUND not in codes(analyse(text))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Werkgevers die een leefloner via artikel 60 tewerkstellen, krijgen steun.", "nl"),
        ("Het plan Activa blijft behouden voor werkzoekenden.", "nl"),
        ("Elke leefloner tekent een GPMI met een traject naar werk bij de VDAB.", "nl"),
        ("Chaque bénéficiaire signe un PIIS avec un trajet vers l'emploi chez Actiris.", "fr"),
        (
            "Les employeurs qui engagent un travailleur dans le cadre de l'article 60 reçoivent une aide.",
            "fr",
        ),
        ("De doelgroepverminderingen voor oudere werknemers blijven behouden.", "nl"),
        # the coalition agreement 2019-2024: community service for the long-term unemployed is activation
        (
            "Wie actief werk zoekt maar binnen de 2 jaar niet aan de slag kan, kan verplicht worden "
            "ingezet in gemeenschapsdienst.",
            "nl",
        ),
        (
            "Le demandeur d'emploi qui ne trouve pas de travail en deux ans peut être astreint à un "
            "service communautaire.",
            "fr",
        ),
    ],
)
def test_target_group_instruments(text: str, lang: str) -> None:
    a = analyse(text, lang)
    assert dims(a)["target_group"] == 50
    assert FlagCode.TARGET_GROUP_WITHOUT_MIGRANTS in codes(a)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("We zorgen voor een administratieve lastenverlaging voor alle werkgevers.", "nl"),
        ("Een fiscale lastenverlaging maakt werken lonender.", "nl"),
        ("Nous réalisons une réduction des charges administratives pour les employeurs.", "fr"),
    ],
)
def test_administrative_or_fiscal_relief_is_not_a_target_group_instrument(text: str, lang: str) -> None:
    a = analyse(text, lang)
    assert dims(a)["target_group"] == 0 and FlagCode.TARGET_GROUP_WITHOUT_MIGRANTS not in codes(a)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Tegen 2030 moet de werkloosheid bij jongeren dalen tot 5 procent.", "nl"),
        ("We begeleiden 2.000 vrouwen per jaar naar werk.", "nl"),
        ("D'ici 2030, le chômage des jeunes doit baisser à 5 pour cent.", "fr"),
        ("Nous accompagnons 2.000 femmes par an vers l'emploi.", "fr"),
    ],
)
def test_quantified_targets_are_recognised_from_their_numbers(text: str, lang: str) -> None:
    a = analyse(text, lang)
    assert FlagCode.NO_MEASURABLE_TARGETS not in codes(a) and dims(a)["targets_monitoring"] == 50


def test_budget_figures_are_not_targets() -> None:
    a = analyse("We voorzien 5 miljoen euro per jaar voor de begeleiding van werkzoekenden naar werk.")
    assert dims(a)["targets_monitoring"] == 0


def test_newcomers_as_new_staff_and_diversity_of_gender_do_not_name_the_group() -> None:
    staff = analyse("Scholen begeleiden de nieuwkomers in hun lerarenkorps beter.")
    gender = analyse("We streven naar meer diversiteit naar gender en leeftijd in de raden van bestuur.")
    facets = analyse("We maken diversiteit in al haar facetten bespreekbaar.")
    assert dims(staff)["recognition"] == dims(gender)["recognition"] == dims(facets)["recognition"] == 0


def test_courses_taught_in_another_language_do_not_name_the_group() -> None:
    # the coalition agreement 2019-2024, p. 35: English-taught programmes, not non-native speakers
    courses = analyse(
        "Gelet op de versterking van de positie van het Nederlands in het basis- en secundair onderwijs "
        "kan voor de bachelors het aandeel anderstalige opleidingen licht worden opgetrokken tot maximaal 9%."
    )
    pupils = analyse("Anderstalige leerlingen krijgen extra taalondersteuning op school.")
    assert dims(courses)["recognition"] == 0 and dims(courses)["targets_monitoring"] < 100
    assert dims(pupils)["recognition"] == 100


# --- documents as chapters ----------------------------------------------------------------------------


def test_tables_of_contents_and_headings_are_recognised() -> None:
    assert is_toc(
        "1 — Onderwijs 21 1.1 Uitdagingen en visie 22 1.2 Concrete voorstellen 23 1.2.1 Kwaliteit 23"
    )
    assert is_toc("Inburgering ................ 107\nWerk ................ 51\n")
    assert is_toc("2.2 Inburgering 107\n2.3 Werk 110\n2.4 Onderwijs 112\n")
    assert not is_toc("In 2019 volgden 1.200 nieuwkomers een traject; 80 procent vond werk binnen 2 jaar.")
    assert is_heading("3 — Werk en sociale economie") and is_heading("1.3 Activering stimuleren")
    assert not is_heading("3 nieuwkomers vonden werk.")


def test_toc_front_matter_headings_and_repeated_lines_are_never_evidence() -> None:
    texts = [
        "Regeerakkoord",  # p1: front matter
        "2 — Inburgering en integratie 107 2.1 Nieuwkomers en werk 108 2.2 Taal 109 3 Onderwijs 110",
        "Nieuwkomers krijgen voorrang bij de VDAB.",  # p2: a summary before the first chapter
        "1 — Werk",  # p3: heading
        "Nieuwkomers volgen lessen Nederlands op de werkvloer.",
        "Vlaamse Regering 2019-2024",
        "De VDAB begeleidt werkzoekenden naar werk.",
        "Vlaamse Regering 2019-2024",
        "Scholen krijgen extra leerkrachten voor anderstalige leerlingen.",
    ]
    a = analyse(
        texts,
        sections=[None, None, None, *["1 — Werk"] * 5, "2 — Onderwijs"],
        pages=[1, 2, 2, 3, 3, 3, 4, 4, 5],
    )
    assert dict(a.excluded) == {"table_of_contents": 1, "front_matter": 2, "heading": 1, "repeated_line": 2}
    quoted = {e.paragraph for e in a.evidence} | {e.paragraph for d in a.dimensions for e in d.evidence}
    quoted |= {e.paragraph for s in a.sections for e in s.evidence}
    assert quoted <= {4, 6, 8}
    assert [s.title for s in a.sections] == ["1 — Werk", "2 — Onderwijs"]


def test_a_document_score_is_the_word_weighted_mean_of_its_in_scope_chapters() -> None:
    werk = [
        "Anderstalige nieuwkomers krijgen lessen Nederlands op de werkvloer en een loonsubsidie.",
        "De VDAB begeleidt werkzoekenden naar werk en meet het effect met indicatoren.",
    ]
    onderwijs = ["Scholen krijgen extra leerkrachten voor leerlingen in het secundair onderwijs."]
    mobiliteit = ["De bruggen over de Schelde worden hersteld en de tram rijdt vaker."]
    a = analyse(
        werk + onderwijs + mobiliteit,
        sections=["1 Werk", "1 Werk", "2 Onderwijs", "3 Mobiliteit"],
        pages=[1, 1, 2, 3],
    )
    chapters = {s.title: s for s in a.sections}
    assert [s.in_scope for s in a.sections] == [True, True, False]
    counted = [chapters["1 Werk"], chapters["2 Onderwijs"]]
    expected = sum(s.words * s.score for s in counted) / sum(s.words for s in counted)
    assert a.score == round(expected) <= max(s.score for s in a.sections)
    assert a.score_basis["in_scope"] == 2 and a.score_basis["best_chapter"] == chapters["1 Werk"].score
    # each chapter carries its own evidence and flags
    assert chapters["1 Werk"].evidence and all(e.paragraph in (0, 1) for e in chapters["1 Werk"].evidence)
    assert {e.text for e in a.evidence} == {e.text for s in counted for e in s.evidence}


def test_a_long_document_without_chapters_is_scored_in_blocks_of_pages() -> None:
    para = "De VDAB begeleidt werkzoekenden naar werk en versterkt de opleiding van werknemers. " * 20
    texts = [f"Pagina {i}. {para}" for i in range(24)]  # 24 pages of about 240 words
    a = analyse(texts, pages=list(range(1, 25)))
    assert len(a.sections) >= 2 and all(s.title.startswith("pp. ") for s in a.sections)
    assert a.score <= max(s.score for s in a.sections)


# --- languages without a lexicon ----------------------------------------------------------------------


def test_german_documents_are_marked_not_scored() -> None:
    a = analyse(
        [
            "Menschen mit Migrationshintergrund finden schwer Arbeit.",
            "Das Arbeitsamt ADG begleitet Arbeitssuchende.",
        ],
        "de",
    )
    assert not a.scored and a.as_dict()["score"] is None and a.as_dict()["scored"] is False
    assert not a.flags and not a.evidence
    assert any("not scored" in w for w in a.warnings)
    mixed = analyse(
        ["Nieuwkomers krijgen lessen Nederlands op de werkvloer.", "Ein kurzer Satz."], ["nl", "de"]
    )
    assert mixed.scored and mixed.as_dict()["score"] == mixed.score


# --- the JSON and the rubric ----------------------------------------------------------------------------


def test_json_carries_direction_chapters_and_scored() -> None:
    a = analyse(
        ["Vrouwen met een migratieachtergrond krijgen een traject naar werk.", "De tram rijdt vaker."],
        sections=["1 Werk", "2 Mobiliteit"],
    )
    data = json.loads(json.dumps(a.as_dict()))
    assert data["scored"] is True and data["score_basis"]["chapters"] == 2
    assert {e["direction"] for e in data["evidence"]} <= {
        "inclusive",
        "restrictive",
        "descriptive",
        "excluding",
    }
    assert all(e["counted"] for e in data["evidence"])
    section = data["sections"][0]
    assert {"in_scope", "domains", "words", "evidence", "flags", "dimensions", "score"} <= set(section)
    assert section["evidence"][0]["dimension"] == "recognition"


def test_every_flag_code_is_enabled_and_documented() -> None:
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    rubric = load_rubric()
    enabled = {r.code for r in rubric.flags}
    for code in FlagCode:
        assert re.search(rf"`{code.value}`", doc), f"{code.value} is not documented in docs/scoring.md"
        assert code in enabled, f"{code.value} is not enabled in corpora/rubric.toml"


def test_the_coalition_agreement_quotes_running_text_and_scores_from_its_chapters(corpora: Path) -> None:
    """The 214-page agreement: its table of contents (pp. 4-11) and front matter are never quoted,
    and the document score is the word-weighted mean of its in-scope chapters (docs/scoring.md §4)."""
    from miner.pipeline import analyse_file

    pdf = corpora / "policy/vlaams-regeerakkoord-2019-2024/source/Regeerakkoord20192024.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf} is absent")
    _, a = analyse_file(pdf)
    d = a.as_dict()
    quotes = [
        *d["evidence"],
        *(e for dim in d["dimensions"].values() for e in dim["evidence"]),
        *(e for f in d["flags"] for e in f["evidence"]),
        *(e for s in d["sections"] for e in s.get("evidence", [])),
    ]
    assert quotes and min(e["page"] for e in quotes) > 11
    assert d["excluded_paragraphs"]["table_of_contents"] > 0
    in_scope = [s for s in d["sections"] if s["in_scope"]]
    mean = sum(s["score"] * s["words"] for s in in_scope) / sum(s["words"] for s in in_scope)
    assert d["score"] == round(mean) <= max(s["score"] for s in in_scope)
