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

KIND = "correct"
# After alerts (10), ahead of digests and summaries: a reader may be reading the message now.
PRIORITY = 12
# Which pieces of a publication a channel post shows, by the publication's kind.
_PIECE_OF = {"report": "item", "digest": "entry", "article": "entry"}


def reason_of(correction_id: int) -> str:
    """How a "correct" row names its correction (`Delivery.reason`)."""
    return f"correction:{correction_id}"


def correction_of(reason: str | None) -> int | None:
    if reason and reason.startswith("correction:"):
        return int(reason.split(":", 1)[1])
    return None


async def delivered(session: AsyncSession, pieces: Sequence[tuple[str, int]]) -> list[Any]:
    """Sent messages that show one of `pieces` (("item" | "entry" | "digest", id)) and can
    still be corrected: (id, chat_id, thread_id, subscriber_id, telegram_message_id)."""
    items = {i for t, i in pieces if t == "item"}
    entries = {i for t, i in pieces if t == "entry"}
    whole_digests = {i for t, i in pieces if t == "digest"}
    reports = set(
        await session.scalars(select(ReportItem.report_id).where(ReportItem.id.in_(items)))
    )
    digests = whole_digests | set(
        await session.scalars(
            select(Entry.digest_id).where(Entry.id.in_(entries), Entry.digest_id.is_not(None))
        )
    )
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
    rows = await session.execute(
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
    wanted = set(pieces)
    out = []
    for row in rows:
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
    return out


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
) -> Correction:
    """Queue the correction of every delivered message showing `pieces`; `queued` on the
    returned row says how many messages will be updated, `pruned` how many no longer can."""
    now = now or utcnow()
    correction = Correction(
        action=action,
        what=what[:40],
        editor_chat_id=editor_chat_id,
        language=language,
        queued=0,
        pruned=await pruned(session, pieces),
        created_at=now,
    )
    session.add(correction)
    await session.flush()
    targets = await delivered(session, pieces)
    reason = reason_of(correction.id)
    # Corrections still waiting to go (few: they go out within seconds) that this one takes
    # over; read without a list of every target, which may be a whole audience.
    shown = {t.id for t in targets}
    waiting = {
        row_id
        for row_id in await session.scalars(
            select(Delivery.content_id).where(
                Delivery.kind == KIND, Delivery.status == DeliveryStatus.PENDING
            )
        )
        if row_id is not None and row_id in shown
    }
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
    # One executemany per thousand messages rather than a round trip each.
    for start in range(0, len(rows), 1000):
        await session.execute(
            insert_for(session)(Delivery).on_conflict_do_nothing(index_elements=["dedup_key"]),
            rows[start : start + 1000],
        )
    correction.queued = len(targets)
    if not targets:
        # Nothing to wait for: the reply to the editor is the whole report.
        correction.reported_at = now
    await session.flush()
    return correction
