"""A channel post as it is now: the pieces it showed (`Delivery.edition`) still published,
rendered like the post was (header on the publication's first post, "part n/m" after it).

The sender renders queued posts this way when it sends them, so an edit or retraction made
before the send is what goes out, and corrections of sent posts use it for editMessageText.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.edition import Edition, load_editions, ref_of
from bot.channels.render import SEPARATOR, _title, edition_posts, interface_language
from bot.config import Settings
from bot.i18n import t
from bot.site.links import with_message_links
from storage.models import Channel, ContentStatus


async def posts_now(
    session: AsyncSession,
    posts: Sequence[tuple[int, int, dict[str, Any]]],
    settings: Settings | None = None,
) -> dict[int, str | None]:
    """(row id, channel id, edition) -> the post's text now, or None when nothing it showed is
    still published. With `settings`, its links become tracked links and digest pages."""
    wanted: dict[str, set[int]] = {"report": set(), "digest": set(), "article": set()}
    for _, _, edition in posts:
        kind, publication_id = edition["publication"]
        wanted[kind].add(int(publication_id))
    editions: dict[tuple[str, int], Edition] = {
        (e.kind, e.id): e
        for e in await load_editions(
            session,
            report_ids=sorted(wanted["report"]),
            digest_ids=sorted(wanted["digest"]),
            entry_ids=sorted(wanted["article"]),
        )
    }
    channels = {
        c.id: c
        for c in await session.scalars(
            select(Channel).where(Channel.id.in_({channel_id for _, channel_id, _ in posts}))
        )
    }
    out: dict[int, str | None] = {}
    for row_id, channel_id, edition in posts:
        kind, publication_id = edition["publication"]
        whole = editions.get((kind, int(publication_id)))
        channel = channels.get(channel_id)
        content_language = channel.content_language if channel is not None else "both"
        text = None if whole is None else _post(whole, edition, content_language)
        out[row_id] = None if text is None or whole is None else _linked(text, whole, settings)
    return out


def _linked(text: str, whole: Edition, settings: Settings | None) -> str:
    return with_message_links(text, settings, whole.linked)


# Caps on each piece tried in turn until a re-rendered post fits in one message.
_PIECE_CHARS: tuple[int | None, ...] = (None, 1500, 800, 400, 200, 100)


def _post(whole: Edition, edition: dict[str, Any], content_language: str) -> str | None:
    publication = whole.report or whole.digest
    if publication is not None and publication.status != ContentStatus.PUBLISHED:
        return None
    shown = {int(p["id"]) for p in edition.get("items", [])}
    keep = [row for row in whole.rows if ref_of(row)[1] in shown]
    if not keep and not (edition.get("head") and not edition.get("items")):
        return None
    part = whole.only(keep)
    if not edition.get("head"):
        part = replace(part, report=None, digest=None)
    # An edit may have made the pieces longer than one post holds: the post is edited in
    # place, so its pieces are shortened to fit rather than left out.
    for piece_chars in _PIECE_CHARS:
        texts = [
            p.text
            for p in edition_posts(part, content_language=content_language, piece_chars=piece_chars)
        ]
        if len(texts) <= 1:
            break
    if not texts:
        return None
    text = texts[0]
    if int(edition.get("part", 1)) > 1 and int(edition.get("parts", 1)) > 1:
        label = t(
            interface_language(content_language),
            "channels.post.part",
            title=_title(whole),
            n=int(edition["part"]),
            count=int(edition["parts"]),
        )
        text = label + SEPARATOR + text
    return text
