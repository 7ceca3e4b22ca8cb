"""Full-text search over the stored paragraphs (``miner mentions``, watchlists).

- **SQLite**: an FTS5 table ``paragraphs_fts`` over ``paragraphs.text`` (external content: the text
  is not stored twice), tokenised by ``unicode61 remove_diacritics 2`` (case and accents folded),
  kept in step by triggers on ``paragraphs``. Word forms are found by prefix queries on the term's
  stem (:mod:`miner.report.terms`). A later migration that rebuilds ``paragraphs`` with
  ``batch_alter_table`` drops these triggers with the old table and must create them again.
- **PostgreSQL**: a stored generated column ``paragraphs.search_vector``: ``to_tsvector`` with the
  ``dutch`` configuration for Dutch paragraphs, ``french`` for French ones and ``simple`` for the
  rest, of the text with its accents folded by ``translate`` (immutable, so no extension is
  needed), and a GIN index on it. Stored rather than an expression index: a phrase query rechecks
  the rows the index proposes, and recomputing the vector of each (stemming every word) cost
  about 0.4 ms a row.
- ``ix_documents_current_version``: a paragraph found is joined to the document whose current
  version holds it.

Revision ID: 0011_paragraph_search
Revises: 0010_published_source
"""

from __future__ import annotations

from alembic import op

revision = "0011_paragraph_search"
down_revision = "0010_published_source"
branch_labels = None
depends_on = None

#: Accented letters of Latin-1 and Latin Extended-A, and the letters they fold to (as of this revision).
_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭ"
    "ĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ"
)
_TO = (
    "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIi"
    "IiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
)
_PG_VECTOR = (
    "to_tsvector(CASE language WHEN 'nl' THEN 'dutch'::regconfig WHEN 'fr' THEN 'french'::regconfig "
    f"ELSE 'simple'::regconfig END, translate(text, '{_FROM}', '{_TO}'))"
)
_SQLITE = (
    "CREATE VIRTUAL TABLE paragraphs_fts USING fts5(text, content='paragraphs', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER paragraphs_fts_insert AFTER INSERT ON paragraphs BEGIN "
    "INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER paragraphs_fts_delete AFTER DELETE ON paragraphs BEGIN "
    "INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER paragraphs_fts_update AFTER UPDATE OF text ON paragraphs BEGIN "
    "INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')",
)


def upgrade() -> None:
    op.create_index("ix_documents_current_version", "documents", ["current_version_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        assert len(_FROM) == len(_TO)
        op.execute(
            f"ALTER TABLE paragraphs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_PG_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_paragraphs_search ON paragraphs USING gin (search_vector)")
    else:
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_paragraphs_search")
        op.execute("ALTER TABLE paragraphs DROP COLUMN search_vector")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER paragraphs_fts_{trigger}")
        op.execute("DROP TABLE paragraphs_fts")
    op.drop_index("ix_documents_current_version", table_name="documents")
