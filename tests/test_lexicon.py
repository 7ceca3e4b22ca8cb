"""The rubric lexicons on real sentences: compounds, accents, multi-word terms, false friends, negation."""

from __future__ import annotations

from pathlib import Path

import pytest

from miner.analyse.lexicon import LEXICON_LANGUAGES, Match, canon_key, compile_lexicon, load_lexicon
from miner.analyse.nlp import tokenize
from miner.errors import ConfigError


def matches(text: str, lang: str) -> list[Match]:
    return load_lexicon(lang).match(tokenize(text, lang))


def found(text: str, lang: str, category: str) -> list[tuple[str, bool, str | None]]:
    """(surface, negated, false_friend) of each match of ``category``."""
    return [
        (text[m.start : m.end], m.negated, m.false_friend)
        for m in matches(text, lang)
        if m.category == category
    ]


def counting(text: str, lang: str, category: str) -> list[str]:
    return [s for s, neg, ff in found(text, lang, category) if not neg and ff is None]


# --- compounds, accents, multi-word terms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Elke nieuwkomer start een inburgeringstraject.", "inburgeringstraject"),
        ("Anderstalige leerlingen krijgen extra uren.", "Anderstalige"),
        ("Het vluchtelingenwerk begeleidt gezinnen.", "vluchtelingenwerk"),
        ("Personen met een migratie-achtergrond vinden moeilijk werk.", "migratie-achtergrond"),
        ("Het Vlaamse integratiebeleid wordt hervormd.", "integratiebeleid"),
        ("Arbeidsmigranten uit derde landen", None),
    ],
)
def test_dutch_compounds_match_inside_keys(text: str, surface: str | None) -> None:
    got = counting(text, "nl", "group")
    if surface is None:
        assert got == []  # "arbeidsmigranten" contains "migrant" but is a false friend
    else:
        assert surface in got


def test_compound_barrier_terms() -> None:
    text = "We versnellen de diplomagelijkwaardigheid en breiden de taalondersteuning uit."
    assert counting(text, "nl", "barriers") == ["diplomagelijkwaardigheid", "taalondersteuning"]


def test_accent_stripped_french_matches_like_accented() -> None:
    plain = "Les eleves allophones et les refugies d'origine etrangere; reconnaissance des diplomes."
    accented = "Les élèves allophones et les réfugiés d'origine étrangère; reconnaissance des diplômes."
    assert counting(plain, "fr", "group") == ["eleves allophones", "refugies", "origine etrangere"]
    assert counting(accented, "fr", "group") == ["élèves allophones", "réfugiés", "origine étrangère"]
    assert counting(plain, "fr", "barriers") == ["reconnaissance des diplomes"]
    assert counting(accented, "fr", "barriers") == ["reconnaissance des diplômes"]


def test_multi_word_terms_match_on_consecutive_keys_only() -> None:
    assert counting("De langdurig werkzoekenden krijgen een loonsubsidie.", "nl", "disadvantaged") == [
        "langdurig werkzoekenden"
    ]
    # the two words in different sentences are not the term
    assert counting("Hij werkte langdurig. Werkzoekenden wachten.", "nl", "disadvantaged") == []
    fr = "Les demandeurs d'emploi de longue durée et les travailleurs âgés."
    assert counting(fr, "fr", "disadvantaged") == ["demandeurs d'emploi de longue durée", "travailleurs âgés"]


def test_match_offsets_point_into_the_text() -> None:
    text = "Wij ondersteunen nieuwkomers en personen van buitenlandse herkomst."
    tokens = tokenize(text, "nl")
    got = [m for m in load_lexicon("nl").match(tokens) if m.category == "group"]
    assert [text[m.start : m.end] for m in got] == ["nieuwkomers", "buitenlandse herkomst"]
    assert all(tokens.starts[m.first] == m.start and tokens.ends[m.last] == m.end for m in got)
    assert got[1].last == got[1].first + 1


def test_quantified_target_needs_a_figure_that_is_not_a_year() -> None:
    assert counting("De doelstelling is een werkzaamheidsgraad van 80 procent.", "nl", "targets_monitoring")
    assert counting("Onze doelstelling: 5.000 extra jobs.", "nl", "targets_monitoring")
    assert not counting("De doelstelling is dit tegen 2025 te bereiken.", "nl", "targets_monitoring")
    assert counting("L'objectif est un taux d'emploi de 80 %.", "fr", "targets_monitoring")
    assert not counting("Quels sont les objectifs pour 2025?", "fr", "targets_monitoring")


# --- false friends --------------------------------------------------------------------------------------

FALSE_FRIENDS_NL = [
    ("reintegration", "De re-integratie van langdurig zieken na arbeidsongeschiktheid."),
    ("reintegration", "Het re-integratietraject van zieke werknemers."),
    ("social_integration", "Het recht op maatschappelijke integratie en het leefloon."),
    ("integration_of_services", "De integratie van de diensten van VDAB en Syntra."),
    ("integration_of_services", "De systeemintegratie van de databanken."),
    ("european_integration", "De Europese integratie gaat verder."),
    ("professional_integration", "De socio-professionele inschakeling van werkzoekenden."),
    ("special_needs_integration", "De integratie van leerlingen met een beperking in het gewoon onderwijs."),
    ("newcomers_labour_market", "Jongeren zijn nieuwkomers op de arbeidsmarkt."),
    ("school_leavers", "Schoolverlaters zijn de nieuwkomers van dit jaar."),
    ("labour_migration", "De arbeidsmigratie en de gecombineerde vergunning."),
    ("labour_migration", "Arbeidsmigranten krijgen een single permit."),
    ("invasive_species", "Allochtone soorten bedreigen de biodiversiteit."),
    ("diversity_not_origin", "Diversiteit naar gender en leeftijd in de raad van bestuur."),
    ("diversity_not_origin", "Wij bevorderen genderdiversiteit."),
    ("origin_of_funds_or_data", "De herkomst van de gegevens wordt vermeld."),
]
FALSE_FRIENDS_FR = [
    ("reintegration", "La réintégration des malades de longue durée."),
    ("social_integration", "Le revenu d'intégration est versé par le CPAS."),
    ("social_integration", "Le droit à l'intégration sociale."),
    ("integration_of_services", "L'intégration des services informatiques."),
    ("european_integration", "L'intégration européenne progresse."),
    ("professional_integration", "L'insertion socioprofessionnelle des demandeurs d'emploi."),
    ("professional_integration", "L'intégration professionnelle des jeunes."),
    ("special_needs_integration", "L'intégration des élèves en situation de handicap."),
    ("newcomers_labour_market", "Les nouveaux arrivants sur le marché du travail sont jeunes."),
    ("labour_migration", "La migration économique et le permis unique."),
    ("labour_migration", "Les travailleurs migrants saisonniers."),
    ("invasive_species", "Les espèces allochtones invasives."),
    ("diversity_not_origin", "La diversité de genre et d'âge au conseil."),
    ("origin_of_funds_or_data", "L'origine des fonds doit être vérifiée."),
]


@pytest.mark.parametrize(("rule", "text"), FALSE_FRIENDS_NL)
def test_dutch_false_friends_never_count(rule: str, text: str) -> None:
    got = matches(text, "nl")
    assert any(m.false_friend == rule for m in got), got
    assert not [m for m in got if m.category == "group" and m.counts]


@pytest.mark.parametrize(("rule", "text"), FALSE_FRIENDS_FR)
def test_french_false_friends_never_count(rule: str, text: str) -> None:
    got = matches(text, "fr")
    assert any(m.false_friend == rule for m in got), got
    assert not [m for m in got if m.category == "group" and m.counts]


def test_false_friend_suppresses_only_its_own_tokens() -> None:
    text = "De re-integratie van zieke werknemers en de begeleiding van nieuwkomers."
    assert counting(text, "nl", "group") == ["nieuwkomers"]
    fr = "L'insertion socioprofessionnelle des primo-arrivants."
    assert counting(fr, "fr", "group") == ["primo-arrivants"]


def test_ethnic_diversity_is_not_a_false_friend() -> None:
    assert counting("De etnisch-culturele diversiteit op de werkvloer.", "nl", "group")
    assert counting("Diversiteit naar herkomst en gender in het personeelsbestand.", "nl", "group") == [
        "Diversiteit naar herkomst"
    ]
    assert not counting("Diversiteit in al haar facetten is welkom.", "nl", "group")


def test_french_kind_senses_are_not_gender_or_targets_or_pupils() -> None:
    assert not counting("Ce genre de mesures est utile.", "fr", "gender")
    assert counting("L'égalité de genre au travail.", "fr", "gender") == ["genre"]
    assert not counting("Sur la base de critères objectifs.", "fr", "targets_monitoring")
    assert not counting("Le montant s'élève à 300 euros.", "fr", "domain_education")
    assert not counting("Au niveau de la qualification des policiers.", "fr", "intersection")


# --- negation -----------------------------------------------------------------------------------------


def test_negation_marks_the_seed_papers_sentence() -> None:
    text = (
        "Deze overheden besteden in hun beleid voor werk en onderwijs geen of nauwelijks aandacht aan "
        "de specifieke moeilijkheden van mensen met een migratie-achtergrond."
    )
    assert found(text, "nl", "group") == [("migratie-achtergrond", True, None)]


@pytest.mark.parametrize(
    ("text", "lang", "negated"),
    [
        ("Het plan houdt geen rekening met nieuwkomers.", "nl", True),
        ("Er is niet voorzien in taalondersteuning voor anderstaligen.", "nl", True),
        ("De kloof tussen mensen met en zonder migratieachtergrond is groot.", "nl", False),
        ("Daaronder, maar niet uitsluitend, mensen met een migratieachtergrond.", "nl", False),
        ("Jongeren zonder diploma en nieuwkomers krijgen voorrang.", "nl", False),
        ("Geen wachtlijsten meer; nieuwkomers starten meteen.", "nl", False),
        ("Le plan ne tient pas compte des primo-arrivants.", "fr", True),
        ("Aucune mesure ne vise les personnes d'origine étrangère.", "fr", True),
        ("Un écart entre personnes avec ou sans origine étrangère.", "fr", False),
        ("Les jeunes sans diplôme et les primo-arrivants sont prioritaires.", "fr", False),
        ("Pas uniquement les réfugiés mais tous les demandeurs.", "fr", False),
    ],
)
def test_negation(text: str, lang: str, negated: bool) -> None:
    got = [neg for _, neg, ff in found(text, lang, "group") if ff is None]
    assert got, f"no group term found in {text!r}"
    assert got[-1] is negated


# --- loading ------------------------------------------------------------------------------------------


def test_other_languages_get_an_empty_lexicon() -> None:
    lex = load_lexicon("de")
    assert lex.lang == "de" and not lex.categories
    assert lex.match(tokenize("Menschen mit Migrationshintergrund.", "de")) == []


def test_lexicons_are_parallel_and_versioned() -> None:
    nl, fr = (load_lexicon(lang) for lang in LEXICON_LANGUAGES)
    assert nl.version and nl.version == fr.version
    assert set(nl.terms) == set(fr.terms)
    for cat in nl.terms:
        assert set(nl.terms[cat]) == set(fr.terms[cat]), cat
    assert {"group", "barriers", "disadvantaged", "gender", "domain_employment", "domain_education"} <= set(
        nl.terms
    )


def test_bad_lexicon_file_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('version = "1"\n[group.refugees]\nterms = "vluchteling"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml.*group\.refugees\.terms"):
        compile_lexicon("nl", [bad])
    bad.write_text('[group.refugees]\nterms = ["vluchteling"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="version"):
        compile_lexicon("nl", [bad])
    bad.write_text('version = "1"\n[group.refugees]\nstems = ["vl"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="shorter than 4"):
        compile_lexicon("nl", [bad])
    bad.write_text('version = "1"\n[[false_friends]]\nid = "x"\nterms = ["a b"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="mistaken_for"):
        compile_lexicon("nl", [bad])
    bad.write_text("version = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        compile_lexicon("nl", [bad])


def test_compiled_small_lexicon_matches(tmp_path: Path) -> None:
    f = tmp_path / "mini.toml"
    f.write_text(
        'version = "t1"\n[group.refugees]\nstems = ["vluchteling"]\n'
        '[negation]\ncues = ["geen"]\nbreaks = [";"]\n',
        encoding="utf-8",
    )
    lex = compile_lexicon("nl", [f])
    got = lex.match(tokenize("Geen hulp voor vluchtelingen; wel voor vluchtelingengezinnen.", "nl"))
    assert [(m.term, m.negated) for m in got] == [("vluchteling", True), ("vluchteling", False)]
    assert lex.version == "t1"


# --- lemma keys and the rules that make the two languages meet -----------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "lang"),
    [
        ("transversaal", "transversale", "nl"),
        ("cultureel", "culturele", "nl"),
        ("inburgeraar", "inburgeraars", "nl"),
        ("ethnoculturel", "ethnoculturelle", "fr"),
        ("ventilé", "ventilée", "fr"),
    ],
)
def test_inflected_forms_share_a_canonical_key(a: str, b: str, lang: str) -> None:
    ka, kb = (canon_key(tokenize(w, lang).keys[0], lang) for w in (a, b))
    assert ka == kb


def test_the_documented_false_friend_for_transversal_skills_fires() -> None:
    nl = matches("Leerlingen verwerven transversale competenties.", "nl")
    fr = matches("Les élèves acquièrent des compétences transversales.", "fr")
    assert [m.false_friend for m in nl if m.category == "mainstreaming"] == ["transversal_skills"]
    assert [m.false_friend for m in fr if m.category == "mainstreaming"] == ["transversal_skills"]
    assert counting("Een transversaal integratiebeleid over alle departementen.", "nl", "mainstreaming")


def test_gender_and_host_language_courses_in_both_languages() -> None:
    assert counting("Vrouwelijke werkzoekenden krijgen begeleiding.", "nl", "gender") == ["Vrouwelijke"]
    assert counting("Les femmes demandeuses d'emploi sont accompagnées.", "fr", "gender") == ["femmes"]
    assert counting("Nieuwkomers volgen lessen Nederlands.", "nl", "barriers") == ["lessen Nederlands"]
    assert counting("Les primo-arrivants suivent des cours de français.", "fr", "barriers") == [
        "cours de français"
    ]
    assert not counting("De kennis van moderne vreemde talen gaat omhoog.", "nl", "barriers")


def test_werk_the_noun_is_employment_werken_the_verb_is_not() -> None:
    assert counting("Nieuwkomers vinden moeilijk werk.", "nl", "domain_employment") == ["werk"]
    assert not counting(
        "We werken aan een klimaatplan en werkt samen met de gewesten.", "nl", "domain_employment"
    )


def test_etranger_names_people_only_as_a_noun() -> None:
    assert counting("Combien d'étrangers ont été expulsés?", "fr", "group") == ["étrangers"]
    assert not counting("Il a travaillé à l'étranger.", "fr", "group")
    assert not counting("Il présentait des exemples étrangers.", "fr", "group")
    assert counting("Des travailleurs étrangers sont engagés.", "fr", "group") == ["étrangers"]


def test_a_deadline_is_a_target_only_with_a_figure() -> None:
    assert counting("Tegen 2030 moet de werkloosheid dalen tot 5 procent.", "nl", "targets_monitoring") == [
        "Tegen",
        "dalen tot",
    ]
    assert not counting("Tegen 2030 is Vlaanderen klimaatneutraal.", "nl", "targets_monitoring")
    assert not counting("We voorzien 5 miljoen euro per jaar.", "nl", "targets_monitoring")


def test_direction_cues_compile_words_stems_and_phrases() -> None:
    nl = load_lexicon("nl")
    keys = tokenize("Deze regel is niet van toepassing op nieuwkomers", "nl").keys
    assert nl.cue("excluding", keys) == "niet van toepassing"
    assert nl.cue("restrictive", tokenize("de inburgeringsplicht", "nl").keys)
    assert not nl.cue("restrictive", tokenize("we ondersteunen nieuwkomers", "nl").keys)
