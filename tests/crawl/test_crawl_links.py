"""Which links a crawl follows from each kind of page (pure: no network, no store)."""

from __future__ import annotations

from miner.crawl import sniff_kind
from miner.follow import links_of as _links
from miner.records import Fetched, Source
from miner.store.repository import WorkItem

SOURCE = Source(
    id="s",
    name="s",
    government="walloon",
    domains=("employment",),
    languages=("fr",),
    start_urls=("https://emploi.wallonie.be/",),
    scope=("https://emploi.wallonie.be/",),
    document_types=("pdf", "html"),
)
BASE = "https://emploi.wallonie.be/plans/"
PAGE = b"""<html><body>
<a href="plan.pdf">plan</a> <a href="notes.docx">notes</a> <a href="detail.html">detail</a>
<a href="/actualites/">overview</a> <a href="/style.css">css</a> <a href="photo.jpg">photo</a>
</body></html>"""


def _item(role: str, depth: int = 0) -> WorkItem:
    return WorkItem(1, 1, 1, "s", BASE, role, depth, "queued", None, None, None, False, None)


def test_an_entry_page_gives_documents_of_kept_kinds_and_listing_pages() -> None:
    found = dict(_links(SOURCE, _item("entry"), BASE, PAGE, "html"))
    assert found == {
        BASE + "plan.pdf": "document",
        BASE + "detail.html": "document",
        "https://emploi.wallonie.be/actualites/": "entry",
    }


def test_a_content_page_is_not_a_dead_end() -> None:
    """A document page leads on to its annexes, related documents and listings (within scope and
    depth, which the queueing checks)."""
    found = dict(_links(SOURCE, _item("document", depth=1), BASE, PAGE, "html"))
    assert found == {BASE + "plan.pdf": "document", "https://emploi.wallonie.be/actualites/": "entry"}
    # The HTML links of its main text are explored (stored if they serve a document); its menus not.
    page = b"""<html><body><nav><a href="/menu.html">menu</a></nav>
    <main><p>Zie ook <a href="detail.html">het detail</a> en <a href="bijlage.pdf">de bijlage</a>.</p></main>
    <footer><a href="/contact.html">contact</a></footer></body></html>"""
    found = dict(_links(SOURCE, _item("document", depth=1), BASE, page, "html"))
    assert found == {BASE + "detail.html": "entry", BASE + "bijlage.pdf": "document"}


def test_sitemaps_give_pages_and_child_sitemaps() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://emploi.wallonie.be/sitemap-2.xml</loc></sitemap></sitemapindex>"""
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://emploi.wallonie.be/plans/a.pdf</loc></url>
    <url><loc>https://emploi.wallonie.be/img/a.png</loc></url></urlset>"""
    assert _links(SOURCE, _item("sitemap"), BASE, index, "xml") == [
        ("https://emploi.wallonie.be/sitemap-2.xml", "sitemap")
    ]
    assert _links(SOURCE, _item("sitemap"), BASE, urlset, "xml") == [
        ("https://emploi.wallonie.be/plans/a.pdf", "document")
    ]


def test_feeds_give_their_items() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><link>https://emploi.wallonie.be/plans/b.html</link></item></channel></rss>"""
    assert _links(SOURCE, _item("feed"), BASE, rss, "xml") == [
        ("https://emploi.wallonie.be/plans/b.html", "document")
    ]


def test_kind_comes_from_the_bytes_before_the_content_type() -> None:
    def kind(body: bytes, ctype: str = "application/octet-stream") -> str:
        return sniff_kind(Fetched("u", "u", 200, body, content_type=ctype))

    assert kind(b"%PDF-1.7 ...", "text/html") == "pdf"
    assert kind(b"<!DOCTYPE html><html>", "application/pdf") == "html"
    assert kind(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.text") == "odt"
    assert kind(b"PK\x03\x04....[Content_Types].xml word/") == "docx"
    assert kind(b'<?xml version="1.0"?><urlset>') == "xml"
    assert kind(b"plain words", "text/plain; charset=utf-8") == "text"
    assert kind(b"\x89PNG\r\n") == "other"


def test_query_string_addresses_are_fetched_as_listings_that_may_be_documents() -> None:
    """``?p=42`` is a page id on one site and paging on the next: followed from pages and sitemaps
    as a listing; what it serves decides whether it is stored (``fetch_step``)."""
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://emploi.wallonie.be/index.php?p=42</loc></url></urlset>"""
    assert _links(SOURCE, _item("sitemap"), BASE, urlset, "xml") == [
        ("https://emploi.wallonie.be/index.php?p=42", "entry")
    ]
    page = b'<html><body><a href="/circ?page=2">2</a> <a href="/circ?id=7&amp;p=3">3</a></body></html>'
    assert _links(SOURCE, _item("entry"), BASE, page, "html") == [
        ("https://emploi.wallonie.be/circ?page=2", "entry"),
        ("https://emploi.wallonie.be/circ?id=7&p=3", "entry"),
    ]
