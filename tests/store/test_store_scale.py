"""More analysed documents than PostgreSQL accepts parameters in one statement (65,535).

The document list used to bind one parameter per analysis id and failed above that number, in
``miner documents`` and the web API alike. Slow (it stores 65,600 documents): ``pytest -m slow``.
"""

from __future__ import annotations

import bulk
import pytest
from services import postgres_schema

from miner.store import open_repository

PG_MAX_PARAMETERS = 65_535
COUNT = PG_MAX_PARAMETERS + 65


@pytest.mark.slow
def test_more_analysed_documents_than_postgresql_takes_parameters_are_listed() -> None:
    with postgres_schema() as url:
        repo = open_repository(url)
        bulk.fill(repo.engine, COUNT)
        listed = repo.documents()
        assert len(listed) == COUNT and all(d.score is not None for d in listed)
        assert sum(1 for d in listed if d.flags) == (COUNT + 1) // 2
        streamed = 0
        for i, d in enumerate(repo.iter_documents()):
            assert d.url == bulk.url_of(i)
            streamed += 1
        assert streamed == COUNT
        assert len(repo.versions_to_rescore("r2", "m1")) == COUNT
