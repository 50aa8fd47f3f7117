"""corrections: edits and retractions that reach delivered messages; one record of what a
message shows

`deliveries.items` (channel posts) is dropped: channel posts now record what they show in
`deliveries.edition`, like subscriber editions. `corrections` is one /edit or /retract whose
re-rendered messages go out as outbox rows (kind "correct"); the editor is told the counts.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("items")
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("what", sa.String(40), nullable=False),
        sa.Column("editor_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("pruned", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "pruned_deliveries",
        sa.Column("content_type", sa.String(16), primary_key=True),
        sa.Column("content_id", sa.Integer(), primary_key=True),
        sa.Column("messages", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pruned_deliveries")
    op.drop_table("corrections")
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("items", sa.JSON(), nullable=True))
