"""Extraction of HTML, DOCX, ODT and plain text, and dispatch on magic bytes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hostilefixtures import odt

from miner.errors import CorruptDocument, EncryptedDocument, InputError, UnsupportedFormat
from miner.extract import extract, extract_path, sniff

HTML = """<!doctype html><html lang="nl"><head><meta charset="iso-8859-1"><title>Actieplan werk</title>
<meta name="date" content="2025-03-14"></head><body><nav><a href="/">Home</a></nav><main>
<h1>Actieplan werk</h1><p>Personen met een migratieachtergrond krijgen begeleiding naar werk.</p>
<h2>Onderwijs</h2><p>Anderstalige nieuwkomers krijgen Nederlandse les op school. Zo sluiten zij beter aan.</p>
<p><a href="/plannen/plan.pdf">het plan</a></p></main></body></html>"""


def _docx(paragraphs: list[tuple[str | None, str]], title: str = "Plan") -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        f"<w:p>{f'<w:pPr><w:pStyle w:val={chr(34)}{style}{chr(34)}/></w:pPr>' if style else ''}"
        f"<w:r><w:t>{text}</w:t></w:r></w:p>"
        for style, text in paragraphs
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
        zf.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{title}</dc:title></cp:coreProperties>",
        )
    return buf.getvalue()


def _odt(items: list[tuple[str, str]]) -> bytes:
    t = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    o = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    body = "".join(f"<text:{tag}>{text}</text:{tag}>" for tag, text in items)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr(
            "content.xml",
            f'<office:document-content xmlns:office="{o}" xmlns:text="{t}"><office:body><office:text>'
            f"{body}</office:text></office:body></office:document-content>",
        )
    return buf.getvalue()


def test_html_main_text_metadata_and_sections() -> None:
    doc = extract(HTML.encode("utf-8"), name="https://example.be/werk/actieplan.html")
    assert doc.kind == "html" and doc.title == "Actieplan werk"
    assert doc.declared_language == "nl" and str(doc.published) == "2025-03-14"
    texts = [p.text for p in doc.paragraphs]
    assert "Personen met een migratieachtergrond krijgen begeleiding naar werk." in texts
    assert "Home" not in texts  # navigation is not main text
    onderwijs = next(p for p in doc.paragraphs if p.text.startswith("Anderstalige"))
    assert onderwijs.section == "Onderwijs" and onderwijs.page is None
    assert "https://example.be/plannen/plan.pdf" in doc.links


def test_html_declared_latin1_but_utf8_bytes_is_read_as_utf8() -> None:
    html = HTML.replace("begeleiding", "begeleiding (één traject, élèves)").encode("utf-8")
    doc = extract(html)
    assert any("één traject, élèves" in p.text for p in doc.paragraphs)


def test_html_in_windows_1252_is_decoded() -> None:
    html = '<html><head><meta charset="iso-8859-1"><title>Intégration</title></head><body><p>Les élèves '
    html += "primo-arrivants reçoivent un accompagnement « adapté ».</p></body></html>"
    doc = extract(html.encode("windows-1252"))
    assert doc.title == "Intégration"
    assert "Les élèves primo-arrivants reçoivent un accompagnement « adapté »." in doc.text


def test_official_journal_pages_declare_latin1_but_are_utf8(corpora: Path) -> None:
    for path in sorted((corpora / "official-journal" / "html_samples").glob("*.html")):
        doc = extract_path(path)
        assert doc.title and "Ã" not in doc.title and "Ã" not in doc.text, path.name


def test_french_assembly_pages_in_legacy_encoding(corpora: Path) -> None:
    path = next(
        (corpora / "foreign" / "fr-assemblee" / "archive").glob("*/dossiers/immigration_integration.asp")
    )
    doc = extract_path(path)
    assert doc.title and "Immigration et intégration" in doc.title
    assert "\ufffd" not in doc.text


def test_docx_paragraphs_and_headings() -> None:
    doc = extract(
        _docx([("Heading1", "Werk"), (None, "Nieuwkomers volgen een inburgeringstraject."), (None, "")]),
        name="plan.docx",
    )
    assert doc.kind == "docx" and doc.title == "Plan"
    assert [(p.text, p.section) for p in doc.paragraphs] == [
        ("Werk", "Werk"),
        ("Nieuwkomers volgen een inburgeringstraject.", "Werk"),
    ]


def test_odt_paragraphs_and_headings() -> None:
    doc = extract(_odt([("h", "Emploi"), ("p", "Les primo-arrivants suivent un parcours d'intégration.")]))
    assert doc.kind == "odt"
    assert [(p.text, p.section) for p in doc.paragraphs] == [
        ("Emploi", "Emploi"),
        ("Les primo-arrivants suivent un parcours d'intégration.", "Emploi"),
    ]


def test_plain_text_and_markdown_headings() -> None:
    doc = extract(b"# Werk\n\nEerste alinea\nloopt door.\n\nTweede alinea.\n")
    assert doc.kind == "text"
    assert [(p.text, p.section) for p in doc.paragraphs] == [
        ("Werk", "Werk"),
        ("Eerste alinea loopt door.", "Werk"),
        ("Tweede alinea.", "Werk"),
    ]


def test_dispatch_is_by_bytes_not_by_name(tmp_path: Path) -> None:
    disguised = tmp_path / "plan.pdf"
    disguised.write_bytes(HTML.encode("utf-8"))
    assert extract_path(disguised).kind == "html"
    assert sniff(_docx([(None, "x")])) == "docx"
    assert sniff(b"%PDF-1.7\n...") == "pdf"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, UnsupportedFormat),
        (b"PK\x03\x04" + b"garbage" * 20, UnsupportedFormat),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100,
            EncryptedDocument,
        ),
        (b"\x00\x01\x02\x03" * 100, UnsupportedFormat),
    ],
)
def test_bad_input_gets_a_clear_error_naming_the_file(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        extract(data, name="upload.bin")
    assert "upload.bin" in str(info.value)


def test_docx_with_broken_xml_is_corrupt() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(CorruptDocument, match="not well-formed"):
        extract(buf.getvalue(), name="broken.docx")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        extract_path(tmp_path / "nope.pdf")


def test_trafilatura_eval_main_text_quality(corpora: Path) -> None:
    """Gold snippets: what the main text must contain and must not contain, per page."""
    folder = corpora / "robustness" / "html" / "trafilatura-eval"
    gold = json.loads((folder / "evaldata_subset.json").read_text(encoding="utf-8"))
    found = wanted = leaked = unwanted = 0
    for item in gold.values():
        path = folder / "html" / item["file"]
        if not path.exists():
            continue
        text = " ".join(extract_path(path).text.split())
        for snippet in item.get("with", []):
            wanted += 1
            found += " ".join(snippet.split()) in text
        for snippet in item.get("without", []):
            unwanted += 1
            leaked += " ".join(snippet.split()) in text
    assert wanted > 50
    assert found / wanted >= 0.85, (found, wanted)
    assert leaked / unwanted <= 0.25, (leaked, unwanted)


def test_docx_tables_and_text_boxes_are_read_once() -> None:
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    box = (
        f'<w:p><w:r><mc:AlternateContent xmlns:mc="{mc}"><mc:Choice><w:txbxContent><w:p><w:r>'
        "<w:t>In het kader.</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent>"
        "<w:p><w:r><w:t>In het kader.</w:t></w:r></w:p></w:txbxContent></mc:Fallback>"
        "</mc:AlternateContent></w:r><w:r><w:t>Rond het kader.</w:t></w:r></w:p>"
    )
    table = "<w:tbl>" + "".join(
        f"<w:tr><w:tc><w:p><w:r><w:t>Rij {i}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cel {i}</w:t></w:r></w:p></w:tc></w:tr>"
        for i in range(2)
    )
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{w}"><w:body>{box}{table}</w:tbl></w:body></w:document>',
        )
    doc = extract(buf.getvalue(), name="kader.docx")
    assert [p.text for p in doc.paragraphs] == [
        "In het kader.",
        "Rond het kader.",
        "Rij 0",
        "Cel 0",
        "Rij 1",
        "Cel 1",
    ]


def test_odt_notes_lists_and_tables() -> None:
    t = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    body = (
        "<text:p>Hoofdtekst<text:note><text:note-body><text:p>Voetnoot.</text:p></text:note-body>"
        "</text:note> loopt door.</text:p>"
        "<text:list><text:list-item><text:p>Punt een</text:p></text:list-item></text:list>"
        f'<table:table xmlns:table="{t}"><table:table-row><table:table-cell><text:p>Cel</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    doc = extract(odt(f"<text:h>Titel</text:h>{body}"), name="plan.odt")
    assert [p.text for p in doc.paragraphs] == ["Titel", "Hoofdtekst loopt door.", "Punt een", "Cel"]
