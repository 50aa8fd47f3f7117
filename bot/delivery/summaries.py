"""Daily summaries: each daily-mode subscriber's matching content, once a day at their local
time. Daily-mode subscribers get nothing at publication: report items, single articles and
digests (their title and link with the entries that match, or the link alone when no entries
are known) all wait for this message, chosen by the same rule as instant editions
(`bot.matching.why_matched`, `edition_for`).

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
from sqlalchemy.orm.attributes import set_committed_value

from bot.config import Settings
from bot.delivery.outbox import PRIORITY, enqueue, insert_for
from bot.i18n import t
from bot.localtime import period_of, reschedule
from bot.matching import (
    Features,
    Follow,
    KeywordMatcher,
    Ref,
    edition_for,
    features_of,
    why_matched,
)
from bot.render import esc
from bot.render.content import (
    format_date,
    group_of,
    region_name,
    render_summary,
    summary_digest_heading,
    summary_line,
)
from bot.site.links import with_message_links
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
# The order content is listed in: entries, then report items, each oldest first; digests last.
_ENTRY_ORDER = (Entry.published_at, Entry.position, Entry.id)
_ITEM_ORDER = (ReportItem.published_at, ReportItem.report_id, ReportItem.position)
_DIGEST_ORDER = (Digest.published_at, Digest.id)
_REBUILD_BATCH = 500  # summaries re-rendered per round of queries


# --- building summaries -----------------------------------------------------------------


@dataclass
class _Day:
    """Published content of a window: report items and single articles (`pieces`), and
    digests with their published entries; what matching needs of each."""

    pieces: list[tuple[Entry | ReportItem, Features]]
    digests: list[tuple[Digest, list[tuple[Entry, Features]]]]


async def _content_since(
    session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> tuple[list[Entry | ReportItem], list[Digest]]:
    """Published entries, report items and digests in (since, until]. Entries of a published
    digest come with their digest (`Digest.entries`, published ones only), not on their own."""
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
    digests = await _digests(
        session,
        (Digest.status == ContentStatus.PUBLISHED)
        & (Digest.published_at > since)
        & (Digest.published_at <= until),
    )
    return [*entries, *items], digests


async def _digests(session: AsyncSession, where: ColumnElement[bool]) -> list[Digest]:
    """Digests with their published entries in digest order (`Digest.entries` is filtered)."""
    digests = list(await session.scalars(select(Digest).where(where).order_by(*_DIGEST_ORDER)))
    if digests:
        entries = await session.scalars(
            select(Entry)
            .where(
                Entry.digest_id.in_([d.id for d in digests]),
                Entry.status == ContentStatus.PUBLISHED,
            )
            .options(selectinload(Entry.regions), selectinload(Entry.commentators))
            .order_by(Entry.position, Entry.id)
        )
        by_digest: dict[int, list[Entry]] = {}
        for entry in entries:
            by_digest.setdefault(entry.digest_id or 0, []).append(entry)
        for digest in digests:
            set_committed_value(digest, "entries", by_digest.get(digest.id, []))
    return digests


def _key(row: Entry | ReportItem) -> tuple[str, int]:
    """(content_type, content_id) as `SummaryItem` spells them."""
    return ("item", row.id) if isinstance(row, ReportItem) else ("entry", row.id)


@dataclass
class _Matched:
    """What one subscriber's summary lists: pieces and digests (with their entries), each
    with the region ids of the follows that brought it."""

    pieces: list[tuple[Entry | ReportItem, set[int]]]
    digests: list[tuple[Digest, list[tuple[Entry, set[int]]]]]

    @property
    def count(self) -> int:
        return len(self.pieces) + sum(max(len(entries), 1) for _, entries in self.digests)

    @property
    def linked(self) -> list[Entry | ReportItem | Digest]:
        """Everything whose link the summary shows."""
        shown: list[Entry | ReportItem | Digest] = [row for row, _ in self.pieces]
        for digest, entries in self.digests:
            shown += [digest, *(entry for entry, _ in entries)]
        return shown

    def listed(self) -> list[tuple[str, int]]:
        keys = [_key(row) for row, _ in self.pieces]
        for digest, entries in self.digests:
            keys.append(("digest", digest.id))
            keys += [_key(entry) for entry, _ in entries]
        return keys


def _regions_of(refs: Sequence[Ref]) -> set[int]:
    return {r.target_id for r in refs if r.kind == "region" and r.target_id is not None}


def _match(follows: Sequence[Follow], day: _Day, since: dt.datetime) -> _Matched:
    """The one rule (`bot.matching`) applied to a day's content for one subscriber."""
    pieces: list[tuple[Entry | ReportItem, set[int]]] = []
    for row, features in day.pieces:
        if row.published_at is None or row.published_at <= since:
            continue
        refs = why_matched(follows, features)
        if refs:
            pieces.append((row, _regions_of(refs)))
    digests: list[tuple[Digest, list[tuple[Entry, set[int]]]]] = []
    for digest, entries in day.digests:
        if digest.published_at is None or digest.published_at <= since:
            continue
        edition = edition_for(follows, [(e.id, f) for e, f in entries], link_only=not entries)
        if edition is not None:
            by_id = {e.id: e for e, _ in entries}
            digests.append((digest, [(by_id[m.piece_id], _regions_of(m.refs)) for m in edition]))
    return _Matched(pieces, digests)


def _sections(
    subscriber: Subscriber, matched: _Matched, regions: Sequence[Region]
) -> list[tuple[str, list[str]]]:
    """Matched pieces grouped under a region heading (`group_of`), regions in their display
    order, then each digest under its linked title with its matching entries."""
    language = subscriber.language
    content_language = subscriber.content_language
    groups: dict[int | None, list[str]] = {}
    for row, followed_regions in matched.pieces:
        heading = group_of([r.id for r in row.regions], followed_regions)
        line = summary_line(row, language=language, content_language=content_language)
        groups.setdefault(heading, []).append(line)
    sections = [(esc(region_name(r, language)), groups[r.id]) for r in regions if r.id in groups]
    if None in groups:
        sections.append((esc(t(language, "delivery.summary.other")), groups[None]))
    for digest, entries in matched.digests:
        lines = [
            summary_line(entry, language=language, content_language=content_language)
            for entry, _ in entries
        ] or [t(language, "delivery.summary.digest_link")]
        sections.append((summary_digest_heading(digest, language), lines))
    return sections


def _render(
    subscriber: Subscriber, period: str, matched: _Matched, regions: Sequence[Region]
) -> list[str]:
    """The messages of one subscriber's summary for `period` (their local date)."""
    date_label = format_date(dt.date.fromisoformat(period), subscriber.language)
    return render_summary(subscriber.language, date_label, _sections(subscriber, matched, regions))


async def build_summaries(
    session: AsyncSession,
    subscribers: Sequence[Subscriber],
    now: dt.datetime,
    settings: Settings | None = None,
) -> int:
    """Queue the due daily summary of each subscriber (once per local date: `SummaryRun`) and
    schedule the next one; returns how many summaries were queued. With `settings`, links
    become tracked links and digest pages (`with_message_links`)."""
    if not subscribers:
        return 0
    windows = {
        s.id: max(s.last_summary_at or now - FIRST_SUMMARY_WINDOW, now - LONGEST_WINDOW)
        for s in subscribers
    }
    pieces, digests = await _content_since(session, min(windows.values()), now)
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
    day = _Day(
        [(row, features_of(row, matcher)) for row in pieces],
        [(d, [(e, features_of(e, matcher)) for e in d.entries]) for d in digests],
    )
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
        matched = _match(follows[subscriber.id], day, since)
        run = await session.get(SummaryRun, run_id)
        if run is not None:
            run.items = matched.count
        if not matched.count:
            continue  # nothing new: nothing sent
        listed += [
            {"run_id": run_id, "content_type": content_type, "content_id": content_id}
            for content_type, content_id in matched.listed()
        ]
        for i, text in enumerate(_render(subscriber, period, matched, regions)):
            text = with_message_links(text, settings, matched.linked)
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
    targets = [(t, i) for t, i in targets if t in ("entry", "item", "digest")]
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


async def _listed_now(
    session: AsyncSession, run_ids: Sequence[int]
) -> tuple[list[SummaryRun], dict[int, Subscriber], dict[int, _Matched]]:
    """The runs `run_ids`, their subscribers, and what each summary lists that is still
    published (`_Matched`, ready for `_render`)."""
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
    digests = await _digests(
        session,
        Digest.id.in_([i for t, i in wanted if t == "digest"])
        & (Digest.status == ContentStatus.PUBLISHED),
    )
    # Which digest each listed entry belongs to, retracted ones included.
    digest_of: dict[int, int | None] = dict(
        (
            await session.execute(
                select(Entry.id, Entry.digest_id).where(
                    Entry.id.in_([i for t, i in wanted if t == "entry"])
                )
            )
        )
        .tuples()
        .all()
    )
    matched: dict[int, _Matched] = {}
    for run in runs:
        subscriber = subscribers.get(run.subscriber_id)
        keep = listed.get(run.id, set())
        followed = set()
        if subscriber is not None:
            followed = {
                f.region_id
                for f in subscriber.subscriptions
                if f.kind == SubscriptionKind.REGION and f.region_id is not None
            }
        listed_digests = {i for t, i in keep if t == "digest"}
        under = {
            i: digest_of[i] for t, i in keep if t == "entry" and digest_of.get(i) in listed_digests
        }
        remaining = _Matched(
            [
                (row, followed)
                for row in content
                if _key(row) in keep and not (isinstance(row, Entry) and row.id in under)
            ],
            [
                (d, [(e, followed) for e in d.entries if e.id in under])
                for d in digests
                if d.id in listed_digests
            ],
        )
        # A digest sent for entries that were all retracted since has nothing left to show.
        remaining.digests = [
            (d, shown) for d, shown in remaining.digests if shown or d.id not in under.values()
        ]
        matched[run.id] = remaining
    return runs, subscribers, matched


async def summary_now(session: AsyncSession, sent: Sequence[Delivery]) -> dict[int, str | None]:
    """Sent messages of daily summaries as they would read now (row id -> text), for a
    correction: the summary re-rendered from what it listed that is still published, each
    message its part of it; None for a part that has nothing left."""
    run_ids = sorted({d.content_id for d in sent if d.content_id is not None})
    if not run_ids:
        return {}
    runs, subscribers, matched = await _listed_now(session, run_ids)
    regions = list(await session.scalars(select(Region).order_by(Region.position, Region.id)))
    parts: dict[int, list[int]] = {}
    for row_id, run_id in await session.execute(
        select(Delivery.id, Delivery.content_id)
        .where(
            Delivery.content_type == "summary",
            Delivery.content_id.in_(run_ids),
            Delivery.status == DeliveryStatus.SENT,
        )
        .order_by(Delivery.id)
    ):
        parts.setdefault(run_id, []).append(row_id)
    texts: dict[int, list[str]] = {}
    for run in runs:
        subscriber = subscribers.get(run.subscriber_id)
        remaining = matched[run.id]
        texts[run.id] = (
            _render(subscriber, run.period, remaining, regions)
            if subscriber is not None and remaining.count
            else []
        )
    out: dict[int, str | None] = {}
    for d in sent:
        mine = texts.get(d.content_id or 0, [])
        sent_parts = parts.get(d.content_id or 0, [])
        position = sent_parts.index(d.id) if d.id in sent_parts else len(mine)
        out[d.id] = mine[position] if position < len(mine) else None
    return out


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
    runs, subscribers, matched = await _listed_now(session, run_ids)
    stale: list[int] = []
    queued: list[dict[str, Any]] = []
    rewritten = cancelled = 0
    for run in runs:
        old = parts[run.id]
        pending = [r for r in old if r.status == DeliveryStatus.PENDING]
        stale += [r.id for r in pending]
        subscriber = subscribers.get(run.subscriber_id)
        remaining = matched[run.id]
        run.items = remaining.count
        if subscriber is None or not remaining.count:
            cancelled += 1
            continue
        texts = _render(subscriber, run.period, remaining, regions)
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
            total += await build_summaries(session, due, now, services.settings)
    if total and services.delivery is not None:
        services.delivery.sender.wake()
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
