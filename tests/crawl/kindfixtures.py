"""Local publishers in the real formats of the source kinds, written by the project from each format's
public documentation (sitemaps.org, RSS 2.0, WordPress core sitemaps, the official journal's summary
pages and ELI addresses, the Flemish Parliament's search API, the Chamber's open data). No
third-party document is copied: titles and texts are made up.

:func:`publisher` routes all of them on one :class:`~httpserver.LocalSite`; each ``*_SOURCE`` gives
the registry table of a source reading one of them.
"""

from __future__ import annotations

import gzip
import json
from urllib.parse import parse_qsl, urlsplit

from httpserver import LocalSite, Reply, Seen
from sitefixture import html_doc, make_pdf

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json;charset=UTF-8"}
PDF = {"Content-Type": "application/pdf"}


def rss(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Publications</title><link>{base}/</link><description>Nouvelles publications</description>
  <language>fr-BE</language>
  <atom:link href="{base}/feed/" rel="self" type="application/rss+xml"/>
  <item>
    <title>Plan d'action pour l'emploi des primo-arrivants</title>
    <link>{base}/publications/plan-emploi/</link>
    <guid isPermaLink="false">{base}/?p=101</guid>
    <pubDate>Tue, 05 Mar 2024 10:00:00 +0100</pubDate>
    <enclosure url="{base}/wp-content/uploads/2024/03/plan-emploi.pdf" length="900" type="application/pdf"/>
  </item>
  <item>
    <title>Rapport annuel</title>
    <guid>{base}/publications/rapport-annuel/</guid>
    <dc:date>2024-02-01T09:00:00Z</dc:date>
  </item>
  <item><title>Photo</title><link>{base}/img/photo.jpg</link></item>
</channel></rss>""".encode()


def wp_sitemap_index(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="{base}/wp-sitemap-index.xsl" ?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/wp-sitemap-posts-post-1.xml</loc></sitemap>
<sitemap><loc>{base}/wp-sitemap-posts-page-1.xml.gz</loc></sitemap>
<sitemap><loc>{base}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>
<sitemap><loc>{base}/wp-sitemap-users-1.xml</loc></sitemap>
</sitemapindex>""".encode()


def urlset(base: str, *paths: str) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{p}</loc><lastmod>2024-01-1{i}T08:00:00+00:00</lastmod></url>"
        for i, p in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def summary(base: str) -> bytes:
    """A daily summary of the official journal: one entry per act, article page and ELI address."""
    acts = [
        (
            "2024005123",
            "besluit",
            "24 MEI 2024. - Besluit van de Vlaamse Regering tot wijziging van het inburgeringsbeleid",
        ),
        ("2024202277", "wet", "26 MEI 2024. - Wet houdende diverse bepalingen inzake werk"),
        ("2024031500", "", "Benoeming van een notaris"),
    ]
    rows = []
    for numac, eli_type, title in acts:
        article = f"article.pl?language=nl&sum_date=2024-06-05&lg_txt=n&numac_search={numac}&caller=summary"
        eli = f"{base}/eli/{eli_type}/2024/05/24/{numac}/staatsblad" if eli_type else ""
        rows.append(
            f'<div class="list-item"><p class="list-item--subtitle">Vlaamse overheid</p>'
            f'<a class="list-item--title" href="{article}">{title}</a>'
            + (
                f' <a href="{eli}">ELI</a> <a href="{eli[: -len("staatsblad")]}justel">Justel</a>'
                if eli
                else ""
            )
            + "</div>"
        )
    return html_doc("Belgisch Staatsblad van 5 juni 2024", "".join(rows)).encode()


def eli_page(title: str) -> bytes:
    return html_doc(
        title, "Artikel 1. De Vlaamse Regering bepaalt het inburgeringstraject en de begeleiding naar werk."
    ).encode()


def vlparl_search(base: str, page: int) -> bytes:
    hits = {
        1: [("1800123", "Schriftelijke vraag over de wachtlijsten inburgering", "2024-03-01T00:00:00+01:00")],
        2: [("1800456", "Schriftelijke vraag over taalcursussen NT2", "2024-02-20T00:00:00+01:00")],
    }[page]
    result = [
        {
            "id": f"{base}/docs/pfile?id={pid}",
            "title": title,
            "url": f"{base}/parlementaire-documenten/{pid}",
            "date": date,
            "mimetype": "application/pdf",
            "snippet": "...",
            "metatags": {
                "metatag": [
                    {"name": "aggregaattype", "value": "Schriftelijke vraag"},
                    {"name": "publicatiedatum", "value": date},
                    {"name": "document", "value": f"{base}/docs/pfile?id={pid}"},
                    {"name": "opendata", "value": f"{base}/e/opendata/schv/{pid}"},
                ]
            },
        }
        for pid, title, date in hits
    ]
    body = {"count": 2, "firstindex": page, "lastindex": page, "result": result, "facet_category": []}
    return json.dumps(body).encode()


def kamer_qrva(start: int) -> bytes:
    items = [
        {
            "link": {"href": f"http://data.dekamer.be/v0/qrva/56-B001-1-0001-000020240000{start + 1}"},
            "SDOCNAME": f"56-B001-1-0001-000020240000{start + 1}",
            "LEGISL": 56,
            "LANG": "N" if start == 0 else "F",
            "TITN": "Integratietrajecten voor nieuwkomers.",
            "TITF": "Parcours d'intégration des primo-arrivants.",
            "DEPOTDAT": "20240718",
            "STATUSQ": "answerReceived",
        }
    ]
    return json.dumps({"disclaimer": "", "start": start, "total": 2, "items": items}).encode()


def publisher(site: LocalSite) -> None:
    """Route every format on ``site``."""
    base = site.url("").rstrip("/")
    site.route(
        "/feed/", Reply(body=rss(base), headers={"Content-Type": "application/rss+xml; charset=UTF-8"})
    )
    site.route(
        "/publications/plan-emploi/",
        Reply(body=html_doc("Plan emploi", "Emploi et intégration.", "fr").encode(), headers=HTML),
    )
    site.route(
        "/publications/rapport-annuel/",
        Reply(body=html_doc("Rapport", "Rapport annuel.", "fr").encode(), headers=HTML),
    )
    site.route(
        "/wp-content/uploads/2024/03/plan-emploi.pdf",
        Reply(body=make_pdf(["Plan emploi primo-arrivants"]), headers=PDF),
    )
    site.route("/wp-sitemap.xml", Reply(body=wp_sitemap_index(base), headers=XML))
    site.route(
        "/wp-sitemap-posts-post-1.xml", Reply(body=urlset(base, "/2024/01/actieplan-werk/"), headers=XML)
    )
    gz = gzip.compress(urlset(base, "/plannen/beleidsnota-werk.pdf"))
    site.route(
        "/wp-sitemap-posts-page-1.xml.gz", Reply(body=gz, headers={"Content-Type": "application/gzip"})
    )
    site.route(
        "/wp-sitemap-taxonomies-category-1.xml", Reply(body=urlset(base, "/category/nieuws/"), headers=XML)
    )
    site.route("/wp-sitemap-users-1.xml", Reply(body=urlset(base, "/author/admin/"), headers=XML))
    site.route(
        "/2024/01/actieplan-werk/",
        Reply(body=html_doc("Actieplan werk", "Werk en inburgering.").encode(), headers=HTML),
    )
    site.route("/plannen/beleidsnota-werk.pdf", Reply(body=make_pdf(["Beleidsnota werk"]), headers=PDF))
    site.route("/cgi/summary.pl", Reply(body=summary(base), headers=HTML))
    for numac, kind in (("2024005123", "besluit"), ("2024202277", "wet")):
        site.route(
            f"/eli/{kind}/2024/05/24/{numac}/staatsblad",
            Reply(body=eli_page(f"{kind} {numac}"), headers=HTML),
        )

    def search(seen: Seen) -> Reply:
        page = int(dict(parse_qsl(urlsplit(seen.path).query)).get("page", "1"))
        return Reply(body=vlparl_search(base, page), headers=JSON)

    site.route("/api/search/query/werk", search)
    site.route("/docs/pfile", lambda seen: Reply(body=make_pdf([f"Vraag {seen.path[-7:]}"]), headers=PDF))

    def qrva(seen: Seen) -> Reply:
        start = int(dict(parse_qsl(urlsplit(seen.path).query)).get("start", "0"))
        return Reply(body=kamer_qrva(start), headers=JSON)

    site.route("/v0/qrva", qrva)
    site.route(
        "/kvvcr/showpage.cfm",
        lambda seen: Reply(
            body=html_doc("Vraag", f"Vraag en antwoord {seen.path[-40:]}").encode(), headers=HTML
        ),
    )


def source_table(site: LocalSite, kind: str) -> dict[str, object]:
    """A registry table for the local publisher read as ``kind``."""
    start = {
        "feed": "/feed/",
        "sitemap": "/wp-sitemap.xml",
        "api:moniteur": "/cgi/summary.pl?language=nl",
        "api:vlaams-parlement": "/api/search/query/werk?collection=vp_collection&sort=date&max=1&page=1",
        "api:kamer": "/v0/qrva?leg=56",
    }[kind]
    table: dict[str, object] = {
        "id": "local-" + kind.replace(":", "-"),
        "name": f"Local {kind}",
        "government": "federal",
        "domains": ["employment"],
        "languages": ["nl", "fr"],
        "start_urls": [site.url(start)],
        "scope": [site.url("/")],
        "cadence": "daily",
        "kind": kind,
        "delay": 0.0,
        "max_depth": 3,
    }
    if kind == "api:kamer":
        base = site.url("").rstrip("/")
        table["api"] = {
            "document_url": base + "/kvvcr/showpage.cfm?section=qrva&language={language}"
            "&cfm=qrvaXml.cfm?legislat={legislature}&dossierID={sdocname}.xml"
        }
    if kind == "api:moniteur":
        table["api"] = {"keywords": ["inburgering", "werk"]}
    return table
