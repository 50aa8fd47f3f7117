"""Publishing and retracting content, from any process.

Publishing only changes rows (status, published_at) and the search index, in the caller's
transaction. The running bot notices published content whose `fanned_out_at` is empty and queues
it for its subscribers (bot.delivery), so `digestbot ingest --publish` in another process, an
editor in chat and a scheduled publication all reach subscribers the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.search.index import reindex
from storage import audit
from storage.models import ContentStatus, DailyReport, Digest, Entry, ReportItem, utcnow

PUBLISHABLE = (ContentStatus.DRAFT, ContentStatus.SCHEDULED)


@dataclass
class PublishResult:
    entry_ids: list[int] = field(default_factory=list)
    report_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    digest_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.entry_ids) + len(self.item_ids) + len(self.digest_ids)


async def publish(
    session: AsyncSession,
    *,
    entry_ids: Iterable[int] = (),
    report_ids: Iterable[int] = (),
    digest_ids: Iterable[int] = (),
    actor_id: int | None = None,
    now: dt.datetime | None = None,
) -> PublishResult:
    """Publish drafts (or scheduled content); what is already published is left alone."""
    now = now or utcnow()
    result = PublishResult()
    entry_ids, report_ids, digest_ids = list(entry_ids), list(report_ids), list(digest_ids)
    if entry_ids:
        result.entry_ids = list(
            await session.scalars(
                update(Entry)
                .where(Entry.id.in_(entry_ids), Entry.status.in_(PUBLISHABLE))
                .values(status=ContentStatus.PUBLISHED, published_at=now, scheduled_for=None)
                .returning(Entry.id)
            )
        )
    if report_ids:
        result.report_ids = list(
            await session.scalars(
                update(DailyReport)
                .where(DailyReport.id.in_(report_ids), DailyReport.status.in_(PUBLISHABLE))
                .values(status=ContentStatus.PUBLISHED, published_at=now, scheduled_for=None)
                .returning(DailyReport.id)
            )
        )
        if result.report_ids:
            result.item_ids = list(
                await session.scalars(
                    update(ReportItem)
                    .where(
                        ReportItem.report_id.in_(result.report_ids),
                        ReportItem.status.in_(PUBLISHABLE),
                    )
                    .values(status=ContentStatus.PUBLISHED, published_at=now)
                    .returning(ReportItem.id)
                )
            )
    if digest_ids:
        result.digest_ids = list(
            await session.scalars(
                update(Digest)
                .where(Digest.id.in_(digest_ids), Digest.status.in_(PUBLISHABLE))
                .values(status=ContentStatus.PUBLISHED, published_at=now, scheduled_for=None)
                .returning(Digest.id)
            )
        )
    await reindex(
        session,
        entry_ids=result.entry_ids,
        item_ids=result.item_ids,
        digest_ids=result.digest_ids,
    )
    if result.count:
        await audit.record(
            session,
            actor_id,
            "publish",
            details={
                "entries": result.entry_ids,
                "reports": result.report_ids,
                "digests": result.digest_ids,
            },
        )
    return result


async def retract_entry(
    session: AsyncSession, entry_id: int, *, actor_id: int | None, now: dt.datetime | None = None
) -> bool:
    """Take an entry out of search and of future sends; True when it was published."""
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.status == ContentStatus.RETRACTED:
        return False
    entry.status = ContentStatus.RETRACTED
    entry.retracted_at = now or utcnow()
    await session.flush()
    await reindex(session, entry_ids=[entry_id])
    await audit.record(session, actor_id, "retract", f"entry:{entry_id}")
    return True


async def retract_item(
    session: AsyncSession, item_id: int, *, actor_id: int | None, now: dt.datetime | None = None
) -> bool:
    item = await session.get(ReportItem, item_id)
    if item is None or item.status == ContentStatus.RETRACTED:
        return False
    item.status = ContentStatus.RETRACTED
    item.retracted_at = now or utcnow()
    await session.flush()
    await reindex(session, item_ids=[item_id])
    await audit.record(session, actor_id, "retract", f"item:{item_id}")
    return True


async def published_entries(session: AsyncSession, ids: Iterable[int]) -> list[Entry]:
    rows = await session.scalars(
        select(Entry).where(Entry.id.in_(list(ids)), Entry.status == ContentStatus.PUBLISHED)
    )
    return list(rows)
