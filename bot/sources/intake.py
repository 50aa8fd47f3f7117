"""A feed entry becomes a stored draft: its text (the page's when the feed holds an excerpt),
parsed by the ingest pipeline in a worker thread, stored through /post's `store` (content-hash
dedup), and published at once for a source that publishes without review.

A post whose link is already stored (a digest registered by hand, an article posted as a link)
is recognised before anything is parsed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.editorial import posting
from bot.editorial.posting import PostError, PublishOutcome
from bot.editorial.refs import ContentRef
from bot.ingest.detect import Known, parse_bytes
from bot.ingest.fetch import FetchedPage, FetchError
from bot.ingest.model import ParsedDocument, ParseError, Skipped
from bot.ingest.service import load_known
from bot.ingest.urls import canonical_url
from bot.sources.feeds import FeedEntry
from bot.sources.fetching import fetch_page
from storage.models import Digest, Entry, SourcePost

PageFetcher = Callable[[str, Settings], Awaitable[FetchedPage]]


@dataclass(frozen=True, slots=True)
class TakenIn:
    """What became of a feed entry."""

    ref: ContentRef | None
    duplicate: bool = False  # stored before (by hand or from another feed)
    published: bool = False
    skipped: tuple[Skipped, ...] = ()
    # Why it could not be read: the code of editor.post.<code> and its values.
    problem: PostError | None = None


async def read_entry(
    entry: FeedEntry, known: Known, settings: Settings, *, fetcher: PageFetcher = fetch_page
) -> ParsedDocument:
    """Parse the entry (fetching its page when the feed holds an excerpt); raises PostError."""
    today = entry.published.date() if entry.published else None
    content_type: str | None
    url: str | None
    try:
        if entry.excerpt and entry.link:
            try:
                page = await fetcher(entry.link, settings)
            except FetchError as exc:
                raise PostError("fetch_error", reason=str(exc)) from None
            data, content_type, url = page.body, page.content_type, page.url
        elif entry.body_type == "text/plain":
            data, content_type, url = f"{entry.title}\n{entry.body}".encode(), None, entry.link
        else:
            data, content_type, url = entry.html_document().encode(), "text/html", entry.link
        # Extraction and parsing of a long post take a while: off the event loop.
        return await asyncio.to_thread(
            parse_bytes, data, content_type=content_type, url=url, known=known, today=today
        )
    except ParseError as exc:
        if exc.line:
            raise PostError("parse_error_line", line=exc.line, reason=exc.reason) from None
        raise PostError("parse_error", reason=exc.reason) from None


async def stored_by_link(session: AsyncSession, link: str | None) -> ContentRef | None:
    """The digest or article already stored under this post's link."""
    if not link:
        return None
    url = canonical_url(link)
    digest_id = await session.scalar(
        select(Digest.id).where(or_(Digest.link == url, Digest.link == link)).order_by(Digest.id)
    )
    if digest_id is not None:
        return ContentRef("d", digest_id)
    entry_id = await session.scalar(
        select(Entry.id)
        .where(Entry.kind == "article", or_(Entry.url == url, Entry.url == link))
        .order_by(Entry.id)
    )
    return ContentRef("e", entry_id) if entry_id is not None else None


async def take_in(
    session_factory: async_sessionmaker[AsyncSession],
    source_id: int,
    entry: FeedEntry,
    *,
    settings: Settings,
    now: dt.datetime,
    auto_publish: bool,
    actor_id: int | None = None,
    fetcher: PageFetcher = fetch_page,
) -> TakenIn:
    """Store `entry` as a draft (published, with `auto_publish`) and note its ref on the
    source's seen post. No transaction is open while the page is fetched or parsed."""
    async with session_factory() as session:
        known = await load_known(session)
        stored = await stored_by_link(session, entry.link)
    if stored is not None:
        async with session_factory() as session, session.begin():
            await _note(session, source_id, entry, ref=str(stored))
        return TakenIn(stored, duplicate=True)
    try:
        parsed = await read_entry(entry, known, settings, fetcher=fetcher)
    except PostError as exc:
        async with session_factory() as session, session.begin():
            await _note(session, source_id, entry, error=f"{exc.reason}: {exc.values}")
        return TakenIn(None, problem=exc)
    async with session_factory() as session, session.begin():
        try:
            posted = await posting.store(session, parsed, actor_id=actor_id, now=now)
        except PostError as exc:
            await _note(session, source_id, entry, error=f"{exc.reason}: {exc.values}")
            return TakenIn(None, problem=exc)
        await _note(session, source_id, entry, ref=str(posted.ref))
        published = False
        if auto_publish and not posted.duplicate:
            outcome = await posting.publish_ref(session, posted.ref, actor_id=actor_id, now=now)
            published = outcome is PublishOutcome.PUBLISHED
    return TakenIn(posted.ref, posted.duplicate, published, posted.skipped)


async def _note(
    session: AsyncSession,
    source_id: int,
    entry: FeedEntry,
    *,
    ref: str | None = None,
    error: str | None = None,
) -> None:
    await session.execute(
        update(SourcePost)
        .where(SourcePost.source_id == source_id, SourcePost.guid == entry.guid)
        .values(ref=ref, error=error[:1000] if error else None)
    )
