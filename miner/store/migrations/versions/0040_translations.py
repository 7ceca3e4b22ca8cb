"""A document can be the translation of another: the same text of one publisher in another language.

``documents.translation_of`` names the document (the first stored variant) whose translation this one
is, so that reports count the text once; ``documents.language`` is the language the publisher's
address or alternate link gives the variant ("nl", "fr", ...), NULL when it gave none. Both are
NULL for the rows stored before this revision (each stays its own document until its next crawl).

Revision ID: 0040_translations
Revises: 0030_web_tokens_reviews
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040_translations"
down_revision = "0021_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("translation_of", sa.Integer(), nullable=True))
    op.add_column("documents", sa.Column("language", sa.String(length=10), nullable=True))
    op.create_index("ix_documents_translation_of", "documents", ["translation_of"])


def downgrade() -> None:
    # Plain drops, not a batch (copy and rename) on SQLite: other tables' foreign keys point at
    # documents. SQLite 3.35+ drops a plain column in place.
    op.drop_index("ix_documents_translation_of", table_name="documents")
    op.drop_column("documents", "language")
    op.drop_column("documents", "translation_of")
