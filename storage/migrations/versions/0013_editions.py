"""deliveries: what an edition message shows (its items, why each came, which part it is)

One outbox row now carries one message per (subscriber, publication): a daily report's
matching items, a digest's matching entries, a single article. `edition` records them so a
retraction can tell who received an item and a correction can find the messages to edit.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("edition", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("deliveries", "edition")
