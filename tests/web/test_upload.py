"""``POST /api/analyse``: an uploaded file is answered with the JSON ``miner analyse`` gives for it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner
from webclient import client_for
from webstore import NL_PLAN, make_pdf

from miner.cli import _register, app

HTML = (
    "<html lang='nl'><head><meta charset='utf-8'><title>Actieplan werk</title></head><body><main>"
    + "".join(f"<p>{p}</p>" for p in NL_PLAN)
    + "</main></body></html>"
).encode()


def test_an_upload_gets_the_answer_of_miner_analyse(tmp_path: Path) -> None:
    client = client_for(f"sqlite:///{tmp_path / 'store.db'}", api_token="uploader-secret")
    headers = {"Authorization": "Bearer uploader-secret"}
    r = client.post("/api/analyse", files={"file": ("actieplan.html", HTML, "text/html")}, headers=headers)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["score"] > 0 and answer["evidence"] and answer["error"] is None
    path = tmp_path / "actieplan.html"
    path.write_bytes(HTML)
    _register()
    cli = CliRunner().invoke(app, ["analyse", str(path), "--format", "json"])
    expected = json.loads(cli.stdout)
    expected = expected[0] if isinstance(expected, list) else expected
    for key in ("score", "flags", "evidence", "dimensions", "language", "content_hash", "title"):
        assert answer[key] == expected[key], key
    pdf = client.post(
        "/api/analyse", files={"file": ("nota.pdf", make_pdf([["Nieuwkomers en werk."]]))}, headers=headers
    )
    assert pdf.status_code == 200 and pdf.json()["kind"] == "pdf"


def test_a_file_that_is_no_document_is_a_422_with_the_error_answer(tmp_path: Path) -> None:
    client = client_for(f"sqlite:///{tmp_path / 'store.db'}", api_token="uploader-secret")
    headers = {"Authorization": "Bearer uploader-secret"}
    r = client.post("/api/analyse", files={"file": ("plan.docx", b"just text, not a docx")}, headers=headers)
    assert r.status_code == 422 and r.json()["error"] and r.json()["score"] is None
    r = client.post(
        "/api/analyse", files={"file": ("../../etc/passwd.pdf", b"%PDF-1.4 broken")}, headers=headers
    )
    assert r.status_code == 422 and r.json()["id"] == "passwd.pdf"
    assert client.post("/api/analyse", headers=headers).status_code == 422  # no file
