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
from storage.models import ContentStatus, DailyReport, Digest, Entry, LinkClick, ReportItem

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
    row: Entry | ReportItem | Digest | DailyReport | None
    if target.kind == "e":
        row = await session.get(Entry, target.id)
    elif target.kind == "i":
        row = await session.get(ReportItem, target.id)
    elif target.kind == "d":
        row = await session.get(Digest, target.id)
    else:
        row = await session.get(DailyReport, target.id)
    if row is None or row.status not in (ContentStatus.PUBLISHED, ContentStatus.RETRACTED):
        return None
    if row.status == ContentStatus.RETRACTED or isinstance(row, DailyReport):
        # A report has no source of its own: its page is where it is read.
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
