"""Turning claimed outbox rows into what goes to Telegram (text, buttons, preview choice).

Editions (one message per subscriber and publication, `Delivery.edition` naming the pieces it
shows) are rendered here, at send time, from the content and the subscriber's current
languages. Pieces retracted since the row was queued are left out; a row whose publication, or
every piece it showed, was retracted is cancelled.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.channels.rerender import posts_now
from bot.config import Settings
from bot.delivery.looplag import TimeSlice
from bot.delivery.outbox import QueuedRow
from bot.delivery.summaries import summary_now
from bot.matching import Ref, decode_refs
from bot.render import keyboard_json
from bot.render.content import (
    Shown,
    Why,
    region_name,
    render_alert,
    render_digest,
    render_edition,
)
from bot.render.corrections import withdrawn
from bot.site.links import with_message_links
from storage.models import (
    Commentator,
    ContentStatus,
    DailyReport,
    Delivery,
    Digest,
    Entry,
    Region,
    ReportItem,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    reply_markup: dict[str, Any] | None
    disable_preview: bool
    pieces: tuple[Entry | ReportItem | Digest, ...] = ()  # what its links point at
    # A correction of a sent message: editMessageText or deleteMessage of `message_id`.
    method: str = "sendMessage"
    message_id: int | None = None


def why_of(
    refs: Sequence[Ref],
    language: str,
    regions: dict[int, Region],
    commentators: dict[int, Commentator],
) -> list[Why]:
    """Refs as labels in the subscriber's language ("Japan", "Lian Degui", “chips”)."""
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


async def prepare(
    session: AsyncSession,
    rows: Sequence[QueuedRow],
    now: dt.datetime | None = None,
    settings: Settings | None = None,
) -> dict[int, Outgoing | str]:
    """Row id -> what to send, or the reason the row is cancelled instead. `now` (the
    sender's clock) decides whether a sent message is young enough to delete. With
    `settings`, source links become tracked links and digest links site pages
    (`with_message_links`)."""
    editions: dict[int, dict[str, Any]] = {}
    ids = [row.id for row in rows if row.content_type in EDITIONS]
    if ids:
        editions = {
            row_id: edition
            for row_id, edition in await session.execute(
                select(Delivery.id, Delivery.edition).where(Delivery.id.in_(ids))
            )
            if edition is not None
        }
    loaded = await _load(session, rows, editions)
    channel_posts = await _channel_posts(session, rows, settings)
    out: dict[int, Outgoing | str] = {}
    # Subscribers who follow the same things in the same languages get the same edition:
    # rendered once per batch.
    rendered: dict[tuple[Any, ...], Outgoing | str] = {}
    timeslice = TimeSlice()
    for row in rows:
        await timeslice.tick()
        if row.content_type == CORRECTION:
            continue
        if row.id in channel_posts:
            text = channel_posts[row.id]
            out[row.id] = (
                Outgoing(text, row.reply_markup, row.disable_preview)
                if text is not None
                else "everything this channel post showed was retracted"
            )
        elif row.content_type not in EDITIONS and row.content_type != "item":
            out[row.id] = Outgoing(row.text, row.reply_markup, row.disable_preview)
        elif row.id in editions:
            key = (
                row.content_type,
                row.content_id,
                row.language,
                row.content_language,
                json.dumps(editions[row.id], sort_keys=True),
            )
            if key not in rendered:
                rendered[key] = _linked(_edition(row, editions[row.id], loaded), settings)
            out[row.id] = rendered[key]
        else:
            out[row.id] = _linked(_single(row, loaded), settings)
    corrections = [row for row in rows if row.content_type == CORRECTION]
    if corrections:
        out.update(await _corrections(session, corrections, now or utcnow(), settings))
    return out


CORRECTION = "correct"
# Telegram lets a bot delete its messages for 48 hours; older ones are edited instead.
DELETE_WITHIN = dt.timedelta(hours=48)


async def _channel_posts(
    session: AsyncSession, rows: Sequence[QueuedRow], settings: Settings | None
) -> dict[int, str | None]:
    """Channel posts rendered now (`bot.channels.rerender`); rows without a recorded edition
    go with their stored text."""
    ids = [row.id for row in rows if row.content_type == "channel"]
    if not ids:
        return {}
    posts = [
        (row_id, channel_id, edition)
        for row_id, channel_id, edition in await session.execute(
            select(Delivery.id, Delivery.content_id, Delivery.edition).where(Delivery.id.in_(ids))
        )
        if edition and edition.get("publication")
    ]
    return await posts_now(session, posts, settings) if posts else {}


async def _corrections(
    session: AsyncSession,
    rows: Sequence[QueuedRow],
    now: dt.datetime,
    settings: Settings | None = None,
) -> dict[int, Outgoing | str]:
    """Each "correct" row's message as it is now: an edit of the sent message, or, when
    nothing it showed is left, its deletion (sent less than 48 hours ago) or a withdrawn line.
    A daily summary's message is re-rendered by `bot.delivery.summaries.summary_now`."""
    targets = {
        target.id: target
        for target in await session.scalars(
            select(Delivery).where(Delivery.id.in_([row.content_id for row in rows]))
        )
    }
    as_sent = [
        replace(
            row,
            id=target.id,
            kind=target.kind,
            content_type=target.content_type,
            content_id=target.content_id,
            reason=target.reason,
            text=target.text,
            reply_markup=target.reply_markup,
            disable_preview=target.disable_preview,
        )
        for row in rows
        if (target := targets.get(row.content_id or 0)) is not None
    ]
    rendered = await prepare(session, as_sent, now, settings)
    summaries = await summary_now(
        session, [t for t in targets.values() if t.content_type == "summary"]
    )
    out: dict[int, Outgoing | str] = {}
    for row in rows:
        target = targets.get(row.content_id or 0)
        if target is None or target.telegram_message_id is None:
            out[row.id] = "the message to correct is no longer recorded"
            continue
        message_id = int(target.telegram_message_id)
        now_shown: Outgoing | str | None = rendered.get(target.id)
        if target.content_type == "summary":
            text = summaries.get(target.id)
            now_shown = Outgoing(text, None, True) if text is not None else None
        if isinstance(now_shown, Outgoing):
            out[row.id] = replace(now_shown, method="editMessageText", message_id=message_id)
        elif target.sent_at is not None and now - target.sent_at < DELETE_WITHIN:
            out[row.id] = Outgoing("", None, True, method="deleteMessage", message_id=message_id)
        else:
            out[row.id] = Outgoing(
                withdrawn(row.language), None, True, method="editMessageText", message_id=message_id
            )
    return out


def _linked(outgoing: Outgoing | str, settings: Settings | None) -> Outgoing | str:
    if isinstance(outgoing, str) or settings is None or not outgoing.pieces:
        return outgoing
    text = with_message_links(outgoing.text, settings, outgoing.pieces)
    return Outgoing(text, outgoing.reply_markup, outgoing.disable_preview)


EDITIONS = ("report", "digest", "entry")
_PIECES = {"report": "item", "digest": "entry", "entry": "entry"}


@dataclass
class _Loaded:
    content: dict[tuple[str, int], Any]  # ("report" | "digest" | "entry" | "item", id) -> row
    regions: list[Region]  # in display order
    commentators: dict[int, Commentator]


async def _load(
    session: AsyncSession, rows: Sequence[QueuedRow], editions: dict[int, dict[str, Any]]
) -> _Loaded:
    """Everything the rows show, in a few queries for the whole batch."""
    wanted: dict[str, set[int]] = {"report": set(), "digest": set(), "entry": set(), "item": set()}
    commentator_ids: set[int] = set()
    for row in rows:
        if row.content_type not in wanted or row.content_id is None:
            continue
        wanted[row.content_type].add(row.content_id)
        edition = editions.get(row.id)
        refs = decode_refs(row.reason) if edition is None else []
        for piece in (edition or {}).get("items", []):
            wanted[_PIECES[row.content_type]].add(int(piece["id"]))
            refs += decode_refs(piece.get("why", []))
        commentator_ids |= {r.target_id for r in refs if r.kind == "commentator" and r.target_id}
    content: dict[tuple[str, int], Any] = {}
    if wanted["entry"]:
        for entry in await session.scalars(
            select(Entry)
            .where(Entry.id.in_(wanted["entry"]))
            .options(selectinload(Entry.regions), selectinload(Entry.commentators))
        ):
            content["entry", entry.id] = entry
    if wanted["item"]:
        for item in await session.scalars(
            select(ReportItem)
            .where(ReportItem.id.in_(wanted["item"]))
            .options(selectinload(ReportItem.regions), selectinload(ReportItem.commentators))
        ):
            content["item", item.id] = item
    if wanted["report"]:
        for report in await session.scalars(
            select(DailyReport).where(DailyReport.id.in_(wanted["report"]))
        ):
            content["report", report.id] = report
    if wanted["digest"]:
        for digest in await session.scalars(select(Digest).where(Digest.id.in_(wanted["digest"]))):
            content["digest", digest.id] = digest
    regions = list(await session.scalars(select(Region).order_by(Region.position, Region.id)))
    commentators: dict[int, Commentator] = {}
    if commentator_ids:
        commentators = {
            c.id: c
            for c in await session.scalars(
                select(Commentator).where(Commentator.id.in_(commentator_ids))
            )
        }
    return _Loaded(content, regions, commentators)


def _edition(row: QueuedRow, edition: dict[str, Any], loaded: _Loaded) -> Outgoing | str:
    """One message of an edition, rendered in the subscriber's languages of now; retracted
    pieces are left out, and a message left with nothing to show is not sent."""
    kind = row.content_type or ""
    publication = loaded.content.get((kind, row.content_id or 0))
    if publication is None or publication.status != ContentStatus.PUBLISHED:
        return f"{kind} {row.content_id} is no longer published"
    regions = {r.id: r for r in loaded.regions}
    shown = []
    for piece in edition.get("items", []):
        found = loaded.content.get((_PIECES[kind], int(piece["id"])))
        if found is not None and found.status == ContentStatus.PUBLISHED:
            refs = decode_refs(piece.get("why", []))
            why = why_of(refs, row.language, regions, loaded.commentators)
            shown.append(Shown(found, why))
    if edition.get("items") and not shown:
        return f"everything {kind} {row.content_id} showed here was retracted"
    if kind == "entry":
        rendered = render_alert(
            publication,
            language=row.language,
            content_language=row.content_language,
            why=shown[0].why if shown else (),
        )
        return Outgoing(
            rendered.text,
            keyboard_json(rendered.keyboard),
            not publication.url,
            (publication,),
        )
    rendered = render_edition(
        publication,
        shown,
        language=row.language,
        content_language=row.content_language,
        part=int(edition.get("part", 1)),
        parts=int(edition.get("parts", 1)),
        first=int(edition.get("first", 1)),
        regions=loaded.regions,
    )
    # A report lists many links: no preview of the first. A digest previews its own link.
    preview = kind == "digest" and bool(publication.link)
    pieces = [s.piece for s in shown] + ([publication] if kind == "digest" else [])
    return Outgoing(rendered.text, keyboard_json(rendered.keyboard), not preview, tuple(pieces))


def _single(row: QueuedRow, loaded: _Loaded) -> Outgoing | str:
    """A row queued before editions (one entry, item or digest per message)."""
    kind = row.content_type or ""
    content = loaded.content.get((kind, row.content_id or 0))
    if content is None or content.status != ContentStatus.PUBLISHED:
        return f"{kind} {row.content_id} is no longer published"
    regions = {r.id: r for r in loaded.regions}
    why = why_of(decode_refs(row.reason), row.language, regions, loaded.commentators)
    if kind == "digest":
        rendered = render_digest(content, language=row.language, why=why)
        return Outgoing(rendered.text, None, not content.link, (content,))
    rendered = render_alert(
        content, language=row.language, content_language=row.content_language, why=why
    )
    return Outgoing(rendered.text, keyboard_json(rendered.keyboard), not content.url, (content,))
