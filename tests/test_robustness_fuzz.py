"""Generated inputs (hypothesis): whatever the bytes, extraction answers with a document or a clear
error, within its deadline, and the child stays under 1 GB.

Seeds are small valid documents of every kind written here; hypothesis mutates them (bytes
overwritten, cut, spliced, repeated), builds markup from hostile pieces, or makes bytes from nothing.
The default run tries a few hundred inputs; ``pytest -m slow`` tries thousands.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import hostilefixtures as h
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdffixtures import Page, make_pdf

from miner.errors import ExtractionError
from miner.extract import DEFAULT_LIMITS, extract, sandbox
from miner.records import Extracted

PEAK_RSS_KB = 1024 * 1024
NAMES = [
    "doc.pdf",
    "doc.html",
    "doc.docx",
    "doc.odt",
    "doc.txt",
    "doc.md",
    "doc",
    "doc.csv",
    "https://x.be/a",
]

HTML_PIECES = [
    "<p>", "</p>", "<div>", "</div>", "<table><tr><td>", "</td></tr></table>", "<h2>", "</h2>", "<li>",
    "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#x10FFFF;",
    "&nbsp;", "&unknown;", "<meta charset='utf-16'>", "<meta charset='x-bogus'>", "<meta name='date' content='",
    "2023-13-45", "1700-01-01", "9999-12-31", "'>", "<time datetime='", "<script type='application/ld+json'>",
    '{"datePublished": [[[[', "]]]]}", "<base href='http://[::1'>", "<a href='javascript:x'>", "<a href='//x'>",
    "Brussel, 12 juli 2019", "4 mei 2023", "Gepubliceerd op 31 februari 2020", "Belgisch Staatsblad - 26/09/2019 -",
    "nieuwkomers", "intégration", "\x00", "\ufeff", "é", "\udcff", "\r\n\r\n", " " * 50, "<br>" * 5,
]  # fmt: skip
ODT_PIECES = [
    "<text:p>", "</text:p>", "<text:h>", "</text:h>", '<text:s text:c="99999999999"/>', '<text:s text:c="-5"/>',
    "<text:note><text:note-body><text:p>voetnoot</text:p></text:note-body></text:note>", "<text:tab/>",
    "<text:span>", "</text:span>", "Werk", "&amp;", "&lt;", "\u2028", "<text:list><text:list-item>",
    "</text:list-item></text:list>",
]  # fmt: skip


SHORT = replace(DEFAULT_LIMITS, extract_timeout=20.0, ocr=False)


def _seeds() -> list[bytes]:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{h.W_NS}"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
            "<w:r><w:t>Werk</w:t></w:r></w:p><w:p><w:r><w:t>Nieuwkomers volgen een traject.</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )
        zf.writestr("docProps/core.xml", "<cp:coreProperties xmlns:cp='x'/>")
    return [
        make_pdf([Page(lines=["Werk en onderwijs", "Nieuwkomers volgen een traject."])], title="Plan"),
        b"<!doctype html><html lang='nl'><head><title>Plan</title><meta name='date' content='2020-05-04'>"
        b"</head><body><h1>Plan</h1><p>Nieuwkomers volgen een traject naar werk.</p></body></html>",
        docx.getvalue(),
        h.odt("<text:h>Emploi</text:h><text:p>Les primo-arrivants suivent un parcours.</text:p>"),
        "# Werk\n\nBrussel, 12 juli 2019\n\nNieuwkomers volgen één traject.\n".encode(),
    ]


SEEDS = _seeds()


def check(data: bytes, name: str) -> None:
    """The invariant: a document or a clear error naming the input; no hang, no child over 1 GB."""
    before = sandbox.last_run()
    try:
        doc = extract(data, name=name, limits=SHORT)
    except ExtractionError as exc:
        assert exc.subject == name and exc.message
    else:
        assert isinstance(doc, Extracted)
        assert [p.index for p in doc.paragraphs] == list(range(len(doc.paragraphs)))
        assert all(p.text for p in doc.paragraphs)
        assert doc.published is None or doc.published.year >= 1830
    run = sandbox.last_run()
    if run is not None and run is not before:
        assert not run.timed_out and run.maxrss_kb < PEAK_RSS_KB, run


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "cut", "splice", "repeat"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at : at + 4] = draw(st.binary(min_size=1, max_size=4))
        elif op == "cut":
            del data[at:]
        elif op == "splice":
            data[at:at] = draw(st.binary(max_size=64))
        else:
            end = min(len(data), at + draw(st.integers(1, 64)))
            data[at:at] = bytes(data[at:end]) * draw(st.integers(1, 200))
    return bytes(data)


@st.composite
def markup(draw: st.DrawFn) -> bytes:
    pieces = draw(st.lists(st.sampled_from(HTML_PIECES), max_size=80))
    text = "<html><body>" + "".join(pieces)
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    return text.encode(encoding, "replace" if encoding == "latin-1" else "surrogatepass")


@st.composite
def odt_bodies(draw: st.DrawFn) -> bytes:
    return h.odt("".join(draw(st.lists(st.sampled_from(ODT_PIECES), max_size=60))))


COMMON = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(COMMON, max_examples=120)
@given(data=mutated(), name=st.sampled_from(NAMES))
def test_mutated_documents(data: bytes, name: str) -> None:
    check(data, name)


@settings(COMMON, max_examples=80)
@given(data=markup())
def test_generated_markup(data: bytes) -> None:
    check(data, "page.html")


@settings(COMMON, max_examples=60)
@given(data=odt_bodies())
def test_generated_odt(data: bytes) -> None:
    check(data, "doc.odt")


@settings(COMMON, max_examples=60)
@given(data=st.binary(max_size=2048), name=st.sampled_from(NAMES))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    check(data, name)


@pytest.mark.slow
@settings(COMMON, max_examples=2000)
@given(
    data=st.one_of(mutated(), markup(), odt_bodies(), st.binary(max_size=8192)), name=st.sampled_from(NAMES)
)
def test_many_generated_inputs(data: bytes, name: str) -> None:
    check(data, name)
