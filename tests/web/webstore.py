"""A store filled the way a crawl fills it, for the web tests: real documents analysed by the real
pipeline, stored through the repository (sources, runs, frontier, versions, analyses), with scraped
markup planted wherever scraped text can appear: titles, paragraphs, URLs and error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from analysers import default_analyser

from miner.pipeline import analyse_bytes, analyse_extracted
from miner.records import Analysis, Extracted, Fetched, Paragraph, Source
from miner.store import FrontierState, Repository, UrlRole, open_repository
from miner.store.watchlists import StoredTerm

#: Markup a hostile or broken site could put in a title, a paragraph, a URL or an error message.
XSS_PAYLOADS = (
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "</textarea><script>alert(2)</script>",
    "</title><script>alert(3)</script>",
    "<body onload=alert(4)>",
    "<details open ontoggle=alert(5)>",
    "<math><mtext></p><script>alert(6)</script>",
    "{{7*7}}<b>template</b>",
    "<style>*{display:none}</style>",
    "<input autofocus onfocus=alert(7)>",
    '<object data="javascript:alert(8)">',
    "<embed src=javascript:alert(9)>",
    "<svg><script>alert(10)</script></svg>",
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(11)">',
    "<!--<script>alert(12)//-->",
    '" onmouseover="alert(13)',
)
#: URLs that must never become links.
UNSAFE_URLS = ("javascript:alert(document.domain)", "data:text/html,<script>alert(14)</script>")

NL_PLAN = (
    "De Vlaamse Regering wil de werkzaamheidsgraad van personen met een migratieachtergrond verhogen. "
    "Nieuwkomers krijgen taalondersteuning op de werkvloer en hun diploma's worden sneller erkend.",
    "Tegen 2025 moet de kloof in de werkzaamheidsgraad tussen personen met en zonder migratieachtergrond "
    "met een derde dalen. De VDAB volgt de cijfers elk jaar op, opgesplitst naar geslacht.",
    "Werkgevers die discriminatie bij aanwerving bestrijden, krijgen ondersteuning via diversiteitsplannen.",
)
NL_NEWS = (
    "De regering keurt een actieplan goed voor langdurig werkzoekenden, jongeren zonder diploma en oudere "
    "werknemers. Werkgevers krijgen een loonsubsidie wanneer zij iemand uit deze doelgroepen aanwerven. De "
    "VDAB begeleidt de werkzoekenden naar een opleiding en volgt de resultaten elk jaar op.",
)
FR_PLAN = (
    "Le Gouvernement wallon veut réduire l'écart de taux d'emploi des personnes issues de l'immigration. "
    "Les primo-arrivants bénéficient de cours de français et d'une reconnaissance plus rapide de leurs diplômes.",
    "Le Forem publie chaque année des indicateurs ventilés selon l'origine et le genre.",
)
PDF_PAGES = (
    ["Beleidsnota Werk 2024-2029", "Inleiding: de arbeidsmarkt in Vlaanderen."],
    [
        "Personen met een migratieachtergrond blijven ondervertegenwoordigd op de arbeidsmarkt.",
        "Wij erkennen buitenlandse diploma's sneller en bieden nieuwkomers Nederlands op de werkvloer.",
    ],
    ["Tegen 2029 halveren we de kloof in werkzaamheidsgraad; de VDAB rapporteert jaarlijks."],
)


def make_pdf(pages: list[list[str]]) -> bytes:
    """A small valid PDF with one text page per item of ``pages`` (Helvetica, WinAnsi), by hand."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    n = len(pages)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font = 3 + 2 * n
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"] + [f"({esc(line)}) '" for line in lines] + ["ET"]
        stream = "\n".join(ops).encode("cp1252")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font} 0 R >> >> "
            f"/Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _source(sid: str, government: str, name: str | None = None) -> Source:
    return Source(
        id=sid,
        name=name or f"{government.capitalize()} employment department",
        government=government,
        domains=("employment", "education"),
        languages=("nl", "fr"),
        start_urls=(f"http://127.0.0.1:1/{sid}/",),
        scope=(f"http://127.0.0.1:1/{sid}/",),
    )


@dataclass
class WebStore:
    """The filled store and what the tests look for in it."""

    url: str
    repo: Repository
    ids: dict[str, int] = field(default_factory=dict)

    def store(
        self,
        source: Source,
        url: str,
        body: bytes,
        extracted: Extracted | None = None,
        *,
        analysis: Analysis | None = None,
        name: str = "",
        key: str = "",
    ) -> int:
        """Store one document as a crawl does (run, frontier, fetch, version, analysis): its id."""
        repo = self.repo
        repo.upsert_source(source)
        run_id = repo.start_run(source.id)
        run_url = repo.enqueue(run_id, source.id, url, role=UrlRole.DOCUMENT, depth=0)
        assert run_url is not None
        item = repo.work_item(run_url)
        assert item is not None
        fetched = Fetched(url=url, final_url=url, status=200, content=body, content_type="text/html")
        stored = repo.store_fetched(item, fetched, government=source.government)
        assert stored.version_id is not None
        if extracted is None:
            extracted, analysis = analyse_bytes(
                body, doc_id=url, analyser=default_analyser(), name=name or url
            )
        elif analysis is None:
            extracted, analysis = analyse_extracted(
                url, extracted, analyser=default_analyser(), digest=fetched.content_hash
            )
        assert analysis is not None
        repo.mark_seeded(run_id)
        repo.finish_item(
            run_url, state=FrontierState.ANALYSING, outcome=stored.outcome, version_id=stored.version_id
        )
        repo.store_analysis(stored.version_id, extracted, analysis)  # settles the row: the run is finished
        doc_id = repo.documents_by_url([url])[url].id
        if key:
            self.ids[key] = doc_id
        return doc_id


def _html(
    title: str, paragraphs: tuple[str, ...], lang: str = "nl", sections: tuple[str, ...] = ()
) -> Extracted:
    return Extracted(
        kind="html",
        title=title,
        paragraphs=tuple(
            Paragraph(i, p, None, "", sections[i] if i < len(sections) else None)
            for i, p in enumerate(paragraphs)
        ),
        declared_language=lang,
    )


def fill(url: str, *, hostile: bool = True) -> WebStore:
    """The web tests' store at ``url``: four plans of three governments (one a three-page PDF, one
    changed since), and with ``hostile``, a document per payload and unsafe URLs and errors."""
    ws = WebStore(url, open_repository(url))
    flemish, walloon, federal = (
        _source("vl-werk", "flemish"),
        _source("wal-emploi", "walloon"),
        _source("fed", "federal"),
    )
    plan = _html("Actieplan werk en inburgering", NL_PLAN, sections=("1. Werk", "1. Werk", "2. Diversiteit"))
    plan = replace(plan, published=date(2023, 3, 1))
    ws.store(flemish, "http://127.0.0.1:1/vl-werk/actieplan.html", b"plan v1", plan, key="plan")
    pdf = make_pdf([list(p) for p in PDF_PAGES])
    ws.store(flemish, "http://127.0.0.1:1/vl-werk/beleidsnota.pdf", pdf, name="beleidsnota.pdf", key="pdf")
    fr = replace(_html("Plan pour l'emploi", FR_PLAN, "fr"), published=date(2022, 6, 15))
    ws.store(walloon, "http://127.0.0.1:1/wal-emploi/plan.html", b"plan fr", fr, key="fr")
    news = replace(_html("Nieuw actieplan werk", NL_NEWS), published=date(2024, 1, 10))
    ws.store(federal, "http://127.0.0.1:1/fed/bericht.html", b"bericht", news, key="news")
    # A change: the plan as it reads now, a second version of the same document.
    changed = replace(plan, paragraphs=plan.paragraphs[:2], published=date(2024, 9, 1))
    ws.store(flemish, "http://127.0.0.1:1/vl-werk/actieplan.html", b"plan v2", changed)
    if hostile:
        _fill_hostile(ws)
    return ws


def _fill_hostile(ws: WebStore) -> None:
    bad = _source("hostile", "brussels", name=f"Hostile site {XSS_PAYLOADS[1]}")
    for i, payload in enumerate(XSS_PAYLOADS):
        text = (
            f"Nieuwkomers krijgen begeleiding naar werk via de VDAB {payload} en volgen een "
            "inburgeringstraject met taalles."
        )
        doc = _html(f"{payload} Actieplan {i}", (text,))
        ws.store(bad, f"http://127.0.0.1:1/hostile/{i}?q={payload}", f"hostile {i}".encode(), doc)
    for i, unsafe in enumerate(UNSAFE_URLS):
        ws.store(bad, unsafe, f"unsafe {i}".encode(), _html(f"Unsafe address {i}", NL_NEWS), key=f"unsafe{i}")
    failed = Analysis.failed(
        "broken", f"corrupt: {XSS_PAYLOADS[0]} in the file", kind="pdf", title=XSS_PAYLOADS[2]
    )
    ws.store(
        bad, "http://127.0.0.1:1/hostile/broken.pdf", b"broken", _html("x", ()), analysis=failed, key="broken"
    )
    run_id = ws.repo.start_run(bad.id)
    ws.repo.dead_letter(
        task="fetch_url",
        subject="http://127.0.0.1:1/hostile/gone",
        key=f"fetch_url:{run_id}:gone",
        error_code="fetch-permanent",
        message=f"HTTP 500 {XSS_PAYLOADS[1]}",
        run_id=run_id,
    )
    ws.repo.fail_run(run_id, f"start URL unreachable: {XSS_PAYLOADS[3]}")
    # Watchlists are typed by people, shown on the mentions page: their names and terms too.
    ws.repo.add_watchlist_terms(XSS_PAYLOADS[4][:100], [StoredTerm(p[:100]) for p in XSS_PAYLOADS[5:9]])
