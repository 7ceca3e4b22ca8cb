"""Documents are listed page by page, and an analysis failure names its version in a column.

- ``ix_documents_url_id``, ``ix_documents_source_url_id``: the document list (all of it, or one
  source's) is read in (url, id) keyset pages; the indexes make every page cost the same, however far
  into the list. The second one replaces the index on ``source_id`` alone, which is its prefix.
- ``dead_letters.version_id``: whether a version's analysis failed for good is asked by column, not
  by rebuilding the dead letter's key. Existing analysis dead letters get it from their key
  (``process_document:<version id>``), which is the last time that key is read.

Revision ID: 0003_keyset
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_keyset"
down_revision = "0002"
branch_labels = None
depends_on = None

_ANALYSIS_KEY = "process_document:"


def upgrade() -> None:
    op.create_index("ix_documents_url_id", "documents", ["url", "id"], unique=False)
    op.create_index("ix_documents_source_url_id", "documents", ["source_id", "url", "id"], unique=False)
    op.drop_index("ix_documents_source_id", table_name="documents")
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
        batch.create_index("ix_dead_letters_version_id", ["version_id"], unique=False)
    dead = sa.table("dead_letters", sa.column("id", sa.Integer()), sa.column("key", sa.String()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(dead.c.id, dead.c.key).where(dead.c.key.like(f"{_ANALYSIS_KEY}%"))).all()
    updates = [
        {"row_id": row_id, "version_id": int(key[len(_ANALYSIS_KEY) :])}
        for row_id, key in rows
        if key[len(_ANALYSIS_KEY) :].isdigit()
    ]
    if updates:
        conn.execute(sa.text("UPDATE dead_letters SET version_id = :version_id WHERE id = :row_id"), updates)


def downgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_index("ix_dead_letters_version_id")
        batch.drop_column("version_id")
    op.create_index("ix_documents_source_id", "documents", ["source_id"], unique=False)
    op.drop_index("ix_documents_source_url_id", table_name="documents")
    op.drop_index("ix_documents_url_id", table_name="documents")
