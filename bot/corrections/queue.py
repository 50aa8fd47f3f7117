"""Queueing the corrections of delivered messages (see the package docstring).

Rows are coalesced per message: a correction of a message that already has one waiting takes
that row over (it renders the latest content when it goes), so two quick edits of one item make
one editMessageText per message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.corrections.report import finish
from bot.corrections.rows import KIND, correction_of, reason_of
from bot.delivery.looplag import TimeSlice
from bot.delivery.outbox import insert_for
from storage.models import (
    Correction,
    Delivery,
    DeliveryStatus,
    Entry,
    PrunedDelivery,
    ReportItem,
    SummaryItem,
    utcnow,
)

# Candidate messages looked at in the editor's own transaction, then per background step: a
# correction of what a few thousand chats got is queued at once; a larger one goes on in the
# owner process (`bot.corrections.planner`) instead of stalling the editor's reply.
FIRST_CHUNK = 2_000
CHUNK = 2_000
# After alerts (10), ahead of digests and summaries: a reader may be reading the message now.
PRIORITY = 12
# Which pieces of a publication a channel post shows, by the publication's kind.
_PIECE_OF = {"report": "item", "digest": "entry", "article": "entry"}


async def publications_of(
    session: AsyncSession, pieces: Sequence[tuple[str, int]]
) -> tuple[set[int], set[int], set[int], set[int], set[int]]:
    """(items, entries, whole digests, reports, digests) behind `pieces`."""
    items = {i for t, i in pieces if t == "item"}
    entries = {i for t, i in pieces if t == "entry"}
    whole_digests = {i for t, i in pieces if t == "digest"}
    reports = set(
        await session.scalars(select(ReportItem.report_id).where(ReportItem.id.in_(items)))
    )
    digests = whole_digests | {
        digest_id
        for digest_id in await session.scalars(
            select(Entry.digest_id).where(Entry.id.in_(entries), Entry.digest_id.is_not(None))
        )
        if digest_id is not None
    }
    return items, entries, whole_digests, reports, digests


async def delivered(
    session: AsyncSession,
    pieces: Sequence[tuple[str, int]],
    *,
    after: int = 0,
    upto: int | None = None,
    limit: int | None = None,
) -> tuple[list[Any], int | None]:
    """Sent messages that show one of `pieces` (("item" | "entry" | "digest", id)) and can
    still be corrected, among rows `after` < id <= `upto`, looking at `limit` candidates at
    most: (rows of (id, chat_id, thread_id, subscriber_id, telegram_message_id, ...), the
    last id looked at, or None when no candidate was left)."""
    items, entries, whole_digests, reports, digests = await publications_of(session, pieces)
    publications = (
        [("report", i) for i in reports]
        + [("digest", i) for i in digests]
        + [("article", i) for i in entries]
    )
    channel_posts: ColumnElement[bool] = or_(
        false(), *(Delivery.dedup_key.like(f"channel:%:{k}:{i}:%") for k, i in publications)
    )
    summaries = select(SummaryItem.run_id).where(
        or_(
            false(),
            *(and_(SummaryItem.content_type == t, SummaryItem.content_id == i) for t, i in pieces),
        )
    )
    query = (
        select(
            Delivery.id,
            Delivery.chat_id,
            Delivery.thread_id,
            Delivery.subscriber_id,
            Delivery.telegram_message_id,
            Delivery.content_type,
            Delivery.content_id,
            Delivery.edition,
        )
        .where(
            Delivery.id > after,
            Delivery.status == DeliveryStatus.SENT,
            Delivery.telegram_message_id.is_not(None),
            or_(
                and_(Delivery.content_type == "report", Delivery.content_id.in_(reports)),
                and_(Delivery.content_type == "digest", Delivery.content_id.in_(digests)),
                and_(Delivery.content_type == "entry", Delivery.content_id.in_(entries)),
                and_(Delivery.content_type == "item", Delivery.content_id.in_(items)),
                and_(Delivery.content_type == "channel", channel_posts),
                and_(Delivery.content_type == "summary", Delivery.content_id.in_(summaries)),
            ),
        )
        .order_by(Delivery.id)
    )
    if upto is not None:
        query = query.where(Delivery.id <= upto)
    if limit is not None:
        query = query.limit(limit)
    candidates = (await session.execute(query)).all()
    wanted = set(pieces)
    out = []
    timeslice = TimeSlice()
    for row in candidates:
        await timeslice.tick()
        edition = row.edition or {}
        if row.content_type in ("report", "digest") and edition.get("items"):
            kind = _PIECE_OF[row.content_type]
            if row.content_id not in whole_digests and not any(
                (kind, int(p["id"])) in wanted for p in edition["items"]
            ):
                continue
        if row.content_type == "channel":
            publication = edition.get("publication") or ["", 0]
            kind = _PIECE_OF.get(publication[0], "")
            whole = publication[0] == "digest" and int(publication[1]) in whole_digests
            if not whole and not any(
                (kind, int(p["id"])) in wanted for p in edition.get("items", [])
            ):
                continue
        out.append(row)
    exhausted = limit is None or len(candidates) < limit
    last = None if exhausted else candidates[-1].id
    return out, last


async def pruned(session: AsyncSession, pieces: Sequence[tuple[str, int]]) -> int:
    """Delivered messages showing `pieces` whose records were pruned (no longer correctable)."""
    if not pieces:
        return 0
    total = await session.scalar(
        select(func.coalesce(func.sum(PrunedDelivery.messages), 0)).where(
            or_(
                *(
                    and_(PrunedDelivery.content_type == t, PrunedDelivery.content_id == i)
                    for t, i in pieces
                )
            )
        )
    )
    return int(total or 0)


async def correct(
    session: AsyncSession,
    *,
    action: str,
    what: str,
    pieces: Sequence[tuple[str, int]],
    editor_chat_id: int | None,
    language: str,
    now: dt.datetime | None = None,
    chunk: int | None = None,
) -> Correction:
    """Record the correction of every delivered message showing `pieces` and queue the first
    `chunk` candidates' worth; the owner process queues the rest (`bot.corrections.planner`).
    On the returned row `queued` says how many messages will be updated so far, `planned_at`
    whether that is all, and `pruned` how many no longer can be."""
    now = now or utcnow()
    correction = Correction(
        action=action,
        what=what[:40],
        editor_chat_id=editor_chat_id,
        language=language,
        queued=0,
        pruned=await pruned(session, pieces),
        created_at=now,
        pieces=[[t, i] for t, i in pieces],
        scan_from=0,
        scan_to=int(await session.scalar(select(func.max(Delivery.id))) or 0),
    )
    session.add(correction)
    await session.flush()
    await plan_chunk(session, correction, now, chunk=chunk or FIRST_CHUNK)
    if correction.planned_at is not None and not correction.queued:
        # Nothing to wait for: the reply to the editor is the whole report.
        correction.reported_at = now
    return correction


async def plan_chunk(
    session: AsyncSession, correction: Correction, now: dt.datetime, *, chunk: int | None = None
) -> None:
    """Queue the corrections of the next `chunk` candidate messages of `correction`; set its
    `planned_at` when none is left."""
    pieces = [(str(t), int(i)) for t, i in correction.pieces or []]
    if session.bind.dialect.name == "postgresql":
        # The lookups below run again and again with other ids on a connection's prepared
        # statements; a generic plan cannot see how few rows the ids select and scanned the
        # table (150 ms a lookup at 100k deliveries). Plan each for its own ids.
        await session.execute(select(func.set_config("plan_cache_mode", "force_custom_plan", True)))
    targets, last = await delivered(
        session, pieces, after=correction.scan_from, upto=correction.scan_to, limit=chunk or CHUNK
    )
    await _queue(session, correction, targets, now)
    if last is None:
        correction.scan_from = correction.scan_to or correction.scan_from
        correction.planned_at = now
    else:
        correction.scan_from = last
    await session.flush()


async def _queue(
    session: AsyncSession, correction: Correction, targets: Sequence[Any], now: dt.datetime
) -> None:
    """One "correct" row per target message; a message with a correction still waiting has
    that row taken over instead (it renders the latest content when it goes)."""
    if not targets:
        return
    reason = reason_of(correction.id)
    shown = sorted(t.id for t in targets)
    waiting: set[int] = set()
    superseded: set[int] = set()  # corrections whose waiting rows this one takes over
    for start in range(0, len(shown), 1000):
        for row_id, old_reason in await session.execute(
            select(Delivery.content_id, Delivery.reason).where(
                Delivery.content_type == KIND,  # the index on (content_type, content_id)
                Delivery.content_id.in_(shown[start : start + 1000]),
                Delivery.kind == KIND,
                Delivery.status == DeliveryStatus.PENDING,
            )
        ):
            if row_id is not None:
                waiting.add(row_id)
                if (old := correction_of(old_reason)) is not None and old != correction.id:
                    superseded.add(old)
    taken = sorted(waiting)
    for start in range(0, len(taken), 1000):
        await session.execute(
            update(Delivery)
            .where(
                Delivery.kind == KIND,
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.content_id.in_(taken[start : start + 1000]),
            )
            .values(reason=reason, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    rows = [
        {
            "subscriber_id": target.subscriber_id,
            "chat_id": target.chat_id,
            "thread_id": target.thread_id,
            "kind": KIND,
            "priority": PRIORITY,
            "content_type": KIND,
            "content_id": target.id,
            "dedup_key": f"correct:{target.id}:{correction.id}",
            "reason": reason,
            "text": "",
            "disable_preview": False,
            "telegram_message_id": target.telegram_message_id,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for target in targets
        if target.id not in waiting
    ]
    # One executemany per thousand messages rather than a round trip each; the table, not
    # the entity (the ORM's bulk-insert bookkeeping costs more than the insert itself).
    table = Delivery.__table__
    for start in range(0, len(rows), 1000):
        await session.execute(
            insert_for(session)(table).on_conflict_do_nothing(index_elements=["dedup_key"]),
            rows[start : start + 1000],
        )
    correction.queued += len(targets)
    if superseded:
        # Their editors hear now: what they corrected goes out with this one.
        await session.flush()
        await finish(session, superseded, now)
