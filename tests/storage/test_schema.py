"""The schema that migrations build is the one the models describe, on both databases."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from storage.models import Base, Entry, Region, Subscriber, Subscription
from tests.db_fixtures import Database


async def test_migrations_match_the_models(db: Database) -> None:
    def diff(sync_conn: object) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": False})
        return [d for d in compare_metadata(context, Base.metadata) if not _ignorable(d)]

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


def _ignorable(diff: object) -> bool:
    # Tables owned by raw-SQL migrations (full-text indexes) are not in the models.
    if isinstance(diff, tuple) and diff and diff[0] == "remove_table":
        return diff[1].name not in Base.metadata.tables
    if isinstance(diff, tuple) and diff and diff[0] in {"remove_index", "remove_column"}:
        table = getattr(diff[1], "table", None)
        return table is not None and table.name not in Base.metadata.tables
    return False


async def test_the_five_default_regions_exist_after_migration(db: Database) -> None:
    async with db.session_factory() as session:
        slugs = (await session.scalars(select(Region.slug).order_by(Region.position))).all()
    assert slugs == ["us-china", "europe", "japan", "africa", "russia"]


async def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    published = dt.datetime(2025, 11, 4, 9, 30, tzinfo=shanghai)
    async with db.session_factory() as session, session.begin():
        session.add(
            Entry(title="t", summary="s", text="x", status="published", published_at=published)
        )
    async with db.session_factory() as session:
        entry = (await session.scalars(select(Entry))).one()
    assert entry.published_at == published
    assert entry.published_at.tzinfo is not None
    assert entry.published_at.utcoffset() == dt.timedelta(0)


async def test_deleting_a_subscriber_deletes_its_subscriptions(db: Database) -> None:
    async with db.session_factory() as session, session.begin():
        japan = (await session.scalars(select(Region).where(Region.slug == "japan"))).one()
        sub = Subscriber(chat_id=42)
        session.add(sub)
        await session.flush()
        session.add(
            Subscription(subscriber_id=sub.id, kind="region", region_id=japan.id, target="japan")
        )
    async with db.session_factory() as session, session.begin():
        await session.delete((await session.scalars(select(Subscriber))).one())
    async with db.session_factory() as session:
        assert (await session.scalars(select(Subscription))).all() == []
