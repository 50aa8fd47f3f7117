"""corrections are planned in the background, a chunk of delivered messages at a time

An /edit of an item a report delivered to 100,000 readers used to find and queue all their
messages inside the editor's transaction: seconds of work, the event loop stalled for over a
second. A correction now records what it corrects (`pieces`) and the delivered messages it has
to look through (`scan_from` < id <= `scan_to`); the owner process works through them a chunk
at a time and sets `planned_at` when done. `deliveries (content_type, content_id, id)` makes
finding the messages of a publication an index range instead of a table scan.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.add_column(sa.Column("pieces", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("scan_from", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("scan_to", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True))
    # Corrections made before this revision were planned when they were made.
    corrections = sa.table(
        "corrections", sa.column("planned_at", sa.DateTime(timezone=True)), sa.column("created_at")
    )
    op.execute(corrections.update().values(planned_at=corrections.c.created_at))
    op.create_index(
        "ix_deliveries_content", "deliveries", ["content_type", "content_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_content", table_name="deliveries")
    with op.batch_alter_table("corrections") as batch:
        batch.drop_column("planned_at")
        batch.drop_column("scan_to")
        batch.drop_column("scan_from")
        batch.drop_column("pieces")
