"""A group that became a supergroup gets a new chat id; its subscriptions follow it.

Telegram reports the move twice (a service message with `migrate_to_chat_id` in the old group,
one with `migrate_from_chat_id` in the new supergroup) and answers sends to the old id with
400 "group chat was upgraded to a supergroup chat" carrying the new id. All three call
`move_chat`, which is idempotent.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import insert_for
from storage.models import Delivery, DeliveryStatus, Subscriber, Subscription


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """Move every subscriber of `old_chat_id` (the chat and its topics) to `new_chat_id`, with
    what is still queued for it; returns how many subscribers moved. If the new chat already
    has a subscriber (someone used the bot there first), the old one's subscriptions are merged
    into it and the old one is removed."""
    if old_chat_id == new_chat_id:
        return 0
    moved = 0
    old_rows = list(
        await session.scalars(select(Subscriber).where(Subscriber.chat_id == old_chat_id))
    )
    for old in old_rows:
        existing = await session.scalar(
            select(Subscriber).where(
                Subscriber.chat_id == new_chat_id, Subscriber.thread_id == old.thread_id
            )
        )
        if existing is not None and existing.id == old.id:
            # Moved meanwhile by a concurrent call (Telegram reports a move twice, and the two
            # updates are handled at once): nothing left to do for this one.
            continue
        if existing is None:
            old.chat_id = new_chat_id
            if old.chat_type == "group":
                old.chat_type = "supergroup"
            await session.flush()
        else:
            subscriptions = await session.execute(
                select(
                    Subscription.kind,
                    Subscription.region_id,
                    Subscription.commentator_id,
                    Subscription.keyword,
                    Subscription.target,
                    Subscription.created_at,
                ).where(Subscription.subscriber_id == old.id)
            )
            values = [
                {
                    "subscriber_id": existing.id,
                    "kind": kind,
                    "region_id": region_id,
                    "commentator_id": commentator_id,
                    "keyword": keyword,
                    "target": target,
                    "created_at": created_at,
                }
                for kind, region_id, commentator_id, keyword, target, created_at in subscriptions
            ]
            if values:
                await session.execute(
                    insert_for(session)(Subscription)
                    .values(values)
                    .on_conflict_do_nothing(index_elements=["subscriber_id", "kind", "target"])
                )
            await session.execute(
                update(Delivery)
                .where(Delivery.subscriber_id == old.id, Delivery.status == DeliveryStatus.PENDING)
                .values(subscriber_id=existing.id)
                .execution_options(synchronize_session=False)
            )
            await session.delete(old)
            await session.flush()
        moved += 1
    await session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id == old_chat_id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        )
        .values(chat_id=new_chat_id)
        .execution_options(synchronize_session=False)
    )
    return moved
