"""Queueing corrections: the messages found, chunk by chunk in the background for a large
audience, and a correction taken over by a later one before its messages went."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.corrections.planner import plan_next
from bot.corrections.queue import correct
from bot.delivery import outbox
from storage.models import Correction, Delivery
from tests.db_fixtures import Database
from tests.delivery import factory
from tests.delivery.factory import ItemSpec

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
EDITOR = 900


async def _delivered_report(db: Database, readers: int) -> int:
    """A report of two items sent to `readers` chats, each message showing both; returns the
    first item's id."""
    async with db.session_factory() as s, s.begin():
        report = await factory.report(
            s, [ItemSpec("Tokyo talks", regions=["japan"]), ItemSpec("Osaka", regions=["japan"])]
        )
        items = [item.id for item in report.items]
        for reader in range(readers):
            await outbox.enqueue(
                s,
                chat_id=1000 + reader,
                text="",
                kind="alert",
                dedup_key=f"report:{report.id}:{reader}",
                content_type="report",
                content_id=report.id,
                edition={"items": [{"id": i, "why": []} for i in items]},
                now=NOW,
            )
        await s.execute(update(Delivery).values(status="sent", sent_at=NOW, telegram_message_id=5))
        return items[0]


async def _edit(db: Database, item: int, *, chunk: int | None = None) -> Correction:
    async with db.session_factory() as s, s.begin():
        return await correct(
            s,
            action="edit",
            what=f"i{item}",
            pieces=[("item", item)],
            editor_chat_id=EDITOR,
            language="en",
            now=NOW,
            chunk=chunk,
        )


async def _notices(db: Database) -> list[str]:
    async with db.session_factory() as s:
        return list(
            await s.scalars(
                select(Delivery.text).where(Delivery.chat_id == EDITOR).order_by(Delivery.id)
            )
        )


async def test_a_large_audience_is_queued_a_chunk_at_a_time(db: Database) -> None:
    item = await _delivered_report(db, 7)

    first = await _edit(db, item, chunk=3)

    assert first.queued == 3 and first.planned_at is None  # the editor's share only
    steps = 0
    while True:
        async with db.session_factory() as s, s.begin():
            if not await plan_next(s, NOW, chunk=3):
                break
        steps += 1
    async with db.session_factory() as s:
        correction = await s.get_one(Correction, first.id)
        rows = list(await s.scalars(select(Delivery).where(Delivery.kind == "correct")))
    assert steps == 2 and correction.planned_at is not None
    assert correction.queued == 7 and len({r.content_id for r in rows}) == 7


async def test_a_correction_taken_over_before_its_messages_went_is_reported_as_merged(
    db: Database,
) -> None:
    item = await _delivered_report(db, 2)

    first = await _edit(db, item)
    second = await _edit(db, item)  # the same messages, still waiting: taken over

    async with db.session_factory() as s:
        rows = list(await s.scalars(select(Delivery).where(Delivery.kind == "correct")))
    assert len(rows) == 2 and {r.reason for r in rows} == {f"correction:{second.id}"}
    [notice] = await _notices(db)
    assert f"Correction of i{item} (edit): a later correction" in notice
    async with db.session_factory() as s:
        assert (await s.get_one(Correction, first.id)).reported_at is not None
        assert (await s.get_one(Correction, second.id)).reported_at is None  # its rows wait
