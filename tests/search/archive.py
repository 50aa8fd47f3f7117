"""A small archive in English and Chinese for the search tests (our own text, in the formats of
the newsletter: digest commentary, press-review items with Chinese titles and summaries).

`build(session)` stores it through the real publishing path (which indexes), and returns the
ids by the names used here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.publishing import publish
from storage.models import Commentator, DailyReport, Digest, Entry, Region, ReportItem

PUBLISHED_AT = dt.datetime(2025, 12, 1, 8, 0, tzinfo=dt.UTC)

PEOPLE = {
    "zeng": ("Zeng Zhiwei", "曾志伟"),
    "shan": ("Shan Liping", "单丽萍"),
    "huang": ("Huang Jing", "黄靖"),
    "ou": ("Ou Jiahao", "区家豪"),
    "lu": ("Lü Chen", "吕晨"),
    "solberg": ("Ingrid Solberg", None),
}


@dataclass(frozen=True)
class EntrySpec:
    key: str
    summary: str
    text: str
    date: dt.date
    people: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    title: str | None = None
    title_zh: str | None = None
    outlet: str | None = None


@dataclass(frozen=True)
class ItemSpec:
    key: str
    headline: str
    title_zh: str
    summary_zh: str
    text: str
    report_date: dt.date
    regions: tuple[str, ...] = ()


ENTRIES = (
    EntrySpec(
        "zeng_submarine",
        title="Tokyo's submarine patrols are a message to Beijing",
        summary="Zeng Zhiwei on why Japan keeps its submarine fleet close to the Ryukyu chain.",
        text=(
            "Zeng Zhiwei argues that the patrols are meant to be seen: each boat that surfaces "
            "near the islands tells Beijing that Tokyo can watch the strait. 他认为日本潜艇的巡逻"
            "是一种信号，而不是挑衅。"
        ),
        date=dt.date(2025, 11, 3),
        people=("zeng",),
        regions=("japan",),
        outlet="Guancha",
    ),
    EntrySpec(
        "shan_rare_earths",
        summary="Shan Liping on Europe's plan to stockpile rare earths.",
        text=(
            "Shan Liping writes that Brussels wants a reserve of rare earths (稀土) large enough "
            "for six months of factory demand, and doubts the member states will pay for it."
        ),
        date=dt.date(2025, 10, 20),
        people=("shan",),
        regions=("europe",),
        outlet="Caixin",
    ),
    EntrySpec(
        "huang_bargain",
        title="A grand bargain over chips?",
        summary="Huang Jing and Ou Jiahao on export controls as a bargaining chip.",
        text=(
            "Huang Jing and Ou Jiahao see the semiconductor export controls as an opening bid: "
            "Washington would trade the controls for limits on rare earth processing. "
            "两位学者认为芯片出口管制可以成为谈判筹码。"
        ),
        date=dt.date(2025, 11, 12),
        people=("huang", "ou"),
        regions=("us-china",),
    ),
    EntrySpec(
        "lu_settlement",
        title_zh="俄中贸易中的人民币结算",
        summary="Lü Chen on settling Russian trade in renminbi.",
        text=(
            "吕晨指出，俄罗斯与中国的贸易结算越来越多地使用人民币，但银行仍担心二级制裁。"
            "Lü Chen expects the share to keep rising."
        ),
        date=dt.date(2025, 11, 20),
        people=("lu",),
        regions=("russia",),
    ),
    EntrySpec(
        "solberg_africa",
        title="Ports, loans and patience in East Africa",
        summary="Ingrid Solberg on how Chinese lenders renegotiate port loans.",
        text=(
            "Ingrid Solberg finds that lenders quietly extend maturities rather than seize "
            "assets, and that Zeng Zhiwei's warning about debt traps has not come true."
        ),
        date=dt.date(2025, 9, 15),
        people=("solberg",),
        regions=("africa",),
    ),
    EntrySpec(
        "zeng_tariffs",
        title="Steel tariffs and the limits of retaliation",
        summary="Zeng Zhiwei on how Beijing might answer Japanese steel tariffs.",
        text="Zeng Zhiwei expects a measured reply: targeted duties, no rare earth embargo.",
        date=dt.date(2025, 8, 28),
        people=("zeng",),
        regions=("japan",),
    ),
)

ITEMS = (
    ItemSpec(
        "rare_earth_curbs",
        headline="Rare earth export curbs rattle European carmakers",
        title_zh="稀土出口管制令欧洲车企不安",
        summary_zh="中国对稀土出口的新管制措施打乱了欧洲汽车制造商的供应链。",
        text="Carmakers in Germany and France say the new licences take weeks to obtain.",
        report_date=dt.date(2025, 11, 5),
        regions=("europe",),
    ),
    ItemSpec(
        "joint_patrol",
        headline="Russian and Chinese submarines hold a first joint patrol in the Pacific",
        title_zh="俄中潜艇首次在太平洋联合巡逻",
        summary_zh="两国海军的潜艇完成了首次联合巡逻，显示军事合作正在加深。",
        text="The navies did not say how long the submarines stayed together.",
        report_date=dt.date(2025, 11, 6),
        regions=("russia",),
    ),
    ItemSpec(
        "steel_tariffs",
        headline="Japan weighs new tariffs on Chinese steel",
        title_zh="日本考虑对中国钢铁加征关税",
        summary_zh="日本经济产业省正在研究对中国钢铁产品征收反倾销税。",
        text="Officials in Tokyo said a decision could come before the end of the year.",
        report_date=dt.date(2025, 9, 1),
        regions=("japan",),
    ),
)

DIGEST = {
    "title": "November Digest, Part 2 — International Relations",
    "summary": "Commentary on Japan's submarines, Europe's rare earths and a grand bargain.",
    "month": "2025-11",
    "link": "https://digest.example.org/2025-11-part-2",
}


@dataclass
class Archive:
    entries: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    digest: int = 0

    def key(self, result_type: str, result_id: int) -> str:
        """The fixture name of a search result ("entry:zeng_submarine")."""
        table = {"entry": self.entries, "item": self.items, "digest": {"digest": self.digest}}
        names = {v: k for k, v in table[result_type].items()}
        return f"{result_type}:{names.get(result_id, result_id)}"


async def regions_by_slug(session: AsyncSession) -> dict[str, Region]:
    return {r.slug: r for r in await session.scalars(select(Region))}


async def build(session: AsyncSession) -> Archive:
    archive = Archive()
    regions = await regions_by_slug(session)
    people = {}
    for key, (name, name_zh) in PEOPLE.items():
        people[key] = Commentator(name=name, name_zh=name_zh)
        session.add(people[key])
    digest = Digest(
        title=DIGEST["title"], summary=DIGEST["summary"], month=DIGEST["month"], link=DIGEST["link"]
    )
    session.add(digest)
    await session.flush()
    entries = []
    for n, spec in enumerate(ENTRIES):
        entry = Entry(
            title=spec.title,
            title_zh=spec.title_zh,
            summary=spec.summary,
            text=spec.text,
            date=spec.date,
            outlet=spec.outlet,
            url=f"https://example.org/commentary/{spec.key}",
            digest_id=digest.id if spec.date.month == 11 else None,
            position=n,
        )
        entry.commentators = [people[p] for p in spec.people]
        entry.regions = [regions[r] for r in spec.regions]
        session.add(entry)
        entries.append((spec.key, entry))
    items = []
    for spec in ITEMS:
        report = DailyReport(
            date=spec.report_date, title=f"英文媒体关于中国的报道汇总 {spec.report_date}"
        )
        item = ReportItem(
            headline=spec.headline,
            title_zh=spec.title_zh,
            summary_zh=spec.summary_zh,
            text=spec.text,
            url=f"https://news.example.com/{spec.key}",
        )
        item.regions = [regions[r] for r in spec.regions]
        report.items = [item]
        session.add(report)
        items.append((spec.key, item, report))
    await session.flush()
    await publish(
        session,
        entry_ids=[e.id for _, e in entries],
        report_ids=[r.id for _, _, r in items],
        digest_ids=[digest.id],
        now=PUBLISHED_AT,
    )
    archive.entries = {k: e.id for k, e in entries}
    archive.items = {k: i.id for k, i, _ in items}
    archive.people = {k: p.id for k, p in people.items()}
    archive.digest = digest.id
    return archive


async def add_entry(
    session: AsyncSession,
    *,
    summary: str,
    text: str = "",
    title: str | None = None,
    date: dt.date = dt.date(2025, 11, 1),
    published: bool = True,
) -> int:
    """One more entry (published through the real path unless `published` is False)."""
    entry = Entry(title=title, summary=summary, text=text, date=date)
    session.add(entry)
    await session.flush()
    if published:
        await publish(session, entry_ids=[entry.id], now=PUBLISHED_AT)
    return entry.id
