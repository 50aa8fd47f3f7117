"""/drafts: what is not sent yet (drafts and scheduled content), so an editor can reopen any
preview. A digest's entries open with their digest and a report's items with their report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.editorial.refs import ContentRef, RefKind
from storage.models import ContentStatus, DailyReport, Digest, Entry

MAX_LISTED = 20
_UNSENT = (ContentStatus.DRAFT, ContentStatus.SCHEDULED)
_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Unsent:
    ref: ContentRef
    title: str
    status: str
    scheduled_for: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DraftList:
    shown: list[Unsent]
    more: int  # not shown: older drafts past MAX_LISTED


async def unsent(session: AsyncSession, limit: int = MAX_LISTED) -> DraftList:
    """Scheduled content first (soonest first), then drafts (newest first)."""
    found: list[Unsent] = []
    entries = await session.execute(
        select(
            Entry.id,
            Entry.title,
            Entry.summary,
            Entry.status,
            Entry.scheduled_for,
            Entry.created_at,
        ).where(Entry.status.in_(_UNSENT), Entry.digest_id.is_(None))
    )
    found += [
        Unsent(ContentRef("e", i), title or summary or "", status, when, created)
        for i, title, summary, status, when, created in entries
    ]
    for model, letter in ((DailyReport, "r"), (Digest, "d")):
        rows = await session.execute(
            select(
                model.id,  # type: ignore[attr-defined]
                model.title,  # type: ignore[attr-defined]
                model.status,  # type: ignore[attr-defined]
                model.scheduled_for,  # type: ignore[attr-defined]
                model.created_at,  # type: ignore[attr-defined]
            ).where(model.status.in_(_UNSENT))  # type: ignore[attr-defined]
        )
        kind: RefKind = letter  # type: ignore[assignment]
        found += [Unsent(ContentRef(kind, i), t or "", s, w, c) for i, t, s, w, c in rows]
    scheduled = sorted(
        (u for u in found if u.status == ContentStatus.SCHEDULED),
        key=lambda u: u.scheduled_for or _FAR_FUTURE,
    )
    drafts = sorted(
        (u for u in found if u.status != ContentStatus.SCHEDULED),
        key=lambda u: (u.created_at, u.ref.id),
        reverse=True,
    )
    ordered = scheduled + drafts
    return DraftList(ordered[:limit], max(0, len(ordered) - limit))
