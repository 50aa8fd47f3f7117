"""The buttons under pushed editions: open an item's full summary, follow its commentator or
region, stop following what brought it. Callback data is built by `bot.render.content`
("dl:si:<item id>", "dl:se:<entry id>", "dl:fr:<region id>", "dl:fc:<commentator id>",
"dl:u:<subscription id>") and parsed back strictly by the handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import subscriptions
from bot.lookup import get_commentator, get_region
from bot.render import Rendered
from bot.render.content import full_summary, region_name
from storage.models import ContentStatus, Entry, ReportItem, Subscriber, SubscriptionKind

SUMMARY_ACTIONS = ("si", "se")  # open a report item's / an entry's full summary


@dataclass(frozen=True)
class ButtonOutcome:
    key: str  # i18n key of the answer
    name: str = ""  # plain text, escaped by the caller
    values: dict[str, Any] = field(default_factory=dict)


async def apply_button(
    session: AsyncSession, subscriber: Subscriber, action: str, target_id: int, language: str
) -> ButtonOutcome:
    """Follow a region ("fr") or commentator ("fc"), or remove a subscription ("u"); ids come
    from buttons, so anything not found (or not this subscriber's) is a stale button."""
    if action == "fr":
        region = await get_region(session, target_id)
        if region is None:
            return ButtonOutcome("error.stale_button")
        try:
            result = await subscriptions.follow_region(session, subscriber, region)
        except subscriptions.SubscriptionError as exc:
            return ButtonOutcome(exc.reason, values=exc.values)
        key = "delivery.followed" if result.created else "delivery.already_followed"
        return ButtonOutcome(key, region_name(region, language))
    if action == "fc":
        commentator = await get_commentator(session, target_id)
        if commentator is None:
            return ButtonOutcome("error.stale_button")
        try:
            result = await subscriptions.follow_commentator(session, subscriber, commentator)
        except subscriptions.SubscriptionError as exc:
            return ButtonOutcome(exc.reason, values=exc.values)
        key = "delivery.followed" if result.created else "delivery.already_followed"
        return ButtonOutcome(key, commentator.name)
    if action == "u":
        removed = await subscriptions.remove_subscription(session, subscriber, target_id)
        if removed is None:
            return ButtonOutcome("delivery.not_followed")
        if removed.kind == SubscriptionKind.REGION and removed.region is not None:
            name = region_name(removed.region, language)
        elif removed.kind == SubscriptionKind.COMMENTATOR and removed.commentator is not None:
            name = removed.commentator.name
        else:
            name = removed.keyword or removed.target
        return ButtonOutcome("delivery.unfollowed", name)
    return ButtonOutcome("error.stale_button")


async def open_summary(
    session: AsyncSession,
    action: str,
    piece_id: int,
    *,
    language: str,
    content_language: str,
) -> Rendered | None:
    """The full summary a numbered button opens ("si" a report item, "se" an entry), in the
    reader's languages; None when it is gone (retracted, deleted: a stale button)."""
    piece: Entry | ReportItem | None
    if action == "se":
        piece = await session.scalar(
            select(Entry)
            .where(Entry.id == piece_id)
            .options(selectinload(Entry.regions), selectinload(Entry.commentators))
        )
    else:
        piece = await session.scalar(
            select(ReportItem)
            .where(ReportItem.id == piece_id)
            .options(selectinload(ReportItem.regions), selectinload(ReportItem.commentators))
        )
    if piece is None or piece.status != ContentStatus.PUBLISHED:
        return None
    return full_summary(piece, language=language, content_language=content_language)
