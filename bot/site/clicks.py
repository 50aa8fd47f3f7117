"""Following a tracked link: where it leads, and the click it records.

A click is a row (publication, item, time): no address, no user agent, nothing about the
reader. Link-preview robots (Telegram fetches every link it shows a preview of) and HEAD
requests are redirected without being counted.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.editorial.refs import ContentRef
from bot.site.links import Tracked, absolute, digest_url, permalink
from storage.models import ContentStatus, Digest, Entry, LinkClick, ReportItem

_ROBOT_RE = re.compile(
    r"bot\b|crawler|spider|preview|facebookexternalhit|slurp|curl/|wget/|python-requests",
    re.IGNORECASE,
)


def is_robot(user_agent: str | None) -> bool:
    """A program fetching the link on its own (a preview, a crawler), not a reader."""
    return bool(user_agent) and _ROBOT_RE.search(user_agent or "") is not None


async def destination(
    session: AsyncSession, tracked: Tracked, public_url: str | None
) -> str | None:
    """The source the link stands for; the site's own page when the content was withdrawn
    (it says so there); None when the content is gone or has no source."""
    target = tracked.item or tracked.publication
    model = {"e": Entry, "i": ReportItem, "d": Digest}.get(target.kind)
    if model is None:
        return None
    row = await session.get(model, target.id)
    if row is None:
        return None
    if row.status == ContentStatus.RETRACTED:
        return absolute(public_url, permalink(target))
    if isinstance(row, Digest):
        return digest_url(row, public_url)
    url = row.url
    return url if url and url.startswith(("http://", "https://")) else None


async def record(session: AsyncSession, tracked: Tracked, now: dt.datetime) -> None:
    item: ContentRef | None = tracked.item
    await session.execute(
        insert(LinkClick).values(
            publication_kind=tracked.publication.kind,
            publication_id=tracked.publication.id,
            item_kind=item.kind if item else None,
            item_id=item.id if item else None,
            clicked_at=now,
        )
    )
