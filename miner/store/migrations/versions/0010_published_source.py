"""A version records where its publication date was found.

``document_versions.published_source`` names the extractor's source of ``published`` ("html-meta",
"pdf-metadata", "text", "official-journal", ...): reports say which figures rest on a publication
date and which fall back on the fetch date, and an analyst can judge how far to trust each. Rows
stored before this revision keep NULL: their date's source was not recorded.

Revision ID: 0010_published_source
Revises: 0003_keyset
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_published_source"
down_revision = "0003_keyset"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("document_versions", sa.Column("published_source", sa.String(length=30), nullable=True))


def downgrade() -> None:
    # Not a batch (copy and rename) on SQLite: other tables' foreign keys point at this one, and
    # dropping it mid-transaction would break them. SQLite 3.35+ drops a plain column in place.
    op.drop_column("document_versions", "published_source")
