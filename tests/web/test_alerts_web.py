"""Subscriptions through the API (tokens required) and Atom feeds through the real app: the feed
parses with feedparser, and scraped markup -- in titles, text and URLs -- is escaped in the feed
and in the HTML e-mail, never a tag or a link."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from webclient import TestClient, client_for
from webstore import UNSAFE_URLS, XSS_PAYLOADS, WebStore, _fill_hostile, fill

from miner.alerts import deliver, subscriptions
from miner.config import Settings
from miner.store import open_repository
from miner.store.tokens import TokenScope

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "alerts"))
from receivers import Mailbox

PATH = "/api/subscriptions"
#: The only elements a feed has: scraped markup never becomes one.
ATOM_ELEMENTS = {"feed", "id", "title", "updated", "author", "name", "link", "entry", "summary"}


def test_subscriptions_need_a_token_and_writes_a_write_token(fresh: WebStore) -> None:
    client = client_for(fresh.url)
    reader = fresh.repo.create_token("alerts-reader", TokenScope.READ)
    writer = fresh.repo.create_token("alerts-writer", TokenScope.WRITE)
    body = {"name": "plans", "on": "flag:dropped_content", "feed": True, "government": "flemish"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer pm_" + "x" * 43}):
        assert client.get(PATH, headers=headers).status_code == 401
        assert client.post(PATH, json=body, headers=headers).status_code == 401
        assert client.delete(f"{PATH}/plans", headers=headers).status_code == 401
    assert client.post(PATH, json=body, headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    made = client.post(PATH, json=body, headers={"Authorization": f"Bearer {writer}"})
    assert made.status_code == 201, made.text
    assert made.json()["feed"] == "/feeds/plans.atom" and made.json()["on"] == "flag:dropped_content"
    again = client.post(PATH, json=body, headers={"Authorization": f"Bearer {writer}"})
    assert again.status_code == 409
    hook = {"name": "inside", "on": "new", "webhook": "http://127.0.0.1:9/hook", "secret": "s3cret-key"}
    refused = client.post(PATH, json=hook, headers={"Authorization": f"Bearer {writer}"})
    assert refused.status_code == 422 and "webhook refused" in refused.json()["detail"]
    bad = client.post(
        PATH,
        json={**body, "name": "x2", "on": "flag:nonsense"},
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert bad.status_code == 422
    listed = client.get(PATH, headers={"Authorization": f"Bearer {reader}"})
    assert listed.status_code == 200 and [s["name"] for s in listed.json()] == ["plans"]
    assert "secret" not in listed.text
    assert client.delete(f"{PATH}/plans", headers={"Authorization": f"Bearer {writer}"}).status_code == 204
    assert client.delete(f"{PATH}/plans", headers={"Authorization": f"Bearer {writer}"}).status_code == 404
    schema = client.get("/openapi.json").json()
    assert {"get", "post"} <= set(schema["paths"][PATH]) and "delete" in schema["paths"][f"{PATH}/{{name}}"]
    assert "/feeds/{name}.atom" in schema["paths"]


@pytest.fixture(params=["sqlite", "postgresql"])
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> WebStore:
    """A store whose feed and e-mail subscriptions were made before hostile documents came in."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        ws = fill(url, hostile=False)
    else:
        from services import postgres_schema

        ctx = postgres_schema()
        url = ctx.__enter__()
        request.addfinalizer(lambda: ctx.__exit__(None, None, None))
        ws = fill(url, hostile=False)
    repo = open_repository(url)
    subscriptions.subscribe(repo, subscriptions.make_subscription("everything", "new", feed=True))
    subscriptions.subscribe(
        repo, subscriptions.make_subscription("mail", "new", email="watchdog@example.org", digest="daily")
    )
    _fill_hostile(ws)
    return ws


def test_the_feed_parses_and_escapes_scraped_markup(hostile: WebStore) -> None:
    client: TestClient = client_for(hostile.url, public_url="https://miner.example")
    r = client.get("/feeds/everything.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    titles = [e.title for e in parsed.entries]
    for i, payload in enumerate(XSS_PAYLOADS):  # the text read back is exactly what was scraped
        assert f"New document: {payload} Actieplan {i}" in titles
    xml = r.text
    assert "<script" not in xml and "<img" not in xml and "<svg" not in xml and "<iframe" not in xml
    hrefs = [el.get("href", "") for el in ElementTree.fromstring(r.content).iter() if "href" in el.attrib]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)  # only http(s) links
    assert not set(UNSAFE_URLS) & set(hrefs)
    assert {el.tag.split("}")[1] for el in ElementTree.fromstring(r.content).iter()} <= ATOM_ELEMENTS
    assert client.get("/feeds/nobody.atom").status_code == 404


def test_the_html_email_escapes_scraped_markup(hostile: WebStore) -> None:
    with Mailbox() as mailbox:
        settings = Settings(database_url=hostile.url, smtp_url=mailbox.url)  # type: ignore[call-arg]
        sent = deliver.send_digests(hostile.repo, deliver.Digest.DAILY, settings)
        assert sent["mail"] >= len(XSS_PAYLOADS)
        (mail,) = mailbox.messages
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    for payload in XSS_PAYLOADS:
        assert payload in text  # the plain text carries the words as scraped
        assert payload not in html or ("<" not in payload and '"' not in payload)
    for tag in ("<script", "<img", "<svg", "<iframe", "<body onload", "<details", "<math", "<style",
                "<input", "<object", "<embed", "<base", "<meta http-equiv"):  # fmt: skip
        assert tag not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r'href="(?!https?://)', html)
