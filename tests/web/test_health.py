"""``/healthz`` and every route while the store is down: 503 with Retry-After, never a 200 or a 500;
back to 200 when it returns. The outage is real: the app talks to PostgreSQL through a TCP proxy
that the test cuts."""

from __future__ import annotations

import socket

from proxy import Proxy
from services import REDIS_URL, postgres_schema, redis_db
from webclient import client_for
from webstore import fill


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_store_outage_is_a_503_with_retry_after_and_passes() -> None:
    with postgres_schema() as url, Proxy(("127.0.0.1", 5432)) as proxy:
        fill(url, hostile=False)
        client = client_for(url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"))
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["store"]["status"] == "ok"
        assert client.get("/api/documents").status_code == 200
        proxy.cut()
        for _ in range(2):  # the pooled connections die first, then new ones are refused
            down = client.get("/healthz")
            assert down.status_code == 503 and down.headers["retry-after"] == "30"
            assert down.json()["status"] == "unavailable" and down.json()["store"]["status"] == "unavailable"
            api = client.get("/api/documents")
            assert api.status_code == 503 and api.headers["retry-after"] == "30"
            page = client.get("/documents/1")
            assert page.status_code == 503 and "Temporarily unavailable" in page.text
            assert client.get("/api/export/documents.csv").status_code == 503
        proxy.restore()
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/documents").json()["total"] == 4


def test_a_store_that_never_answered_is_a_503_too() -> None:
    client = client_for(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/test")
    assert client.get("/healthz").status_code == 503
    r = client.get("/api/documents")
    assert r.status_code == 503 and r.headers["retry-after"] and "password" not in r.text


def test_the_broker_is_reported(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    closed = client_for(url, broker_url=f"redis://127.0.0.1:{_closed_port()}/0").get("/healthz")
    assert closed.status_code == 200 and closed.json()["status"] == "degraded"
    assert closed.json()["broker"]["status"] == "unavailable"
    with redis_db():
        up = client_for(url, broker_url=REDIS_URL).get("/healthz").json()
    assert up["status"] == "ok" and up["broker"]["status"] == "ok"
    assert client_for(url).get("/healthz").json()["broker"]["status"] == "not-configured"
