"""The text steps after pdfium: lines -> paragraphs, hyphens, running headers, headings, sections.

Page texts are written here the way pdfium hands them over (CRLF line ends, U+FFFE where it saw a
line-break hyphen), so each rule is checked on exactly the input it exists for.
"""

from __future__ import annotations

from miner.extract._pdf_text import COLUMN_BREAK, build_paragraphs, clean_page, join_lines


def _texts(pages: list[str], **kw: object) -> list[tuple[int | None, str]]:
    paragraphs, _ = build_paragraphs(pages, **kw)  # type: ignore[arg-type]
    return [(p.page, p.text) for p in paragraphs]


def test_line_end_hyphens() -> None:
    assert join_lines("de werk-", "zaamheidsgraad stijgt") == "de werkzaamheidsgraad stijgt"
    assert join_lines("in het Brussel-", "Hoofdstedelijk Gewest") == "in het Brussel-Hoofdstedelijk Gewest"
    assert join_lines("Nederlands-", "en Franstalige scholen") == "Nederlands- en Franstalige scholen"
    assert join_lines("een lijst -", "met streepjes") == "een lijst - met streepjes"
    assert join_lines("gewoon", "doorlopen") == "gewoon doorlopen"


def test_pdfium_soft_hyphen_marker_and_ligatures() -> None:
    lines = clean_page(
        "om er als samen\ufffeleving op vooruit te gaan \r\nBrussel\ufffeHoofdstad en ﬁnanciering"
    )
    assert [ln.text for ln in lines] == [
        "om er als samenleving op vooruit te gaan",
        "Brussel-Hoofdstad en financiering",
    ]
    assert not lines[0].hard_break  # a trailing space: the line wrapped


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    pages = [
        f"Jaarverslag VDAB 2023\r\nTekst van pagina {n} over werk.\r\nPagina {n} van 5" for n in range(1, 6)
    ]
    pages[2] = "Jaarverslag VDAB 2023\r\nTekst van pagina 3 over werk.\r\n3"
    assert _texts(pages) == [(n, f"Tekst van pagina {n} over werk.") for n in range(1, 6)]


def test_paragraph_breaks_bullets_and_page_runover() -> None:
    page1 = (
        "Deze regering wil dat iedereen aan het werk kan, ook wie de taal nog leert en \r\n"
        "een diploma uit het buitenland heeft.\r\n"
        "Daarom investeren we in trajecten:\r\n"
        "• taalcursussen op de werkvloer;\r\n"
        "– erkenning van diploma's;\r\n"
        "Een nieuwe zin die doorloopt op de volgende \r\n"
        "pagina en daar"
    )
    page2 = "pas eindigt met een punt.\r\nTweede alinea."
    assert _texts([page1, page2]) == [
        (
            1,
            "Deze regering wil dat iedereen aan het werk kan, ook wie de taal nog leert en "
            "een diploma uit het buitenland heeft.",
        ),
        (1, "Daarom investeren we in trajecten:"),
        (1, "• taalcursussen op de werkvloer;"),
        (1, "– erkenning van diploma's;"),
        (1, "Een nieuwe zin die doorloopt op de volgende pagina en daar pas eindigt met een punt."),
        (2, "Tweede alinea."),
    ]


def test_numbered_chapters_set_sections_and_are_not_page_numbers() -> None:
    pages = [
        "Beleidsplan 2024\r\n1\r\nInleiding\r\nHet plan begint hier.",
        "2\r\n1\r\nOnderwijs\r\n1.1\r\nUitdagingen en visie\r\nScholen doen mee.",
        "3\r\nDe leerkrachten krijgen steun.\r\n2 — Werk\r\nVDAB begeleidt nieuwkomers.",
    ]
    paragraphs, _ = build_paragraphs(pages)
    got = [(p.page, p.section, p.text) for p in paragraphs]
    assert got == [
        (1, None, "Beleidsplan 2024"),
        (1, "1 — Inleiding", "1 — Inleiding"),
        (1, "1 — Inleiding", "Het plan begint hier."),
        (2, "1 — Onderwijs", "1 — Onderwijs"),
        (2, "1 — Onderwijs", "1.1 Uitdagingen en visie"),
        (2, "1 — Onderwijs", "Scholen doen mee."),
        (3, "1 — Onderwijs", "De leerkrachten krijgen steun."),
        (3, "2 — Werk", "2 — Werk"),
        (3, "2 — Werk", "VDAB begeleidt nieuwkomers."),
    ]
    assert [p.index for p in paragraphs] == list(range(len(paragraphs)))


def test_table_of_contents_lines_are_not_chapters() -> None:
    pages = ["Inhoud\r\n1 — Onderwijs 21\r\n2 — Werk 38", "Gewone tekst zonder hoofdstukken."]
    paragraphs, _ = build_paragraphs(pages)
    assert all(p.section is None for p in paragraphs)


def test_outline_sections_start_at_the_titled_paragraph() -> None:
    pages = ["Voorwoord.", "Slot van het voorwoord.\r\n\r\nInburgering\r\nNieuwkomers leren Nederlands."]
    paragraphs, _ = build_paragraphs(pages, toc=[(0, "Voorwoord", 0), (0, "Inburgering", 1)])
    assert [(p.page, p.section, p.text) for p in paragraphs] == [
        (1, "Voorwoord", "Voorwoord."),
        (2, "Voorwoord", "Slot van het voorwoord."),
        (2, "Inburgering", "Inburgering"),
        (2, "Inburgering", "Nieuwkomers leren Nederlands."),
    ]


def test_skipped_pages_contribute_nothing() -> None:
    assert _texts(
        ["Eerste.", "Bijlagen bij het Belgisch Staatsblad", "Derde."], skip_pages=frozenset({2})
    ) == [
        (1, "Eerste."),
        (3, "Derde."),
    ]


def test_a_dash_at_line_start_is_a_bullet_only_where_a_list_can_start() -> None:
    page = (
        "Twee agentschappen – één rond Opgroeien en één rond Zorg \r\n"
        "- en het departement WVG.\r\n"
        "We kiezen voor:\r\n"
        "- een sterk Agentschap;\r\n"
        "- Minder regels."
    )
    assert _texts([page]) == [
        (1, "Twee agentschappen – één rond Opgroeien en één rond Zorg - en het departement WVG."),
        (1, "We kiezen voor:"),
        (1, "- een sterk Agentschap;"),
        (1, "- Minder regels."),
    ]


def test_column_breaks_split_paragraphs_unless_the_sentence_runs_on() -> None:
    left = "M. Hellings (Ecolo). – Les Verts \r\nestiment"
    right = "De heer Hellings (Ecolo). – Als ik de \r\ndebatten volg"
    run_on = "We investeren in verplichte maar\r\n" + COLUMN_BREAK + "\r\nniet-bindende proeven."
    assert _texts([left + "\r\n" + COLUMN_BREAK + "\r\n" + right, run_on]) == [
        (1, "M. Hellings (Ecolo). – Les Verts estiment"),
        (1, "De heer Hellings (Ecolo). – Als ik de debatten volg"),
        (2, "We investeren in verplichte maar niet-bindende proeven."),
    ]


def test_a_short_wrapped_line_is_not_taken_for_a_heading() -> None:
    page = (
        "Inburgering\r\n"
        "Nieuwkomers volgen een traject dat werk en taal combineert en dat \r\n"
        "de adviesraden \r\n"
        "SARO en MINA opvolgen.\r\n"
    )
    assert _texts([page]) == [
        (1, "Inburgering"),
        (
            1,
            "Nieuwkomers volgen een traject dat werk en taal combineert en dat de adviesraden SARO en MINA opvolgen.",
        ),
    ]


def test_plain_numbered_chapters_in_sequence_and_capital_headings_as_fallback() -> None:
    numbered = [
        "Model GeoBase ii\r\n1 Overview\r\nThe model is small.\r\nSteps:\r\n1 Read it\r\n2 Use it",
        "Model GeoBase iii\r\n2 Network\r\nThe network is linear.\r\n7 Ignored\r\nNot a chapter: 7 is out of sequence.",
        "Model GeoBase iv\r\nNo heading on this page.",
    ]
    paragraphs, dropped = build_paragraphs(numbered)
    assert dropped == 3  # "Model GeoBase ii/iii/iv": roman page numbers normalise like digits
    sections = {p.text: p.section for p in paragraphs}
    assert sections["The model is small."] == "1 — Overview"
    assert sections["The network is linear."] == "2 — Network"
    assert sections["No heading on this page."] == "2 — Network"
    assert "Read it" not in " ".join(s or "" for s in sections.values())  # a list, not chapters

    capitals = ["ABBREVIATIONS\r\nLRM Linear Reference Method", "TERMS AND DEFINITIONS\r\nA term is a word."]
    got = [(p.section, p.text) for p in build_paragraphs(capitals)[0]]
    assert got == [
        ("ABBREVIATIONS", "ABBREVIATIONS"),
        ("ABBREVIATIONS", "LRM Linear Reference Method"),
        ("TERMS AND DEFINITIONS", "TERMS AND DEFINITIONS"),
        ("TERMS AND DEFINITIONS", "A term is a word."),
    ]
