"""The five default regions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy: later changes to storage.models.DEFAULT_REGIONS must not rewrite history.
REGIONS: tuple[tuple[str, str, str, list[str]], ...] = (
    ("us-china", "US-China", "中美", ["us", "usa", "united states", "america", "美国", "us china"]),
    ("europe", "Europe", "欧洲", ["eu", "european union", "欧盟"]),
    ("japan", "Japan", "日本", ["jp"]),
    ("africa", "Africa", "非洲", []),
    ("russia", "Russia", "俄罗斯", ["ru", "俄国"]),
)


def upgrade() -> None:
    regions = sa.table(
        "regions",
        sa.column("slug", sa.String),
        sa.column("name_en", sa.String),
        sa.column("name_zh", sa.String),
        sa.column("aliases", sa.JSON),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        regions,
        [
            {"slug": s, "name_en": en, "name_zh": zh, "aliases": aliases, "position": i}
            for i, (s, en, zh, aliases) in enumerate(REGIONS)
        ],
    )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM regions WHERE slug IN ('us-china','europe','japan','africa','russia')")
    )
