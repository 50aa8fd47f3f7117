"""The numbers behind /stats: subscribers, what they follow, the outbox, publishing history."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.sender import GONE_MARKERS
from bot.delivery.summaries import listing
from bot.editorial.content import Content, digest_entries, load
from bot.editorial.refs import ContentRef, RefKind
from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Delivery,
    DeliveryStatus,
    Digest,
    Entry,
    LinkClick,
    Region,
    ReportItem,
    Subscriber,
    SubscriberStatus,
    Subscription,
    SubscriptionKind,
    SummaryItem,
)

HISTORY_DAYS = 7
TOP_COMMENTATORS = 5


@dataclass(frozen=True, slots=True)
class Follow:
    name: str
    name_zh: str | None
    followers: int


@dataclass(frozen=True, slots=True)
class DayPublished:
    day: dt.date
    entries: int
    items: int
    digests: int


@dataclass
class Stats:
    subscribers: dict[str, int]  # by SubscriberStatus value
    regions: list[Follow]
    commentators: list[Follow]
    sent_today: int
    failed_today: int
    failed_total: int
    queued: int
    scheduled: int
    history: list[DayPublished] = field(default_factory=list)
    timezone: str = "UTC"


async def collect(session: AsyncSession, now: dt.datetime, timezone: str) -> Stats:
    zone = ZoneInfo(timezone)
    local_today = now.astimezone(zone).date()
    day_start = _local_midnight(local_today, zone)
    history_start = _local_midnight(local_today - dt.timedelta(days=HISTORY_DAYS - 1), zone)

    rows = await session.execute(
        select(Subscriber.status, func.count()).group_by(Subscriber.status)
    )
    by_status: dict[str, int] = {str(status): int(n) for status, n in rows.tuples()}
    subscribers = {s.value: int(by_status.get(s.value, 0)) for s in SubscriberStatus}

    active_follow = (
        select(Subscription)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscriber.status == SubscriberStatus.ACTIVE)
        .subquery()
    )
    region_rows = await session.execute(
        select(Region.name_en, Region.name_zh, func.count(active_follow.c.id))
        .outerjoin(
            active_follow,
            (active_follow.c.region_id == Region.id)
            & (active_follow.c.kind == SubscriptionKind.REGION),
        )
        .group_by(Region.id, Region.name_en, Region.name_zh, Region.position)
        .order_by(Region.position, Region.id)
    )
    followers = func.count(active_follow.c.id).label("followers")
    commentator_rows = await session.execute(
        select(Commentator.name, Commentator.name_zh, followers)
        .join(active_follow, active_follow.c.commentator_id == Commentator.id)
        .where(active_follow.c.kind == SubscriptionKind.COMMENTATOR)
        .group_by(Commentator.id, Commentator.name, Commentator.name_zh)
        .order_by(followers.desc(), Commentator.name)
        .limit(TOP_COMMENTATORS)
    )

    async def count(*conditions: ColumnElement[bool]) -> int:
        return int(await session.scalar(select(func.count(Delivery.id)).where(*conditions)) or 0)

    sent_today = await count(Delivery.status == DeliveryStatus.SENT, Delivery.sent_at >= day_start)
    failed_today = await count(
        Delivery.status == DeliveryStatus.FAILED, Delivery.updated_at >= day_start
    )
    failed_total = await count(Delivery.status == DeliveryStatus.FAILED)
    queued = await count(Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]))

    scheduled = 0
    for model in (Entry, DailyReport, Digest):
        scheduled += int(
            await session.scalar(
                select(func.count()).where(model.status == ContentStatus.SCHEDULED)  # type: ignore[attr-defined]
            )
            or 0
        )

    history = await _history(session, history_start, zone, local_today)
    return Stats(
        subscribers=subscribers,
        regions=[Follow(en, zh, int(n)) for en, zh, n in region_rows],
        commentators=[Follow(name, zh, int(n)) for name, zh, n in commentator_rows],
        sent_today=sent_today,
        failed_today=failed_today,
        failed_total=failed_total,
        queued=queued,
        scheduled=scheduled,
        history=history,
        timezone=timezone,
    )


async def _history(
    session: AsyncSession, since: dt.datetime, zone: ZoneInfo, today: dt.date
) -> list[DayPublished]:
    counters: dict[str, Counter[dt.date]] = {}
    for name, column in (
        ("entries", Entry.published_at),
        ("items", ReportItem.published_at),
        ("digests", Digest.published_at),
    ):
        # Retracted content was published too; it stays in the history.
        stamps = await session.scalars(select(column).where(column >= since))
        counters[name] = Counter(s.astimezone(zone).date() for s in stamps if s is not None)
    days = [today - dt.timedelta(days=n) for n in range(HISTORY_DAYS)]
    return [
        DayPublished(d, counters["entries"][d], counters["items"][d], counters["digests"][d])
        for d in days
    ]


def _local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)


# --- one publication: /stats r7 ----------------------------------------------------------

RECENT_PUBLICATIONS = 5
TOP_ITEMS = 5
# A failed send whose error says the chat is gone: the subscriber blocked the bot or left.
_BLOCKED_PREFIXES = ("Forbidden",)


@dataclass(frozen=True, slots=True)
class ItemClicks:
    ref: ContentRef
    title: str
    clicks: int


@dataclass(frozen=True, slots=True)
class PublicationStats:
    """What became of one publication's messages, and the clicks on its links."""

    ref: ContentRef
    title: str
    status: str
    published_at: dt.datetime | None
    delivered: int
    blocked: int
    failed: int
    queued: int
    clicks: int
    top: tuple[ItemClicks, ...] = ()

    @property
    def sent(self) -> int:
        """Messages the bot tried to send (whatever Telegram answered)."""
        return self.delivered + self.blocked + self.failed


def blocked_error() -> ColumnElement[bool]:
    """A failed delivery whose error says the chat is gone (see bot.delivery.sender)."""
    error = func.lower(Delivery.last_error)
    return or_(
        *(Delivery.last_error.startswith(p) for p in _BLOCKED_PREFIXES),
        *(error.contains(marker) for marker in GONE_MARKERS),
    )


async def publication(session: AsyncSession, ref: ContentRef) -> PublicationStats | None:
    """/stats for one entry, item, report or digest; None when there is no such content."""
    content = await load(session, ref)
    if content is None or content.status in (ContentStatus.DRAFT, ContentStatus.SCHEDULED):
        return None
    parts = _parts(content)
    counts = await _delivery_counts(session, ref, parts)
    clicks, top = await _clicks(session, ref)
    return PublicationStats(
        ref=ref,
        title=_title(content),
        status=str(content.status),
        published_at=content.published_at,
        delivered=counts.get(DeliveryStatus.SENT, 0),
        blocked=counts.get("blocked", 0),
        failed=counts.get(DeliveryStatus.FAILED, 0),
        queued=counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0),
        clicks=clicks,
        top=top,
    )


async def recent_publications(
    session: AsyncSession, limit: int = RECENT_PUBLICATIONS
) -> list[PublicationStats]:
    """The last publications (reports, digests, entries published on their own), newest first."""
    shown = (ContentStatus.PUBLISHED, ContentStatus.RETRACTED)
    found: list[tuple[dt.datetime, ContentRef]] = []
    sources: list[tuple[Any, RefKind, ColumnElement[bool]]] = [
        (DailyReport, "r", DailyReport.status.in_(shown)),
        (Digest, "d", Digest.status.in_(shown)),
        (Entry, "e", and_(Entry.status.in_(shown), Entry.digest_id.is_(None))),
    ]
    for model, kind, condition in sources:
        rows = await session.execute(
            select(model.published_at, model.id)
            .where(condition, model.published_at.is_not(None))
            .order_by(model.published_at.desc(), model.id.desc())
            .limit(limit)
        )
        found += [(when, ContentRef(kind, number)) for when, number in rows.tuples()]
    found.sort(key=lambda pair: pair[0], reverse=True)
    out = []
    for _, ref in found[:limit]:
        numbers = await publication(session, ref)
        if numbers is not None:
            out.append(numbers)
    return out


def _parts(content: Content) -> list[tuple[str, int]]:
    """(delivery content_type, id) of every message that carried this publication."""
    if isinstance(content, DailyReport):
        return [("report", content.id)] + [("item", i.id) for i in content.items]
    if isinstance(content, Digest):
        return [("digest", content.id)] + [("entry", e.id) for e in digest_entries(content)]
    if isinstance(content, Entry):
        return [("entry", content.id)]
    return [("item", content.id)]


async def _delivery_counts(
    session: AsyncSession, ref: ContentRef, parts: list[tuple[str, int]]
) -> dict[str, int]:
    """Messages by outcome: alerts and digest links carrying it, and daily summaries listing
    any of its entries or items."""
    by_type: dict[str, list[int]] = {}
    for content_type, content_id in parts:
        by_type.setdefault(content_type, []).append(content_id)
    carried = [
        and_(Delivery.content_type == t, Delivery.content_id.in_(ids)) for t, ids in by_type.items()
    ]
    listed = [p for p in parts if p[0] in ("entry", "item")]
    if listed:
        runs = select(SummaryItem.run_id).where(listing(listed))
        carried.append(and_(Delivery.content_type == "summary", Delivery.content_id.in_(runs)))
    outcome = case(
        (and_(Delivery.status == DeliveryStatus.FAILED, blocked_error()), "blocked"),
        else_=Delivery.status,
    )
    rows = await session.execute(
        select(outcome, func.count(Delivery.id)).where(or_(*carried)).group_by(outcome)
    )
    return {str(status): int(n) for status, n in rows.tuples()}


async def _clicks(session: AsyncSession, ref: ContentRef) -> tuple[int, tuple[ItemClicks, ...]]:
    mine = and_(LinkClick.publication_kind == ref.kind, LinkClick.publication_id == ref.id)
    total = int(await session.scalar(select(func.count(LinkClick.id)).where(mine)) or 0)
    if not total:
        return 0, ()
    clicks = func.count(LinkClick.id).label("clicks")
    rows = await session.execute(
        select(LinkClick.item_kind, LinkClick.item_id, clicks)
        .where(mine)
        .group_by(LinkClick.item_kind, LinkClick.item_id)
        .order_by(clicks.desc(), LinkClick.item_id)
        .limit(TOP_ITEMS)
    )
    top = []
    for kind, number, n in rows.tuples():
        item_ref = ContentRef(kind, number) if kind and number else ref  # type: ignore[arg-type]
        content = await load(session, item_ref)
        title = _title(content) if content is not None else str(item_ref)
        top.append(ItemClicks(item_ref, title, int(n)))
    return total, tuple(top)


def _title(content: Content) -> str:
    if isinstance(content, ReportItem):
        return content.headline
    if isinstance(content, Entry):
        return content.title or content.title_zh or " ".join(content.summary.split()[:12])
    return content.title
