"""Catch-up: the latest published content for one thing a subscriber just followed.

A new follower otherwise sees nothing until the next publication; three recent items show what
the subscription brings. SQL only narrows the candidates; what is shown is decided by the same
rule as every delivery (`bot.matching.why_matched`), the subscriber's mutes included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.matching import Follow, KeywordMatcher, features_of, why_matched
from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Entry,
    Region,
    ReportItem,
    Subscriber,
    Subscription,
    SubscriptionKind,
)

CATCH_UP_COUNT = 3
# The exact keyword rule and mutes apply after the query: fetch more so three usually remain.
_OVERFETCH = 30


@dataclass(frozen=True)
class CatchUpItem:
    kind: Literal["entry", "item"]
    row: Entry | ReportItem
    published_at: dt.datetime


def _contains(columns: list[Any], keyword: str) -> ColumnElement[bool]:
    """A cheap superset in SQL (substring, ASCII case folded by lower()); the exact rule,
    the same as for alerts (bot.matching), is applied to what it returns."""
    return or_(*(func.lower(c).contains(keyword, autoescape=True) for c in columns))


async def latest_for(
    session: AsyncSession,
    subscriber: Subscriber,
    subscription: Subscription,
    limit: int = CATCH_UP_COUNT,
) -> list[CatchUpItem]:
    """The `limit` most recently published entries and press-review items matching
    `subscription`, newest first, without those the subscriber muted."""
    entries = (
        select(Entry)
        .where(Entry.status == ContentStatus.PUBLISHED)
        .options(selectinload(Entry.commentators), selectinload(Entry.regions))
    )
    items = (
        select(ReportItem)
        .join(DailyReport, DailyReport.id == ReportItem.report_id)
        .where(ReportItem.status == ContentStatus.PUBLISHED)
        .options(
            selectinload(ReportItem.regions),
            selectinload(ReportItem.commentators),
            selectinload(ReportItem.report),
        )
    )
    if subscription.kind == SubscriptionKind.REGION:
        entries = entries.where(Entry.regions.any(Region.id == subscription.region_id))
        items = items.where(ReportItem.regions.any(Region.id == subscription.region_id))
    elif subscription.kind == SubscriptionKind.COMMENTATOR:
        entries = entries.where(
            Entry.commentators.any(Commentator.id == subscription.commentator_id)
        )
        items = items.where(
            ReportItem.commentators.any(Commentator.id == subscription.commentator_id)
        )
    elif subscription.kind == SubscriptionKind.KEYWORD and subscription.keyword:
        keyword = subscription.keyword
        text_columns = [Entry.title, Entry.title_zh, Entry.summary, Entry.text, Entry.outlet]
        entries = entries.where(
            or_(
                _contains([*text_columns, Entry.affiliation], keyword),
                Entry.commentators.any(_contains([Commentator.name, Commentator.name_zh], keyword)),
            )
        )
        items = items.where(
            _contains(
                [
                    ReportItem.headline,
                    ReportItem.title_zh,
                    ReportItem.summary_zh,
                    ReportItem.summary_en,
                    ReportItem.text,
                ],
                keyword,
            )
        )
    else:
        return []
    entry_rows = await session.scalars(
        entries.order_by(Entry.published_at.desc(), Entry.id.desc()).limit(_OVERFETCH)
    )
    item_rows = await session.scalars(
        items.order_by(ReportItem.published_at.desc(), ReportItem.id.desc()).limit(_OVERFETCH)
    )
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    found = [CatchUpItem("entry", e, e.published_at or epoch) for e in entry_rows]
    found += [CatchUpItem("item", i, i.published_at or epoch) for i in item_rows]
    mutes = [
        Follow.of(s)
        for s in await session.scalars(
            select(Subscription).where(
                Subscription.subscriber_id == subscriber.id,
                Subscription.kind == SubscriptionKind.MUTE,
            )
        )
    ]
    follows = [Follow.of(subscription), *mutes]
    matcher = KeywordMatcher(f.keyword for f in follows if f.keyword)
    found = [f for f in found if why_matched(follows, features_of(f.row, matcher))]
    found.sort(key=lambda f: (f.published_at, f.row.id), reverse=True)
    return found[:limit]
