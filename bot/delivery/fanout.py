"""Fan-out: queue what was published, whoever published it.

Publishing (`bot.publishing`) only flips rows, from any process: an editor in chat, `digestbot
ingest --publish`, another bot instance. The running bot polls for published content whose
`fanned_out_at` is empty (every second, and at once when `notify_published` wakes it), queues
its recipients and stamps `fanned_out_at`.

A fan-out plans rather than queues messages: one transaction records, per publication (a
daily report, a digest, a single article), the instant-mode subscribers some follow brings it
to (`bot.matching.plan_publication`, one narrow row per subscriber), then stamps
`fanned_out_at`. The outbox rows, one message per (subscriber, publication), are expanded from
the plan a chunk at a time (`bot.delivery.recipients`): the first chunks at once, so a small
fan-out is complete when this returns and the sender starts on a big one, the rest by the
`RecipientFeeder` just ahead of the sender. A crash before the stamp leaves the content
unstamped: the next poll plans it again and the outbox's unique `dedup_key` per (publication,
subscriber, part) turns what was already queued into no-ops.

On PostgreSQL the content rows stay locked (FOR UPDATE SKIP LOCKED, in a transaction held open
for the whole fan-out), so two bot instances split the work instead of both doing it.

What goes out, to instant-mode subscribers only:
- a daily report: one message listing every item that matches them, in the report's order;
- a digest: one message with its link and the entries that match them, grouped by region (a
  digest known only by its link: to everyone who follows anything). Its entries are not sent
  again one by one;
- a single article (an entry outside a published digest): one message.
Daily-mode subscribers get all of it in their next summary (`bot.delivery.summaries`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.channels import queue_editions
from bot.config import Settings
from bot.delivery.outbox import PRIORITY
from bot.delivery.recipients import CHUNK, queue_next
from bot.delivery.rounds import run_rounds
from bot.matching import KeywordSets, Publication, digest_entries, keyword_sets, plan_publication
from bot.render.content import header_bound, piece_bound
from storage.models import ContentStatus, DailyReport, Digest, Entry, ReportItem

log = logging.getLogger(__name__)

BATCH = 200
# Recipients expanded (about one message each) before fan_out returns: a small fan-out is
# complete at once, and on a big one the sender starts on these, seconds of sending, while the
# feeder expands the rest in full chunks.
FIRST_ROWS = 200


@dataclass
class FanoutResult:
    entries: int = 0
    reports: int = 0
    digests: int = 0
    recipients: int = 0  # planned (subscriber, publication) pairs
    queued: int = 0  # outbox rows queued by this call (the first expanded chunks)
    first_commit_seconds: float | None = None

    @property
    def content(self) -> int:
        return self.entries + self.reports + self.digests


@dataclass
class _Work:
    """What one fan-out delivers: publications, and the rows to stamp."""

    entries: list[Entry] = field(default_factory=list)  # all picked (to stamp)
    report_ids: list[int] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    publications: list[tuple[Publication, int]] = field(default_factory=list)  # with header bound
    keywords: KeywordSets | None = None

    @property
    def empty(self) -> bool:
        return not (self.entries or self.report_ids or self.digests)


def _locked(session: AsyncSession, query, of):  # type: ignore[no-untyped-def]
    if session.bind.dialect.name == "postgresql":
        return query.with_for_update(of=of, skip_locked=True)
    return query


async def _pick(session: AsyncSession) -> _Work:
    work = _Work()
    work.digests = list(
        await session.scalars(
            _locked(
                session,
                select(Digest)
                .where(Digest.status == ContentStatus.PUBLISHED, Digest.fanned_out_at.is_(None))
                .order_by(Digest.id)
                .limit(BATCH),
                Digest,
            )
        )
    )
    work.entries = list(
        await session.scalars(
            _locked(
                session,
                select(Entry)
                .where(Entry.status == ContentStatus.PUBLISHED, Entry.fanned_out_at.is_(None))
                .order_by(Entry.id)
                .limit(BATCH),
                Entry,
            ).options(
                selectinload(Entry.commentators),
                selectinload(Entry.regions),
                selectinload(Entry.digest),
            )
        )
    )
    work.report_ids = list(
        await session.scalars(
            _locked(
                session,
                select(DailyReport.id)
                .where(
                    DailyReport.status == ContentStatus.PUBLISHED,
                    DailyReport.fanned_out_at.is_(None),
                )
                .order_by(DailyReport.id)
                .limit(BATCH),
                DailyReport,
            )
        )
    )
    reports = []
    if work.report_ids:
        reports = list(
            await session.scalars(
                select(DailyReport)
                .where(DailyReport.id.in_(work.report_ids))
                .order_by(DailyReport.id)
                .options(
                    selectinload(DailyReport.items).options(
                        selectinload(ReportItem.regions), selectinload(ReportItem.commentators)
                    )
                )
            )
        )
    for report in reports:
        items = [i for i in report.items if i.status == ContentStatus.PUBLISHED]
        publication = Publication("report", report.id, items, PRIORITY["alert"])
        work.publications.append((publication, header_bound(report)))
    for digest in work.digests:
        entries = await digest_entries(session, digest.id)
        publication = Publication("digest", digest.id, entries, PRIORITY["digest"])
        work.publications.append((publication, header_bound(digest)))
    for entry in work.entries:
        # Entries of a published digest travel in the digest's message.
        if entry.digest is None or entry.digest.status != ContentStatus.PUBLISHED:
            work.publications.append((Publication("entry", entry.id, [entry]), 0))
    if work.publications:
        work.keywords = await keyword_sets(session)
    return work


async def _plan(
    session: AsyncSession, work: _Work, now: dt.datetime, settings: Settings | None = None
) -> tuple[int, int]:
    """Plan every publication's recipients and queue its posts to the connected channels;
    returns (recipients planned, channel posts queued)."""
    planned = 0
    for publication, header in work.publications:
        assert work.keywords is not None  # set whenever there are publications
        planned += await plan_publication(
            session,
            publication,
            now=now,
            keywords=work.keywords,
            sizes=piece_bound,
            header=header,
        )
    posts = await queue_editions(
        session,
        now=now,
        report_ids=work.report_ids,
        digest_ids=[d.id for d in work.digests],
        entry_ids=[p.id for p, _ in work.publications if p.content_type == "entry"],
        settings=settings,
    )
    return planned, posts


async def _stamp(session: AsyncSession, work: _Work, now: dt.datetime) -> None:
    for model, ids in (
        (Entry, [e.id for e in work.entries]),
        (DailyReport, work.report_ids),
        (Digest, [d.id for d in work.digests]),
    ):
        if ids:
            await session.execute(
                update(model)
                .where(model.id.in_(ids))
                .values(fanned_out_at=now)
                .execution_options(synchronize_session=False)
            )


async def fan_out(
    session_factory: async_sessionmaker[AsyncSession],
    now: dt.datetime,
    *,
    write_lock: AbstractAsyncContextManager[Any] | None = None,
    on_queued: Callable[[], None] | None = None,
    first_rows: int | None = None,
    settings: Settings | None = None,
) -> FanoutResult:
    """Plan the recipients of everything published and not fanned out yet (a batch of up to
    BATCH of each kind), stamp it, and queue the first `first_rows` outbox rows; see the
    module docstring."""
    lock = write_lock or contextlib.nullcontext()
    first_rows = FIRST_ROWS if first_rows is None else first_rows
    result = FanoutResult()
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with session_factory() as outer, outer.begin():
        work = await _pick(outer)
        if work.empty:
            return result
        async with lock, session_factory() as session, session.begin():
            result.recipients, posts = await _plan(session, work, now, settings)
        result.first_commit_seconds = loop.time() - started
        if on_queued is not None:
            on_queued()
        if outer.bind.dialect.name == "postgresql":
            await _stamp(outer, work, now)  # commits with the locks it held
        else:
            # SQLite cannot turn this long read into a write once others have written.
            async with lock, session_factory() as session, session.begin():
                await _stamp(session, work, now)
    result.queued = posts
    while result.recipients and result.queued - posts < first_rows:
        async with lock, session_factory() as session, session.begin():
            queued = await queue_next(session, now, chunk=min(CHUNK, max(first_rows, 1)))
        if queued is None:
            break
        result.queued += queued
        if queued and on_queued is not None:
            on_queued()
    result.entries, result.reports, result.digests = (
        len(work.entries),
        len(work.report_ids),
        len(work.digests),
    )
    return result


class FanoutPoller:
    """Runs `fan_out` every `interval` seconds, or at once when woken."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Callable[[], dt.datetime],
        *,
        interval: float = 1.0,
        on_queued: Callable[[], None] | None = None,
        write_lock: AbstractAsyncContextManager[Any] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.clock = clock
        self.interval = interval
        self.on_queued = on_queued
        self.write_lock = write_lock or contextlib.nullcontext()
        self._wake = asyncio.Event()
        self.runs = 0

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> FanoutResult:
        total = FanoutResult()
        while True:  # more than a batch published at once: keep going
            result = await fan_out(
                self.session_factory,
                self.clock(),
                write_lock=self.write_lock,
                settings=self.settings,
                on_queued=self.on_queued,
            )
            total.entries += result.entries
            total.reports += result.reports
            total.digests += result.digests
            total.queued += result.queued
            total.recipients += result.recipients
            if result.content == 0 or max(result.entries, result.reports, result.digests) < BATCH:
                break
        self.runs += 1
        if total.content:
            log.info(
                "fan-out: %d entries, %d reports, %d digests -> %d recipients, %d messages queued",
                total.entries,
                total.reports,
                total.digests,
                total.recipients,
                total.queued,
            )
        return total

    async def run(self) -> None:
        await run_rounds(self.run_once, self._wake, self.interval, "fan-out")
