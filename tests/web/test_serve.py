"""``miner serve`` over a crawled store, as a user starts it: a real server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "crawl"))  # the crawl tests' local site
from sitefixture import StaticSite, build_site  # noqa: E402

HOSTILE_TITLE = '<script>alert("x")</script>Actieplan werk'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _miner(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "miner", *args]
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A store filled by a real crawl of a site whose page title carries markup, and its web server."""
    root = build_site(tmp_path / "site")
    (root / "news" / "hostile.html").write_text(
        f"<html lang='nl'><head><title>{HOSTILE_TITLE}</title></head><body><main><h1>Werk "
        "<img src=x onerror=alert(1)></h1><p>Nieuwkomers krijgen begeleiding naar werk via de VDAB en "
        "volgen een inburgeringstraject.</p></main></body></html>",
        encoding="utf-8",
    )
    index = root / "index.html"
    index.write_text(index.read_text().replace("</ul>", '<li><a href="/news/hostile.html">x</a></li></ul>'))
    env = {"PATH": "/usr/bin:/bin", "MINER_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    env["MINER_API_TOKEN"] = "s3cret"
    with StaticSite(root) as site:
        sources = site.sources_toml(tmp_path / "sources.toml")
        run = _miner("run", "--sources", str(sources), "--allow-private-addresses", env=env)
        assert run.returncode == 0, run.stdout + run.stderr
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "miner", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.terminate()
        server.wait(timeout=20)


def _post(url: str, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=b'{"id": "x"}', headers=headers, method="POST")
    try:
        return int(urllib.request.urlopen(req, timeout=10).status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_documents_are_listed_escaped_and_writes_need_the_token(served: tuple[str, int]) -> None:
    base, _ = served
    listed = json.load(urllib.request.urlopen(f"{base}/api/documents", timeout=10))
    docs = listed["items"]
    hostile = [d for d in docs if d["url"].endswith("/news/hostile.html")]
    assert listed["total"] == len(docs) >= 5 and hostile and hostile[0]["title"] == HOSTILE_TITLE
    assert all(
        {"id", "url", "content_hash", "government", "language", "score", "flags"} <= set(d) for d in docs
    )
    for path in ("/", "/documents", f"/documents/{hostile[0]['id']}"):
        answer = urllib.request.urlopen(f"{base}{path}", timeout=10)
        page = answer.read().decode("utf-8")
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;Actieplan werk" in page
        assert "<script>" not in page and "onerror=alert" not in page
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    for path in ("/api/sources", "/api/watchlists", "/api/documents"):
        assert _post(f"{base}{path}", {"Content-Type": "application/json"}) == 401
        assert _post(f"{base}{path}", {"Authorization": "Bearer wrong"}) == 401
    # with the right token (the MINER_API_TOKEN setting) the request gets past the guard: no such write
    assert _post(f"{base}/api/documents", {"Authorization": "Bearer s3cret"}) == 405
