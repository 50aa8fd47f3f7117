"""Fan-out: queue what was published, whoever published it.

Publishing (`bot.publishing`) only flips rows, from any process: an editor in chat, `digestbot
ingest --publish`, another bot instance. The running bot polls for published content whose
`fanned_out_at` is empty (every second, and at once when `notify_published` wakes it), queues
its recipients and stamps `fanned_out_at`.

Big fan-outs commit piece by piece: the recipients of each entry or report item are queued by
their own statements, and the transaction commits once it has been open for HOLD_SECONDS (and
at the end). A 33-item report for 100,000 subscribers writes several hundred thousand rows;
one transaction would hold SQLite's write lock for seconds (stalling the sender's bookkeeping
and every handler that writes) and make the first message wait for the last row, while a
commit per item costs more than twice as much in total (every commit rewrites the same index
pages). Pieces commit as they go, the sender starts on the first, and `fanned_out_at` is
stamped when the last has committed. A crash half-way leaves the
content unstamped: the next poll queues it again and the outbox's unique `dedup_key` per
(content, subscriber) turns what was already queued into no-ops.

On PostgreSQL the content rows stay locked (FOR UPDATE SKIP LOCKED, in a transaction held open
for the whole fan-out), so two bot instances split the work instead of both doing it.

What goes out:
- an entry: an instant alert to each matching instant-mode subscriber. Entries of a digest that
  is published are delivered through the digest's message instead (its link and counts), so
  publishing a 40-entry digest sends one message per subscriber, not 41;
- a daily report: an instant alert per matching item;
- a digest: its link and what it holds for each matching subscriber, instant or daily.
Daily-mode subscribers get entries and items in their summary (`bot.scheduling`).
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

from bot.matching import (
    KeywordHits,
    digest_entries,
    enqueue_alerts,
    enqueue_digest,
    find_keyword_hits,
    searchable_text,
)
from storage.models import ContentStatus, DailyReport, Digest, Entry, ReportItem

log = logging.getLogger(__name__)

BATCH = 200
PIECE = 1  # entries or items per piece
HOLD_SECONDS = 0.5  # commit once a transaction has been open this long


@dataclass
class FanoutResult:
    entries: int = 0
    reports: int = 0
    digests: int = 0
    queued: int = 0
    pieces: int = 0
    transactions: int = 0
    first_commit_seconds: float | None = None

    @property
    def content(self) -> int:
        return self.entries + self.reports + self.digests


@dataclass
class _Work:
    """What one fan-out queues: entries and items to alert about, digests to announce."""

    entries: list[Entry] = field(default_factory=list)  # all picked (to stamp)
    alone: list[Entry] = field(default_factory=list)  # those alerted one by one
    report_ids: list[int] = field(default_factory=list)
    items: list[ReportItem] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    digest_entries: dict[int, list[Entry]] = field(default_factory=dict)
    hits: dict[str, KeywordHits] = field(default_factory=dict)

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
            ).options(selectinload(Entry.commentators), selectinload(Entry.digest))
        )
    )
    work.alone = [
        e for e in work.entries if e.digest is None or e.digest.status != ContentStatus.PUBLISHED
    ]
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
    if work.report_ids:
        work.items = list(
            await session.scalars(
                select(ReportItem)
                .where(
                    ReportItem.report_id.in_(work.report_ids),
                    ReportItem.status == ContentStatus.PUBLISHED,
                )
                .order_by(ReportItem.report_id, ReportItem.position, ReportItem.id)
                .options(selectinload(ReportItem.commentators))
            )
        )
    if work.alone:
        work.hits["entry"] = await find_keyword_hits(
            session, {e.id: searchable_text(e) for e in work.alone}
        )
    if work.items:
        work.hits["item"] = await find_keyword_hits(
            session, {i.id: searchable_text(i) for i in work.items}
        )
    for digest in work.digests:
        entries = await digest_entries(session, digest.id)
        work.digest_entries[digest.id] = entries
        work.hits[f"digest:{digest.id}"] = await find_keyword_hits(
            session, {e.id: searchable_text(e) for e in entries}
        )
    return work


def _pieces(work: _Work) -> list[tuple[str, list[Any]]]:
    """What to queue, one short transaction each."""
    pieces: list[tuple[str, list[Any]]] = []
    for kind, rows in (("entry", work.alone), ("item", work.items)):
        pieces += [(kind, rows[i : i + PIECE]) for i in range(0, len(rows), PIECE)]
    pieces += [("digest", [digest]) for digest in work.digests]
    return pieces


async def _queue_piece(
    session: AsyncSession, work: _Work, now: dt.datetime, kind: str, rows: list[Any]
) -> int:
    if kind == "digest":
        digest = rows[0]
        return await enqueue_digest(
            session,
            digest.id,
            now=now,
            entries=work.digest_entries[digest.id],
            hits=work.hits[f"digest:{digest.id}"],
        )
    hits = work.hits[kind].only([r.id for r in rows])
    return await enqueue_alerts(session, kind, rows, now=now, hits=hits)


async def _stamp(session: AsyncSession, work: _Work, now: dt.datetime) -> None:
    if work.entries:
        await session.execute(
            update(Entry)
            .where(Entry.id.in_([e.id for e in work.entries]))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )
    if work.report_ids:
        await session.execute(
            update(DailyReport)
            .where(DailyReport.id.in_(work.report_ids))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )
    if work.digests:
        await session.execute(
            update(Digest)
            .where(Digest.id.in_([d.id for d in work.digests]))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )


async def fan_out(
    session_factory: async_sessionmaker[AsyncSession],
    now: dt.datetime,
    *,
    write_lock: AbstractAsyncContextManager[Any] | None = None,
    on_queued: Callable[[], None] | None = None,
    hold_seconds: float = HOLD_SECONDS,
) -> FanoutResult:
    """Queue the recipients of everything published and not fanned out yet (a batch of up to
    BATCH of each kind), piece by piece; see the module docstring."""
    lock = write_lock or contextlib.nullcontext()
    result = FanoutResult()
    started = asyncio.get_running_loop().time()
    async with session_factory() as outer, outer.begin():
        work = await _pick(outer)
        if work.empty:
            return result
        loop = asyncio.get_running_loop()
        pieces = _pieces(work)
        done = 0
        while done < len(pieces):
            queued = 0
            async with lock, session_factory() as session, session.begin():
                opened = loop.time()
                while done < len(pieces):
                    kind, rows = pieces[done]
                    queued += await _queue_piece(session, work, now, kind, rows)
                    done += 1
                    if loop.time() - opened >= hold_seconds:
                        break
            result.transactions += 1
            result.queued += queued
            if result.first_commit_seconds is None:
                result.first_commit_seconds = loop.time() - started
            if queued and on_queued is not None:
                on_queued()
        result.pieces = len(pieces)
        if outer.bind.dialect.name == "postgresql":
            await _stamp(outer, work, now)  # commits with the locks it held
        else:
            # SQLite cannot turn this long read into a write once others have written.
            async with lock, session_factory() as session, session.begin():
                await _stamp(session, work, now)
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
    ) -> None:
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
                on_queued=self.on_queued,
            )
            total.entries += result.entries
            total.reports += result.reports
            total.digests += result.digests
            total.queued += result.queued
            total.pieces += result.pieces
            if result.content == 0 or max(result.entries, result.reports, result.digests) < BATCH:
                break
        self.runs += 1
        if total.content:
            log.info(
                "fan-out: %d entries, %d reports, %d digests -> %d messages queued in %d pieces",
                total.entries,
                total.reports,
                total.digests,
                total.queued,
                total.pieces,
            )
        return total

    async def run(self) -> None:
        while True:
            self._wake.clear()
            # Shielded: a stop waits for a fan-out to commit rather than cutting it half-way.
            running = asyncio.ensure_future(self.run_once())
            try:
                await asyncio.shield(running)
            except asyncio.CancelledError:
                await asyncio.wait({running})
                raise
            except Exception:  # noqa: BLE001 - a failed poll is retried at the next one
                log.exception("fan-out failed; retrying")
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can lose a cancellation that
            # races with the event being set (a stop right after a publish would hang).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
