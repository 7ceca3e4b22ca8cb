"""The Celery instance. Settings live in :mod:`workers.celeryconfig`, tasks in :mod:`workers.tasks`.

Start a worker with ``celery -A workers.app worker -Q fetch,analyse`` and the scheduler with
``celery -A workers.app beat`` (docs/operations.md).
"""

from __future__ import annotations

from celery import Celery

app = Celery("policy-miner", include=["workers.tasks"])
app.config_from_object("workers.celeryconfig")
