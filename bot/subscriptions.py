"""What a chat follows: subscribers (a chat or one forum topic) and their subscriptions.

Services take the caller's session and never commit: a handler wraps one call in
`async with session_factory() as s, s.begin():`. Other areas (delivery's follow buttons, the
editor) call these same functions, so they work on plain ids and rows, not Telegram objects.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import lookup, settings_service
from bot.lookup import Candidate
from storage.models import (
    Commentator,
    Region,
    Subscriber,
    SubscriberStatus,
    Subscription,
    SubscriptionKind,
)

# Enough for anyone who reads the newsletter; a bound keeps /list and matching cheap.
MAX_SUBSCRIPTIONS = 200
KEYWORD_MAX_CHARS = 100
_QUOTES = "\"'“”‘’「」『』《》`"
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_FOLLOWED_KINDS = (SubscriptionKind.REGION, SubscriptionKind.COMMENTATOR, SubscriptionKind.KEYWORD)


class ChatLike(Protocol):
    id: int
    type: str
    title: str | None
    username: str | None


class UserLike(Protocol):
    language_code: str | None


class SubscriptionError(Exception):
    """A request that cannot be honoured; `reason` is an i18n key, `values` fill it in."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class FollowResult:
    subscription: Subscription
    created: bool  # False: it was already followed


def interface_language(language_code: str | None) -> str:
    """Telegram's `language_code` mapped to the interface languages we have (zh* → zh)."""
    return "zh" if (language_code or "").lower().startswith("zh") else "en"


def normalize_keyword(phrase: str) -> str:
    """The stored form of a keyword: NFKC, quotes stripped, single spaces, casefolded.

    Raises SubscriptionError("sub.keyword.empty" / "sub.keyword.too_long" / "sub.keyword.too_short").
    """
    text = unicodedata.normalize("NFKC", phrase).strip().strip(_QUOTES).strip()
    text = " ".join(text.split()).casefold()
    if not text:
        raise SubscriptionError("sub.keyword.empty")
    if len(text) > KEYWORD_MAX_CHARS:
        raise SubscriptionError("sub.keyword.too_long", limit=KEYWORD_MAX_CHARS)
    # One Latin letter matches nearly everything; one Chinese character (税, 芯) is meaningful.
    if len(text) < 2 and not _CJK_RE.search(text):
        raise SubscriptionError("sub.keyword.too_short")
    return text


# --- subscribers ------------------------------------------------------------------------


async def get_subscriber(
    session: AsyncSession, chat_id: int, thread_id: int = 0
) -> Subscriber | None:
    return await session.scalar(
        select(Subscriber).where(Subscriber.chat_id == chat_id, Subscriber.thread_id == thread_id)
    )


async def get_or_create_subscriber(
    session: AsyncSession,
    chat: ChatLike,
    thread_id: int = 0,
    user: UserLike | None = None,
    *,
    default_timezone: str = "UTC",
) -> Subscriber:
    """The subscriber for this chat (or forum topic), created with defaults on first use.

    A chat that had blocked the bot and now talks to it again is active again.
    """
    subscriber = await get_subscriber(session, chat.id, thread_id)
    if subscriber is not None:
        if subscriber.status == SubscriberStatus.BLOCKED:
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.blocked_at = None
        return subscriber
    subscriber = Subscriber(
        chat_id=chat.id,
        thread_id=thread_id,
        chat_type=chat.type,
        title=chat.title,
        username=chat.username,
        language=interface_language(user.language_code if user else None),
        timezone=default_timezone,
    )
    # Two updates from a new chat can race (concurrent updates); the loser reads the winner's row.
    try:
        async with session.begin_nested():
            session.add(subscriber)
    except IntegrityError:
        existing = await get_subscriber(session, chat.id, thread_id)
        if existing is None:
            raise
        return existing
    return subscriber


async def forget_subscriber(session: AsyncSession, subscriber: Subscriber) -> None:
    """Delete the subscriber; the database cascades to subscriptions, queued deliveries, runs."""
    await session.execute(delete(Subscription).where(Subscription.subscriber_id == subscriber.id))
    await session.delete(subscriber)
    await session.flush()


# --- subscriptions ----------------------------------------------------------------------


async def _existing(
    session: AsyncSession, subscriber: Subscriber, kind: str, target: str
) -> Subscription | None:
    return await session.scalar(
        select(Subscription).where(
            Subscription.subscriber_id == subscriber.id,
            Subscription.kind == kind,
            Subscription.target == target,
        )
    )


async def count_subscriptions(session: AsyncSession, subscriber: Subscriber) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Subscription)
            .where(Subscription.subscriber_id == subscriber.id)
        )
        or 0
    )


async def _add(session: AsyncSession, subscriber: Subscriber, row: Subscription) -> FollowResult:
    existing = await _existing(session, subscriber, row.kind, row.target)
    if existing is not None:
        return FollowResult(existing, created=False)
    if await count_subscriptions(session, subscriber) >= MAX_SUBSCRIPTIONS:
        raise SubscriptionError("sub.limit", limit=MAX_SUBSCRIPTIONS)
    row.subscriber_id = subscriber.id
    # A double tap on the same button races with itself; the unique key keeps one row.
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = await _existing(session, subscriber, row.kind, row.target)
        if existing is None:
            raise
        return FollowResult(existing, created=False)
    return FollowResult(row, created=True)


async def follow_region(
    session: AsyncSession, subscriber: Subscriber, region: Region
) -> FollowResult:
    row = Subscription(
        kind=SubscriptionKind.REGION, region_id=region.id, target=region.slug, region=region
    )
    return await _add(session, subscriber, row)


async def follow_commentator(
    session: AsyncSession, subscriber: Subscriber, commentator: Commentator
) -> FollowResult:
    row = Subscription(
        kind=SubscriptionKind.COMMENTATOR,
        commentator_id=commentator.id,
        target=str(commentator.id),
        commentator=commentator,
    )
    return await _add(session, subscriber, row)


async def follow_keyword(
    session: AsyncSession, subscriber: Subscriber, phrase: str
) -> FollowResult:
    """Follow a keyword or phrase (English or Chinese); raises SubscriptionError when invalid."""
    keyword = normalize_keyword(phrase)
    row = Subscription(kind=SubscriptionKind.KEYWORD, keyword=keyword, target=keyword)
    return await _add(session, subscriber, row)


async def mute_keyword(session: AsyncSession, subscriber: Subscriber, phrase: str) -> FollowResult:
    """Exclude items matching `phrase` from everything followed."""
    keyword = normalize_keyword(phrase)
    row = Subscription(kind=SubscriptionKind.MUTE, keyword=keyword, target=keyword)
    return await _add(session, subscriber, row)


def target_of(kind: str, thing: Region | Commentator | str) -> str:
    """The `Subscription.target` key for a region, a commentator or a keyword."""
    if isinstance(thing, Region):
        return thing.slug
    if isinstance(thing, Commentator):
        return str(thing.id)
    return normalize_keyword(thing)


async def unfollow(session: AsyncSession, subscriber: Subscriber, kind: str, target: str) -> bool:
    """Stop following (or unmute) one thing by its target key; True when something was removed."""
    result = await session.execute(
        delete(Subscription).where(
            Subscription.subscriber_id == subscriber.id,
            Subscription.kind == kind,
            Subscription.target == target,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def unfollow_region(session: AsyncSession, subscriber: Subscriber, region: Region) -> bool:
    return await unfollow(session, subscriber, SubscriptionKind.REGION, region.slug)


async def unfollow_commentator(
    session: AsyncSession, subscriber: Subscriber, commentator: Commentator
) -> bool:
    return await unfollow(session, subscriber, SubscriptionKind.COMMENTATOR, str(commentator.id))


async def remove_subscription(
    session: AsyncSession, subscriber: Subscriber, subscription_id: int
) -> Subscription | None:
    """Remove one subscription by id, only if it belongs to `subscriber` (ids come from buttons)."""
    row = await session.scalar(
        select(Subscription)
        .where(Subscription.id == subscription_id, Subscription.subscriber_id == subscriber.id)
        .options(selectinload(Subscription.region), selectinload(Subscription.commentator))
    )
    if row is None:
        return None
    await session.delete(row)
    await session.flush()
    return row


async def toggle_region(session: AsyncSession, subscriber: Subscriber, region: Region) -> bool:
    """Follow the region if not followed, else unfollow; True when it is now followed."""
    if await unfollow_region(session, subscriber, region):
        return False
    await follow_region(session, subscriber, region)
    return True


async def toggle_commentator(
    session: AsyncSession, subscriber: Subscriber, commentator: Commentator
) -> bool:
    if await unfollow_commentator(session, subscriber, commentator):
        return False
    await follow_commentator(session, subscriber, commentator)
    return True


async def get_subscription(
    session: AsyncSession, subscriber: Subscriber, subscription_id: int
) -> Subscription | None:
    return await session.scalar(
        select(Subscription)
        .where(Subscription.id == subscription_id, Subscription.subscriber_id == subscriber.id)
        .options(selectinload(Subscription.region), selectinload(Subscription.commentator))
    )


async def get_subscription_for(
    session: AsyncSession, subscriber: Subscriber, kind: str, target: str
) -> Subscription | None:
    return await _existing(session, subscriber, kind, target)


async def list_subscriptions(
    session: AsyncSession, subscriber: Subscriber, kinds: tuple[str, ...] | None = None
) -> list[Subscription]:
    """Everything followed (and muted), regions first in their display order, then
    commentators by name, then keywords and mutes alphabetically."""
    query = (
        select(Subscription)
        .where(Subscription.subscriber_id == subscriber.id)
        .options(selectinload(Subscription.region), selectinload(Subscription.commentator))
    )
    if kinds:
        query = query.where(Subscription.kind.in_(kinds))
    rows = list(await session.scalars(query))
    order: dict[str, int] = {
        k.value: i for i, k in enumerate([*_FOLLOWED_KINDS, SubscriptionKind.MUTE])
    }

    def key(row: Subscription) -> tuple[int, int, str]:
        if row.region is not None:
            return (order[row.kind], row.region.position, row.region.slug)
        if row.commentator is not None:
            return (order[row.kind], 0, row.commentator.name.casefold())
        return (order.get(row.kind, 9), 0, row.target)

    return sorted(rows, key=key)


async def followed_region_ids(session: AsyncSession, subscriber: Subscriber | None) -> set[int]:
    if subscriber is None:
        return set()
    rows = await session.scalars(
        select(Subscription.region_id).where(
            Subscription.subscriber_id == subscriber.id,
            Subscription.kind == SubscriptionKind.REGION,
        )
    )
    return {r for r in rows if r is not None}


async def followed_commentator_ids(
    session: AsyncSession, subscriber: Subscriber | None
) -> set[int]:
    if subscriber is None:
        return set()
    rows = await session.scalars(
        select(Subscription.commentator_id).where(
            Subscription.subscriber_id == subscriber.id,
            Subscription.kind == SubscriptionKind.COMMENTATOR,
        )
    )
    return {r for r in rows if r is not None}


# --- following by what the user typed --------------------------------------------------


@dataclass(frozen=True)
class NamedOutcome:
    """What `/subscribe <text>` or `/unsubscribe <text>` did.

    status: followed | already | unfollowed | not_followed | ambiguous | unknown.
    `thing` is the region or commentator concerned (the keyword for a keyword);
    `candidates` are the choices (ambiguous) or suggestions (unknown), best first.
    """

    status: str
    query: str
    thing: Region | Commentator | str | None = None
    subscription: Subscription | None = None
    candidates: tuple[Candidate, ...] = ()


async def thing_for(session: AsyncSession, candidate: Candidate) -> Region | Commentator | None:
    if candidate.kind == "region":
        return await session.get(Region, candidate.id)
    return await session.get(Commentator, candidate.id)


async def follow_thing(
    session: AsyncSession, subscriber: Subscriber, thing: Region | Commentator
) -> FollowResult:
    if isinstance(thing, Region):
        return await follow_region(session, subscriber, thing)
    return await follow_commentator(session, subscriber, thing)


async def unfollow_thing(
    session: AsyncSession, subscriber: Subscriber, thing: Region | Commentator
) -> bool:
    if isinstance(thing, Region):
        return await unfollow_region(session, subscriber, thing)
    return await unfollow_commentator(session, subscriber, thing)


async def follow_by_name(
    session: AsyncSession,
    subscriber: Subscriber,
    text: str,
    *,
    cache: lookup.IndexCache | None = None,
) -> NamedOutcome:
    """Follow the region or commentator `text` names (slug, English or Chinese name, alias,
    pinyin, small misspellings)."""
    resolution = await lookup.resolve(session, text, cache=cache)
    if resolution.status != "found" or resolution.best is None:
        return NamedOutcome(resolution.status, text, candidates=resolution.matches)
    thing = await thing_for(session, resolution.best)
    if thing is None:  # deleted between the two queries
        return NamedOutcome("unknown", text)
    result = await follow_thing(session, subscriber, thing)
    status = "followed" if result.created else "already"
    return NamedOutcome(status, text, thing, result.subscription)


async def unfollow_by_name(
    session: AsyncSession,
    subscriber: Subscriber,
    text: str,
    *,
    cache: lookup.IndexCache | None = None,
) -> NamedOutcome:
    """Stop following what `text` names: a followed keyword as typed, else a region or a
    commentator; among ambiguous names, the one that is followed if only one is."""
    try:
        keyword = normalize_keyword(text)
    except SubscriptionError:
        keyword = None
    if keyword and await unfollow(session, subscriber, SubscriptionKind.KEYWORD, keyword):
        return NamedOutcome("unfollowed", text, keyword)
    resolution = await lookup.resolve(session, text, cache=cache)
    candidates = resolution.matches
    if resolution.status == "ambiguous":
        followed_regions = await followed_region_ids(session, subscriber)
        followed_people = await followed_commentator_ids(session, subscriber)
        followed = [
            c
            for c in candidates
            if c.id in (followed_regions if c.kind == "region" else followed_people)
        ]
        if len(followed) != 1:
            return NamedOutcome("ambiguous", text, candidates=tuple(followed) or candidates)
        candidates = (followed[0],)
    elif resolution.status == "unknown":
        return NamedOutcome("unknown", text, candidates=candidates)
    thing = await thing_for(session, candidates[0])
    if thing is None:
        return NamedOutcome("unknown", text)
    removed = await unfollow_thing(session, subscriber, thing)
    return NamedOutcome("unfollowed" if removed else "not_followed", text, thing)


# --- /start and deep links --------------------------------------------------------------

_LINK_RE = re.compile(r"(region|commentator)[-_](.+)\Z")


@dataclass(frozen=True)
class StartOutcome:
    subscriber: Subscriber | None
    resumed: bool = False
    bad_link: bool = False
    thing: Region | Commentator | None = None
    follow: FollowResult | None = None


async def start_chat(
    session: AsyncSession,
    chat: ChatLike,
    thread_id: int,
    user: UserLike | None,
    payload: str | None,
    *,
    default_timezone: str,
    now: dt.datetime,
    may_change: bool = True,
) -> StartOutcome:
    """/start: register the chat, resume it if paused, and follow what a deep link names
    (`region-japan`, `commentator-12`). Without `may_change` (a group member who is not an
    admin) nothing is written."""
    if not may_change:
        return StartOutcome(await get_subscriber(session, chat.id, thread_id))
    subscriber = await get_or_create_subscriber(
        session, chat, thread_id, user, default_timezone=default_timezone
    )
    await session.flush()
    resumed = await settings_service.resume(session, subscriber, now)
    if not payload:
        return StartOutcome(subscriber, resumed)
    match = _LINK_RE.match(payload.strip())
    thing: Region | Commentator | None = None
    if match and match.group(1) == "region":
        thing = await lookup.get_region_by_slug(session, match.group(2).lower())
    elif match and match.group(2).isdigit():
        thing = await lookup.get_commentator(session, int(match.group(2)))
    if thing is None:
        return StartOutcome(subscriber, resumed, bad_link=True)
    follow = await follow_thing(session, subscriber, thing)
    return StartOutcome(subscriber, resumed, thing=thing, follow=follow)
