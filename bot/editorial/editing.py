"""Correcting an entry or a report item: its regions, its commentators, its summaries.

Used by `/edit <id> regions|commentators|summary|summary_en ...` and by the preview's edit
buttons, on drafts and on published content alike (published content is re-indexed for search,
and every message already delivered that shows it is re-rendered: `bot.corrections`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.corrections.queue import correct
from bot.editorial.content import load
from bot.editorial.refs import ContentRef
from bot.ingest.names import parse_name_list
from bot.search.index import reindex
from storage import audit
from storage.models import (
    Commentator,
    ContentStatus,
    Entry,
    Region,
    ReportItem,
    entry_commentators,
)

MAX_SUMMARY = 2000
MAX_TITLE = 500
_CLEAR_WORDS = frozenset({"none", "-", "—", "无", "清空"})


class EditField(enum.StrEnum):
    REGIONS = "regions"
    COMMENTATORS = "commentators"
    SUMMARY = "summary"
    # A report item's English summary (made from its article at ingest).
    SUMMARY_EN = "summary_en"
    # A report item's (English) headline, an entry's title.
    TITLE = "title"


FIELD_ALIASES = {
    "regions": EditField.REGIONS,
    "region": EditField.REGIONS,
    "地区": EditField.REGIONS,
    "commentators": EditField.COMMENTATORS,
    "commentator": EditField.COMMENTATORS,
    "authors": EditField.COMMENTATORS,
    "author": EditField.COMMENTATORS,
    "评论员": EditField.COMMENTATORS,
    "summary": EditField.SUMMARY,
    "摘要": EditField.SUMMARY,
    "summary_en": EditField.SUMMARY_EN,
    "summary-en": EditField.SUMMARY_EN,
    "en_summary": EditField.SUMMARY_EN,
    "english": EditField.SUMMARY_EN,
    "英文摘要": EditField.SUMMARY_EN,
    "title": EditField.TITLE,
    "headline": EditField.TITLE,
    "标题": EditField.TITLE,
}


class EditError(Exception):
    """Why an edit was refused; `reason` is a catalog key suffix, `detail` goes into it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class EditResult:
    ref: ContentRef
    field: EditField
    old: str
    new: str
    corrected: int = 0  # delivered messages queued to be edited
    uncorrectable: int = 0  # delivered messages whose records were pruned
    correcting_more: bool = False  # more delivered messages are being looked up


def parse_field(word: str) -> EditField:
    try:
        return FIELD_ALIASES[word.strip().casefold()]
    except KeyError:
        raise EditError("unknown_field", word) from None


async def all_regions(session: AsyncSession) -> list[Region]:
    return list(await session.scalars(select(Region).order_by(Region.position, Region.id)))


def _region_key(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


def match_region(regions: Sequence[Region], word: str) -> Region | None:
    key = _region_key(word)
    for region in regions:
        names = [region.slug, region.name_en, region.name_zh, *(region.aliases or [])]
        if key in {_region_key(str(n)) for n in names}:
            return region
    return None


async def resolve_regions(session: AsyncSession, text: str) -> list[Region]:
    """Regions named in `text` ("japan, europe" / "日本 欧洲"); "none" clears them."""
    words = [w for w in text.replace("，", ",").replace("、", ",").split(",") if w.strip()]
    if len(words) == 1 and " " in words[0].strip():
        # "japan europe": split on spaces unless the whole text is one region's name.
        regions = await all_regions(session)
        if match_region(regions, words[0]) is None:
            words = words[0].split()
    if not words or (len(words) == 1 and words[0].strip().casefold() in _CLEAR_WORDS):
        return []
    regions = await all_regions(session)
    chosen: list[Region] = []
    for word in words:
        region = match_region(regions, word)
        if region is None:
            raise EditError("unknown_region", word.strip())
        if region not in chosen:
            chosen.append(region)
    return sorted(chosen, key=lambda r: (r.position, r.id))


async def find_or_create_commentator(
    session: AsyncSession, name: str, name_zh: str | None
) -> Commentator:
    """The commentator with this Chinese name (or, without one, this Latin name), else a new one."""
    if name_zh:
        found = await session.scalar(
            select(Commentator).where(Commentator.name_zh == name_zh).order_by(Commentator.id)
        )
    else:
        found = await session.scalar(
            select(Commentator)
            .where(func.lower(Commentator.name) == name.casefold())
            .order_by(Commentator.name_zh.is_(None).desc(), Commentator.id)
        )
    if found is not None:
        return found
    commentator = Commentator(name=name, name_zh=name_zh, aliases=[])
    session.add(commentator)
    await session.flush()
    return commentator


def parse_commentators(text: str) -> list[tuple[str, str | None]]:
    text = " ".join(text.replace("；", ";").replace(";", ",").split())
    if text.casefold() in _CLEAR_WORDS:
        return []
    names = parse_name_list(text, max_names=8)
    if not names:
        raise EditError("bad_commentators", text)
    return names


async def edit(
    session: AsyncSession,
    ref: ContentRef,
    field: EditField,
    value: str,
    *,
    actor_id: int,
    editor_chat_id: int | None = None,
    language: str = "en",
) -> EditResult:
    if ref.kind not in ("e", "i"):
        raise EditError("not_editable", str(ref))
    content = await load(session, ref)
    if content is None:
        raise EditError("not_found", str(ref))
    assert isinstance(content, Entry | ReportItem)
    if content.status == ContentStatus.RETRACTED:
        raise EditError("retracted", str(ref))
    value = value.strip()
    if field is EditField.REGIONS:
        old = ", ".join(r.slug for r in content.regions)
        regions = await resolve_regions(session, value)
        content.regions = regions
        new = ", ".join(r.slug for r in regions)
    elif field is EditField.COMMENTATORS:
        old = "; ".join(_display(c) for c in content.commentators)
        people = [
            await find_or_create_commentator(session, n, zh) for n, zh in parse_commentators(value)
        ]
        await _set_commentators(session, content, people)
        new = "; ".join(_display(c) for c in people)
    elif field is EditField.TITLE:
        if not value:
            raise EditError("empty_summary")
        value = value[:MAX_TITLE]
        if isinstance(content, ReportItem):
            old, content.headline = content.headline, value
        else:
            old, content.title = content.title or "", value
        new = value
    else:
        if not value:
            raise EditError("empty_summary")
        if len(value) > MAX_SUMMARY:
            raise EditError("summary_too_long", str(MAX_SUMMARY))
        if field is EditField.SUMMARY_EN:
            if not isinstance(content, ReportItem):
                # An entry has one summary, in its own language: `summary` edits it.
                raise EditError("summary_en_items_only", str(ref))
            old, content.summary_en = content.summary_en or "", value
        elif isinstance(content, Entry):
            old, content.summary = content.summary, value
        else:
            old, content.summary_zh = content.summary_zh or "", value
        new = value
    await session.flush()
    corrected = uncorrectable = 0
    more = False
    if content.status == ContentStatus.PUBLISHED:
        if isinstance(content, Entry):
            await reindex(session, entry_ids=[content.id])
        else:
            await reindex(session, item_ids=[content.id])
        correction = await correct(
            session,
            action="edit",
            what=str(ref),
            pieces=[("entry" if isinstance(content, Entry) else "item", content.id)],
            editor_chat_id=editor_chat_id,
            language=language,
        )
        corrected, uncorrectable = correction.queued, correction.pruned
        more = correction.planned_at is None
    await audit.record(
        session, actor_id, f"edit.{field.value}", str(ref), {"old": old[:500], "new": new[:500]}
    )
    return EditResult(ref, field, old, new, corrected, uncorrectable, more)


async def _set_commentators(
    session: AsyncSession, content: Entry | ReportItem, people: list[Commentator]
) -> None:
    if isinstance(content, ReportItem):
        content.commentators = people
        return
    # Entries keep their commentators in order (the byline order), which the ORM collection
    # cannot write, so the association rows are written directly.
    await session.execute(
        delete(entry_commentators).where(entry_commentators.c.entry_id == content.id)
    )
    if people:
        await session.execute(
            insert(entry_commentators),
            [
                {"entry_id": content.id, "commentator_id": c.id, "position": i}
                for i, c in enumerate(people)
            ],
        )
    # The loaded collection no longer matches the rows; reload it on next access.
    session.expire(content, ["commentators"])


def _display(commentator: Commentator) -> str:
    if commentator.name_zh:
        return f"{commentator.name} ({commentator.name_zh})"
    return commentator.name


async def toggle_region(
    session: AsyncSession,
    ref: ContentRef,
    region_id: int,
    *,
    actor_id: int,
    editor_chat_id: int | None = None,
    language: str = "en",
) -> EditResult:
    """Switch one region on or off (the preview's region buttons)."""
    if ref.kind not in ("e", "i"):
        raise EditError("not_editable", str(ref))
    content = await load(session, ref)
    if content is None:
        raise EditError("not_found", str(ref))
    assert isinstance(content, Entry | ReportItem)
    regions = {r.id: r for r in await all_regions(session)}
    region = regions.get(region_id)
    if region is None:
        raise EditError("unknown_region", str(region_id))
    wanted = [r for r in content.regions if r.id != region_id]
    if len(wanted) == len(content.regions):
        wanted.append(region)
    value = ", ".join(r.slug for r in wanted) or "none"
    return await edit(
        session,
        ref,
        EditField.REGIONS,
        value,
        actor_id=actor_id,
        editor_chat_id=editor_chat_id,
        language=language,
    )
