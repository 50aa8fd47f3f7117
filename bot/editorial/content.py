"""Loading the content a ref names, with what previews and edits need already loaded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.editorial.refs import ContentRef
from storage.models import DailyReport, Digest, Entry, ReportItem

Content = Entry | ReportItem | DailyReport | Digest
_ENTRY = (selectinload(Entry.regions), selectinload(Entry.commentators))
_ITEM = (selectinload(ReportItem.regions), selectinload(ReportItem.commentators))


async def load(session: AsyncSession, ref: ContentRef) -> Content | None:
    query: Select[Any]
    if ref.kind == "e":
        query = select(Entry).where(Entry.id == ref.id).options(*_ENTRY)
    elif ref.kind == "i":
        query = (
            select(ReportItem)
            .where(ReportItem.id == ref.id)
            .options(*_ITEM, selectinload(ReportItem.report))
        )
    elif ref.kind == "r":
        query = (
            select(DailyReport)
            .where(DailyReport.id == ref.id)
            .options(*(selectinload(DailyReport.items).options(o) for o in _ITEM))
        )
    else:
        query = (
            select(Digest)
            .where(Digest.id == ref.id)
            .options(*(selectinload(Digest.entries).options(o) for o in _ENTRY))
        )
    # Fresh from the database even if the session holds an older copy (after an edit).
    return (await session.scalars(query.execution_options(populate_existing=True))).first()


def ref_of(content: Content) -> ContentRef:
    if isinstance(content, Entry):
        return ContentRef("e", content.id)
    if isinstance(content, ReportItem):
        return ContentRef("i", content.id)
    if isinstance(content, DailyReport):
        return ContentRef("r", content.id)
    return ContentRef("d", content.id)


def digest_entries(digest: Digest) -> list[Entry]:
    return sorted(digest.entries, key=lambda e: (e.position, e.id))
