"""Queueing one message for many subscribers (an editor's broadcast) in one statement, on both
databases: the same rows `enqueue` writes, each subscriber once, nothing twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import outbox
from storage.models import Delivery, Subscriber, SubscriberStatus
from tests.db_fixtures import Database
from tests.delivery.factory import subscriber

NOW = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)
ACTIVE = Subscriber.status == SubscriberStatus.ACTIVE
BUTTONS = {"inline_keyboard": [[{"text": "Read", "url": "https://example.com/42"}]]}
# Every column a queued row has before the sender touches it.
ROW_COLUMNS = (
    "subscriber_id, chat_id, thread_id, kind, priority, content_type, content_id, reason, "
    "text, reply_markup, disable_preview, status, attempts, last_error, telegram_message_id, "
    "not_before, created_at, updated_at, sent_at, reply_markup IS NULL"
)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_one_statement_queues_every_active_subscriber_once(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        ann = await subscriber(s, 11)
        topic = await subscriber(s, -100200, thread_id=7)
        await subscriber(s, 13, status=SubscriberStatus.PAUSED)
        await subscriber(s, 14, status=SubscriberStatus.BLOCKED)
        bea = await subscriber(s, 15)

    with statements(db.engine) as sent:
        async with db.session_factory() as s, s.begin():
            queued = await outbox.enqueue_for_subscribers(
                s, ACTIVE, text="<b>Issue 42</b>", kind="broadcast", dedup_prefix="broadcast:9"
            )
    assert queued == 3
    assert len([sql for sql in sent if sql.lstrip().upper().startswith("INSERT")]) == 1

    async with db.session_factory() as s:
        rows = (await s.scalars(select(Delivery).order_by(Delivery.id))).all()
    # In subscriber order, which is the order the sender sends equal priorities in.
    assert [(r.subscriber_id, r.chat_id, r.thread_id, r.dedup_key) for r in rows] == [
        (ann.id, 11, 0, f"broadcast:9:{ann.id}"),
        (topic.id, -100200, 7, f"broadcast:9:{topic.id}"),
        (bea.id, 15, 0, f"broadcast:9:{bea.id}"),
    ]
    assert {(r.kind, r.priority, r.status, r.attempts, r.text) for r in rows} == {
        ("broadcast", outbox.PRIORITY["broadcast"], "pending", 0, "<b>Issue 42</b>")
    }


async def test_running_it_again_queues_nothing_new_but_reaches_newcomers(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        await subscriber(s, 11)
        await subscriber(s, 12)
        kwargs: dict[str, Any] = {"text": "hi", "kind": "broadcast", "dedup_prefix": "broadcast:3"}
        assert await outbox.enqueue_for_subscribers(s, ACTIVE, **kwargs) == 2
    async with db.session_factory() as s, s.begin():
        assert await outbox.enqueue_for_subscribers(s, ACTIVE, **kwargs) == 0
        newcomer = await subscriber(s, 13)
    async with db.session_factory() as s, s.begin():
        assert await outbox.enqueue_for_subscribers(s, ACTIVE, **kwargs) == 1
        # Another broadcast has its own keys: everyone gets it.
        other = {**kwargs, "dedup_prefix": "broadcast:4"}
        assert await outbox.enqueue_for_subscribers(s, ACTIVE, **other) == 3
    async with db.session_factory() as s:
        keys = set(await s.scalars(select(Delivery.dedup_key)))
    assert len(keys) == 6 and f"broadcast:3:{newcomer.id}" in keys


async def test_rows_are_stored_exactly_as_single_enqueue_stores_them(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        one = await subscriber(s, 11)
        two = await subscriber(s, 12, status=SubscriberStatus.PAUSED)
    for markup, preview, prefix in ((None, False, "a"), (BUTTONS, True, "b")):
        async with db.session_factory() as s, s.begin():
            await outbox.enqueue_for_subscribers(
                s,
                Subscriber.id == one.id,
                text="Hello & <i>welcome</i>",
                kind="broadcast",
                dedup_prefix=prefix,
                reply_markup=markup,
                disable_preview=preview,
                now=NOW,
            )
            await outbox.enqueue(
                s,
                chat_id=11,
                subscriber_id=one.id,
                text="Hello & <i>welcome</i>",
                kind="broadcast",
                dedup_key=f"{prefix}-single",
                reply_markup=markup,
                disable_preview=preview,
                now=NOW,
            )
        async with db.session_factory() as s:
            # Raw values: JSON null vs SQL NULL, timestamp formats and booleans all compared.
            raw = (
                await s.execute(
                    text(f"SELECT {ROW_COLUMNS} FROM deliveries WHERE dedup_key IN (:a, :b)"),
                    {"a": f"{prefix}:{one.id}", "b": f"{prefix}-single"},
                )
            ).all()
        assert len(raw) == 2 and raw[0] == raw[1], (markup, raw)
    async with db.session_factory() as s:
        assert two.id not in set(await s.scalars(select(Delivery.subscriber_id)))
