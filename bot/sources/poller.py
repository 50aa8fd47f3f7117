"""Polling the sources: each active source when it is due, conditionally (ETag/Last-Modified),
with back-off after errors. New posts become drafts (or publications, for sources that publish
without review); editors hear about each one, and about a source that fails `FAILING_AFTER` polls
in a row once (a single timeout or a 502 during the site's deploy is not news) and once more
when it recovers.

`poll_due` does one round and returns what editors should hear; `run` repeats it. Time comes
from the clock passed in, so tests drive polls without waiting. Only the process that owns the
scheduler runs `run` (see `bot.sources.runtime`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.editorial.posting import PostError
from bot.editorial.refs import ContentRef
from bot.ingest.fetch import FetchError
from bot.sources import service
from bot.sources.errors import SourceError, from_exception
from bot.sources.feeds import FeedEntry, NotAFeed, parse_feed
from bot.sources.fetching import fetch_feed, fetch_page
from bot.sources.intake import PageFetcher, take_in
from storage.models import Source, SourceStatus

log = logging.getLogger(__name__)

# Consecutive failed polls before editors hear that a source is failing.
FAILING_AFTER = 3
# Failed polls wait interval × 2^(failures-1), at most this long (or the interval, if longer).
MAX_BACKOFF = dt.timedelta(hours=6)
# A feed that suddenly lists many unseen posts (a changed id scheme) is taken in a few at a time.
MAX_NEW_PER_POLL = 10
# How long `run` sleeps at most between rounds, so sources added elsewhere are noticed.
MAX_IDLE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Event:
    """Something editors hear about: kind is "new", "failing", "recovered" or "post_error"."""

    kind: str
    source_id: int
    source_title: str
    ref: ContentRef | None = None
    published: bool = False
    error: SourceError | None = None
    problem: PostError | None = None
    link: str | None = None
    title: str = ""


@dataclass
class PollResult:
    source_id: int
    not_modified: bool = False
    new: int = 0
    last_title: str | None = None  # of the last new post
    error: SourceError | None = None
    events: list[Event] = field(default_factory=list)


Notify = Callable[[Sequence[Event]], Awaitable[None]]


class SourcePoller:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Callable[[], dt.datetime],
        *,
        notify: Notify | None = None,
        on_published: Callable[[], None] | None = None,
        page_fetcher: PageFetcher = fetch_page,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock
        self.notify = notify
        self.on_published = on_published
        self.page_fetcher = page_fetcher
        # One round at a time in this process: a poll asked for by hand waits for the loop's.
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def poll_due(self) -> list[PollResult]:
        """Poll every active source whose time has come."""
        async with self._lock:
            now = self.clock()
            async with self.session_factory() as session:
                ids = list(
                    await session.scalars(
                        select(Source.id)
                        .where(
                            Source.status == SourceStatus.ACTIVE,
                            or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now),
                        )
                        .order_by(Source.next_poll_at, Source.id)
                    )
                )
            return [await self._poll(i) for i in ids]

    async def poll_now(self, source_ids: Sequence[int] | None = None) -> list[PollResult]:
        """Poll the given sources (default: every active one) whether due or not."""
        async with self._lock:
            async with self.session_factory() as session:
                query = select(Source.id).order_by(Source.id)
                if source_ids is None:
                    query = query.where(Source.status == SourceStatus.ACTIVE)
                else:
                    query = query.where(Source.id.in_(source_ids))
                ids = list(await session.scalars(query))
            return [await self._poll(i) for i in ids]

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.poll_due()
                idle = await self._idle_seconds()
            except Exception:  # noqa: BLE001 - one bad round must not stop polling
                log.exception("source polling failed")
                idle = MAX_IDLE_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), idle)

    async def _idle_seconds(self) -> float:
        async with self.session_factory() as session:
            due = await session.scalar(
                select(Source.next_poll_at)
                .where(Source.status == SourceStatus.ACTIVE, Source.next_poll_at.is_not(None))
                .order_by(Source.next_poll_at)
                .limit(1)
            )
        if due is None:
            return MAX_IDLE_SECONDS
        wait = (due - self.clock()).total_seconds()
        return min(max(wait, 1.0), MAX_IDLE_SECONDS)

    async def _poll(self, source_id: int) -> PollResult:
        result = PollResult(source_id)
        async with self.session_factory() as session:
            source = await session.get(Source, source_id)
        if source is None:
            return result
        label = source.title or source.url
        try:
            page = await fetch_feed(
                source.url, self.settings, etag=source.etag, last_modified=source.last_modified
            )
            if page.status == 304:
                result.not_modified = True
                entries: list[FeedEntry] = []
            else:
                feed = await asyncio.to_thread(parse_feed, page.body, page.url)
                label = feed.title or label
                async with self.session_factory() as session:
                    fresh = await service.new_entries(session, source_id, feed.entries)
                entries = feed.oldest_first(fresh)[:MAX_NEW_PER_POLL]
        except (FetchError, NotAFeed) as exc:
            result.error = from_exception(exc)
            await self._failed(source, result)
            return await self._tell(result)

        for entry in entries:
            if not await service.claim(self.session_factory, source_id, entry, self.clock()):
                continue
            taken = await take_in(
                self.session_factory,
                source_id,
                entry,
                settings=self.settings,
                now=self.clock(),
                auto_publish=source.auto_publish,
                fetcher=self.page_fetcher,
            )
            if taken.problem is not None:
                result.events.append(
                    Event(
                        "post_error",
                        source_id,
                        label,
                        problem=taken.problem,
                        link=entry.link,
                        title=entry.title,
                    )
                )
            elif taken.ref is not None and not taken.duplicate:
                result.new += 1
                result.last_title = entry.title or entry.link
                result.events.append(
                    Event(
                        "new",
                        source_id,
                        label,
                        ref=taken.ref,
                        published=taken.published,
                        link=entry.link,
                        title=entry.title,
                    )
                )
            if taken.published and self.on_published is not None:
                self.on_published()
        await self._succeeded(source, result, page.etag, page.last_modified, label)
        return await self._tell(result)

    async def _failed(self, source: Source, result: PollResult) -> None:
        assert result.error is not None
        now = self.clock()
        async with self.session_factory() as session, session.begin():
            row = await session.get(Source, source.id)
            if row is None:
                return
            row.failures += 1
            row.last_poll_at = now
            row.last_error_code = result.error.code
            row.last_error = result.error.detail[:1000] or None
            row.last_error_at = now
            every = dt.timedelta(seconds=service.interval(row, self.settings))
            backoff = min(every * 2 ** min(row.failures - 1, 16), max(MAX_BACKOFF, every))
            row.next_poll_at = now + backoff
            if not row.failure_reported and row.failures >= FAILING_AFTER:
                row.failure_reported = True
                result.events.append(
                    Event("failing", row.id, row.title or row.url, error=result.error)
                )

    async def _succeeded(
        self,
        source: Source,
        result: PollResult,
        etag: str | None,
        last_modified: str | None,
        label: str,
    ) -> None:
        now = self.clock()
        async with self.session_factory() as session, session.begin():
            row = await session.get(Source, source.id)
            if row is None:
                return
            if not result.not_modified:
                row.etag, row.last_modified = etag, last_modified
                row.title = label if label != row.url else row.title
            row.last_poll_at = now
            row.failures = 0
            row.next_poll_at = now + dt.timedelta(seconds=service.interval(row, self.settings))
            if result.new:
                row.last_new_post_at = now
                row.last_post_title = (result.last_title or "")[:500] or None
            if row.failure_reported:
                row.failure_reported = False
                result.events.insert(0, Event("recovered", row.id, row.title or row.url))

    async def _tell(self, result: PollResult) -> PollResult:
        if result.events and self.notify is not None:
            try:
                await self.notify(result.events)
            except Exception:  # noqa: BLE001 - a failed notice must not undo the poll
                log.exception("could not tell editors about source s%s", result.source_id)
        return result
