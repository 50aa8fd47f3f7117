"""Retracting published content: out of search, out of future sends, and who already has it.

Delivered messages that show it are corrected (`bot.corrections`): re-rendered without it,
deleted when they showed nothing else (within Telegram's 48 hours), else left saying it was
withdrawn. Who has it: chats sent an instant edition that shows it (a report's message listing the item,
a digest's message listing the entry, the article itself: `Delivery.edition` names what each
message shows) and chats sent a daily summary listing it (`SummaryItem`). Queued messages that
showed nothing else are cancelled; the others go out without it (the sender renders editions
at send time and leaves retracted pieces out). Queued daily summaries that list it are
re-rendered without it (`bot.delivery.summaries.withdraw_from_queued_summaries`), so daily
subscribers still get the rest of their day.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import publishing
from bot.corrections.queue import correct, publications_of
from bot.delivery.looplag import TimeSlice
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
    corrected: int = 0  # delivered messages queued to be re-rendered, edited or deleted
    uncorrectable: int = 0  # delivered messages whose records were pruned
    correcting_more: bool = False  # more delivered messages are being looked up


async def retract(
    session: AsyncSession,
    ref: ContentRef,
    *,
    actor_id: int,
    now: dt.datetime,
    editor_chat_id: int | None = None,
    language: str = "en",
) -> RetractResult:
    content = await load(session, ref)
    if content is None:
        return RetractResult(ref, RetractOutcome.NOT_FOUND)
    if content.status == ContentStatus.RETRACTED:
        return RetractResult(ref, RetractOutcome.ALREADY)
    if content.status == ContentStatus.DRAFT:
        return RetractResult(ref, RetractOutcome.DRAFT)
    targets = _targets(content)
    # Read before the first write: on SQLite a write holds the database's one write lock, and
    # the sender waits for it (at 100,000 readers this scan takes over a second).
    recipients = await _recipients(session, targets)
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
    cancelled = await _cancel_queued(session, targets, now)
    withdrawn = await withdraw_from_queued_summaries(session, targets, now)
    # Messages already delivered: re-rendered without it, or deleted (`bot.corrections`).
    correction = await correct(
        session,
        action="retract",
        what=str(ref),
        pieces=targets,
        editor_chat_id=editor_chat_id,
        language=language,
        now=now,
    )
    return RetractResult(
        ref,
        RetractOutcome.RETRACTED,
        recipients,
        cancelled,
        summaries_rewritten=withdrawn.rewritten,
        summaries_cancelled=withdrawn.cancelled,
        corrected=correction.queued,
        uncorrectable=correction.pruned,
        correcting_more=correction.planned_at is None,
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


def _matching(targets: list[tuple[str, int]]) -> ColumnElement[bool]:
    """Rows about one of `targets` as a whole: a single article's message, every message of a
    retracted digest, and rows queued before editions (one entry, item or digest each)."""
    by_type: dict[str, list[int]] = {}
    for content_type, content_id in targets:
        by_type.setdefault(content_type, []).append(content_id)
    return or_(
        false(),
        *(
            and_(Delivery.content_type == t, Delivery.content_id.in_(ids))
            for t, ids in by_type.items()
        ),
    )


async def _showing(
    session: AsyncSession, targets: list[tuple[str, int]], status: DeliveryStatus
) -> list[Any]:
    """Rows in `status` whose message shows one of `targets` (id, chat_id, edition, title,
    username): the whole-content rows of `_matching`, and edition rows of the report or digest
    the retracted items or entries belong to, kept when their edition lists one of them."""
    items, entries, _, reports, digests = await publications_of(session, targets)
    editions = or_(
        and_(Delivery.content_type == "report", Delivery.content_id.in_(reports)),
        and_(Delivery.content_type == "digest", Delivery.content_id.in_(digests)),
    )
    query = (
        select(
            Delivery.id,
            Delivery.chat_id,
            Delivery.content_type,
            Delivery.edition,
            _matching(targets).label("whole"),
            Subscriber.title,
            Subscriber.username,
        )
        .outerjoin(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(or_(_matching(targets), editions), Delivery.status == status)
        .order_by(Delivery.id)
    )
    shown = {"report": items, "digest": entries}
    out: list[Any] = []
    timeslice = TimeSlice()
    # Streamed, a page at a time: a whole audience's rows (and their editions' JSON) read in
    # one go held the event loop for over a second at 100,000 readers.
    result = await session.stream(query)
    async for page in result.partitions(_PAGE):
        for row in page:
            await timeslice.tick()
            if row.whole or _pieces(row.edition) & shown.get(row.content_type or "", set()):
                out.append(row)
    return out


_PAGE = 2_000  # delivery rows read per query by `_showing`


def _pieces(edition: dict[str, Any] | None) -> set[int]:
    return {int(piece["id"]) for piece in (edition or {}).get("items", [])}


async def _recipients(session: AsyncSession, targets: list[tuple[str, int]]) -> list[Recipient]:
    """Chats sent the content at once (an edition showing it) or in a daily summary."""
    if not targets:
        return []
    at_once = [
        (row.chat_id, row.title, row.username)
        for row in await _showing(session, targets, DeliveryStatus.SENT)
    ]
    who = select(Delivery.chat_id, Subscriber.title, Subscriber.username).outerjoin(
        Subscriber, Subscriber.id == Delivery.subscriber_id
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
    timeslice = TimeSlice()
    for chat_id, title, username in at_once:
        await timeslice.tick()
        found.setdefault(chat_id, Recipient(chat_id, title, username))
    for chat_id, title, username in in_summary:
        await timeslice.tick()
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
    """Messages still waiting in the outbox that show nothing else are not sent (one being
    sent right now may still go); the rest go out without what was retracted."""
    if not targets:
        return 0
    rows = await _showing(session, targets, DeliveryStatus.PENDING)
    pieces = {i for row in rows if not row.whole for i in _pieces(row.edition)}
    published = set(
        await session.scalars(
            select(ReportItem.id).where(
                ReportItem.id.in_(pieces), ReportItem.status == ContentStatus.PUBLISHED
            )
        )
    ) | set(
        await session.scalars(
            select(Entry.id).where(Entry.id.in_(pieces), Entry.status == ContentStatus.PUBLISHED)
        )
    )
    kind = {"report": "item", "digest": "entry"}
    nothing_left = [
        row.id
        for row in rows
        if row.whole
        or not any(
            (kind.get(row.content_type or ""), i) not in targets and i in published
            for i in _pieces(row.edition)
        )
    ]
    cancelled = await session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(nothing_left), Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, last_error="retracted", updated_at=now)
        .returning(Delivery.id)
    )
    return len(list(cancelled))
