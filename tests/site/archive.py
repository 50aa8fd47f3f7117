"""A small published archive for the site tests, written through the publishing service (so
the search index holds it, as it does in production)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.publishing import publish
from storage.models import (
    Commentator,
    DailyReport,
    Digest,
    Entry,
    Region,
    ReportItem,
    entry_commentators,
)

PUBLISHED_AT = dt.datetime(2025, 11, 5, 8, 0, tzinfo=dt.UTC)


@dataclass
class Archive:
    digest_id: int
    entry_ids: list[int]
    report_id: int
    item_ids: list[int]
    commentator_id: int


async def _region(session: AsyncSession, slug: str) -> Region:
    return (await session.scalars(select(Region).where(Region.slug == slug))).one()


async def _person(session: AsyncSession, name: str, name_zh: str) -> Commentator:
    found = await session.scalar(select(Commentator).where(Commentator.name == name))
    if found is None:
        found = Commentator(name=name, name_zh=name_zh, aliases=[])
        session.add(found)
    return found


async def build(
    session: AsyncSession,
    *,
    entry_title: str = "Tokyo recalibrates its China policy",
    suffix: str = "",
) -> Archive:
    """A digest of two entries (Japan, Europe) by a commentator named in both scripts, and a
    daily report of two items with English and Chinese summaries, all published."""
    lian = await _person(session, "Lian Degui", "廉德瑰")
    ding = await _person(session, "Ding Chun", "丁纯")
    digest = Digest(
        title="November digest",
        month="2025-11",
        link="https://digest.example.org/2025-11",
        summary="Commentary of the month.",
        content_hash=f"h-digest{suffix}",
    )
    session.add(digest)
    await session.flush()
    japan, europe = await _region(session, "japan"), await _region(session, "europe")
    first = Entry(
        kind="digest",
        title=entry_title,
        title_zh="东京调整对华政策",
        summary="Lian argues that Tokyo hedges.\n\nA second paragraph.",
        text="Full text about Tokyo and Beijing.",
        outlet="Guancha",
        date=dt.date(2025, 11, 3),
        url="https://source.example.com/lian",
        digest_id=digest.id,
        position=0,
        regions=[japan],
    )
    second = Entry(
        kind="digest",
        title="Brussels and Beijing after the summit",
        summary="Ding weighs the trade agenda.",
        text="Trade agenda between Europe and China.",
        outlet="Caixin",
        date=dt.date(2025, 11, 4),
        url="https://source.example.com/ding",
        digest_id=digest.id,
        position=1,
        regions=[europe],
    )
    session.add_all([first, second])
    await session.flush()
    await session.execute(
        insert(entry_commentators),
        [
            {"entry_id": first.id, "commentator_id": lian.id, "position": 0},
            {"entry_id": second.id, "commentator_id": ding.id, "position": 0},
        ],
    )
    report = DailyReport(date=dt.date(2025, 11, 5), title="Press review 5 November")
    report.items.append(
        ReportItem(
            position=0,
            headline="Rare earth exports slow again",
            title_zh="稀土出口再度放缓",
            summary_en="Exports of rare earths fell for a second month.",
            summary_zh="稀土出口连续第二个月下降。",
            url="https://news.example.com/rare-earths",
            regions=[japan],
        )
    )
    report.items.append(
        ReportItem(
            position=1,
            headline="Shipping lanes in the South China Sea",
            summary_en="Traffic patterns shift.",
            summary_zh="航运格局变化。",
            url="https://news.example.com/shipping",
        )
    )
    session.add(report)
    await session.flush()
    # The digest a day before the report: lists show the report's items first.
    await publish(
        session,
        entry_ids=[first.id, second.id],
        digest_ids=[digest.id],
        now=PUBLISHED_AT - dt.timedelta(days=1),
    )
    await publish(session, report_ids=[report.id], now=PUBLISHED_AT)
    return Archive(
        digest.id,
        [first.id, second.id],
        report.id,
        [i.id for i in report.items],
        lian.id,
    )


async def many(session: AsyncSession, slug: str, count: int) -> list[int]:
    """`count` entries of one region, published together a day after the others."""
    place = await _region(session, slug)
    rows = [
        Entry(
            kind="article",
            title=f"Article {n} on {slug}",
            summary=f"Summary {n}.",
            text="",
            regions=[place],
        )
        for n in range(count)
    ]
    session.add_all(rows)
    await session.flush()
    ids = [r.id for r in rows]
    await publish(session, entry_ids=ids, now=PUBLISHED_AT + dt.timedelta(days=1))
    return ids
