"""Connected channels in the database: add, find, change, remove, list.

A removed channel keeps its row (status "removed") so the delivery rows of its past posts still
say which chat they went to; adding it again reactivates the same row with its settings.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.checks import ChatFacts
from bot.channels.errors import ChannelError
from bot.lookup import list_regions
from storage import audit
from storage.models import Channel, ChannelStatus, Delivery, DeliveryStatus, Region

CONTENT_LANGUAGES = ("en", "zh", "both")
DEFAULT_TOPIC = "default"
GENERAL_TOPIC = 1  # a forum's General topic: posts there carry no message_thread_id
POST_TYPE = "channel"  # Delivery.content_type of a channel post (content_id: the channel)


class AddOutcome(enum.StrEnum):
    ADDED = "added"
    ALREADY = "already"
    READDED = "readded"


@dataclass(frozen=True, slots=True)
class Added:
    channel: Channel
    outcome: AddOutcome


def label(channel: Channel) -> str:
    """How audit records and logs name a channel."""
    return f"@{channel.username}" if channel.username else f"chat:{channel.chat_id}"


async def add(session: AsyncSession, facts: ChatFacts, *, actor_id: int, now: dt.datetime) -> Added:
    channel = await session.scalar(select(Channel).where(Channel.chat_id == facts.chat_id))
    if channel is not None and channel.status == ChannelStatus.ACTIVE:
        outcome = AddOutcome.ALREADY
    elif channel is not None:
        channel.status, channel.added_by, channel.added_at = ChannelStatus.ACTIVE, actor_id, now
        outcome = AddOutcome.READDED
    else:
        channel = Channel(chat_id=facts.chat_id, added_by=actor_id, added_at=now, topics={})
        session.add(channel)
        outcome = AddOutcome.ADDED
    channel.username, channel.title = facts.username, facts.title
    channel.type, channel.is_forum = facts.type, facts.is_forum
    await session.flush()
    if outcome != AddOutcome.ALREADY:
        await audit.record(
            session, actor_id, "channel.add", label(channel), {"title": channel.title}
        )
    return Added(channel, outcome)


async def find(session: AsyncSession, ref: int | str) -> Channel | None:
    """An active channel by chat id or "@username" (as `checks.parse_chat_ref` returns)."""
    query = select(Channel).where(Channel.status == ChannelStatus.ACTIVE)
    if isinstance(ref, int):
        query = query.where(Channel.chat_id == ref)
    else:
        query = query.where(func.lower(Channel.username) == ref.removeprefix("@").lower())
    return await session.scalar(query)


async def require(session: AsyncSession, ref: int | str) -> Channel:
    channel = await find(session, ref)
    if channel is None:
        raise ChannelError("not_connected", ref=str(ref))
    return channel


async def active(session: AsyncSession) -> list[Channel]:
    return list(
        await session.scalars(
            select(Channel).where(Channel.status == ChannelStatus.ACTIVE).order_by(Channel.id)
        )
    )


async def last_failures(session: AsyncSession, channels: list[Channel]) -> dict[int, str]:
    """Channel id -> the error of its latest post, for channels whose latest post failed (the
    bot was removed, lost its rights...): what /channel list warns about."""
    failures: dict[int, str] = {}
    for channel in channels:
        latest = (
            await session.execute(
                select(Delivery.status, Delivery.last_error)
                .where(Delivery.content_type == POST_TYPE, Delivery.content_id == channel.id)
                .order_by(Delivery.id.desc())
                .limit(1)
            )
        ).first()
        if latest is not None and latest.status == DeliveryStatus.FAILED:
            failures[channel.id] = latest.last_error or ""
    return failures


async def remove(session: AsyncSession, channel: Channel, *, actor_id: int) -> int:
    """Stop posting to `channel`; its posts still queued are cancelled. Returns how many."""
    channel.status = ChannelStatus.REMOVED
    cancelled = await session.execute(
        update(Delivery)
        .where(
            Delivery.content_type == POST_TYPE,
            Delivery.content_id == channel.id,
            Delivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.CANCELLED, last_error="channel removed")
        .execution_options(synchronize_session=False)
    )
    await audit.record(session, actor_id, "channel.remove", label(channel))
    return int(cancelled.rowcount or 0)  # type: ignore[attr-defined]


async def set_language(
    session: AsyncSession, channel: Channel, language: str, *, actor_id: int
) -> None:
    language = language.casefold()
    if language not in CONTENT_LANGUAGES:
        raise ChannelError("bad_language", language=language[:20])
    channel.content_language = language
    await audit.record(
        session, actor_id, "channel.language", label(channel), {"language": language}
    )


async def find_region(session: AsyncSession, name: str) -> Region:
    """A region by slug, English or Chinese name, or alias (case-insensitive)."""
    wanted = name.strip().casefold()
    for region in await list_regions(session):
        names = {region.slug, region.name_en, region.name_zh, *(region.aliases or [])}
        if wanted in {str(n).casefold() for n in names if n}:
            return region
    raise ChannelError("bad_region", region=name[:40])


def parse_topic_id(text: str) -> int | None:
    """A topic id (a positive integer), or None for "off"; ChannelError otherwise."""
    if text.casefold() in ("off", "none", "-"):
        return None
    if text.isdigit() and 0 < int(text) < 2**31:
        return int(text)
    raise ChannelError("bad_topic_id", topic=text[:20])


async def set_topic(
    session: AsyncSession,
    channel: Channel,
    target: str,
    thread_id: int | None,
    *,
    actor_id: int,
) -> Region | None:
    """Map a region (or `DEFAULT_TOPIC`: everything no mapped region takes) to a forum topic,
    or unmap it (`thread_id` None). Returns the region, None for the default topic."""
    require_forum(channel)
    region = None if target.casefold() == DEFAULT_TOPIC else await find_region(session, target)
    topics: dict[str, Any] = {"regions": dict((channel.topics or {}).get("regions", {}))}
    default = (channel.topics or {}).get("default")
    if region is None:
        default = thread_id
    elif thread_id is None:
        topics["regions"].pop(region.slug, None)
    else:
        topics["regions"][region.slug] = thread_id
    if default is not None:
        topics["default"] = default
    channel.topics = topics  # a new dict: JSON columns do not see changes made in place
    await audit.record(
        session,
        actor_id,
        "channel.topic",
        label(channel),
        {"region": region.slug if region else DEFAULT_TOPIC, "topic": thread_id},
    )
    return region


def require_forum(channel: Channel) -> None:
    if not channel.is_forum:
        raise ChannelError("not_forum", name=channel.title or label(channel))


def topic_for(channel: Channel, region_slugs: list[str]) -> int:
    """The forum topic a piece of content goes to: its first region that has a topic, else the
    default topic, else General (0: no message_thread_id). 0 for chats that are not forums."""
    if not channel.is_forum:
        return 0
    topics = channel.topics or {}
    mapped: dict[str, int] = topics.get("regions", {})
    for slug in region_slugs:
        if slug in mapped:
            return _thread(mapped[slug])
    return _thread(topics.get("default") or 0)


def _thread(topic: int) -> int:
    return 0 if topic == GENERAL_TOPIC else int(topic)
