"""fan-out recipients: content whose instant alerts are being queued, and who gets them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fanout_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fanout_batches")),
    )
    op.create_table(
        "fanout_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fanout_recipients")),
    )
    op.create_index(
        op.f("ix_fanout_recipients_batch_id"), "fanout_recipients", ["batch_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_fanout_recipients_batch_id"), table_name="fanout_recipients")
    op.drop_table("fanout_recipients")
    op.drop_table("fanout_batches")
