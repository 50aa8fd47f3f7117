"""Who wrote to the bot is recorded behind the updates, in batches, on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.known_users import KnownUsersWriter
from storage.models import KnownUser
from tests.db_fixtures import Database


def _count_writes(engine: AsyncEngine) -> list[str]:
    writes: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def note(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO KNOWN_USERS"):
            writes.append(statement)

    return writes


async def _rows(db: Database) -> dict[int, str | None]:
    async with db.session_factory() as session:
        return {u.user_id: u.username for u in await session.scalars(select(KnownUser))}


async def test_many_users_at_once_are_written_in_one_statement(db: Database) -> None:
    writes = _count_writes(db.engine)
    writer = KnownUsersWriter(db.session_factory, interval=60)
    for user_id in range(1, 301):
        writer.saw(user_id, f"user{user_id}", "Name")
    writer.saw(7, "renamed", "Name")  # the latest sighting of a user wins

    assert await _rows(db) == {}  # nothing written yet: the updates did not wait
    await writer.flush()

    rows = await _rows(db)
    assert len(rows) == 300
    assert rows[7] == "renamed"
    assert len(writes) == 1
    await writer.close()


async def test_an_unchanged_user_is_not_written_again(db: Database) -> None:
    writes = _count_writes(db.engine)
    writer = KnownUsersWriter(db.session_factory, interval=60)
    writer.saw(1, "ann", "Ann")
    await writer.flush()
    writer.saw(1, "ann", "Ann")
    await writer.flush()
    writer.saw(1, "ann_new", "Ann")
    await writer.close()

    assert await _rows(db) == {1: "ann_new"}
    assert len(writes) == 2


async def test_forgetting_drops_a_pending_sighting(db: Database) -> None:
    writer = KnownUsersWriter(db.session_factory, interval=60)
    writer.saw(1, "ann", "Ann")
    await writer.flush()
    writer.saw(1, "ann2", "Ann")  # pending when the user asks to be forgotten
    writer.saw(2, "bob", "Bob")

    async with db.session_factory() as session, session.begin():
        await writer.forget(session, 1)
    await writer.close()

    assert await _rows(db) == {2: "bob"}


async def test_a_failed_write_is_retried(db: Database) -> None:
    writer = KnownUsersWriter(db.session_factory, interval=60)
    writer.saw(1, "ann", "Ann")
    async with db.engine.begin() as conn:
        await conn.run_sync(KnownUser.__table__.drop)
    await writer.flush()  # logged, kept
    assert writer.pending == 1

    async with db.engine.begin() as conn:
        await conn.run_sync(KnownUser.__table__.create)
    await writer.close()

    assert writer.pending == 0
    assert await _rows(db) == {1: "ann"}


async def test_sightings_are_written_on_their_own_after_the_interval(db: Database) -> None:
    writer = KnownUsersWriter(db.session_factory, interval=0.05)
    writer.saw(1, "ann", "Ann")
    for _ in range(100):
        if await _rows(db):
            break
        await asyncio.sleep(0.02)
    assert await _rows(db) == {1: "ann"}
    await writer.close()
