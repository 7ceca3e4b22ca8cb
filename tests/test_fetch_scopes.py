"""Scopes that match how sites publish, and the addresses of a document's translations (pure)."""

from __future__ import annotations

import pytest

from miner.errors import ConfigError
from miner.fetch.discover import is_listing_page
from miner.fetch.languages import language_alternates, translation_candidates, url_language
from miner.fetch.urls import in_scope, scoped
from miner.sources import parse_source, source_table

TABLE = {
    "id": "vdab",
    "name": "VDAB",
    "government": "flemish",
    "domains": ["employment"],
    "languages": ["nl", "fr"],
    "start_urls": ["https://www.vdab.be/trends"],
    "scope": ["https://www.vdab.be/trends"],
    "cadence": "weekly",
    "document_paths": ["/sites/default/files/"],
    "document_hosts": ["publicaties.vlaanderen.be"],
    "exclude": ["/zoeken"],
}
SOURCE = parse_source(TABLE)


@pytest.mark.parametrize(
    ("url", "document", "listing"),
    [
        # www and bare host, http and https are one site, spelled as the scope spells it
        (
            "http://vdab.be/trends/a.pdf",
            "https://www.vdab.be/trends/a.pdf",
            "https://www.vdab.be/trends/a.pdf",
        ),
        ("https://www.vdab.be:443/trends?page=2", "https://www.vdab.be/trends?page=2", "same"),
        # the publisher's file folder on the scope's host: documents yes, listings no
        (
            "https://vdab.be/sites/default/files/nota.pdf",
            "https://www.vdab.be/sites/default/files/nota.pdf",
            None,
        ),
        # another host of the publisher
        (
            "https://publicaties.vlaanderen.be/view-file/1",
            "https://publicaties.vlaanderen.be/view-file/1",
            None,
        ),
        (
            "http://www.publicaties.vlaanderen.be/view-file/1",
            "https://publicaties.vlaanderen.be/view-file/1",
            None,
        ),
        # outside: another path, another port, another host, an exclusion, another scheme
        ("https://www.vdab.be/over-ons", None, None),
        ("https://www.vdab.be:8443/trends/a.pdf", None, None),
        ("https://vdab.example.org/trends/a.pdf", None, None),
        ("https://www.vdab.be/trends/zoeken?q=x", None, None),
        ("ftp://www.vdab.be/trends/a.pdf", None, None),
    ],
)
def test_one_scope_test_for_documents_and_listings(
    url: str, document: str | None, listing: str | None
) -> None:
    assert scoped(SOURCE, url) == document
    assert scoped(SOURCE, url, listing=True) == (document if listing == "same" else listing)
    assert in_scope(SOURCE, url) is (document is not None)


def test_same_site_false_keeps_hosts_and_schemes_apart() -> None:
    strict = parse_source({**TABLE, "same_site": False})
    assert scoped(strict, "https://www.vdab.be/trends/a.pdf") == "https://www.vdab.be/trends/a.pdf"
    assert scoped(strict, "http://www.vdab.be/trends/a.pdf") is None
    assert scoped(strict, "https://vdab.be/trends/a.pdf") is None


def test_registry_fields_have_defaults_and_survive_the_store_round_trip() -> None:
    plain = parse_source({k: v for k, v in TABLE.items() if not k.startswith("document_")})
    assert plain.document_paths == () and plain.document_hosts == () and plain.same_site
    chamber = parse_source({**TABLE, "language_hosts": {"nl": "www.dekamer.be", "fr": "www.lachambre.be"}})
    assert chamber.language_hosts == (("nl", "www.dekamer.be"), ("fr", "www.lachambre.be"))
    assert parse_source(source_table(chamber)) == chamber
    assert parse_source(source_table(SOURCE)) == SOURCE


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("document_paths", ["sites/default/files/"]),
        ("document_paths", "/files/"),
        ("document_hosts", ["ftp://files.vdab.be/"]),
        ("same_site", "yes"),
        ("language_hosts", {"xx": "www.dekamer.be"}),
        ("language_hosts", ["www.dekamer.be"]),
    ],
)
def test_bad_scope_keys_are_refused_with_their_name(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=key):
        parse_source({**TABLE, key: value})


LONG = "De regering keurt een actieplan goed voor nieuwkomers en werkzoekenden. " * 8


def test_a_page_is_a_listing_when_it_is_mostly_links() -> None:
    links = "".join(f'<li><a href="/c/{k}">Omzendbrief nummer {k} over onderwijs</a></li>' for k in range(30))
    assert is_listing_page(
        f"<html><body><nav>menu</nav><ul>{links}</ul><p>Pagina 2</p></body></html>".encode()
    )
    doc = f"<html><body><nav>{links}</nav><main><h1>Omzendbrief</h1><p>{LONG}</p></main></body></html>"
    assert not is_listing_page(doc.encode())
    assert is_listing_page(b"<html><body><p>Kort bericht.</p></body></html>")


def test_translation_addresses_from_paths_parameters_hosts_and_hreflang() -> None:
    brussels = parse_source(
        {**TABLE, "scope": ["https://be.brussels/"], "start_urls": ["https://be.brussels/"]}
    )
    url = "https://be.brussels/nl/plan/nota.pdf"
    assert url_language(brussels, url) == "nl"
    assert translation_candidates(brussels, url) == ["https://be.brussels/fr/plan/nota.pdf"]
    assert translation_candidates(brussels, "https://x.be/doc?id=4&lang=fr") == [
        "https://x.be/doc?id=4&lang=nl"
    ]
    assert translation_candidates(brussels, "https://be.brussels/plan/nota.pdf") == []
    chamber = parse_source(
        {
            **TABLE,
            "scope": ["https://www.dekamer.be/", "https://www.lachambre.be/"],
            "start_urls": ["https://www.dekamer.be/"],
            "language_hosts": {"nl": "www.dekamer.be", "fr": "www.lachambre.be"},
        }
    )
    q = "https://www.lachambre.be/FLWB/PDF/56/0123/56K0123001.pdf"
    assert url_language(chamber, q) == "fr"
    assert translation_candidates(chamber, q) == ["https://www.dekamer.be/FLWB/PDF/56/0123/56K0123001.pdf"]
    page = b"""<html><head><link rel="alternate" hreflang="fr-BE" href="/fr/emploi">
    <link rel="alternate" hreflang="x-default" href="/"><link rel="stylesheet" hreflang="de" href="/x.css">
    </head><body><a hreflang="de" href="/de/arbeit">Deutsch</a></body></html>"""
    alternates = language_alternates("https://be.brussels/nl/werk", page)
    assert alternates == {"fr": "https://be.brussels/fr/emploi", "de": "https://be.brussels/de/arbeit"}
    assert translation_candidates(brussels, "https://be.brussels/nl/werk", alternates) == [
        "https://be.brussels/fr/emploi",
        "https://be.brussels/de/arbeit",
        "https://be.brussels/fr/werk",
    ]
