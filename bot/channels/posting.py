"""Queueing each publication's edition to every connected channel.

Called once per fan-out, in its transaction (`bot.delivery.fanout`): the posts go into the
outbox with stored text, one row per post, deduplicated per (channel, publication, part), so a
fan-out run again after a crash queues nothing twice. The sender sends them in order (one
message per chat at a time, rows in id order) within the limiter's 20 posts a minute per group
or channel chat. Each row keeps what a later correction needs: chat id and topic, the message
id once sent, and which pieces of which publication the post shows (`Delivery.edition`).

In a forum supergroup the pieces go to the topics their regions map to (`service.topic_for`):
each topic gets the edition's header and its share of the pieces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import service
from bot.channels.edition import Edition, Piece, load_editions
from bot.channels.render import Post, edition_posts
from bot.config import Settings
from bot.delivery.outbox import enqueue
from bot.site.links import with_message_links
from storage.models import Channel

KIND = "channel"
# Ahead of alerts (10): one channel post reaches all of its readers, and it waits for nobody
# else's chat, so it never holds back a fan-out to subscribers.
PRIORITY = 5


def channel_posts(channel: Channel, edition: Edition) -> list[tuple[int, Post]]:
    """(topic, post) for every post of `edition` in `channel`, in sending order."""
    if not channel.is_forum:
        return [
            (0, post) for post in edition_posts(edition, content_language=channel.content_language)
        ]
    by_topic: dict[int, list[Piece]] = {}
    for row in edition.rows:
        by_topic.setdefault(service.topic_for(channel, [r.slug for r in row.regions]), []).append(
            row
        )
    if not by_topic:  # a digest with no published entry: its header alone
        by_topic[service.topic_for(channel, [])] = []
    return [
        (topic, post)
        for topic, rows in by_topic.items()
        for post in edition_posts(edition.only(rows), content_language=channel.content_language)
    ]


def post_edition(edition: Edition, post: Post, part: int, parts: int) -> dict[str, Any]:
    """What a channel post shows, as `Delivery.edition` records it for every message."""
    return {
        "publication": [edition.kind, edition.id],
        "items": [{"id": int(ref[1])} for ref in post.items if ref[0] in ("item", "entry")],
        "head": any(ref[0] not in ("item", "entry") for ref in post.items),
        "part": part,
        "parts": parts,
    }


async def queue_editions(
    session: AsyncSession,
    *,
    now: dt.datetime,
    report_ids: Sequence[int] = (),
    digest_ids: Sequence[int] = (),
    entry_ids: Sequence[int] = (),
    settings: Settings | None = None,
) -> int:
    """Queue the whole edition of each publication to each active channel; returns how many
    posts were queued (0 for those queued before). With `settings`, links become tracked
    links and digest pages (`with_message_links`)."""
    channels = await service.active(session)
    if not channels or not (report_ids or digest_ids or entry_ids):
        return 0
    editions = await load_editions(
        session, report_ids=report_ids, digest_ids=digest_ids, entry_ids=entry_ids
    )
    queued = 0
    for channel in channels:
        for edition in editions:
            posts = channel_posts(channel, edition)
            for part, (topic, post) in enumerate(posts, 1):
                queued += await enqueue(
                    session,
                    chat_id=channel.chat_id,
                    thread_id=topic,
                    text=with_message_links(post.text, settings, edition.linked),
                    kind=KIND,
                    priority=PRIORITY,
                    dedup_key=f"channel:{channel.id}:{edition.key}:{part}",
                    content_type=service.POST_TYPE,
                    content_id=channel.id,
                    edition=post_edition(edition, post, part, len(posts)),
                    # A post of several pieces would show the first link's preview only.
                    disable_preview=edition.kind != "article",
                    now=now,
                )
    return queued
