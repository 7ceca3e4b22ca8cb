"""Who may do what: every write needs a write token (401 without, 401 with a wrong one, 403 with a read
token); reading is open unless configured closed; tokens are stored hashed, revocable, shown once."""

from __future__ import annotations

import hashlib
import importlib
import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.routing import Route
from typer.testing import CliRunner
from webclient import client_for
from webstore import WebStore

from miner.cli import _register, app
from miner.store.tokens import API_TOKENS, TokenScope
from miner.web import ROUTERS

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: Write addresses that do not exist (yet): the guard refuses them before any route is looked up.
FUTURE_WRITES = ("/api/sources", "/api/watchlists", "/api/subscriptions", "/api/documents")


def write_routes() -> list[tuple[str, str]]:
    """(method, path) of every write route of every router of the app, path parameters filled in."""
    routes = []
    for name in ROUTERS:
        for route in importlib.import_module(f"miner.web.routers.{name}").router.routes:
            if not isinstance(route, APIRoute | Route) or not route.methods:
                continue
            for method in sorted(set(route.methods) & WRITES):
                if route.path not in ("/login", "/logout"):  # signing in and out are not writes
                    routes.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return routes


def test_the_app_has_write_routes() -> None:
    assert ("POST", "/api/analyse") in write_routes()
    assert ("POST", "/api/documents/1/reviews") in write_routes()
    assert ("POST", "/documents/1/reviews") in write_routes()
    assert {("POST", "/api/watchlists"), ("DELETE", "/api/watchlists/1"), ("POST", "/watchlists")} <= set(
        write_routes()
    )


@pytest.mark.parametrize(("method", "path"), [*write_routes(), *(("POST", p) for p in FUTURE_WRITES)])
def test_every_write_needs_a_valid_write_token(fresh: WebStore, method: str, path: str) -> None:
    client = client_for(fresh.url)
    reader = fresh.repo.create_token("reader", TokenScope.READ)
    body = {"flag": "no_gender_lens", "decision": "confirmed"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer pm_" + "x" * 43}):
        r = client.request(method, path, json=body, headers=headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.headers["www-authenticate"] == "Bearer"
    r = client.request(method, path, json=body, headers={"Authorization": f"Bearer {reader}"})
    assert r.status_code == 403
    # An HTML form's token field is checked the same way.
    r = client.request(method, path, data={"token": "wrong", "flag": "x", "decision": "confirmed"})
    assert r.status_code == 401
    assert fresh.repo.reviews(1) == []


def test_tokens_are_stored_hashed_shown_once_and_revocable(
    fresh: WebStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register()
    monkeypatch.setenv("MINER_DATABASE_URL", fresh.url)
    from miner import reset_caches

    reset_caches()
    runner = CliRunner()
    made = runner.invoke(app, ["tokens", "create", "analyst", "--scope", "write", "--format", "json"])
    assert made.exit_code == 0, made.output
    token = next(line for line in made.stdout.splitlines() if '"token"' in line).split('"')[3]
    assert token.startswith("pm_") and len(token) >= 43 and "not shown again" in made.stderr
    with fresh.repo.engine.connect() as conn:
        stored = conn.execute(select(API_TOKENS)).all()
    assert [r.token_hash for r in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in str([tuple(r) for r in stored])
    listed = runner.invoke(app, ["tokens", "list", "--format", "csv"])
    assert listed.exit_code == 0 and "analyst,write" in listed.stdout and token not in listed.stdout
    taken = runner.invoke(app, ["tokens", "create", "analyst"])
    assert taken.exit_code == 2 and "exists" in taken.output
    assert runner.invoke(app, ["tokens", "create", "bad name!"]).exit_code == 2
    assert runner.invoke(app, ["tokens", "revoke"]).exit_code == 2
    client = client_for(fresh.url)
    flag = client.get(f"/api/documents/{fresh.ids['news']}").json()["flags"][0]["code"]
    review = {"flag": flag, "decision": "confirmed", "note": "checked"}
    path = f"/api/documents/{fresh.ids['news']}/reviews"
    ok = client.post(path, json=review, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201 and ok.json()["reviewer"] == "analyst"
    revoked = runner.invoke(app, ["tokens", "revoke", "analyst"])
    assert revoked.exit_code == 0 and "revoked" in revoked.stderr
    assert client.post(path, json=review, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert runner.invoke(app, ["tokens", "revoke", "nobody"]).exit_code == 2
    reset_caches()


def test_the_api_token_setting_still_works_as_a_write_token(fresh: WebStore) -> None:
    client = client_for(fresh.url, api_token="s3cret-setting")
    flag = client.get(f"/api/documents/{fresh.ids['news']}").json()["flags"][0]["code"]
    path = f"/api/documents/{fresh.ids['news']}/reviews"
    body = {"flag": flag, "decision": "dismissed"}
    assert client.post(path, json=body, headers={"Authorization": "Bearer s3cret-setting"}).status_code == 201
    assert client.post(path, json=body, headers={"Authorization": "Bearer s3cret-settinG"}).status_code == 401
    assert fresh.repo.reviews(fresh.ids["news"])[0].reviewer == "MINER_API_TOKEN"


def test_reading_can_be_closed(fresh: WebStore) -> None:
    client = client_for(fresh.url, web_reading="token")
    assert client.get("/api/documents").status_code == 401
    page = client.get("/documents?government=flemish", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    assert client.get("/healthz").status_code == 200 and client.get("/static/style.css").status_code == 200
    reader = fresh.repo.create_token("reader", TokenScope.READ)
    assert client.get("/api/documents", headers={"Authorization": f"Bearer {reader}"}).status_code == 200
    # A browser signs in once; the cookie lets it read, and never write.
    bad = client.post("/login", data={"token": "nope", "next": "/documents"}, follow_redirects=False)
    assert bad.status_code == 401
    signed = client.post("/login", data={"token": reader, "next": "/documents"}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/documents"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/documents").status_code == 200
    writer = fresh.repo.create_token("writer", TokenScope.WRITE)
    client.cookies.set("miner_token", writer)
    path = f"/api/documents/{fresh.ids['news']}/reviews"
    assert client.post(path, json={"flag": "x", "decision": "confirmed"}).status_code == 401
    # An open redirect is not: the next page is always one of this site's.
    away = client.post("/login", data={"token": reader, "next": "//evil.example/x"}, follow_redirects=False)
    assert away.headers["location"] == "/"


def test_bodies_over_their_cap_are_refused_before_they_are_read(fresh: WebStore) -> None:
    client = client_for(fresh.url, web_max_upload_bytes=1000)
    token = fresh.repo.create_token("uploader")
    headers = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/analyse", files={"file": ("big.txt", b"x" * 5000)}, headers=headers)
    assert r.status_code == 413
    r = client.post(f"/api/documents/{fresh.ids['news']}/reviews", content=b"{" * 300_000, headers=headers)
    assert r.status_code == 413
