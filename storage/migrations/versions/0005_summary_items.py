"""summary items: the entries and report items each daily summary lists

Summaries built before this revision have no rows: /retract cannot tell who read those.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "summary_items",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["summary_runs.id"],
            name=op.f("fk_summary_items_run_id_summary_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "content_type", "content_id", name=op.f("pk_summary_items")
        ),
    )
    op.create_index(
        "ix_summary_items_content", "summary_items", ["content_type", "content_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_summary_items_content", table_name="summary_items")
    op.drop_table("summary_items")
