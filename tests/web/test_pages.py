"""The pages over a real store holding hostile markup: every page, error page and redirect escapes
scraped text (20 payloads in titles, paragraphs, URLs and error messages), links only http(s)
addresses, carries the security headers, labels its controls, and speaks the reader's language."""

from __future__ import annotations

import importlib
import re
from html import unescape as html_unescape
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from htmlaudit import audit
from markupsafe import escape
from starlette.routing import Route
from webclient import TestClient, client_for
from webstore import UNSAFE_URLS, XSS_PAYLOADS, WebStore

from miner.store.browse import DocumentFilter
from miner.web import ROUTERS
from miner.web.catalogue import missing_translations


def _pages(client: TestClient, filled: WebStore) -> dict[str, str]:
    """Every page a reader can reach over the store, by address, and the error pages hostile input
    leads to."""
    paths = [
        "/",
        "/documents",
        "/documents?government=brussels",
        "/mentions",
        "/trends",
        "/sources",
        "/review",
    ]
    paths += ["/mentions?term=inburgeringstraject", "/mentions?term=VDAB", "/login?next=/documents"]
    paths += [f"/documents/{d.id}" for d in filled.repo.browse(limit=200).items]
    plan = client.get(f"/api/documents/{filled.ids['plan']}").json()
    paths += [v["link"] for v in plan["versions"]]
    cursor = client.get("/api/documents?limit=10").json()["next_cursor"]
    paths += [f"/documents?limit=10&cursor={cursor}", f"/review?limit=5&cursor={cursor}"]
    for payload in XSS_PAYLOADS:
        q = quote(payload, safe="")
        paths += [
            f"/documents?government={q}",
            f"/documents?q={q}",
            f"/documents?cursor={q}",
            f"/documents/{q}",
            f"/mentions?term={q}",
            f"/mentions?watchlist={q}",
            f"/login?next={q}",
            f"/{q}",
        ]
    pages = {}
    for path in paths:
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (200, 404, 422), (path, r.status_code)
        if r.headers["content-type"].startswith("text/html"):
            pages[path] = r.text
    return pages


@pytest.fixture(scope="module")
def pages(filled: WebStore) -> dict[str, str]:
    return _pages(client_for(filled.url), filled)


def test_no_scraped_markup_reaches_a_page(pages: dict[str, str]) -> None:
    for path, html in pages.items():
        raw = [p for p in (*XSS_PAYLOADS, UNSAFE_URLS[1]) if p in html]  # UNSAFE_URLS[0] is text: no markup
        assert raw == [], f"{path} holds raw markup: {raw}"
        found = audit(html)
        assert found.problems == [], f"{path}: {found.problems}"


#: Page routes that are not HTML pages to escape: a language switch redirects (tested with hostile
#: ``next`` values below), the health check answers JSON, and the Atom feeds are XML, whose escaping of
#: the same payloads is checked with feedparser in tests/web/test_alerts_web.py.
NOT_PAGES = ("/lang/{language}", "/healthz", "/feeds/{name}.atom")


def test_every_page_route_is_visited(pages: dict[str, str]) -> None:
    """A page added to any router (a feed, a diff) is fetched above, or this fails: the escaping
    checks cover every page the app serves, not a list that falls behind."""
    visited = [path.split("?")[0] for path in pages]
    for name in ROUTERS:
        for route in importlib.import_module(f"miner.web.routers.{name}").router.routes:
            if not isinstance(route, APIRoute | Route) or "GET" not in (route.methods or ()):
                continue
            if route.path.startswith("/api/") or route.path in NOT_PAGES:
                continue
            assert any(route.path_regex.match(v) for v in visited), f"{route.path} is not in _pages()"


def test_every_payload_is_shown_escaped(pages: dict[str, str], filled: WebStore) -> None:
    everything = "\n".join(pages.values())
    for payload in XSS_PAYLOADS:
        assert str(escape(payload)) in everything, payload
    brussels = filled.repo.browse(DocumentFilter(government="brussels"), limit=200).items
    doc_pages = [pages[f"/documents/{d.id}"] for d in brussels]
    # In titles (the list), quotes and paragraphs and URLs (each document), error messages (sources,
    # the failed document), the source's name.
    listing = pages["/documents?government=brussels"]
    assert all(str(escape(p)) in listing for p in XSS_PAYLOADS[3:])
    broken = pages[f"/documents/{filled.ids['broken']}"]
    assert f"corrupt: {escape(XSS_PAYLOADS[0])} in the file" in broken
    sources = pages["/sources"]
    assert str(escape(XSS_PAYLOADS[3])) in sources and f"HTTP 500 {escape(XSS_PAYLOADS[1])}" in sources
    assert any("<mark>" in page and "VDAB" in page for page in doc_pages)


def test_only_http_addresses_become_links(pages: dict[str, str], filled: WebStore) -> None:
    for key in ("unsafe0", "unsafe1"):
        html = pages[f"/documents/{filled.ids[key]}"]
        assert 'class="url unlinked"' in html and 'href="javascript' not in html.lower()
        assert not re.search(r"""href=["']?\s*(javascript|data|vbscript):""", html, re.I)
    hrefs = [h for html in pages.values() for h in audit(html).hrefs]
    assert all(h.startswith(("/", "#", "?", "http://", "https://")) for h in hrefs)
    assert 'href="http://127.0.0.1:1/vl-werk/actieplan.html"' in pages[f"/documents/{filled.ids['plan']}"]


def test_security_headers_on_every_kind_of_response(client: TestClient) -> None:
    answers = [
        client.get("/"),
        client.get("/api/documents"),
        client.get("/static/style.css"),
        client.get("/nowhere"),
        client.get("/api/documents?limit=0"),
        client.post("/api/analyse"),
        client.get("/lang/nl", follow_redirects=False),
        client.get("/openapi.json"),
        client.get("/api/export/documents.csv?limit=1"),
    ]
    for r in answers:
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_the_interface_follows_the_browser_and_the_switch(client: TestClient, filled: WebStore) -> None:
    doc = f"/documents/{filled.ids['fr']}"
    nl = client.get(doc, headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"})
    assert (
        '<html lang="nl">' in nl.text
        and "Signaleringen" in nl.text
        and nl.headers["content-language"] == "nl"
    )
    fr = client.get(doc, headers={"Accept-Language": "fr-BE"})
    assert '<html lang="fr">' in fr.text and "Signalements" in fr.text and "Score par dimension" in fr.text
    assert '<html lang="en">' in client.get(doc, headers={"Accept-Language": "de, ja;q=0.5"}).text
    switched = client.get("/lang/fr?next=/documents%3Fgovernment%3Dwalloon", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/documents?government=walloon"
    assert "lang=fr" in switched.headers["set-cookie"]
    client.cookies.set("lang", "fr")
    again = client.get(doc, headers={"Accept-Language": "nl"})
    assert '<html lang="fr">' in again.text and "Wallon" in again.text
    assert client.get("/lang/fr?next=//evil.example/", follow_redirects=False).headers["location"] == "/"
    assert "set-cookie" not in client.get("/lang/xx", follow_redirects=False).headers
    # The scraped text keeps its own language for screen readers.
    assert '<blockquote class="evidence" lang="fr">' in fr.text


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_message_is_translated(language: str) -> None:
    assert missing_translations(language) == []


def test_the_document_page_shows_evidence_with_its_page(client: TestClient, filled: WebStore) -> None:
    doc = client.get(f"/api/documents/{filled.ids['pdf']}").json()
    html = client.get(f"/documents/{filled.ids['pdf']}").text
    quoted = [e for e in doc["evidence"] if e["page"] == 2]
    assert quoted and f"page {quoted[0]['page']}" in html
    marks = [m.lower() for m in re.findall(r"<mark>(.*?)</mark>", html)]
    assert any(quoted[0]["term"].lower()[:6] in m for m in marks), (quoted[0]["term"], marks)
    text = html_unescape(re.sub(r"<[^>]+>", "", html))  # what the reader sees
    assert quoted[0]["text"] in text
    for flag in doc["flags"]:
        assert f'id="flag-{flag["code"]}"' in html and str(escape(flag["reason"])) in html
