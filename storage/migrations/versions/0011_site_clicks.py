"""link clicks: one row per click on a tracked link (publication, item, time); indexes for
the public site's listings (newest published first, a report's items, a digest's entries)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SITE_INDEXES = (
    ("ix_entries_published", "entries", ["status", "published_at", "id"]),
    ("ix_entries_digest_listing", "entries", ["digest_id", "status", "position"]),
    ("ix_report_items_published", "report_items", ["status", "published_at", "id"]),
    ("ix_report_items_report_listing", "report_items", ["report_id", "status", "position"]),
    ("ix_daily_reports_published", "daily_reports", ["status", "published_at", "id"]),
    ("ix_digests_published", "digests", ["status", "published_at", "id"]),
)


def upgrade() -> None:
    for name, table, columns in SITE_INDEXES:
        op.create_index(name, table, columns)
    op.create_table(
        "link_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_kind", sa.String(length=1), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=1), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("clicked_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_clicks")),
    )
    op.create_index(
        "ix_link_clicks_publication",
        "link_clicks",
        ["publication_kind", "publication_id", "item_id"],
    )


def downgrade() -> None:
    for name, table, _ in SITE_INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_link_clicks_publication", table_name="link_clicks")
    op.drop_table("link_clicks")
