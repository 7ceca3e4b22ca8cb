"""Discovery: canonical URLs, links, sitemaps, feeds, scope, and safe XML parsing."""

from __future__ import annotations

import gzip

import pytest

from miner.fetch.discover import (
    discover_links,
    document_kind,
    is_listing,
    likely_document,
    parse_feed,
    parse_sitemap,
    read_sitemap,
)
from miner.fetch.urls import canonicalize, in_scope
from miner.records import Source


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://WWW.VDAB.BE:443/Werk#top", "https://www.vdab.be/Werk"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/a/./b/../c", "http://example.org:8080/a/c"),
        ("https://x.be/p?b=2&a=1&utm_source=nl&utm_medium=mail&fbclid=abc", "https://x.be/p?a=1&b=2"),
        ("https://x.be/%7euser/%61b%2fc", "https://x.be/~user/ab%2Fc"),
        ("https://x.be/plan 2024.pdf", "https://x.be/plan%202024.pdf"),
        ("https://x.be/inburgering/nieuwkomers-é", "https://x.be/inburgering/nieuwkomers-%C3%A9"),
        ("https://x.be/a?q=%e9t%C3%A9", "https://x.be/a?q=%E9t%C3%A9"),
        ("https://x.be/a?flag", "https://x.be/a?flag"),
        ("https://x.be/a/", "https://x.be/a/"),
        ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
    ],
)
def test_canonicalize(raw: str, canonical: str) -> None:
    assert canonicalize(raw) == canonical
    assert canonicalize(canonical) == canonical  # idempotent


def test_canonicalize_refuses_relative_urls() -> None:
    with pytest.raises(ValueError):
        canonicalize("/just/a/path")


PAGE = b"""<!doctype html><html><head><title>Publicaties</title>
<base href="https://www.vlaanderen.be/werk/">
</head><body>
<a href="beleidsnota-werk-2024-2029.pdf">Beleidsnota</a>
<a href="/werk/actieplan?utm_campaign=x#sectie">Actieplan</a>
<a href="https://www.vlaanderen.be/werk/actieplan">dubbel</a>
<a href="mailto:info@vlaanderen.be">mail</a>
<a href="javascript:void(0)">js</a>
<a href="ftp://files.example/x">ftp</a>
<a rel="nofollow" href="/werk/login">login</a>
<map><area href="/werk/kaart"></map>
</body></html>"""


def test_discover_links_resolves_against_base_and_dedupes() -> None:
    links = discover_links("https://www.vlaanderen.be/ignored/", PAGE)
    assert links == [
        "https://www.vlaanderen.be/werk/beleidsnota-werk-2024-2029.pdf",
        "https://www.vlaanderen.be/werk/actieplan",
        "https://www.vlaanderen.be/werk/kaart",
    ]


def test_a_nofollow_page_yields_no_links() -> None:
    page = b'<html><head><meta name="robots" content="noindex, nofollow"></head><a href="/x">x</a></html>'
    assert discover_links("https://a.be/", page) == []
    assert discover_links("https://a.be/", b"") == []


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.enseignement.be/index.php?page=1</loc><lastmod>2025-01-01</lastmod></url>
  <url><loc> https://www.enseignement.be/circulaire-9000.pdf </loc></url>
</urlset>"""
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://www.vdab.be/sitemap-1.xml</loc></sitemap>
  <sitemap><loc>https://www.vdab.be/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_parse_sitemap_urlset_index_gzip_and_text() -> None:
    pages = [
        "https://www.enseignement.be/index.php?page=1",
        "https://www.enseignement.be/circulaire-9000.pdf",
    ]
    assert parse_sitemap(URLSET) == pages
    assert parse_sitemap(gzip.compress(URLSET)) == pages
    index = read_sitemap(INDEX)
    assert index.pages == () and index.sitemaps == (
        "https://www.vdab.be/sitemap-1.xml",
        "https://www.vdab.be/sitemap-2.xml.gz",
    )
    assert parse_sitemap(b"https://a.be/1\nnot a url\nhttps://a.be/2\n") == [
        "https://a.be/1",
        "https://a.be/2",
    ]
    assert parse_sitemap(b"") == []


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Nieuws</title>
<item><title>Nota</title><link>https://www.vlaamsparlement.be/nl/nota-1</link></item>
<item><title>Alleen guid</title><guid>https://www.vlaamsparlement.be/nl/nota-2</guid></item>
<item><title>Geen permalink</title><guid isPermaLink="false">abc-123</guid>
  <enclosure url="https://docs.vlaamsparlement.be/pfile?id=1" type="application/pdf"/></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.pfwb.be/">
<title>Documents</title>
<entry><title>Rapport</title><link href="documents/rapport-1"/><link rel="edit" href="/edit/1"/></entry>
<entry><title>Note</title><link rel="alternate" href="https://archive.pfwb.be/note.pdf"/></entry>
</feed>"""


def test_parse_feed_rss_and_atom() -> None:
    assert parse_feed(RSS) == [
        "https://www.vlaamsparlement.be/nl/nota-1",
        "https://www.vlaamsparlement.be/nl/nota-2",
        "https://docs.vlaamsparlement.be/pfile?id=1",
    ]
    assert parse_feed(ATOM) == ["https://www.pfwb.be/documents/rapport-1", "https://archive.pfwb.be/note.pdf"]
    assert parse_feed(b"<not xml") == []


def test_xml_external_entities_are_not_resolved() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.be/&x;</loc></url></urlset>"""
    hostname = open("/etc/hostname").read().strip()  # noqa: SIM115 - the secret the attacker wants
    assert all(hostname not in u for u in parse_sitemap(xxe))


def test_billion_laughs_does_not_expand() -> None:
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        lol += f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">'.encode()
    lol += b"]><rss><channel><item><link>https://a.be/&lol9;</link></item></channel></rss>"
    links = parse_feed(lol)  # expanded, &lol9; would be 3 x 10^9 characters
    assert all(len(u) < 1000 for u in links)


SOURCE = Source(
    id="wse",
    name="Departement WSE",
    government="flemish",
    domains=("employment",),
    languages=("nl",),
    start_urls=("https://www.vlaanderen.be/werk",),
    scope=(
        "https://WWW.Vlaanderen.be/werk",
        "https://www.vlaanderen.be:443/departement-werk-en-sociale-economie/",
    ),
    exclude=("/zoeken",),
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.vlaanderen.be/werk/actieplan", True),
        ("HTTPS://www.vlaanderen.be/werk/actieplan?utm_source=x", True),
        ("https://www.vlaanderen.be/departement-werk-en-sociale-economie/nota.pdf", True),
        ("https://www.vlaanderen.be/werk/zoeken?q=x", False),
        ("https://www.vlaanderen.be/onderwijs", False),
        ("https://www.vlaanderen.be.evil.example/werk", False),
        ("ftp://www.vlaanderen.be/werk/x", False),
        ("not a url", False),
    ],
)
def test_in_scope(url: str, expected: bool) -> None:
    assert in_scope(SOURCE, url) is expected


def test_which_links_are_documents() -> None:
    assert document_kind("https://a.be/nota.PDF") == "pdf"
    assert document_kind("https://a.be/plan.odt") == "odt"
    assert document_kind("https://a.be/logo.png") is None
    assert document_kind("https://a.be/werk/actieplan") == "html"
    assert is_listing("https://a.be/nl/publicaties") and is_listing("https://a.be/nieuws?page=3")
    assert not is_listing("https://a.be/nl/publicaties/actieplan-2024")
    assert likely_document("https://a.be/nl/publicaties/actieplan-2024")
    assert likely_document("https://a.be/x.docx") and not likely_document("https://a.be/x.docx", ("pdf",))
    assert not likely_document("https://a.be/zoeken/") and not likely_document("https://a.be/style.css")
