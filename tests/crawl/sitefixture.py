"""A real static web site on 127.0.0.1 built from small documents written here, for crawl tests.

Served by the standard library's file server (which answers If-Modified-Since with 304, as many
government sites do); every request is recorded with its status so tests assert what was asked.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

NL_PLAN = """<html lang="nl"><head><meta charset="utf-8"><title>Actieplan werk en inburgering</title></head>
<body><main><h1>Actieplan werk en inburgering</h1>
<p>De Vlaamse Regering wil de werkzaamheidsgraad van personen met een migratieachtergrond verhogen.
Nieuwkomers krijgen taalondersteuning op de werkvloer en hun diploma's worden sneller erkend.</p>
<p>Tegen 2025 moet de kloof in de werkzaamheidsgraad tussen personen met en zonder migratieachtergrond
met een derde dalen. De VDAB volgt de cijfers elk jaar op, opgesplitst naar geslacht.</p>
<p>Werkgevers die discriminatie bij aanwerving bestrijden, krijgen ondersteuning via diversiteitsplannen.</p>
<p>Bijlage: <a href="/plans/bijlage.pdf">bijlage</a> en <a href="/menu/elders.html">menu</a>.</p>
</main></body></html>"""

NL_NEWS = """<html lang="nl"><head><meta charset="utf-8"><title>Nieuw actieplan werk</title></head>
<body><main><h1>Nieuw actieplan werk</h1>
<p>De regering keurt een actieplan goed voor langdurig werkzoekenden, jongeren zonder diploma en oudere
werknemers. Werkgevers krijgen een loonsubsidie wanneer zij iemand uit deze doelgroepen aanwerven. De VDAB
begeleidt de werkzoekenden naar een opleiding en volgt de resultaten elk jaar op.</p></main></body></html>"""

FR_PLAN = """<html lang="fr"><head><meta charset="utf-8"><title>Plan pour l'emploi</title></head><body><main>
<h1>Plan pour l'emploi des personnes d'origine étrangère</h1>
<p>Le Gouvernement wallon veut réduire l'écart de taux d'emploi des personnes issues de l'immigration.
Les primo-arrivants bénéficient de cours de français et d'une reconnaissance plus rapide de leurs
diplômes.</p>
<p>Le Forem publie chaque année des indicateurs ventilés selon l'origine et le genre.</p>
</main></body></html>"""


def html_doc(title: str, body: str, lang: str = "nl") -> str:
    return (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><main><h1>{title}</h1><p>{body}</p></main></body></html>"
    )


def make_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF with a text layer (Helvetica, WinAnsi), written by hand."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"] + [f"({esc(line)}) '" for line in lines] + ["ET"]
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
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


PDF_LINES = [
    "Beleidsnota Werk 2024-2029",
    "Personen met een migratieachtergrond blijven ondervertegenwoordigd op de arbeidsmarkt.",
    "Wij erkennen buitenlandse diploma's sneller en bieden nieuwkomers Nederlands op de werkvloer.",
    "Tegen 2029 halveren we de kloof in werkzaamheidsgraad; de VDAB rapporteert jaarlijks.",
]


def build_site(root: Path, *, extra_docs: int = 0) -> Path:
    """The standard test site: an index, three pages, a PDF, a private page and an outside link."""
    for d in ("plans", "news", "fr", "private", "menu"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (root / "private" / "secret.html").write_text("<html><body>secret</body></html>")
    (root / "plans" / "actieplan.html").write_text(NL_PLAN)
    (root / "plans" / "beleidsnota.pdf").write_bytes(make_pdf(PDF_LINES))
    (root / "plans" / "bijlage.pdf").write_bytes(make_pdf(["Bijlage: cijfers per herkomst en geslacht."]))
    (root / "menu" / "elders.html").write_text(
        html_doc("Menu", "Navigatie, niet gevolgd vanaf een document.")
    )
    (root / "news" / "bericht.html").write_text(NL_NEWS)
    (root / "fr" / "plan.html").write_text(FR_PLAN)
    links = [
        "/plans/actieplan.html",
        "/plans/beleidsnota.pdf",
        "/news/bericht.html",
        "/fr/plan.html",
        "/private/secret.html",
        "https://example.org/elsewhere.pdf",
    ]
    for k in range(extra_docs):
        (root / "news" / f"item{k}.html").write_text(
            html_doc(f"Bericht {k}", f"Opleiding en werk voor nieuwkomers, bericht nummer {k}.")
        )
        links.append(f"/news/item{k}.html")
    items = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    (root / "index.html").write_text(
        f'<html lang="nl"><head><title>Beleidsdocumenten</title></head><body><ul>{items}</ul></body></html>'
    )
    return root


#: Paths of the standard site that must be stored as documents.
DOCUMENTS = (
    "/plans/actieplan.html",
    "/plans/beleidsnota.pdf",
    "/plans/bijlage.pdf",
    "/news/bericht.html",
    "/fr/plan.html",
)


class StaticSite:
    """``with StaticSite(folder) as site: site.url("/index.html")``; ``site.log`` holds (path, status)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log: list[tuple[str, int]] = []
        #: path -> status answered instead of the file (e.g. 503 for a server in trouble).
        self.broken: dict[str, int] = {}
        log, lock, broken = self.log, threading.Lock(), self.broken

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path in broken:
                    self.send_error(broken[self.path])
                    return
                super().do_GET()

            def log_request(self, code: Any = "-", size: Any = "-") -> None:
                with lock:
                    log.append((self.path, int(code)))

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})

    def requests(self, since: int = 0) -> list[tuple[str, int]]:
        """(path, status) of the requests received, from the ``since``-th on."""
        return list(self.log[since:])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> StaticSite:
        self._thread.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def sources_toml(self, path: Path, *, source_id: str = "local-test", delay: float = 0.0) -> Path:
        path.write_text(
            f"""[[source]]
id = "{source_id}"
name = "Local test site"
government = "flemish"
domains = ["employment", "education"]
languages = ["nl", "fr"]
start_urls = ["{self.url("/index.html")}"]
scope = ["{self.url("/")}"]
cadence = "daily"
delay = {delay}
"""
        )
        return path
