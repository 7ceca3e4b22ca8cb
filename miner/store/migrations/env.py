"""Alembic environment: migrations run on the connection the store hands over (see miner.store.db).

Run programmatically by :func:`miner.store.db.upgrade` (``miner migrate``, and lazily by every
process on first use), so there is no alembic.ini and no second place that reads the database URL.
"""

from __future__ import annotations

from alembic import context

from miner.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
