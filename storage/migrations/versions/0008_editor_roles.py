"""editor roles (author | publisher), and ids that are never reused

Editors added before roles existed could publish: they become publishers; new ones default to
author. On SQLite the content tables (and pending actions, whose ids buttons carry) are rebuilt
with AUTOINCREMENT so a deleted row's id is never handed out again; PostgreSQL sequences never
reuse ids already.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Parents before children, so each copy finds the rows it refers to.
NEVER_REUSED = ("digests", "entries", "daily_reports", "report_items", "pending_actions")


def upgrade() -> None:
    op.add_column(
        "editors",
        sa.Column("role", sa.String(length=16), server_default="author", nullable=False),
    )
    editors = sa.table("editors", sa.column("role", sa.String))
    op.execute(editors.update().values(role="publisher"))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_with_autoincrement(True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_with_autoincrement(False)
    with op.batch_alter_table("editors") as batch:
        batch.drop_column("role")


def _rebuild_with_autoincrement(on: bool) -> None:
    """SQLite can only add AUTOINCREMENT by copying a table into a new one. Dropping the old
    table with foreign keys on would cascade to its children (an entry's regions), so they are
    switched off, which SQLite allows only outside a transaction."""
    _end_transaction()
    op.execute("PRAGMA foreign_keys=OFF")
    for table in NEVER_REUSED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": on}
        ):
            pass
    _end_transaction()
    op.execute("PRAGMA foreign_keys=ON")


def _end_transaction() -> None:
    # A DB-API commit with no transaction open does nothing.
    raw = op.get_bind().connection.dbapi_connection
    assert raw is not None
    raw.commit()
