"""Queueing the rest of large corrections in the background (see `bot.corrections.queue`).

/edit and /retract queue the corrections of the first `queue.FIRST_CHUNK` candidate messages
in the editor's transaction. A correction of what more chats got is finished here, in the
process that owns the outbox: a chunk of `queue.CHUNK` candidates per short transaction, the
oldest correction first. When the last chunk is queued, the editor's report follows as soon as
the last of its messages is done (`bot.corrections.report`), or at once if they all are.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.corrections.queue import plan_chunk
from bot.corrections.report import finish
from bot.delivery.rounds import run_rounds
from storage.models import Correction

log = logging.getLogger(__name__)


async def plan_next(session: AsyncSession, now: dt.datetime, *, chunk: int | None = None) -> bool:
    """Queue one chunk of the oldest correction not fully queued; False when there is none.
    On PostgreSQL a correction another process is working on is skipped."""
    query = (
        select(Correction).where(Correction.planned_at.is_(None)).order_by(Correction.id).limit(1)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    correction = await session.scalar(query)
    if correction is None:
        return False
    await plan_chunk(session, correction, now, chunk=chunk)
    if correction.planned_at is not None:
        await finish(session, [correction.id], now)  # its messages may all be done already
    return True


class CorrectionPlanner:
    """Runs `plan_next` until nothing is left, then waits for a wake-up or `interval`."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Callable[[], dt.datetime],
        *,
        on_queued: Callable[[], None] | None = None,
        write_lock: AbstractAsyncContextManager[Any] | None = None,
        interval: float = 1.0,
        chunk: int | None = None,  # default: `queue.CHUNK`
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.on_queued = on_queued
        self.write_lock = write_lock or contextlib.nullcontext()
        self.interval = interval
        self.chunk = chunk
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def plan_all(self) -> int:
        """Chunks queued until no correction is left to plan."""
        chunks = 0
        while True:
            async with self.write_lock, self.session_factory() as session, session.begin():
                if not await plan_next(session, self.clock(), chunk=self.chunk):
                    return chunks
            chunks += 1
            if self.on_queued is not None:
                self.on_queued()

    async def run(self) -> None:
        await run_rounds(self.plan_all, self._wake, self.interval, "queueing corrections")
