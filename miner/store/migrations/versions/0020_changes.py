"""What changed between versions, and URLs that failed for good.

- ``document_versions.text_hash``: the SHA-256 of a version's normalised paragraph text
  (:func:`miner.scoring.versions.text_hash`). Two versions with the same text hash differ in layout or
  date lines only, which is not a change a watchdog is told about.
- ``urls.failures`` and ``urls.retry_after``: a URL that failed permanently (404, 410, an unreadable
  document) is not requested again before ``retry_after``; the wait doubles with each failure.

Revision ID: 0020_changes
Revises: 0030_web_tokens_reviews
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_changes"
down_revision = "0030_web_tokens_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("document_versions", sa.Column("text_hash", sa.String(64), nullable=True))
    op.add_column("urls", sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("urls", sa.Column("retry_after", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # In place, not a batch (copy and rename) on SQLite: other tables' foreign keys point at both
    # tables. SQLite 3.35+ drops a plain column in place.
    op.drop_column("urls", "retry_after")
    op.drop_column("urls", "failures")
    op.drop_column("document_versions", "text_hash")
