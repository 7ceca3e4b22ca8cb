"""Alerts: subscriptions and the outbox of their alerts.

- ``subscriptions``: a condition (new, changed, a flag, a watchlist's terms, a report) with filters
  and a channel (webhook, e-mail, feed), optionally collected into digests;
- ``alert_outbox``: one row per (version, subscription, channel), written in the transaction that
  stores the analysis, delivered with a lease and marked delivered in a transaction.

Revision ID: 0021_alerts
Revises: 0030_web_tokens_reviews
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_alerts"
down_revision = "0020_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("argument", sa.String(100), nullable=False),
        sa.Column("government", sa.String(20), nullable=True),
        sa.Column("domain", sa.String(50), nullable=True),
        sa.Column("min_score_change", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(10), nullable=False),
        sa.Column("allow_private", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint(
            "version_id", "subscription_id", "channel", name="uq_outbox_version_subscription"
        ),
    )
    op.create_index("ix_outbox_state_due", "alert_outbox", ["state", "due_at"])
    op.create_index("ix_outbox_subscription_id", "alert_outbox", ["subscription_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_subscription_id", table_name="alert_outbox")
    op.drop_index("ix_outbox_state_due", table_name="alert_outbox")
    op.drop_table("alert_outbox")
    op.drop_table("subscriptions")
