"""`/digest <link> [title]`: a monthly digest's link, stored as a draft digest to preview and
publish (publishing sends the link to the digest's subscribers, see bot.delivery).

`/digest <link> d3` attaches the link to digest d3 instead, typically one whose document was
posted with /post: its entries are what decide which subscribers receive the link.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ingest.urls import canonical_url
from storage import audit
from storage.models import Digest

MAX_TITLE = 200
_HOST_RE = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+\Z|localhost\Z", re.IGNORECASE)


class BadLink(ValueError):
    pass


class UnknownDigest(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class DigestResult:
    digest: Digest
    created: bool


def check_link(text: str) -> str:
    """The canonical form of an http(s) link; BadLink when it is not one."""
    text = text.strip().strip("<>")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise BadLink(text) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadLink(text)
    if not _HOST_RE.match(parts.hostname) or any(c.isspace() for c in text):
        raise BadLink(text)
    return canonical_url(text)


def title_from_link(link: str) -> str:
    """A readable stand-in title when the editor gives none: the link's last path segment."""
    parts = urlsplit(link)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    segment = re.sub(r"\.(html?|php|aspx?)\Z", "", segment)
    words = " ".join(re.split(r"[-_+]+", segment)).strip()
    if not words or words.isdigit():
        return parts.hostname or link
    return words[:1].upper() + words[1:]


async def register(
    session: AsyncSession,
    link: str,
    title: str | None,
    *,
    actor_id: int,
    now: dt.datetime,
    timezone: str,
    digest_id: int | None = None,
) -> DigestResult:
    """A draft digest for `link` (BadLink if it is not a link); the existing one if known.
    With `digest_id`, the link (and title, if given) go to that digest."""
    link = check_link(link)
    if digest_id is not None:
        return await _attach(session, digest_id, link, title, actor_id=actor_id)
    existing = await session.scalar(select(Digest).where(Digest.link == link).limit(1))
    if existing is not None:
        return DigestResult(existing, False)
    title = " ".join((title or "").split())[:MAX_TITLE] or title_from_link(link)
    digest = Digest(
        title=title,
        link=link,
        month=now.astimezone(ZoneInfo(timezone)).strftime("%Y-%m"),
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    session.add(digest)
    await session.flush()
    await audit.record(session, actor_id, "digest.register", f"d{digest.id}", {"link": link})
    return DigestResult(digest, True)


async def _attach(
    session: AsyncSession, digest_id: int, link: str, title: str | None, *, actor_id: int
) -> DigestResult:
    digest = await session.get(Digest, digest_id)
    if digest is None:
        raise UnknownDigest(digest_id)
    old = digest.link
    digest.link = link
    title = " ".join((title or "").split())[:MAX_TITLE]
    if title:
        digest.title = title
    await session.flush()
    await audit.record(session, actor_id, "digest.link", f"d{digest.id}", {"old": old, "new": link})
    return DigestResult(digest, False)
