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


async def build(
    session: AsyncSession, *, entry_title: str = "Tokyo recalibrates its China policy"
) -> Archive:
    """A digest of two entries (Japan, Europe) by a commentator named in both scripts, and a
    daily report of two items with English and Chinese summaries, all published."""
    lian = Commentator(name="Lian Degui", name_zh="廉德瑰", aliases=[])
    ding = Commentator(name="Ding Chun", name_zh="丁纯", aliases=[])
    session.add_all([lian, ding])
    digest = Digest(
        title="November digest",
        month="2025-11",
        link="https://digest.example.org/2025-11",
        summary="Commentary of the month.",
        content_hash="h-digest",
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
    await publish(
        session,
        entry_ids=[first.id, second.id],
        report_ids=[report.id],
        digest_ids=[digest.id],
        now=PUBLISHED_AT,
    )
    return Archive(
        digest.id,
        [first.id, second.id],
        report.id,
        [i.id for i in report.items],
        lian.id,
    )
