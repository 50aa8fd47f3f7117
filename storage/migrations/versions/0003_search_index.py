"""search index: one document per published entry, report item and digest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

The text is tokenized in Python (bot.search.tokenize) and stored space-separated, so both
databases only split on spaces: SQLite keeps it in an FTS5 table with the `ascii` tokenizer
(non-ASCII bytes are token characters, so CJK bigrams pass through untouched), PostgreSQL in a
tsvector column built from a literal (no text-search parser, no locale dependence) under a GIN
index. Not in storage.models: these tables belong to the search module alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_docs",
        # (date ordinal << 32) | (content id << 2) | type: ids sort by date (bot.search.document).
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),  # the rowid on SQLite
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("content_type", sa.String(length=8), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        # What a result shows (title, summary, commentators, regions, date, url), so a page of
        # results needs no other table.
        sa.Column("card", sa.JSON(), nullable=False),
        sa.UniqueConstraint("content_type", "content_id", name="uq_search_docs_content"),
    )
    # Every token in the index and how many documents hold it: expands a word typed into the
    # words it begins (without FTS5's costly prefix merge) and weighs rare terms above common.
    op.create_table(
        "search_terms",
        sa.Column(
            "term", sa.String(length=200, collation="C" if _postgres() else None), primary_key=True
        ),
        sa.Column("df", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    if _postgres():
        op.execute("ALTER TABLE search_docs ADD COLUMN tsv tsvector NOT NULL")
        op.execute("CREATE INDEX ix_search_docs_tsv ON search_docs USING gin (tsv)")
    else:
        # rowid = search_docs.id. Prefix indexes make one- and two-character prefix queries
        # (a single Chinese character, "eu") a lookup instead of a merge of many doclists.
        # No column sizes: they serve bm25 only, and ranking does not use it (bot.search.service).
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, names, body, facets, tokenize = 'ascii', prefix = '1 2', columnsize = 0)"
        )


def downgrade() -> None:
    if not _postgres():
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_terms")
    op.drop_table("search_docs")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"
