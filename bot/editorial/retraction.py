"""Retracting published content: out of search, out of future sends, and who already has it.

Who has it: chats sent it on its own (an alert, a digest link) and chats sent a daily summary
listing it (`SummaryItem`). Queued alerts are cancelled; queued daily summaries that list it are
re-rendered without it (`bot.delivery.summaries.withdraw_from_queued_summaries`), so daily subscribers
still get the rest of their day.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import publishing
from bot.delivery.summaries import listing, withdraw_from_queued_summaries
from bot.editorial.content import Content, digest_entries, load
from bot.editorial.refs import ContentRef
from bot.search.index import reindex
from storage import audit
from storage.models import (
    ContentStatus,
    DailyReport,
    Delivery,
    DeliveryStatus,
    Digest,
    Entry,
    ReportItem,
    Subscriber,
    SummaryItem,
)


class RetractOutcome(enum.StrEnum):
    RETRACTED = "retracted"
    NOT_FOUND = "not_found"
    ALREADY = "already"
    DRAFT = "draft"  # never published: discard it instead


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    title: str | None
    username: str | None
    at_once: bool = True  # sent it as a message of its own
    in_summary: bool = False  # sent a daily summary listing it


@dataclass
class RetractResult:
    ref: ContentRef
    outcome: RetractOutcome
    recipients: list[Recipient] = field(default_factory=list)
    cancelled: int = 0  # queued messages that will now not be sent
    summaries_rewritten: int = 0  # queued daily summaries re-rendered without it
    summaries_cancelled: int = 0  # queued daily summaries that listed nothing else


async def retract(
    session: AsyncSession, ref: ContentRef, *, actor_id: int, now: dt.datetime
) -> RetractResult:
    content = await load(session, ref)
    if content is None:
        return RetractResult(ref, RetractOutcome.NOT_FOUND)
    if content.status == ContentStatus.RETRACTED:
        return RetractResult(ref, RetractOutcome.ALREADY)
    if content.status == ContentStatus.DRAFT:
        return RetractResult(ref, RetractOutcome.DRAFT)
    targets = _targets(content)
    if isinstance(content, Entry):
        await publishing.retract_entry(session, content.id, actor_id=actor_id, now=now)
    elif isinstance(content, ReportItem):
        await publishing.retract_item(session, content.id, actor_id=actor_id, now=now)
    elif isinstance(content, DailyReport):
        for item in content.items:
            if item.status != ContentStatus.RETRACTED:
                await publishing.retract_item(session, item.id, actor_id=actor_id, now=now)
        content.status = ContentStatus.RETRACTED
        await audit.record(session, actor_id, "retract", str(ref))
    elif isinstance(content, Digest):
        for entry in digest_entries(content):
            if entry.status != ContentStatus.RETRACTED:
                await publishing.retract_entry(session, entry.id, actor_id=actor_id, now=now)
        content.status = ContentStatus.RETRACTED
        await reindex(session, digest_ids=[content.id])
        await audit.record(session, actor_id, "retract", str(ref))
    await session.flush()
    recipients = await _recipients(session, targets)
    cancelled = await _cancel_queued(session, targets, now)
    withdrawn = await withdraw_from_queued_summaries(session, targets, now)
    return RetractResult(
        ref,
        RetractOutcome.RETRACTED,
        recipients,
        cancelled,
        summaries_rewritten=withdrawn.rewritten,
        summaries_cancelled=withdrawn.cancelled,
    )


async def readers(session: AsyncSession, content: Content) -> int:
    """How many chats already received `content` (on its own or in a daily summary)."""
    return len(await _recipients(session, _targets(content)))


def _targets(content: Content) -> list[tuple[str, int]]:
    """(delivery content_type, id) of every message that can show `content`."""
    if isinstance(content, Entry):
        return [("entry", content.id)]
    if isinstance(content, ReportItem):
        return [("item", content.id)]
    if isinstance(content, DailyReport):
        return [("item", item.id) for item in content.items]
    return [("entry", e.id) for e in digest_entries(content)] + [("digest", content.id)]


def _matching(targets: list[tuple[str, int]]):  # type: ignore[no-untyped-def]
    by_type: dict[str, list[int]] = {}
    for content_type, content_id in targets:
        by_type.setdefault(content_type, []).append(content_id)
    return or_(
        *(
            and_(Delivery.content_type == t, Delivery.content_id.in_(ids))
            for t, ids in by_type.items()
        )
    )


async def _recipients(session: AsyncSession, targets: list[tuple[str, int]]) -> list[Recipient]:
    """Chats sent the content on its own or in a daily summary, by chat id."""
    if not targets:
        return []
    who = select(Delivery.chat_id, Subscriber.title, Subscriber.username).outerjoin(
        Subscriber, Subscriber.id == Delivery.subscriber_id
    )
    at_once = await session.execute(
        who.where(_matching(targets), Delivery.status == DeliveryStatus.SENT).distinct()
    )
    in_summary = await session.execute(
        who.join(SummaryItem, SummaryItem.run_id == Delivery.content_id)
        .where(
            Delivery.content_type == "summary",
            Delivery.status == DeliveryStatus.SENT,
            listing(targets),
        )
        .distinct()
    )
    found: dict[int, Recipient] = {}
    for chat_id, title, username in at_once:
        found.setdefault(chat_id, Recipient(chat_id, title, username))
    for chat_id, title, username in in_summary:
        seen = found.get(chat_id)
        found[chat_id] = (
            replace(seen, in_summary=True)
            if seen
            else Recipient(chat_id, title, username, at_once=False, in_summary=True)
        )
    return [found[chat_id] for chat_id in sorted(found)]


async def _cancel_queued(
    session: AsyncSession, targets: list[tuple[str, int]], now: dt.datetime
) -> int:
    """Messages still waiting in the outbox are not sent (one being sent right now may still go)."""
    if not targets:
        return 0
    cancelled = await session.scalars(
        update(Delivery)
        .where(_matching(targets), Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, last_error="retracted", updated_at=now)
        .returning(Delivery.id)
    )
    return len(list(cancelled))
