"""Telling the editor how a correction went, once its last message is done.

Called by the sender in the transaction that records the outcomes of "correct" rows; the
message goes through the outbox like any other (deduplicated per correction), so it is sent
once even when two processes finish rows of one correction at the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.corrections.rows import KIND, correction_of, reason_of
from bot.delivery.outbox import enqueue
from bot.render.corrections import correction_report
from storage.models import Correction, Delivery, DeliveryStatus

if TYPE_CHECKING:
    from bot.delivery.outbox import QueuedRow

_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


async def finish(session: AsyncSession, correction_ids: Iterable[int], now: dt.datetime) -> int:
    """Queue the report of each correction whose rows are all done; returns how many."""
    ids = sorted(set(correction_ids))
    if not ids:
        return 0
    reported = 0
    for correction in await session.scalars(
        select(Correction).where(
            Correction.id.in_(ids),
            Correction.reported_at.is_(None),
            Correction.planned_at.is_not(None),  # more messages may still be queued
        )
    ):
        counts = dict(
            (
                await session.execute(
                    select(Delivery.status, func.count())
                    .where(Delivery.kind == KIND, Delivery.reason == reason_of(correction.id))
                    .group_by(Delivery.status)
                )
            )
            .tuples()
            .all()
        )
        if any(counts.get(status, 0) for status in _OPEN):
            continue
        updated = counts.get(DeliveryStatus.SENT, 0)
        missed = sum(counts.values()) - updated + correction.pruned
        # Every message it queued was taken over by a later correction before it went.
        merged = correction.queued > 0 and not counts
        correction.reported_at = now
        if correction.editor_chat_id is None:
            continue
        await enqueue(
            session,
            chat_id=correction.editor_chat_id,
            text=correction_report(correction, updated=updated, missed=missed, merged=merged),
            kind="notice",
            priority=1,
            dedup_key=f"correction:{correction.id}:report",
            now=now,
        )
        reported += 1
    return reported


async def corrections_done(
    session: AsyncSession, rows: Sequence[QueuedRow], now: dt.datetime
) -> int:
    """After the outcomes of `rows` are written: report the corrections they finished.

    The correction a row belongs to is read again: a later correction may have taken the row
    over (`queue._queue`) after the sender read it, and then both are to be looked at."""
    correcting = [row.id for row in rows if row.kind == KIND]
    reasons = {row.reason for row in rows if row.kind == KIND}
    for start in range(0, len(correcting), 1000):
        reasons.update(
            await session.scalars(
                select(Delivery.reason).where(Delivery.id.in_(correcting[start : start + 1000]))
            )
        )
    ids = {correction_of(reason) for reason in reasons}
    return await finish(session, [i for i in ids if i is not None], now)
