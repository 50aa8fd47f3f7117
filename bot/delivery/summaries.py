"""Daily summaries: each daily-mode subscriber's matching content, once a day at their local
time.

Who is due is data, not jobs: `Subscriber.next_summary_at` (UTC) is the next moment their clock
reads their `daily_time` (`bot.localtime`), recomputed after every summary and every settings
change. `SummaryTicker` runs in the one process that owns the schedules
(`bot.delivery.ownership`): a plain task that looks for due subscribers every `TICK_SECONDS`
and at start, through the bot's async engine, so nothing on the event loop waits on a
synchronous driver or a second scheduler's job store.

Each summary is keyed in the database by (subscriber, period = local date of the moment it fell
due): a `SummaryRun` row inserted in the same transaction that queues the summary. A summary
that fell due during downtime therefore goes out once, at the first tick after start, covering
everything since the previous one. The same transaction records what the summary lists
(`SummaryItem`), so a retraction can name who read an item in a summary and take it out of
summaries still waiting in the outbox (`withdraw_from_queued_summaries`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.delivery.outbox import PRIORITY, enqueue, insert_for
from bot.i18n import t
from bot.localtime import period_of, reschedule
from bot.matching import Follow, KeywordMatcher, features_of, why_matched
from bot.render.content import format_date, region_name, render_summary, summary_line
from storage.models import (
    ContentStatus,
    DailyReport,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    Digest,
    Entry,
    Region,
    ReportItem,
    Subscriber,
    SubscriberStatus,
    Subscription,
    SubscriptionKind,
    SummaryItem,
    SummaryRun,
)

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
FIRST_SUMMARY_WINDOW = dt.timedelta(hours=24)
LONGEST_WINDOW = dt.timedelta(days=7)
# The order content is listed in: entries, then report items, each oldest first.
_ENTRY_ORDER = (Entry.published_at, Entry.position, Entry.id)
_ITEM_ORDER = (ReportItem.published_at, ReportItem.report_id, ReportItem.position)
_REBUILD_BATCH = 500  # summaries re-rendered per round of queries


# --- building summaries -----------------------------------------------------------------


async def _content_since(
    session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> list[Entry | ReportItem]:
    """Published entries and report items in (since, until]. Entries of a published digest are
    left out: they reach subscribers through the digest's own message."""
    items = await session.scalars(
        select(ReportItem)
        .join(DailyReport, DailyReport.id == ReportItem.report_id)
        .where(
            ReportItem.status == ContentStatus.PUBLISHED,
            ReportItem.published_at > since,
            ReportItem.published_at <= until,
        )
        .options(selectinload(ReportItem.regions), selectinload(ReportItem.commentators))
        .order_by(*_ITEM_ORDER)
    )
    published_digests = select(Digest.id).where(Digest.status == ContentStatus.PUBLISHED)
    entries = await session.scalars(
        select(Entry)
        .where(
            Entry.status == ContentStatus.PUBLISHED,
            Entry.published_at > since,
            Entry.published_at <= until,
            (Entry.digest_id.is_(None)) | Entry.digest_id.not_in(published_digests),
        )
        .options(selectinload(Entry.regions), selectinload(Entry.commentators))
        .order_by(*_ENTRY_ORDER)
    )
    return [*entries, *items]


def _key(row: Entry | ReportItem) -> tuple[str, int]:
    """(content_type, content_id) as `Delivery` and `SummaryItem` spell them."""
    return ("item", row.id) if isinstance(row, ReportItem) else ("entry", row.id)


def _sections(
    subscriber: Subscriber,
    matched: Sequence[tuple[Entry | ReportItem, set[int]]],
    regions: Sequence[Region],
) -> list[tuple[str, list[str]]]:
    """Matched content grouped under a region heading: the first of its regions the subscriber
    follows, else its first region, else "Other"; regions in their display order."""
    language = subscriber.language
    groups: dict[int | None, list[str]] = {}
    for row, followed_regions in matched:
        region_ids = [r.id for r in row.regions]
        heading = next((r for r in region_ids if r in followed_regions), None)
        if heading is None and region_ids:
            heading = region_ids[0]
        line = summary_line(row, language=language, content_language=subscriber.content_language)
        groups.setdefault(heading, []).append(line)
    sections = [(region_name(r, language), groups[r.id]) for r in regions if r.id in groups]
    if None in groups:
        sections.append((t(language, "delivery.summary.other"), groups[None]))
    return sections


def _render(
    subscriber: Subscriber,
    period: str,
    matched: Sequence[tuple[Entry | ReportItem, set[int]]],
    regions: Sequence[Region],
) -> list[str]:
    """The messages of one subscriber's summary for `period` (their local date)."""
    date_label = format_date(dt.date.fromisoformat(period), subscriber.language)
    return render_summary(subscriber.language, date_label, _sections(subscriber, matched, regions))


async def build_summaries(
    session: AsyncSession, subscribers: Sequence[Subscriber], now: dt.datetime
) -> int:
    """Queue the due daily summary of each subscriber (once per local date: `SummaryRun`) and
    schedule the next one; returns how many summaries were queued."""
    if not subscribers:
        return 0
    windows = {
        s.id: max(s.last_summary_at or now - FIRST_SUMMARY_WINDOW, now - LONGEST_WINDOW)
        for s in subscribers
    }
    content = await _content_since(session, min(windows.values()), now)
    follows: dict[int, list[Follow]] = {s.id: [] for s in subscribers}
    for subscription in await session.scalars(
        select(Subscription).where(Subscription.subscriber_id.in_(list(follows)))
    ):
        follows[subscription.subscriber_id].append(Follow.of(subscription))
    keywords = {
        f.keyword
        for fs in follows.values()
        for f in fs
        if f.keyword and f.kind in (SubscriptionKind.KEYWORD, SubscriptionKind.MUTE)
    }
    matcher = KeywordMatcher(keywords)
    features = [(row, features_of(row, matcher)) for row in content]
    regions = list(await session.scalars(select(Region).order_by(Region.position, Region.id)))
    queued = 0
    listed: list[dict[str, Any]] = []  # SummaryItem rows, inserted together at the end
    for subscriber in subscribers:
        due = subscriber.next_summary_at or now
        period = period_of(due, subscriber.timezone)
        run_id = await session.scalar(
            insert_for(session)(SummaryRun)
            .values(subscriber_id=subscriber.id, period=period, items=0, created_at=now)
            .on_conflict_do_nothing(index_elements=["subscriber_id", "period"])
            .returning(SummaryRun.id)
        )
        since = windows[subscriber.id]
        subscriber.last_summary_at = now
        reschedule(subscriber, now)
        if run_id is None:
            continue  # this period's summary was built already (another process, a retry)
        matched: list[tuple[Entry | ReportItem, set[int]]] = []
        for row, feats in features:
            if row.published_at is None or row.published_at <= since:
                continue
            refs = why_matched(follows[subscriber.id], feats)
            if refs:
                followed = {
                    r.target_id for r in refs if r.kind == "region" and r.target_id is not None
                }
                matched.append((row, followed))
        run = await session.get(SummaryRun, run_id)
        if run is not None:
            run.items = len(matched)
        if not matched:
            continue  # nothing new: nothing sent
        for row, _ in matched:
            content_type, content_id = _key(row)
            listed.append(
                {"run_id": run_id, "content_type": content_type, "content_id": content_id}
            )
        for i, text in enumerate(_render(subscriber, period, matched, regions)):
            await enqueue(
                session,
                chat_id=subscriber.chat_id,
                thread_id=subscriber.thread_id,
                subscriber_id=subscriber.id,
                text=text,
                kind="summary",
                priority=PRIORITY["summary"],
                dedup_key=f"summary:{subscriber.id}:{period}:{i}",
                disable_preview=True,
                content_type="summary",
                content_id=run_id,
                now=now,
            )
        queued += 1
    if listed:
        await session.execute(insert(SummaryItem), listed)  # one executemany, not a trip per row
    await session.flush()
    return queued


# --- retracted content in queued summaries ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """Queued daily summaries that listed retracted content."""

    rewritten: int = 0  # re-rendered without it, still to be sent
    cancelled: int = 0  # listed nothing else: not sent at all


def listing(targets: Sequence[tuple[str, int]]) -> ColumnElement[bool]:
    """`SummaryItem` rows for any of `targets` ((content_type, content_id) pairs)."""
    by_type: dict[str, list[int]] = {}
    for content_type, content_id in targets:
        by_type.setdefault(content_type, []).append(content_id)
    return or_(
        *(
            and_(SummaryItem.content_type == t, SummaryItem.content_id.in_(ids))
            for t, ids in by_type.items()
        )
    )


async def withdraw_from_queued_summaries(
    session: AsyncSession, targets: Sequence[tuple[str, int]], now: dt.datetime
) -> Withdrawn:
    """Re-render, without what is no longer published, every daily summary that lists one of
    `targets` and has not started going out (each of its messages still pending).

    The old messages are cancelled and the new text queued as new rows, rather than edited in
    place: a sender that read the old text just before this commit then fails to claim it
    instead of sending it. On PostgreSQL the rows are locked first, so a claim in progress is
    waited for and seen. A summary already (partly) sent or being sent is left as it is."""
    targets = [(t, i) for t, i in targets if t in ("entry", "item")]
    if not targets:
        return Withdrawn()
    query = (
        select(Delivery.id, Delivery.content_id, Delivery.status, Delivery.not_before)
        .where(
            Delivery.content_type == "summary",
            Delivery.content_id.in_(select(SummaryItem.run_id).where(listing(targets))),
        )
        .order_by(Delivery.id)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    parts: dict[int, list[Any]] = {}
    for row in await session.execute(query):
        parts.setdefault(row.content_id, []).append(row)
    waiting = sorted(
        run_id
        for run_id, rows in parts.items()
        if all(r.status in (DeliveryStatus.PENDING, DeliveryStatus.CANCELLED) for r in rows)
        and any(r.status == DeliveryStatus.PENDING for r in rows)
    )
    if not waiting:
        return Withdrawn()
    regions = list(await session.scalars(select(Region).order_by(Region.position, Region.id)))
    rewritten = cancelled = 0
    for start in range(0, len(waiting), _REBUILD_BATCH):
        batch = waiting[start : start + _REBUILD_BATCH]
        r, c = await _rebuild(session, batch, parts, targets, regions, now)
        rewritten, cancelled = rewritten + r, cancelled + c
    return Withdrawn(rewritten, cancelled)


async def _rebuild(
    session: AsyncSession,
    run_ids: list[int],
    parts: dict[int, list[Any]],
    targets: Sequence[tuple[str, int]],
    regions: Sequence[Region],
    now: dt.datetime,
) -> tuple[int, int]:
    """Re-render the summaries `run_ids` from their still-published content; returns how many
    were rewritten and how many cancelled for having nothing left."""
    runs = list(await session.scalars(select(SummaryRun).where(SummaryRun.id.in_(run_ids))))
    subscribers = {
        s.id: s
        for s in await session.scalars(
            select(Subscriber)
            .where(Subscriber.id.in_({r.subscriber_id for r in runs}))
            .options(selectinload(Subscriber.subscriptions))
        )
    }
    listed: dict[int, set[tuple[str, int]]] = {}
    for item in await session.scalars(select(SummaryItem).where(SummaryItem.run_id.in_(run_ids))):
        listed.setdefault(item.run_id, set()).add((item.content_type, item.content_id))
    wanted = {key for keys in listed.values() for key in keys}
    entries = await session.scalars(
        select(Entry)
        .where(
            Entry.id.in_([i for t, i in wanted if t == "entry"]),
            Entry.status == ContentStatus.PUBLISHED,
        )
        .options(selectinload(Entry.regions), selectinload(Entry.commentators))
        .order_by(*_ENTRY_ORDER)
    )
    items = await session.scalars(
        select(ReportItem)
        .where(
            ReportItem.id.in_([i for t, i in wanted if t == "item"]),
            ReportItem.status == ContentStatus.PUBLISHED,
        )
        .options(selectinload(ReportItem.regions), selectinload(ReportItem.commentators))
        .order_by(*_ITEM_ORDER)
    )
    content: list[Entry | ReportItem] = [*entries, *items]
    stale: list[int] = []
    queued: list[dict[str, Any]] = []
    rewritten = cancelled = 0
    for run in runs:
        old = parts[run.id]
        pending = [r for r in old if r.status == DeliveryStatus.PENDING]
        stale += [r.id for r in pending]
        subscriber = subscribers.get(run.subscriber_id)
        keep = listed.get(run.id, set())
        remaining = [row for row in content if _key(row) in keep]
        run.items = len(remaining)
        if subscriber is None or not remaining:
            cancelled += 1
            continue
        followed = {
            f.region_id
            for f in subscriber.subscriptions
            if f.kind == SubscriptionKind.REGION and f.region_id is not None
        }
        texts = _render(subscriber, run.period, [(row, followed) for row in remaining], regions)
        # Dedup keys go on from the summary's earlier messages: parts 0..n-1 exist already.
        queued += [
            {
                "subscriber_id": subscriber.id,
                "chat_id": subscriber.chat_id,
                "thread_id": subscriber.thread_id,
                "kind": "summary",
                "priority": PRIORITY["summary"],
                "content_type": "summary",
                "content_id": run.id,
                "dedup_key": f"summary:{subscriber.id}:{run.period}:{len(old) + i}",
                "text": text,
                "disable_preview": True,
                "status": DeliveryStatus.PENDING,
                "not_before": pending[0].not_before,  # quiet hours or back-off decided already
                "created_at": now,
                "updated_at": now,
            }
            for i, text in enumerate(texts)
        ]
        rewritten += 1
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(stale), Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, last_error="retracted: rebuilt", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if queued:
        await session.execute(insert(Delivery), queued)
    # The rebuilt summaries no longer list the retracted content.
    await session.execute(
        delete(SummaryItem)
        .where(SummaryItem.run_id.in_(run_ids), listing(targets))
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return rewritten, cancelled


async def run_due_summaries(services: Services, *, batch: int = 500) -> int:
    """Build every summary that is due at `services.clock()`; returns how many were queued.
    Daily subscribers without a schedule yet get one (nothing is sent for them now)."""
    now = services.clock()
    async with services.session_factory() as session, session.begin():
        unscheduled = await session.scalars(
            select(Subscriber).where(
                Subscriber.mode == DeliveryMode.DAILY, Subscriber.next_summary_at.is_(None)
            )
        )
        for subscriber in unscheduled:
            reschedule(subscriber, now)
    total = 0
    while True:
        async with services.session_factory() as session, session.begin():
            query = (
                select(Subscriber)
                .where(
                    Subscriber.mode == DeliveryMode.DAILY,
                    Subscriber.status == SubscriberStatus.ACTIVE,
                    Subscriber.next_summary_at <= now,
                )
                .order_by(Subscriber.next_summary_at, Subscriber.id)
                .limit(batch)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            due = list(await session.scalars(query))
            if not due:
                break
            total += await build_summaries(session, due, now)
    if total:
        wake = services.extras.get("wake_sender")
        if callable(wake):
            wake()
    return total


class SummaryTicker:
    """Queues the daily summaries that are due, at start and every `interval` seconds; run
    only by the process that owns the schedules."""

    def __init__(self, services: Services, *, interval: float = TICK_SECONDS) -> None:
        self.services = services
        self.interval = interval
        self.ticks = 0
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def tick(self) -> int:
        try:
            queued = await run_due_summaries(self.services)
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("daily summaries: tick failed")
            return 0
        finally:
            self.ticks += 1
        if queued:
            log.info("daily summaries: queued %d", queued)
        return queued

    async def run(self) -> None:
        while True:
            self._wake.clear()
            # Shielded: a stop lets a batch of summaries commit rather than cutting it.
            running = asyncio.ensure_future(self.tick())
            try:
                await asyncio.shield(running)
            except asyncio.CancelledError:
                await asyncio.wait({running})
                raise
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
