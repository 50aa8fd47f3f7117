"""Test data for delivery: subscribers with follows, commentators, reports, entries, digests.

The texts are our own, written in the formats of the seed documents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Commentator,
    DailyReport,
    Digest,
    Entry,
    Region,
    ReportItem,
    Subscriber,
    Subscription,
    SubscriptionKind,
)


async def regions(session: AsyncSession) -> dict[str, Region]:
    return {r.slug: r for r in await session.scalars(select(Region))}


async def commentator(
    session: AsyncSession, name: str, name_zh: str | None = None, affiliation: str | None = None
) -> Commentator:
    row = Commentator(name=name, name_zh=name_zh, affiliation=affiliation)
    session.add(row)
    await session.flush()
    return row


async def subscriber(
    session: AsyncSession,
    chat_id: int,
    *,
    follows: Sequence[str | Commentator] = (),
    keywords: Sequence[str] = (),
    mutes: Sequence[str] = (),
    **fields: Any,
) -> Subscriber:
    """A subscriber following region slugs / commentators, keywords, with mutes."""
    fields.setdefault("chat_type", "private" if chat_id > 0 else "supergroup")
    row = Subscriber(chat_id=chat_id, thread_id=fields.pop("thread_id", 0), **fields)
    session.add(row)
    await session.flush()
    by_slug = await regions(session)
    for thing in follows:
        if isinstance(thing, Commentator):
            session.add(
                Subscription(
                    subscriber_id=row.id,
                    kind=SubscriptionKind.COMMENTATOR,
                    commentator_id=thing.id,
                    target=str(thing.id),
                )
            )
        else:
            region = by_slug[thing]
            session.add(
                Subscription(
                    subscriber_id=row.id,
                    kind=SubscriptionKind.REGION,
                    region_id=region.id,
                    target=region.slug,
                )
            )
    for kind, words in ((SubscriptionKind.KEYWORD, keywords), (SubscriptionKind.MUTE, mutes)):
        for word in words:
            folded = word.casefold()
            session.add(
                Subscription(subscriber_id=row.id, kind=kind, keyword=folded, target=folded)
            )
    await session.flush()
    return row


@dataclass
class ItemSpec:
    headline: str
    title_zh: str | None = None
    summary_zh: str | None = None
    url: str | None = None
    regions: Sequence[str] = ()
    commentators: Sequence[Commentator] = ()
    text: str = ""
    summary_en: str | None = None


async def report(
    session: AsyncSession, items: Sequence[ItemSpec], *, date: dt.date | None = None
) -> DailyReport:
    by_slug = await regions(session)
    day = date or dt.date(2025, 8, 29)
    row = DailyReport(date=day, title=f"英文媒体关于中国的报道汇总 {day.isoformat()}")
    for position, spec in enumerate(items, 1):
        row.items.append(
            ReportItem(
                position=position,
                headline=spec.headline,
                title_zh=spec.title_zh,
                summary_zh=spec.summary_zh,
                summary_en=spec.summary_en,
                url=spec.url,
                text=spec.text,
                regions=[by_slug[s] for s in spec.regions],
                commentators=list(spec.commentators),
            )
        )
    session.add(row)
    await session.flush()
    return row


@dataclass
class EntrySpec:
    summary: str
    commentators: Sequence[Commentator] = ()
    regions: Sequence[str] = ()
    outlet: str | None = None
    date: dt.date | None = None
    url: str | None = None
    affiliation: str | None = None
    title: str | None = None
    title_zh: str | None = None
    kind: str = "digest"
    extra: dict[str, Any] = field(default_factory=dict)


async def entry(session: AsyncSession, spec: EntrySpec, *, digest: Digest | None = None) -> Entry:
    by_slug = await regions(session)
    row = Entry(
        kind=spec.kind,
        summary=spec.summary,
        text=spec.summary,
        outlet=spec.outlet,
        date=spec.date,
        url=spec.url,
        affiliation=spec.affiliation,
        title=spec.title,
        title_zh=spec.title_zh,
        digest_id=digest.id if digest else None,
        regions=[by_slug[s] for s in spec.regions],
        commentators=list(spec.commentators),
        **spec.extra,
    )
    session.add(row)
    await session.flush()
    return row


async def digest(
    session: AsyncSession, title: str, link: str | None, entries: Sequence[EntrySpec]
) -> Digest:
    row = Digest(title=title, month="2025-11", part=2, link=link)
    session.add(row)
    await session.flush()
    for position, spec in enumerate(entries):
        spec.extra.setdefault("position", position)
        await entry(session, spec, digest=row)
    return row


async def eventually(check: Any, timeout: float = 10.0, what: str = "the condition") -> Any:  # noqa: ASYNC109
    """Await `check()` (a coroutine function) returning something truthy; poll the database
    every 20 ms until `timeout`."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.02)


async def outbox_settled(session_factory: Any, timeout: float = 10.0) -> list[Any]:  # noqa: ASYNC109
    """Await an outbox where nothing is pending or being sent; return every row."""
    from storage.models import Delivery

    async def settled() -> list[Any] | None:
        async with session_factory() as s:
            rows = list(await s.scalars(select(Delivery).order_by(Delivery.id)))
        done = rows and all(r.status not in ("pending", "sending") for r in rows)
        return rows if done else None

    return await eventually(settled, timeout, "a settled outbox")
