"""One sniffer for the crawler and the extractor: the same bytes are the same kind to both, and
input of an unsupported type is refused with a clear error, never analysed as prose."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import hostilefixtures as h
import pytest
from pdffixtures import Page, make_pdf

from miner.crawl import sniff_kind
from miner.errors import EncryptedDocument, UnsupportedFormat
from miner.extract import accept, extract, extract_path
from miner.extract.sniff import Kind, sniff, sniff_detail
from miner.records import Fetched

PDF = make_pdf([Page(lines=["Nieuwkomers volgen een traject."])])


def _crawler(data: bytes, ctype: str = "application/octet-stream") -> str:
    return sniff_kind(Fetched("https://x.be/a", "https://x.be/a", 200, data, content_type=ctype))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, Kind.PDF),
        (b"\xef\xbb\xbf" + PDF, Kind.PDF),  # a BOM before the header: readers accept it, so do we
        (b"\r\n  " + PDF, Kind.PDF),
        (h.docx("<w:p><w:r><w:t>x</w:t></w:r></w:p>"), Kind.DOCX),
        (h.odt("<text:p>x</text:p>"), Kind.ODT),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", Kind.HTML),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>', Kind.XML),
        (b'<?xml version="1.0"?><urlset></urlset>', Kind.XML),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, Kind.OTHER),
        (h.encrypted_zip(), Kind.ENCRYPTED),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), Kind.ENCRYPTED),
    ],
)
def test_crawler_and_extractor_agree(data: bytes, kind: Kind) -> None:
    assert sniff(data) == kind
    assert _crawler(data) == kind.value


def test_a_pdf_behind_a_bom_is_crawled_and_extracted() -> None:
    """Once "other" (skipped) to the crawler while the extractor read it."""
    data = b"\xef\xbb\xbf" + PDF
    assert _crawler(data, "text/html") == "pdf"
    assert "Nieuwkomers" in extract(data, name="plan.pdf").text


def test_a_feed_with_a_title_is_xml_not_html() -> None:
    rss = (
        b'<?xml version="1.0"?><rss><channel><title>Nieuws</title><link>https://x.be/</link></channel></rss>'
    )
    assert sniff(rss) == Kind.XML


def test_text_needs_a_text_name_or_content_type() -> None:
    text = b"Personen met een migratieachtergrond krijgen begeleiding naar werk."
    assert sniff(text, name="plan.txt") == Kind.TEXT
    assert sniff(text, name="LEESMIJ.md") == Kind.TEXT
    assert sniff(text, name="notes") == Kind.TEXT  # no suffix: nothing says otherwise
    assert sniff(text, content_type="text/plain; charset=utf-8") == Kind.TEXT
    assert sniff(text, name="hello.docx") == Kind.OTHER
    assert sniff(text, name="data.csv") == Kind.OTHER
    assert sniff(text, content_type="application/json") == Kind.OTHER
    assert _crawler(text, "text/plain") == "text"
    assert _crawler(b"een tekst zonder opmaak", "text/html") == "html"  # the server says HTML


def test_a_fake_docx_of_text_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "hello.docx"
    fake.write_bytes(b"Hello world, this is not a Word document at all.\n")
    with pytest.raises(UnsupportedFormat, match=r"ends in \.docx but the content is plain text") as info:
        extract_path(fake)
    assert info.value.subject == str(fake)


def test_a_csv_is_refused_not_read_as_french(tmp_path: Path) -> None:
    csv = tmp_path / "data.csv"
    csv.write_text(
        "commune;population;taux d'emploi\nNamur;110000;0,62\nLiège;195000;0,58\n", encoding="utf-8"
    )
    with pytest.raises(UnsupportedFormat, match=r"\.csv"):
        extract_path(csv)


def test_markdown_and_text_files_are_read(tmp_path: Path) -> None:
    md = tmp_path / "plan.md"
    md.write_text("# Werk\n\nNieuwkomers volgen een traject.\n", encoding="utf-8")
    assert extract_path(md).kind == Kind.TEXT


def test_accept_names_what_it_refuses() -> None:
    assert accept(PDF, name="x") == Kind.PDF
    with pytest.raises(EncryptedDocument, match="password-protected"):
        accept(h.encrypted_odt(), name="secret.odt")
    with pytest.raises(UnsupportedFormat, match="legacy Office"):
        accept(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, name="old.doc")
    with pytest.raises(UnsupportedFormat, match="feed, a sitemap"):
        accept(b'<?xml version="1.0"?><urlset/>', name="sitemap.xml")


def test_other_opendocument_types_and_plain_zips_are_named() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    assert sniff_detail(buf.getvalue())[1] == (
        "OpenDocument of another type (application/vnd.oasis.opendocument.spreadsheet)"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    assert sniff_detail(buf.getvalue()) == (Kind.OTHER, "ZIP archive that is neither DOCX nor ODT")


def test_a_zip_directory_claiming_too_many_entries_is_not_listed() -> None:
    entries = [h.stored(f"f{i}.xml", b"") for i in range(10_001)]
    kind, why = sniff_detail(h.raw_zip(entries))
    assert kind == Kind.OTHER and "too many entries" in why


def test_a_truncated_download_is_still_recognised() -> None:
    """No central directory: the first members decide, so the extractor can say it is damaged."""
    data = h.odt("<text:p>Werk</text:p>")
    assert sniff(data[: len(data) // 2]) == Kind.ODT
