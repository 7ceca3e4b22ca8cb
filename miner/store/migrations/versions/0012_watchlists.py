"""Watchlists: named sets of terms (with Dutch and French variants) that mentions and alerts follow.

Revision ID: 0012_watchlists
Revises: 0011_paragraph_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_watchlists"
down_revision = "0011_paragraph_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "watchlist_terms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("watchlist_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["watchlist_id"], ["watchlists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("watchlist_id", "term", "language", name="uq_watchlist_terms_list_term_lang"),
    )


def downgrade() -> None:
    op.drop_table("watchlist_terms")
    op.drop_table("watchlists")
