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
    _fill_text_hashes()


def _fill_text_hashes() -> None:
    """Versions stored before this revision get their text hash from their stored paragraphs (the
    same function the analysis step uses), so that their next version is judged against them."""
    from miner.records import Paragraph
    from miner.scoring.versions import text_hash

    conn = op.get_bind()
    paragraphs = sa.table(
        "paragraphs", sa.column("version_id"), sa.column("idx"), sa.column("text"), sa.column("page")
    )
    versions = sa.table("document_versions", sa.column("id"), sa.column("text_hash"))
    query = sa.select(paragraphs.c.version_id, paragraphs.c.idx, paragraphs.c.text).order_by(
        paragraphs.c.version_id, paragraphs.c.idx
    )
    rows = conn.execute(query.execution_options(stream_results=True, yield_per=5000))  # a server-side cursor
    current: int | None = None
    texts: list[Paragraph] = []
    hashes: list[dict[str, object]] = []
    for version_id, idx, text in rows:
        if version_id != current and current is not None:
            hashes.append({"vid": current, "hash": text_hash(texts)})
            texts = []
        current = version_id
        texts.append(Paragraph(index=idx, text=text))
    if current is not None:
        hashes.append({"vid": current, "hash": text_hash(texts)})
    if hashes:
        conn.execute(
            versions.update()
            .where(versions.c.id == sa.bindparam("vid"))
            .values(text_hash=sa.bindparam("hash")),
            hashes,
        )


def downgrade() -> None:
    # In place, not a batch (copy and rename) on SQLite: other tables' foreign keys point at both
    # tables. SQLite 3.35+ drops a plain column in place.
    op.drop_column("urls", "retry_after")
    op.drop_column("urls", "failures")
    op.drop_column("document_versions", "text_hash")
