"""Pruning delivery records after `DELIVERY_RETENTION_DAYS`.

A delivered message's row is what a correction needs to find and edit it (chat, message id,
what it shows); past the retention period it goes, and with it the possibility to edit or
delete that message. What the pruned messages showed is tallied per piece
(`PrunedDelivery`), so an editor correcting it later is told how many messages could not be
updated. Runs in the process that owns the outbox (`bot.delivery.runtime`), in batches of a
few hundred rows, one short transaction each, once an hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.outbox import insert_for
from storage.models import Delivery, DeliveryStatus, PrunedDelivery, SummaryItem

log = logging.getLogger(__name__)

BATCH = 500
INTERVAL_SECONDS = 3600.0
_DONE = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)
_PIECE_OF = {"report": "item", "digest": "entry", "article": "entry"}


def _shown(row: Any) -> list[tuple[str, int]]:
    """The pieces a delivered message showed, from its row."""
    edition = row.edition or {}
    if row.content_type in ("entry", "item") and row.content_id is not None:
        return [(row.content_type, int(row.content_id))]
    if row.content_type in ("report", "digest"):
        kind = _PIECE_OF[row.content_type]
        return [(kind, int(p["id"])) for p in edition.get("items", [])]
    if row.content_type == "channel" and edition.get("publication"):
        kind = _PIECE_OF.get(edition["publication"][0], "entry")
        return [(kind, int(p["id"])) for p in edition.get("items", [])]
    return []


async def prune(session: AsyncSession, *, before: dt.datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` finished rows last touched before `before`; returns how many."""
    rows = list(
        await session.execute(
            select(
                Delivery.id,
                Delivery.status,
                Delivery.content_type,
                Delivery.content_id,
                Delivery.edition,
                Delivery.telegram_message_id,
            )
            .where(
                Delivery.status.in_(_DONE),
                func.coalesce(Delivery.sent_at, Delivery.updated_at) < before,
            )
            .order_by(Delivery.id)
            .limit(batch)
        )
    )
    if not rows:
        return 0
    delivered = [
        r for r in rows if r.status == DeliveryStatus.SENT and r.telegram_message_id is not None
    ]
    tally: Counter[tuple[str, int]] = Counter()
    for row in delivered:
        tally.update(_shown(row))
    runs = {r.content_id for r in delivered if r.content_type == "summary"}
    if runs:
        listed = await session.execute(
            select(SummaryItem.content_type, SummaryItem.content_id).where(
                SummaryItem.run_id.in_(runs)
            )
        )
        tally.update((t, int(i)) for t, i in listed)
    if tally:
        insert = insert_for(session)(PrunedDelivery).values(
            [{"content_type": t, "content_id": i, "messages": n} for (t, i), n in tally.items()]
        )
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["content_type", "content_id"],
                set_={"messages": PrunedDelivery.messages + insert.excluded.messages},
            )
        )
    await session.execute(
        delete(Delivery)
        .where(Delivery.id.in_([r.id for r in rows]))
        .execution_options(synchronize_session=False)
    )
    return len(rows)


async def prune_all(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    before: dt.datetime,
    batch: int = BATCH,
    write_lock: AbstractAsyncContextManager[Any] | None = None,
) -> int:
    """Prune in batches (one transaction each, so senders never wait long) until done."""
    total = 0
    while True:
        lock = write_lock or contextlib.nullcontext()
        async with lock, session_factory() as session, session.begin():
            pruned = await prune(session, before=before, batch=batch)
        total += pruned
        if pruned < batch:
            return total
        await asyncio.sleep(0)  # let sends and replies through between batches


class RetentionPruner:
    """The owner's hourly pruning (started and stopped with the outbox ownership)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Callable[[], dt.datetime],
        *,
        days: int,
        write_lock: AbstractAsyncContextManager[Any] | None = None,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.days = days
        self.write_lock = write_lock
        self.interval = interval

    async def tick(self) -> int:
        before = self.clock() - dt.timedelta(days=self.days)
        return await prune_all(self.session_factory, before=before, write_lock=self.write_lock)

    async def run(self) -> None:
        while True:
            try:
                pruned = await self.tick()
                if pruned:
                    log.info("pruned %d delivery records older than %d days", pruned, self.days)
            except Exception:  # noqa: BLE001 - the database may be back at the next tick
                log.exception("could not prune delivery records")
            await asyncio.sleep(self.interval)
