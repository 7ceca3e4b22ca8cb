"""Which charset to believe: UTF-8 with replacement before a guess, the lies pages tell kept in mind."""

from __future__ import annotations

from miner.extract import extract
from miner.extract.charset import decode, mostly_utf8

FRENCH = "Les élèves primo-arrivants reçoivent un accompagnement « adapté » à l'école. " * 4


def test_invalid_utf8_in_a_page_that_declares_utf8_stays_utf8() -> None:
    """One broken byte once made the detector answer cp1251 and garbled every accent of the page."""
    data = FRENCH.encode("utf-8") + b"\xff" + FRENCH.encode("utf-8")
    text = decode(data, "utf-8")
    assert text.count("élèves") == 8 and "\ufffd" in text


def test_a_utf8_page_with_a_damaged_byte_and_no_declaration_is_utf8() -> None:
    data = FRENCH.encode("utf-8")[:-3] + b"\xe9\xe0" + FRENCH.encode("utf-8")
    assert mostly_utf8(data)
    assert decode(data).count("reçoivent") == 8


def test_windows_1252_declared_as_latin1_or_undeclared() -> None:
    data = FRENCH.encode("windows-1252")
    assert not mostly_utf8(data)
    assert decode(data, "iso-8859-1") == FRENCH
    assert "élèves" in decode(data)  # no declaration: the detector still reads legacy text


def test_utf8_declared_as_latin1_is_utf8() -> None:
    assert decode(FRENCH.encode("utf-8"), "iso-8859-1") == FRENCH


def test_a_bom_wins() -> None:
    assert decode("\ufeffÉcole".encode("utf-16-le").replace(b"\xff\xfe", b"\xff\xfe", 1)) == "École"
    assert decode(b"\xef\xbb\xbf" + "École".encode()) == "École"


def test_extraction_of_a_damaged_utf8_page_keeps_its_accents() -> None:
    page = (
        "<html><head><meta charset='utf-8'><title>Intégration</title></head><body><p>"
        + FRENCH
        + "</p></body></html>"
    )
    data = page.encode("utf-8").replace(b"</body>", b"\x81</body>")
    doc = extract(data, name="page.html")
    assert doc.title == "Intégration" and "élèves primo-arrivants" in doc.text
