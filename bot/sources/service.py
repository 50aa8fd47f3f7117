"""Followed sources: adding one (its current posts recorded as seen, nothing pushed), listing,
pausing, resuming and removing them, and which posts of a feed are new.

A post is new when this source never listed its id and no source listed its link: the same
post in two feeds is taken in once. What the ingest service already stored (by hand) is
recognised later, when the post is stored (see `intake`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.editorial.posting import PostError
from bot.ingest.fetch import FetchError
from bot.ingest.model import ParsedDocument
from bot.ingest.service import load_known
from bot.ingest.urls import canonical_url
from bot.sources.errors import SourceError, from_exception
from bot.sources.feeds import Feed, FeedEntry, NotAFeed, parse_feed
from bot.sources.fetching import fetch_feed
from bot.sources.intake import read_entry
from storage import audit
from storage.models import PendingAction, Source, SourcePost, SourceStatus

IMPORT_KIND = "source_import"
IMPORT_TTL = dt.timedelta(days=7)
MIN_POLL_SECONDS = 30
_SOURCE_ID = re.compile(r"#?s?(\d{1,9})\Z", re.IGNORECASE)
_EVERY = re.compile(r"(\d{1,7})\s*([smhd]?)\Z", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_source_id(text: str) -> int | None:
    """ "s3" or "3" → 3."""
    match = _SOURCE_ID.match(text.strip())
    return int(match.group(1)) if match else None


def parse_every(text: str) -> int | None:
    """A poll interval: "900", "15m", "2h" → seconds (None when malformed or under 30 s)."""
    match = _EVERY.match(text.strip())
    if not match:
        return None
    seconds = int(match.group(1)) * _UNITS[match.group(2).lower()]
    return seconds if seconds >= MIN_POLL_SECONDS else None


def interval(source: Source, settings: Settings) -> int:
    return source.poll_seconds or settings.source_poll_seconds


def post_url(entry: FeedEntry) -> str | None:
    return canonical_url(entry.link)[:1000] if entry.link else None


async def read(url: str, settings: Settings) -> tuple[Feed, str | None, str | None]:
    """The feed at `url` (unconditionally), with its ETag and Last-Modified; raises SourceError."""
    try:
        page = await fetch_feed(url, settings)
        feed = await asyncio.to_thread(parse_feed, page.body, page.url)
    except (FetchError, NotAFeed) as exc:
        raise from_exception(exc) from None
    return feed, page.etag, page.last_modified


@dataclass
class Added:
    source: Source
    seen: int  # posts already in the feed, recorded as seen
    newest: FeedEntry | None
    # The newest post as the pipeline reads it (None with `problem` when it cannot be read).
    newest_parsed: ParsedDocument | None
    problem: PostError | None
    import_id: int | None  # the pending action behind the Import button


async def add(
    session_factory: async_sessionmaker[AsyncSession],
    url: str,
    *,
    settings: Settings,
    actor_id: int | None,
    now: dt.datetime,
    auto_publish: bool = False,
    poll_seconds: int | None = None,
) -> Added:
    """Follow the feed at `url`. Every post it lists now is recorded as seen; nothing is stored
    or sent. The newest is read (not stored) so the editor can import it."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise SourceError("bad_url", url[:200])
    async with session_factory() as session:
        existing = await session.scalar(select(Source.id).where(Source.url == url))
        known = await load_known(session)
    if existing is not None:
        raise SourceError("exists", f"s{existing}")
    feed, etag, last_modified = await read(url, settings)
    newest = feed.newest()
    parsed, problem = None, None
    if newest is not None:
        try:
            parsed = await read_entry(newest, known, settings)
        except PostError as exc:
            problem = exc
    source = Source(
        url=url,
        title=feed.title,
        status=SourceStatus.ACTIVE,
        auto_publish=auto_publish,
        poll_seconds=poll_seconds,
        etag=etag,
        last_modified=last_modified,
        last_poll_at=now,
        failures=0,
        failure_reported=False,
        created_by=actor_id,
        created_at=now,
    )
    source.next_poll_at = now + dt.timedelta(seconds=interval(source, settings))
    try:
        async with session_factory() as session, session.begin():
            # Import offers nobody took up are dropped when they expire.
            await session.execute(
                delete(PendingAction).where(
                    PendingAction.kind == IMPORT_KIND, PendingAction.expires_at < now
                )
            )
            session.add(source)
            await session.flush()
            await record_seen(session, source.id, feed.entries, now)
            import_id = None
            if newest is not None:
                action = PendingAction(
                    kind=IMPORT_KIND,
                    owner_id=actor_id,
                    payload={"source_id": source.id, "entry": entry_payload(newest)},
                    created_at=now,
                    expires_at=now + IMPORT_TTL,
                )
                session.add(action)
                await session.flush()
                import_id = action.id
            await audit.record(
                session,
                actor_id,
                "source_add",
                f"source:{source.id}",
                {"url": url[:500], "auto": auto_publish, "seen": len(feed.entries)},
            )
    except IntegrityError:
        raise SourceError("exists", url[:200]) from None
    return Added(source, len(feed.entries), newest, parsed, problem, import_id)


async def record_seen(
    session: AsyncSession, source_id: int, entries: Sequence[FeedEntry], now: dt.datetime
) -> None:
    for entry in entries:
        session.add(
            SourcePost(
                source_id=source_id,
                guid=entry.guid,
                url=post_url(entry),
                title=entry.title[:500] or None,
                seen_at=now,
            )
        )
    await session.flush()


async def new_entries(
    session: AsyncSession, source_id: int, entries: Sequence[FeedEntry]
) -> list[FeedEntry]:
    """The entries this source never listed and whose link no source listed."""
    if not entries:
        return []
    guids = [e.guid for e in entries]
    seen_guids = set(
        await session.scalars(
            select(SourcePost.guid).where(
                SourcePost.source_id == source_id, SourcePost.guid.in_(guids)
            )
        )
    )
    urls = [u for u in (post_url(e) for e in entries) if u]
    seen_urls = (
        set(await session.scalars(select(SourcePost.url).where(SourcePost.url.in_(urls))))
        if urls
        else set()
    )
    return [
        e
        for e in entries
        if e.guid not in seen_guids and (post_url(e) is None or post_url(e) not in seen_urls)
    ]


async def claim(
    session_factory: async_sessionmaker[AsyncSession],
    source_id: int,
    entry: FeedEntry,
    now: dt.datetime,
) -> bool:
    """Record `entry` as seen; False when another poll (another process) recorded it first."""
    try:
        async with session_factory() as session, session.begin():
            await record_seen(session, source_id, [entry], now)
    except IntegrityError:
        return False
    return True


def entry_payload(entry: FeedEntry) -> dict[str, Any]:
    return {
        "guid": entry.guid,
        "link": entry.link,
        "title": entry.title,
        "body": entry.body,
        "body_type": entry.body_type,
        "excerpt": entry.excerpt,
        "published": entry.published.isoformat() if entry.published else None,
    }


def entry_from_payload(payload: dict[str, Any]) -> FeedEntry:
    published = payload.get("published")
    return FeedEntry(
        guid=str(payload["guid"]),
        link=payload.get("link"),
        title=str(payload.get("title") or ""),
        body=str(payload.get("body") or ""),
        body_type=str(payload.get("body_type") or "text/html"),
        excerpt=bool(payload.get("excerpt")),
        published=dt.datetime.fromisoformat(published) if published else None,
    )


async def pending_import(
    session: AsyncSession, action_id: int, now: dt.datetime
) -> tuple[int, FeedEntry] | None:
    """(source id, entry) behind an Import button, unless it expired or was used."""
    action = await session.get(PendingAction, action_id)
    if action is None or action.kind != IMPORT_KIND:
        return None
    if action.expires_at is not None and action.expires_at < now:
        return None
    payload = action.payload or {}
    return int(payload["source_id"]), entry_from_payload(payload["entry"])


async def drop_import(session: AsyncSession, action_id: int) -> None:
    await session.execute(
        delete(PendingAction).where(
            PendingAction.id == action_id, PendingAction.kind == IMPORT_KIND
        )
    )


async def all_sources(session: AsyncSession) -> list[Source]:
    return list(await session.scalars(select(Source).order_by(Source.id)))


async def set_paused(
    session: AsyncSession,
    source_id: int,
    paused: bool,
    *,
    actor_id: int | None,
    now: dt.datetime,
) -> Source | None:
    """Pause or resume; a resumed source is polled at once."""
    source = await session.get(Source, source_id)
    if source is None:
        return None
    source.status = SourceStatus.PAUSED if paused else SourceStatus.ACTIVE
    if not paused:
        source.next_poll_at = now
        source.failures = 0
    await audit.record(
        session, actor_id, "source_pause" if paused else "source_resume", f"source:{source_id}"
    )
    return source


async def remove(session: AsyncSession, source_id: int, *, actor_id: int | None) -> Source | None:
    """Stop following a source; what it brought in stays stored."""
    source = await session.get(Source, source_id)
    if source is None:
        return None
    await session.execute(delete(SourcePost).where(SourcePost.source_id == source_id))
    await session.delete(source)
    await session.flush()
    await audit.record(
        session, actor_id, "source_remove", f"source:{source_id}", {"url": source.url[:500]}
    )
    return source
