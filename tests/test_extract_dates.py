"""Publication dates: every place a document states one, which statement wins, and where it came from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import hostilefixtures as h
import pytest
from pdffixtures import Page, make_pdf

from miner.extract import DEFAULT_LIMITS, extract, extract_path
from miner.extract.dates import choose, date_in_line, official_journal_date, parse_date, parse_pdf_date

AGREEMENT = "policy/vlaams-regeerakkoord-2019-2024/source/Regeerakkoord20192024.pdf"
JOURNAL = "official-journal"
BODY = "<p>Personen met een migratieachtergrond krijgen begeleiding naar werk en opleiding.</p>" * 3


#: The journal's stamp is in the text layer even of its scans: no need to OCR them here.
NO_OCR = replace(DEFAULT_LIMITS, ocr=False)


def _page(head: str = "", body: str = BODY) -> bytes:
    return f"<!doctype html><html lang='nl'><head><title>Plan</title>{head}</head><body><main>{body}</main></body></html>".encode()


def _dated(data: bytes, name: str = "page.html") -> tuple[date | None, str | None]:
    doc = extract(data, name=name, limits=NO_OCR)
    return doc.published, doc.published_source


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="date" content="2025-03-14">', (date(2025, 3, 14), "html-meta")),
        ('<meta name="DC.date.issued" content="2021-06-30">', (date(2021, 6, 30), "html-meta")),
        ('<meta name="dcterms.issued" content="30/06/2021">', (date(2021, 6, 30), "html-meta")),
        (
            '<meta property="article:published_time" content="2022-02-01T10:00:00+01:00">',
            (date(2022, 2, 1), "html-meta"),
        ),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": '
            '[{"@type": "WebPage", "datePublished": "2020-09-01T08:00:00Z"}]}</script>',
            (date(2020, 9, 1), "jsonld"),
        ),
    ],
)
def test_html_metadata(head: str, expected: tuple[date, str]) -> None:
    assert _dated(_page(head)) == expected


def test_time_element() -> None:
    body = BODY + '<p>Laatst bijgewerkt <time datetime="2019-05-04">4/5</time> door de dienst.</p>'
    assert _dated(_page(body=body)) == (date(2019, 5, 4), "html-time")


def test_the_text_date_line_of_a_page() -> None:
    assert _dated(_page(body="<p>Gepubliceerd op 4 mei 2023</p>" + BODY)) == (date(2023, 5, 4), "text")


def test_htmldate_as_the_fallback() -> None:
    """Nothing in the page itself: htmldate reads the date from the address."""
    data = _page()
    assert _dated(data, "https://www.vlaanderen.be/nieuws/2021/03/15/actieplan.html") == (
        date(2021, 3, 15),
        "htmldate",
    )
    assert _dated(data, "https://www.vlaanderen.be/actieplan.html") == (None, None)


def test_explicit_metadata_beats_the_text_and_impossible_dates_are_skipped() -> None:
    both = _page('<meta name="date" content="2024-01-10">', "<p>Brussel, 12 juli 2019</p>" + BODY)
    assert _dated(both) == (date(2024, 1, 10), "html-meta")
    future = _page('<meta name="date" content="2999-01-01">', "<p>Brussel, 12 juli 2019</p>" + BODY)
    assert _dated(future) == (date(2019, 7, 12), "text")
    ancient = _page('<meta name="date" content="1789-07-14">')
    assert _dated(ancient) == (None, None)


def test_dates_in_the_body_are_deadlines_not_the_date_of_the_document() -> None:
    cells = "".join(f"<p>Maatregel {i} over werk en opleiding voor nieuwkomers.</p>" for i in range(40))
    body = (
        BODY
        + cells
        + "<p>1 januari 2023</p>"
        + cells
        + "<p>Vanaf 1 juli 2020 worden de lokale besturen betrokken.</p>"
    )
    assert _dated(_page(body=body)) == (None, None)


def _pdf(lines: list[str], info: dict[str, str] | None = None, header: list[str] | None = None) -> bytes:
    return make_pdf([Page(lines=lines, header=header or [])], info=info)


def test_pdf_metadata_creation_date_then_modification_date() -> None:
    lines = ["Nieuwkomers volgen een traject naar werk."]
    assert _dated(_pdf(lines, {"CreationDate": "D:20191015144825+02'00'"}), "p.pdf") == (
        date(2019, 10, 15),
        "pdf-metadata",
    )
    assert _dated(_pdf(lines, {"ModDate": "D:20200102"}), "p.pdf") == (date(2020, 1, 2), "pdf-metadata")
    assert _dated(_pdf(lines, {"CreationDate": "D:29990101000000"}), "p.pdf") == (None, None)


def test_the_documents_own_date_line_beats_file_metadata() -> None:
    lines = ["Nieuwkomers volgen een traject naar werk.", "", "Bruxelles, le 15 septembre 2022"]
    assert _dated(_pdf(lines, {"CreationDate": "D:20230301"}), "p.pdf") == (date(2022, 9, 15), "text")


def test_the_official_journal_stamp_beats_everything() -> None:
    stamp = ["Bijlagen bij het Belgisch Staatsblad - 26/09/2019 - Annexes du Moniteur belge"]
    lines = ["Hiermede tegelijk neergelegd: notulen van 23 september 2019.", "", "23 september 2019"]
    data = _pdf(lines, {"CreationDate": "D:20190925061517+02'00'"}, header=stamp)
    assert _dated(data, "akte.pdf") == (date(2019, 9, 26), "official-journal")


def test_text_and_markdown_date_lines() -> None:
    doc = extract(
        b"# Plan\n\nBruxelles, le 15 septembre 2022\n\nLes primo-arrivants.\n", name="p.md", limits=NO_OCR
    )
    assert (doc.published, doc.published_source) == (date(2022, 9, 15), "text")


def test_office_metadata() -> None:
    core = (
        '<cp:coreProperties xmlns:cp="x" xmlns:dcterms="http://purl.org/dc/terms/">'
        "<dcterms:created>2018-04-03T09:00:00Z</dcterms:created></cp:coreProperties>"
    )
    data = h.docx("<w:p><w:r><w:t>Werk.</w:t></w:r></w:p>", {"docProps/core.xml": core})
    assert _dated(data, "plan.docx") == (date(2018, 4, 3), "office-metadata")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("4 mei 2023", date(2023, 5, 4)),
        ("Brussel, 12 juli 2019", date(2019, 7, 12)),
        ("Bruxelles, le 15 septembre 2022", date(2022, 9, 15)),
        ("Gepubliceerd op maandag 4 mei 2023", date(2023, 5, 4)),
        ("Publié le 1er mars 2021", date(2021, 3, 1)),
        ("Eupen, den 4. Mai 2023", date(2023, 5, 4)),
        ("Datum: 31/05/2023", date(2023, 5, 31)),
        ("oktober 2019", date(2019, 10, 1)),
        ("Vanaf 1 juli 2020 worden de lokale besturen betrokken.", None),
        ("Vanaf 1 juli 2020.", None),
        ("31 februari 2020", None),
    ],
)
def test_date_lines(line: str, expected: date | None) -> None:
    assert date_in_line(line) == expected


def test_parsers_and_choice() -> None:
    assert parse_pdf_date("D:20191015144825+02'00'") == date(2019, 10, 15)
    assert parse_date("Fri, 14 Mar 2025 10:00:00 GMT") == date(2025, 3, 14)
    assert parse_date("not a date") is None
    now = date(2024, 1, 1)
    assert choose([("pdf-metadata", date(2020, 1, 1)), ("text", date(2019, 1, 1))], now=now) == (
        date(2019, 1, 1),
        "text",
    )
    assert choose([("text", date(2025, 1, 1)), ("pdf-metadata", date(2020, 1, 1))], now=now) == (
        date(2020, 1, 1),
        "pdf-metadata",
    )
    listing = "Belgisch Staatsblad ... 2023-05-26 / 0068766 ... 2024-07-11 / 0104762 ... 2023-06-01 / 0071192"
    assert official_journal_date(listing) == date(2024, 7, 11)
    assert official_journal_date("2024-07-11 / 0104762 without the journal's name") is None


# --- real documents ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("html_samples/standard_format.html", date(2020, 3, 16)),
        ("html_samples/no_address_act.html", date(2024, 6, 5)),
        ("documentation/resources/page.html", date(2024, 7, 11)),  # a list of acts: the newest
        ("documentation/resources/18097854.pdf", date(2018, 6, 25)),  # scanned: the stamp's text layer
        ("documentation/resources/19071901.pdf", date(2019, 5, 28)),
        # digital: the stamp beats the text's "23 september 2019" and the file's 2019-09-25
        ("documentation/resources/19335491.pdf", date(2019, 9, 26)),
    ],
)
def test_official_journal_documents(corpora: Path, name: str, expected: date) -> None:
    doc = extract_path(corpora / JOURNAL / name, NO_OCR)
    assert (doc.published, doc.published_source) == (expected, "official-journal")


def test_the_coalition_agreement_is_dated_by_its_file(corpora: Path) -> None:
    """No date line on its cover or under it: the PDF's creation date (15 October 2019)."""
    doc = extract_path(corpora / AGREEMENT, NO_OCR)
    assert (doc.published, doc.published_source) == (date(2019, 10, 15), "pdf-metadata")
