"""The numbers behind /stats: subscribers, what they follow, the outbox, publishing history."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Delivery,
    DeliveryStatus,
    Digest,
    Entry,
    Region,
    ReportItem,
    Subscriber,
    SubscriberStatus,
    Subscription,
    SubscriptionKind,
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
