"""Fan-out: queue what was published, whoever published it.

Publishing (`bot.publishing`) only flips rows, from any process: an editor in chat, `digestbot
ingest --publish`, another bot instance. The running bot polls for published content whose
`fanned_out_at` is empty (every second, and at once when `notify_published` wakes it), queues
its recipients and stamps `fanned_out_at`, in one transaction. On PostgreSQL the content rows
are locked with SKIP LOCKED, so two bot instances split the work instead of both doing it; the
outbox's unique `dedup_key` per (content, subscriber) would make a double fan-out queue nothing
anyway.

What goes out:
- an entry: an instant alert to each matching instant-mode subscriber. Entries of a digest that
  is published are delivered through the digest's message instead (its link and counts), so
  publishing a 40-entry digest sends one message per subscriber, not 41;
- a daily report: an instant alert per matching item;
- a digest: its link and what it holds for each matching subscriber, instant or daily.
Daily-mode subscribers get entries and items in their summary (`bot.scheduling`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.matching import enqueue_alerts, enqueue_digest
from storage.models import ContentStatus, DailyReport, Digest, Entry, ReportItem

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class FanoutResult:
    entries: int = 0
    reports: int = 0
    digests: int = 0
    queued: int = 0

    @property
    def content(self) -> int:
        return self.entries + self.reports + self.digests


def _locked(session: AsyncSession, query, of):  # type: ignore[no-untyped-def]
    if session.bind.dialect.name == "postgresql":
        return query.with_for_update(of=of, skip_locked=True)
    return query


async def fan_out(session: AsyncSession, now: dt.datetime) -> FanoutResult:
    """Queue the recipients of everything published and not fanned out yet."""
    result = FanoutResult()
    digests = list(
        await session.scalars(
            _locked(
                session,
                select(Digest)
                .where(Digest.status == ContentStatus.PUBLISHED, Digest.fanned_out_at.is_(None))
                .order_by(Digest.id)
                .limit(BATCH),
                Digest,
            )
        )
    )
    entries = list(
        await session.scalars(
            _locked(
                session,
                select(Entry)
                .where(Entry.status == ContentStatus.PUBLISHED, Entry.fanned_out_at.is_(None))
                .order_by(Entry.id)
                .limit(BATCH),
                Entry,
            ).options(selectinload(Entry.commentators), selectinload(Entry.digest))
        )
    )
    alone = [e for e in entries if e.digest is None or e.digest.status != ContentStatus.PUBLISHED]
    result.queued += await enqueue_alerts(session, "entry", alone, now=now)
    if entries:
        await session.execute(
            update(Entry)
            .where(Entry.id.in_([e.id for e in entries]))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )
    result.entries = len(entries)

    reports = list(
        await session.scalars(
            _locked(
                session,
                select(DailyReport.id)
                .where(
                    DailyReport.status == ContentStatus.PUBLISHED,
                    DailyReport.fanned_out_at.is_(None),
                )
                .order_by(DailyReport.id)
                .limit(BATCH),
                DailyReport,
            )
        )
    )
    if reports:
        items = list(
            await session.scalars(
                select(ReportItem)
                .where(
                    ReportItem.report_id.in_(reports),
                    ReportItem.status == ContentStatus.PUBLISHED,
                )
                .order_by(ReportItem.report_id, ReportItem.position, ReportItem.id)
                .options(selectinload(ReportItem.commentators))
            )
        )
        result.queued += await enqueue_alerts(session, "item", items, now=now)
        await session.execute(
            update(DailyReport)
            .where(DailyReport.id.in_(reports))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )
    result.reports = len(reports)

    for digest in digests:
        result.queued += await enqueue_digest(session, digest.id, now=now)
        digest.fanned_out_at = now
    result.digests = len(digests)
    await session.flush()
    return result


class FanoutPoller:
    """Runs `fan_out` every `interval` seconds, or at once when woken."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Callable[[], dt.datetime],
        *,
        interval: float = 1.0,
        on_queued: Callable[[], None] | None = None,
        write_lock: AbstractAsyncContextManager[Any] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.interval = interval
        self.on_queued = on_queued
        self.write_lock = write_lock or contextlib.nullcontext()
        self._wake = asyncio.Event()
        self.runs = 0

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> FanoutResult:
        total = FanoutResult()
        while True:  # more than a batch published at once: keep going
            async with self.write_lock, self.session_factory() as session, session.begin():
                result = await fan_out(session, self.clock())
            total.entries += result.entries
            total.reports += result.reports
            total.digests += result.digests
            total.queued += result.queued
            if result.queued and self.on_queued is not None:
                self.on_queued()
            if result.content == 0 or max(result.entries, result.reports, result.digests) < BATCH:
                break
        self.runs += 1
        if total.content:
            log.info(
                "fan-out: %d entries, %d reports, %d digests -> %d messages queued",
                total.entries,
                total.reports,
                total.digests,
                total.queued,
            )
        return total

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - a failed poll is retried at the next one
                log.exception("fan-out failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
