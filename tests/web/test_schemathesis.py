"""The OpenAPI description against the real app and a real store holding hostile data: schemathesis
generates requests for every operation (valid and invalid) and checks every answer: no server error,
the status codes, content types, headers and bodies the description promises.

Every check runs but "schema-valid data is accepted": some valid-looking requests are refused by rules
a JSON schema cannot state (an opaque cursor this server did not issue, ``score_min`` above
``score_max``, a review of a flag the document does not raise), with a 422 that says why. The
operations are driven one by one through schemathesis's Hypothesis strategies (its pytest
plugin's lazy fixture loading does not run on the pytest this project uses).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from webstore import fill

from miner.config import Settings
from miner.web import create_app

TOKEN = "schemathesis-write-token"


@pytest.fixture(scope="module")
def web_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    store: Path = tmp_path_factory.mktemp("schemathesis") / "store.db"
    fill(f"sqlite:///{store}")
    app = create_app(
        Settings(database_url=f"sqlite:///{store}", api_token=TOKEN, web_max_upload_bytes=64_000)
    )
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(schema: schemathesis.BaseSchema) -> list[object]:
    return [result.ok() for result in schema.get_all_operations()]


def test_the_description_covers_every_api_route(web_schema: schemathesis.BaseSchema) -> None:
    found = {(op.method.upper(), op.path) for op in _operations(web_schema)}  # type: ignore[attr-defined]
    assert {
        ("GET", "/api/documents"),
        ("GET", "/api/documents/{document_id}"),
        ("GET", "/api/export/documents.csv"),
        ("GET", "/api/export/documents.json"),
        ("GET", "/api/export/documents.jsonl"),
        ("GET", "/api/watchlists"),
        ("GET", "/api/watchlists/{name}"),
        ("POST", "/api/watchlists"),
        ("DELETE", "/api/watchlists/{name}"),
        ("GET", "/api/sources"),
        ("GET", "/api/mentions"),
        ("GET", "/api/trends"),
        ("POST", "/api/analyse"),
        ("POST", "/api/documents/{document_id}/reviews"),
        ("GET", "/api/documents/{document_id}/reviews"),
        ("GET", "/healthz"),
    } <= found


@pytest.mark.parametrize("token", [None, TOKEN], ids=["anonymous", "write-token"])
def test_every_operation_keeps_its_description(
    web_schema: schemathesis.BaseSchema, token: str | None
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    for operation in _operations(web_schema):

        @given(case=operation.as_strategy())  # type: ignore[attr-defined]
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
