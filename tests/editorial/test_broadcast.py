"""/broadcast: held for confirmation, then one outbox row per active subscriber."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.editorial import broadcast
from bot.editorial.broadcast import BroadcastOutcome, BroadcastTooLong
from storage.models import AuditLog, Delivery, PendingAction
from tests.db_fixtures import Database
from tests.editorial import factories as f

EDITOR = 1000


async def test_confirmed_broadcast_queues_once_for_active_subscribers(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        a = await f.subscriber(s, 11)
        b = await f.subscriber(s, -100200, thread_id=7, chat_type="supergroup")
        await f.subscriber(s, 13, status="paused")
        await f.subscriber(s, 14, status="blocked")
        draft = await broadcast.prepare(
            s, "<b>Issue 42</b> is out", owner_id=EDITOR, chat_id=EDITOR, now=f.NOW
        )
    assert draft.recipients == 2
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(Delivery.id))) == 0  # nothing before confirming
    async with db.session_factory() as s, s.begin():
        result = await broadcast.confirm(s, draft.action_id, actor_id=EDITOR, now=f.NOW)
    assert (result.outcome, result.queued) == (BroadcastOutcome.QUEUED, 2)
    async with db.session_factory() as s, s.begin():
        again = await broadcast.confirm(s, draft.action_id, actor_id=EDITOR, now=f.NOW)
        assert again.outcome is BroadcastOutcome.EXPIRED
    async with db.session_factory() as s:
        rows = (await s.scalars(select(Delivery).order_by(Delivery.subscriber_id))).all()
        assert [(r.subscriber_id, r.chat_id, r.thread_id) for r in rows] == [
            (a.id, 11, 0),
            (b.id, -100200, 7),
        ]
        assert {(r.kind, r.status, r.text) for r in rows} == {
            ("broadcast", "pending", "<b>Issue 42</b> is out")
        }
        assert rows[0].dedup_key == f"broadcast:{result.broadcast_id}:{a.id}"
        logged = (await s.scalars(select(AuditLog))).one()
        assert (logged.action, logged.actor_id) == ("broadcast", EDITOR)
        assert logged.details is not None and logged.details["recipients"] == 2


async def test_cancelled_expired_foreign_or_too_long_broadcasts_send_nothing(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        await f.subscriber(s, 11)
        first = await broadcast.prepare(s, "one", owner_id=EDITOR, chat_id=EDITOR, now=f.NOW)
        second = await broadcast.prepare(s, "two", owner_id=EDITOR, chat_id=EDITOR, now=f.NOW)
        third = await broadcast.prepare(s, "three", owner_id=EDITOR, chat_id=EDITOR, now=f.NOW)
    async with db.session_factory() as s, s.begin():
        assert (await broadcast.cancel(s, first.action_id, actor_id=EDITOR)).outcome is (
            BroadcastOutcome.CANCELLED
        )
        late = f.NOW + dt.timedelta(hours=2)
        assert (
            await broadcast.confirm(s, second.action_id, actor_id=EDITOR, now=late)
        ).outcome is BroadcastOutcome.EXPIRED
        assert (
            await broadcast.confirm(s, third.action_id, actor_id=2000, now=f.NOW)
        ).outcome is BroadcastOutcome.NOT_OWNER
        assert (
            await broadcast.confirm(s, first.action_id, actor_id=EDITOR, now=f.NOW)
        ).outcome is BroadcastOutcome.EXPIRED
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(Delivery.id))) == 0
        assert await s.scalar(select(func.count(PendingAction.id))) == 2
    async with db.session_factory() as s, s.begin():
        with pytest.raises(BroadcastTooLong):
            await broadcast.prepare(s, "x" * 4001, owner_id=EDITOR, chat_id=EDITOR, now=f.NOW)
        assert await s.scalar(select(func.count(PendingAction.id))) == 2
