"""Tokens of the web API, analysts' reviews of flags, and the web list's default order.

- ``api_tokens``: a token's name, scope and SHA-256 (never the token), and when it was revoked.
- ``flag_reviews``: an analyst confirms or dismisses a flag of a document, with a note, a name and a
  time; appended, the latest per (document, flag) in force.
- ``ix_documents_updated_id``: the web list shows the most recently stored or changed documents
  first, in (updated_at, id) keyset pages.

Revision ID: 0030_web_tokens_reviews
Revises: 0012_watchlists
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_web_tokens_reviews"
down_revision = "0012_watchlists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "flag_reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("document_versions.id"), nullable=True),
        sa.Column("flag_code", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_flag_reviews_document_flag", "flag_reviews", ["document_id", "flag_code", "id"])
    op.create_index("ix_documents_updated_id", "documents", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_documents_updated_id", table_name="documents")
    op.drop_index("ix_flag_reviews_document_flag", table_name="flag_reviews")
    op.drop_table("flag_reviews")
    op.drop_table("api_tokens")
