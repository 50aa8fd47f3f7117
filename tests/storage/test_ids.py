"""Ids are never reused after a delete (a discarded d2 is not followed by another d2), and the
migration that makes it so keeps every row and link of an existing database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import column, delete, select, table
from sqlalchemy.orm import selectinload

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import (
    DailyReport,
    Digest,
    Editor,
    EditorRole,
    Entry,
    PendingAction,
    Region,
    ReportItem,
)
from tests.db_fixtures import Database


def _report() -> DailyReport:
    report = DailyReport(date=dt.date(2025, 9, 2), title="Press review")
    report.items.append(ReportItem(headline="Talks in Tokyo"))
    return report


async def test_the_id_of_a_deleted_row_is_never_given_again(db: Database) -> None:
    makers = {
        Digest: lambda: Digest(title="October digest"),
        Entry: lambda: Entry(title="An article", summary="s"),
        DailyReport: _report,
        PendingAction: lambda: PendingAction(kind="broadcast"),
    }
    for model, make in makers.items():
        async with db.session_factory() as session, session.begin():
            first = make()
            session.add(first)
            await session.flush()
            old_ids = (first.id, first.items[0].id) if isinstance(first, DailyReport) else None
            await session.delete(first)  # the newest row goes: SQLite would reuse its rowid
        async with db.session_factory() as session, session.begin():
            second = make()
            session.add(second)
            await session.flush()
            assert second.id > first.id, model.__name__
            if old_ids is not None:
                assert isinstance(second, DailyReport)
                assert second.items[0].id > old_ids[1]


async def test_upgrading_an_existing_database_keeps_rows_links_and_makes_editors_publishers(
    tmp_path: Path,
) -> None:
    # One pooled connection: the one that ran the migration is the one used after it.
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        await upgrade(engine, "0007")
        factory = create_session_factory(engine)
        async with factory() as session, session.begin():
            japan = (await session.scalars(select(Region).where(Region.slug == "japan"))).one()
            digest = Digest(title="Digest")
            session.add(digest)
            await session.flush()
            entry = Entry(title="Kept", summary="s", digest_id=digest.id, regions=[japan])
            session.add_all([entry, Entry(title="Newest", summary="s")])
            await session.flush()
            newest = await session.scalar(select(Entry.id).order_by(Entry.id.desc()))
            await session.execute(delete(Entry).where(Entry.id == newest))
        async with engine.begin() as conn:
            # Written as the old schema had it: no role column yet.
            old_editors = table("editors", column("user_id"), column("created_at"))
            await conn.execute(
                old_editors.insert().values(user_id=55, created_at=dt.datetime.now())
            )

        await upgrade(engine)

        async with factory() as session:
            kept = (
                await session.scalars(
                    select(Entry).where(Entry.title == "Kept").options(selectinload(Entry.regions))
                )
            ).one()
            assert kept.digest_id == digest.id
            assert [r.slug for r in kept.regions] == ["japan"]
            editor = (await session.scalars(select(Editor))).one()
            assert editor.role == EditorRole.PUBLISHER
        async with factory() as session, session.begin():
            again = Entry(title="After upgrade", summary="s")
            session.add(again)
            session.add(Editor(user_id=56))
            await session.flush()
            assert again.id > kept.id
            role = await session.scalar(select(Editor.role).where(Editor.user_id == 56))
            assert role == EditorRole.AUTHOR
        async with engine.connect() as conn:
            checks = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
            assert checks == []
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await engine.dispose()
