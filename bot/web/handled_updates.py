"""Which Telegram updates were already accepted, so a retried delivery is handled once.

Telegram retries a webhook delivery it saw no 2xx answer to, and behind a load balancer the
retry may reach another process: the claim is a row with the update id as primary key, so
exactly one insert wins across processes. Update ids are unique for far longer than a retry
takes; rows older than `KEEP` are pruned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import insert_for
from storage.models import HandledUpdate

KEEP = dt.timedelta(days=2)


async def claim(session: AsyncSession, update_id: int, now: dt.datetime) -> bool:
    """True if this call is the first to accept `update_id`."""
    statement = (
        insert_for(session)(HandledUpdate)
        .values(update_id=update_id, handled_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount == 1


async def prune(session: AsyncSession, now: dt.datetime) -> int:
    """Forget updates accepted more than `KEEP` ago; returns how many."""
    statement = delete(HandledUpdate).where(HandledUpdate.handled_at < now - KEEP)
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount
