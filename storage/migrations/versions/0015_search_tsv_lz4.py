"""search index: lz4 for the tsvector column (PostgreSQL 14 and later)

Searching reads the tsvectors of its candidates (to check phrases, title matches and names);
most are over the 2 KB at which PostgreSQL compresses them, and lz4 decompresses them markedly
faster than the default pglz. Takes effect for documents written from now on:
`digestbot search --rebuild` rewrites all of them (and, with this release, adds the tokens of
the lexicon's phrases and folds traditional characters, which the index needs anyway).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE search_docs ALTER COLUMN tsv SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE search_docs ALTER COLUMN tsv SET COMPRESSION pglz")


def _lz4_available() -> bool:
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    if bind.dialect.name != "postgresql" or version < (14,):
        return False
    # A server built without lz4 refuses the setting: check before asking for it.
    options = bind.exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    return "lz4" in (options or [])
