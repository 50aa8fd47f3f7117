"""Rows for the editorial tests, written directly (the ingest service has its own tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Delivery,
    Entry,
    Region,
    ReportItem,
    Subscriber,
    Subscription,
)

NOW = dt.datetime(2025, 11, 5, 9, 0, tzinfo=dt.UTC)


async def region(session: AsyncSession, slug: str) -> Region:
    return (await session.scalars(select(Region).where(Region.slug == slug))).one()


async def entry(
    session: AsyncSession,
    *,
    title: str = "Beijing weighs a new trade push",
    summary: str = "A short summary.",
    regions: tuple[str, ...] = ("japan",),
    commentators: tuple[tuple[str, str | None], ...] = (),
    status: str = ContentStatus.DRAFT,
    **fields: Any,
) -> Entry:
    row = Entry(
        kind="article",
        title=title,
        summary=summary,
        text=summary,
        status=status,
        regions=[await region(session, s) for s in regions],
        **fields,
    )
    if commentators:
        row.commentators = [Commentator(name=n, name_zh=zh, aliases=[]) for n, zh in commentators]
    session.add(row)
    await session.flush()
    return row


async def report(
    session: AsyncSession,
    items: list[tuple[str, tuple[str, ...]]],
    *,
    status: str = ContentStatus.DRAFT,
) -> DailyReport:
    row = DailyReport(date=dt.date(2025, 8, 29), title="Press review 2025-08-29", status=status)
    for position, (headline, slugs) in enumerate(items):
        row.items.append(
            ReportItem(
                position=position,
                headline=headline,
                title_zh="中文标题",
                summary_zh="中文摘要。",
                summary_en="An English summary of the article.",
                status=status,
                regions=[await region(session, s) for s in slugs],
            )
        )
    session.add(row)
    await session.flush()
    return row


async def subscriber(
    session: AsyncSession,
    chat_id: int,
    *,
    status: str = "active",
    regions: tuple[str, ...] = (),
    **fields: Any,
) -> Subscriber:
    row = Subscriber(chat_id=chat_id, status=status, **fields)
    for slug in regions:
        reg = await region(session, slug)
        row.subscriptions.append(Subscription(kind="region", region_id=reg.id, target=slug))
    session.add(row)
    await session.flush()
    return row


def delivery(
    sub: Subscriber, content_type: str, content_id: int, status: str, **fields: Any
) -> Delivery:
    return Delivery(
        subscriber_id=sub.id,
        chat_id=sub.chat_id,
        kind="alert",
        content_type=content_type,
        content_id=content_id,
        dedup_key=f"{content_type}:{content_id}:{sub.id}:{fields.pop('n', 0)}",
        text="x",
        status=status,
        **fields,
    )
