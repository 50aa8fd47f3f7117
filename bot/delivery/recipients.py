"""Expanding planned recipients into outbox rows, a chunk at a time, ahead of the sender.

At publication the fan-out records one narrow `FanoutRecipient` row per subscriber that some
follow brings an entry or item to (`bot.matching.plan_alerts`): 100,000 rows for a 33-item
report that means 700,000 messages. Writing the 700,000 outbox rows at once would take many
seconds and hold SQLite's write lock all along, while the sender needs only the next few
seconds of them (the outbox drains at 30 to 1,000 messages a second). So `queue_next` expands
a chunk of recipients into `Delivery` rows, one per (subscriber, entry or item) that still
matches, and deletes them, in one transaction; `RecipientFeeder` keeps about `AHEAD_SECONDS`
of sends queued.

Expansion reads the subscriber and its follows as they are then: someone who unfollowed,
muted a keyword (checked against the text then), paused, blocked the bot or switched to daily summaries since the publication
gets nothing more of it, and retracted content is dropped. The outbox's unique `dedup_key` per
(content, subscriber) keeps a recipient planned twice (a fan-out cut short and redone) from
being queued twice. Within a chunk rows go content by content, so consecutive rows are for
different chats and the sender never waits on one chat's per-second limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.delivery.outbox import PRIORITY, insert_for
from bot.matching import (
    Features,
    Follow,
    KeywordMatcher,
    encode_ref,
    searchable_text,
    why_matched,
)
from storage.models import (
    ContentStatus,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    Entry,
    FanoutBatch,
    FanoutRecipient,
    ReportItem,
    Subscriber,
    SubscriberStatus,
    Subscription,
)

log = logging.getLogger(__name__)

CHUNK = 500  # recipients expanded per transaction (a few thousand rows)
AHEAD_SECONDS = 10.0  # keep this many seconds of sends queued
MIN_AHEAD = 2_000  # ... and never fewer rows than this
_CONTENT: dict[str, type[Entry] | type[ReportItem]] = {"entry": Entry, "item": ReportItem}


async def queue_next(session: AsyncSession, now: dt.datetime, *, chunk: int = CHUNK) -> int | None:
    """Expand the next `chunk` recipients into outbox rows; returns the rows queued, or None
    when no recipient was waiting. On PostgreSQL recipients another process is expanding are
    skipped."""
    query = select(FanoutRecipient).order_by(FanoutRecipient.id).limit(chunk)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    recipients = list(await session.scalars(query))
    if not recipients:
        return None
    batches = {
        b.id: b
        for b in await session.scalars(
            select(FanoutBatch).where(FanoutBatch.id.in_({r.batch_id for r in recipients}))
        )
    }
    subscriber_ids = {r.subscriber_id for r in recipients}
    subscribers = {
        row.id: row
        for row in await session.execute(
            select(Subscriber.id, Subscriber.chat_id, Subscriber.thread_id).where(
                Subscriber.id.in_(subscriber_ids),
                Subscriber.status == SubscriberStatus.ACTIVE,
                Subscriber.mode == DeliveryMode.INSTANT,
            )
        )
    }
    follows: dict[int, list[Follow]] = defaultdict(list)
    for row in await session.execute(
        select(
            Subscription.id,
            Subscription.kind,
            Subscription.region_id,
            Subscription.commentator_id,
            Subscription.keyword,
            Subscription.subscriber_id,
        ).where(Subscription.subscriber_id.in_(subscribers))
    ):
        follows[row.subscriber_id].append(Follow(*row[:5]))
    mutes = {f.keyword for fs in follows.values() for f in fs if f.kind == "mute" and f.keyword}
    rows: list[dict[str, Any]] = []
    for batch_id, batch in sorted(batches.items()):
        content = await _still_published(session, batch)
        unchecked = mutes - set(batch.features["checked"])
        if unchecked:  # mutes made since the publication
            content = await _with_mutes(session, batch.content_type, content, unchecked)
        wanted = [r.subscriber_id for r in recipients if r.batch_id == batch_id]
        for cid, features in content:
            for sid in wanted:
                subscriber = subscribers.get(sid)
                refs = why_matched(follows[sid], features) if subscriber else []
                if refs:
                    rows.append(_row(batch, cid, subscriber, refs, now))
    queued = 0
    if rows:
        result = await session.execute(
            insert_for(session)(Delivery)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(Delivery.id),
            rows,
        )
        queued = len(result.all())
    await session.execute(
        delete(FanoutRecipient)
        .where(FanoutRecipient.id.in_([r.id for r in recipients]))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(FanoutBatch)
        .where(
            FanoutBatch.id.in_(batches),
            ~exists().where(FanoutRecipient.batch_id == FanoutBatch.id),
        )
        .execution_options(synchronize_session=False)
    )
    return queued


async def _still_published(session: AsyncSession, batch: FanoutBatch) -> list[tuple[int, Features]]:
    """The batch's content in sending order, without what was retracted since."""
    model = _CONTENT[batch.content_type]
    ids = [int(f[0]) for f in batch.features["content"]]
    published = set(
        await session.scalars(
            select(model.id).where(model.id.in_(ids), model.status == ContentStatus.PUBLISHED)
        )
    )
    return [
        (int(cid), Features(frozenset(regions), frozenset(commentators), frozenset(keywords)))
        for cid, regions, commentators, keywords in batch.features["content"]
        if cid in published
    ]


async def _with_mutes(
    session: AsyncSession,
    content_type: str,
    content: list[tuple[int, Features]],
    mutes: set[str],
) -> list[tuple[int, Features]]:
    """Add the `mutes` found in each text: keywords nobody followed or muted when the batch
    was planned, so a mute made since applies too."""
    model = _CONTENT[content_type]
    rows = cast(
        "Sequence[Entry | ReportItem]",
        (
            await session.scalars(
                select(model)
                .where(model.id.in_([cid for cid, _ in content]))
                .options(selectinload(model.commentators))
            )
        ).all(),
    )
    texts = {row.id: searchable_text(row) for row in rows}
    matcher = KeywordMatcher(mutes)
    return [
        (
            cid,
            Features(
                f.region_ids, f.commentator_ids, f.keywords | matcher.find(texts.get(cid, ""))
            ),
        )
        for cid, f in content
    ]


def _row(
    batch: FanoutBatch, cid: int, subscriber: Any, refs: list[Any], now: dt.datetime
) -> dict[str, Any]:
    return {
        "subscriber_id": subscriber.id,
        "chat_id": subscriber.chat_id,
        "thread_id": subscriber.thread_id,
        "kind": "alert",
        "priority": batch.priority,
        "content_type": batch.content_type,
        "content_id": cid,
        "dedup_key": f"{batch.content_type}:{cid}:{subscriber.id}",
        "reason": "\n".join(encode_ref(ref) for ref in refs),
        "text": "",
        "disable_preview": False,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


async def queued_ahead(session: AsyncSession, now: dt.datetime, priority: int, enough: int) -> int:
    """Due pending rows at `priority` or ahead of it, counted up to `enough`."""
    due = (
        select(Delivery.id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.priority <= priority,
            or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        )
        .limit(enough)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(due)) or 0)


class RecipientFeeder:
    """Keeps about `AHEAD_SECONDS` of sends in the outbox while recipients are waiting."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Callable[[], dt.datetime],
        *,
        rate: int,
        on_queued: Callable[[], None] | None = None,
        write_lock: AbstractAsyncContextManager[Any] | None = None,
        interval: float = 0.25,
        ahead: int | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.ahead = ahead or max(MIN_AHEAD, int(rate * AHEAD_SECONDS))
        self.chunk = chunk
        self.on_queued = on_queued
        self.write_lock = write_lock or contextlib.nullcontext()
        self.interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def top_up(self) -> int:
        """Expand chunks until enough is queued or no recipient waits; returns rows queued."""
        total = 0
        while True:
            now = self.clock()
            async with self.session_factory() as session:
                if await queued_ahead(session, now, PRIORITY["alert"], self.ahead) >= self.ahead:
                    return total
            async with self.write_lock, self.session_factory() as session, session.begin():
                queued = await queue_next(session, now, chunk=self.chunk)
            if queued is None:
                return total
            total += queued
            if queued and self.on_queued is not None:
                self.on_queued()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            running = asyncio.ensure_future(self.top_up())
            try:
                await asyncio.shield(running)  # a stop lets a chunk commit, never cuts it
            except asyncio.CancelledError:
                await asyncio.wait({running})
                raise
            except Exception:  # noqa: BLE001 - retried at the next round
                log.exception("expanding fan-out recipients failed; retrying")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
