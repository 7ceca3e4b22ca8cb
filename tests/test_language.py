"""The language stage: per-paragraph detection, splitting of bilingual paragraphs, the mix."""

from __future__ import annotations

from pathlib import Path

import pytest

from miner.analyse.language import assign_languages, detect, language_mix, split_by_language
from miner.records import Extracted, Paragraph


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("De Vlaamse Regering wil de werkzaamheidsgraad verhogen tot tachtig procent.", "nl"),
        ("Le Gouvernement wallon renforce l'accompagnement des demandeurs d'emploi.", "fr"),
        # the Chamber's French texts are often stripped of their accents
        ("Un screening a recemment ete mene en Wallonie concernant les familles monoparentales.", "fr"),
        ("Die Regierung der Deutschsprachigen Gemeinschaft fördert die Ausbildung.", "de"),
        ("The government will publish its national reform programme in April.", "en"),
        (
            "Hükümet yeni bir istihdam planı açıkladı ve işsizliğin azaltılması için yeni önlemler aldı.",
            "other",
        ),
        ("12 345 / 678", "other"),
    ],
)
def test_detect(text: str, lang: str) -> None:
    assert detect(text) == lang


def test_a_paragraph_in_two_languages_is_split_not_averaged() -> None:
    fr = "Vous voulez passer en force, cela vous appartient. Mais nous y reviendrons tout à l'heure."
    nl = (
        "U wil het ontwerp er op die manier doorduwen, dat is uw recht. "
        "Maar we zullen daar zo dadelijk op terugkomen."
    )
    parts = split_by_language(f"{fr} {nl}")
    assert [lang for lang, _ in parts] == ["fr", "nl"]
    assert parts[0][1] == fr and parts[1][1] == nl


def test_assign_languages_keeps_pages_renumbers_and_lets_headings_inherit() -> None:
    doc = Extracted(
        kind="pdf",
        paragraphs=(
            Paragraph(0, "Inleiding", page=1),
            Paragraph(1, "De Vlaamse Regering wil meer mensen aan het werk helpen dan ooit tevoren.", page=1),
            Paragraph(
                2,
                "Nous avons travaillé de manière assez approfondie avec nos partenaires. "
                "We hebben grondig samengewerkt met onze partners in de meerderheid.",
                page=2,
            ),
        ),
    )
    out = assign_languages(doc).paragraphs
    assert [(p.index, p.language, p.page) for p in out] == [
        (0, "nl", 1),
        (1, "nl", 1),
        (2, "fr", 2),
        (3, "nl", 2),
    ]
    mix = language_mix(out)
    assert set(mix) == {"nl", "fr"} and abs(sum(mix.values()) - 1) < 1e-3


def test_senate_annales_yield_both_languages(corpora: Path) -> None:
    """A Senate record prints each speech beside its translation: both languages must come out."""
    from miner.extract import extract_path

    doc = assign_languages(extract_path(corpora / "parliament" / "senate-annales" / "5-150.pdf"))
    mix = language_mix(doc.paragraphs)
    assert mix.get("fr", 0) > 0.3 and mix.get("nl", 0) > 0.3, mix
    bilingual_pages = {p.page for p in doc.paragraphs if p.language == "fr"} & {
        p.page for p in doc.paragraphs if p.language == "nl"
    }
    assert len(bilingual_pages) > 20
