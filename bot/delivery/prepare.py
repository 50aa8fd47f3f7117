"""Turning claimed outbox rows into what goes to Telegram (text, buttons, preview choice).

Content alerts are rendered here, at send time, from the content and the subscriber's current
languages; a row whose content was retracted or deleted since it was queued is cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.delivery.outbox import QueuedRow
from bot.matching import Ref, decode_refs
from bot.render import keyboard_json
from bot.render.content import Why, region_name, render_alert, render_digest
from storage.models import Commentator, ContentStatus, Digest, Entry, Region, ReportItem


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    reply_markup: dict[str, Any] | None
    disable_preview: bool


def why_of(
    refs: Sequence[Ref],
    language: str,
    regions: dict[int, Region],
    commentators: dict[int, Commentator],
) -> list[Why]:
    out = []
    for ref in refs:
        if ref.kind == "region":
            region = regions.get(ref.target_id or 0)
            if region is None:
                continue
            label = region_name(region, language)
        elif ref.kind == "commentator":
            commentator = commentators.get(ref.target_id or 0)
            if commentator is None:
                continue
            label = (
                commentator.name_zh
                if language == "zh" and commentator.name_zh
                else commentator.name
            )
        else:
            label = ref.keyword or ""
        out.append(Why(ref.kind, ref.subscription_id, label, ref.target_id, ref.count))
    return out


async def prepare(session: AsyncSession, rows: Sequence[QueuedRow]) -> dict[int, Outgoing | str]:
    """Row id -> what to send, or the reason the row is cancelled instead."""
    wanted: dict[str, set[int]] = {"entry": set(), "item": set(), "digest": set()}
    refs = {row.id: decode_refs(row.reason) for row in rows if row.content_type in wanted}
    for row in rows:
        if row.content_type in wanted and row.content_id is not None:
            wanted[row.content_type].add(row.content_id)
    contents: dict[tuple[str, int], Any] = {}
    if wanted["entry"]:
        for entry in await session.scalars(
            select(Entry)
            .where(Entry.id.in_(wanted["entry"]))
            .options(selectinload(Entry.regions), selectinload(Entry.commentators))
        ):
            contents["entry", entry.id] = entry
    if wanted["item"]:
        for item in await session.scalars(
            select(ReportItem)
            .where(ReportItem.id.in_(wanted["item"]))
            .options(selectinload(ReportItem.regions), selectinload(ReportItem.commentators))
        ):
            contents["item", item.id] = item
    if wanted["digest"]:
        for digest in await session.scalars(select(Digest).where(Digest.id.in_(wanted["digest"]))):
            contents["digest", digest.id] = digest
    regions: dict[int, Region] = {}
    commentators: dict[int, Commentator] = {}
    if refs:
        regions = {r.id: r for r in await session.scalars(select(Region))}
        commentator_ids = {
            r.target_id for rs in refs.values() for r in rs if r.kind == "commentator"
        }
        if commentator_ids:
            commentators = {
                c.id: c
                for c in await session.scalars(
                    select(Commentator).where(Commentator.id.in_(commentator_ids))
                )
            }

    out: dict[int, Outgoing | str] = {}
    for row in rows:
        if row.content_type not in wanted:
            out[row.id] = Outgoing(row.text, row.reply_markup, row.disable_preview)
            continue
        content = contents.get((row.content_type, row.content_id or 0))
        if content is None or content.status != ContentStatus.PUBLISHED:
            out[row.id] = f"{row.content_type} {row.content_id} is no longer published"
            continue
        why = why_of(refs[row.id], row.language, regions, commentators)
        if row.content_type == "digest":
            rendered = render_digest(content, language=row.language, why=why)
            out[row.id] = Outgoing(rendered.text, None, not content.link)
            continue
        rendered = render_alert(
            content, language=row.language, content_language=row.content_language, why=why
        )
        out[row.id] = Outgoing(rendered.text, keyboard_json(rendered.keyboard), not content.url)
    return out
