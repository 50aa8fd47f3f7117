"""/retract asks first: what will happen and how many readers got it, with Retract / Cancel.

The request waits in a PendingAction (the buttons carry its id, ids are never reused). Only the
editor who asked can confirm or cancel it (the permission check lets only publishers press at
all); confirming deletes it in the same transaction that retracts, so a second press, or one
after it expired, does nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.editorial.content import load
from bot.editorial.refs import BadRef, ContentRef
from bot.editorial.retraction import (
    RetractOutcome,
    RetractResult,
    readers,
    retract,
)
from storage.models import ContentStatus, DailyReport, Digest, Entry, PendingAction

KIND = "retract"
CONFIRM_WITHIN = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Request:
    """A retraction waiting for confirmation (`action_id`), or why none is needed (`refused`)."""

    ref: ContentRef
    refused: RetractOutcome | None = None
    action_id: int = 0
    status: str = ""
    title: str = ""
    readers: int = 0


class Answer(enum.StrEnum):
    RETRACTED = "retracted"
    KEPT = "kept"  # cancelled: nothing changed
    EXPIRED = "expired"  # unknown, already answered, or too old
    NOT_OWNER = "not_owner"


@dataclass(frozen=True, slots=True)
class Answered:
    answer: Answer
    ref: ContentRef | None = None
    result: RetractResult | None = None


async def ask(
    session: AsyncSession, ref: ContentRef, *, owner_id: int, chat_id: int, now: dt.datetime
) -> Request:
    content = await load(session, ref)
    if content is None:
        return Request(ref, RetractOutcome.NOT_FOUND)
    if content.status == ContentStatus.RETRACTED:
        return Request(ref, RetractOutcome.ALREADY)
    if content.status == ContentStatus.DRAFT:
        return Request(ref, RetractOutcome.DRAFT)
    await session.execute(
        delete(PendingAction).where(PendingAction.kind == KIND, PendingAction.expires_at < now)
    )
    action = PendingAction(
        kind=KIND,
        owner_id=owner_id,
        chat_id=chat_id,
        payload={"ref": str(ref)},
        created_at=now,
        expires_at=now + CONFIRM_WITHIN,
    )
    session.add(action)
    await session.flush()
    if isinstance(content, Entry | DailyReport | Digest):
        title = content.title or getattr(content, "summary", "") or ""
    else:
        title = content.headline
    return Request(
        ref, None, action.id, str(content.status), title, await readers(session, content)
    )


async def answer(
    session: AsyncSession,
    action_id: int,
    *,
    confirm: bool,
    actor_id: int,
    now: dt.datetime,
    editor_chat_id: int | None = None,
    language: str = "en",
) -> Answered:
    """Confirm (retract now) or cancel the request `action_id` of `actor_id`; the editor in
    `editor_chat_id` is told how the corrections of delivered messages went."""
    action = await session.get(PendingAction, action_id)
    if action is None or action.kind != KIND:
        return Answered(Answer.EXPIRED)
    try:
        ref = ContentRef.parse(str(action.payload.get("ref", "")))
    except BadRef:
        return Answered(Answer.EXPIRED)
    if action.owner_id != actor_id:
        return Answered(Answer.NOT_OWNER, ref)
    # Deleting first: a second press (a double tap) finds nothing to confirm.
    deleted = await session.execute(delete(PendingAction).where(PendingAction.id == action.id))
    if deleted.rowcount != 1:  # type: ignore[attr-defined]
        return Answered(Answer.EXPIRED, ref)
    if action.expires_at is not None and action.expires_at < now:
        return Answered(Answer.EXPIRED, ref)
    if not confirm:
        return Answered(Answer.KEPT, ref)
    result = await retract(
        session, ref, actor_id=actor_id, now=now, editor_chat_id=editor_chat_id, language=language
    )
    return Answered(Answer.RETRACTED, ref, result)
