"""`/broadcast <text>`: held until the editor confirms, then queued for every active subscriber.

The text waits in a PendingAction (the confirmation button only carries its id). Confirming
queues one outbox row per active subscriber, in one INSERT ... SELECT; the sender delivers them
at the rate limit.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from storage import audit
from storage.models import PendingAction, Subscriber, SubscriberStatus

KIND = "broadcast"
MAX_LENGTH = 4000  # leaves room under Telegram's 4096 for the sender's own additions
CONFIRM_WITHIN = dt.timedelta(hours=1)


class BroadcastOutcome(enum.StrEnum):
    QUEUED = "queued"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # unknown, already confirmed or cancelled, or too old
    NOT_OWNER = "not_owner"


@dataclass(frozen=True, slots=True)
class Draft:
    action_id: int
    recipients: int


@dataclass(frozen=True, slots=True)
class BroadcastResult:
    outcome: BroadcastOutcome
    queued: int = 0
    broadcast_id: int | None = None


class BroadcastTooLong(ValueError):
    pass


async def active_count(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count(Subscriber.id)).where(Subscriber.status == SubscriberStatus.ACTIVE)
        )
        or 0
    )


async def prepare(
    session: AsyncSession, html_text: str, *, owner_id: int, chat_id: int, now: dt.datetime
) -> Draft:
    """Hold `html_text` (Telegram HTML, already escaped) for confirmation."""
    if len(html_text) > MAX_LENGTH:
        raise BroadcastTooLong(str(MAX_LENGTH))
    # Unconfirmed broadcasts past their hour are of no use to anyone.
    await session.execute(
        delete(PendingAction).where(PendingAction.kind == KIND, PendingAction.expires_at < now)
    )
    action = PendingAction(
        kind=KIND,
        owner_id=owner_id,
        chat_id=chat_id,
        payload={"text": html_text},
        created_at=now,
        expires_at=now + CONFIRM_WITHIN,
    )
    session.add(action)
    await session.flush()
    return Draft(action.id, await active_count(session))


async def cancel(session: AsyncSession, action_id: int, *, actor_id: int) -> BroadcastResult:
    action = await _take(session, action_id)
    if action is None:
        return BroadcastResult(BroadcastOutcome.EXPIRED)
    if action.owner_id != actor_id:
        return BroadcastResult(BroadcastOutcome.NOT_OWNER)
    await session.delete(action)
    return BroadcastResult(BroadcastOutcome.CANCELLED)


async def confirm(
    session: AsyncSession, action_id: int, *, actor_id: int, now: dt.datetime
) -> BroadcastResult:
    action = await _take(session, action_id)
    if action is None or (action.expires_at is not None and action.expires_at < now):
        return BroadcastResult(BroadcastOutcome.EXPIRED)
    if action.owner_id != actor_id:
        return BroadcastResult(BroadcastOutcome.NOT_OWNER)
    text = str(action.payload.get("text", ""))
    # Deleting first means a second press (or a second editor's) finds nothing to send.
    deleted = await session.execute(delete(PendingAction).where(PendingAction.id == action.id))
    if deleted.rowcount != 1:  # type: ignore[attr-defined]
        return BroadcastResult(BroadcastOutcome.EXPIRED)
    # The audit row's id names the broadcast: it is never reused, unlike a deleted row's id.
    entry = await audit.record(session, actor_id, "broadcast", None, {"text": text[:500]})
    await session.flush()
    queued = await _enqueue(session, entry.id, text, now)
    entry.target = f"broadcast:{entry.id}"
    entry.details = {"text": text[:500], "recipients": queued}
    await session.flush()
    return BroadcastResult(BroadcastOutcome.QUEUED, queued, entry.id)


async def _take(session: AsyncSession, action_id: int) -> PendingAction | None:
    action = await session.get(PendingAction, action_id)
    if action is None or action.kind != KIND:
        return None
    return action


async def _enqueue(session: AsyncSession, broadcast_id: int, text: str, now: dt.datetime) -> int:
    return await outbox.enqueue_for_subscribers(
        session,
        Subscriber.status == SubscriberStatus.ACTIVE,
        text=text,
        kind=KIND,
        dedup_prefix=f"broadcast:{broadcast_id}",
        disable_preview=False,
        now=now,
    )
