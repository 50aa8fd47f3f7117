"""Pruning delivery records: old finished rows go, in batches; what the delivered ones showed
is tallied per piece (adding up across runs); pending and recent rows stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.corrections.retention import prune_all
from bot.delivery import outbox
from storage.models import Delivery, PrunedDelivery
from tests.db_fixtures import Database

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


async def _delivered(db: Database, key: str, *, days_ago: float, status: str = "sent") -> None:
    sent = NOW - dt.timedelta(days=days_ago)
    async with db.session_factory() as s, s.begin():
        await outbox.enqueue(
            s,
            chat_id=100,
            text="",
            kind="alert",
            dedup_key=key,
            content_type="report",
            content_id=7,
            edition={"items": [{"id": 31, "why": []}, {"id": 32, "why": []}]},
            now=sent,
        )
        sent_fields = {"sent_at": sent, "telegram_message_id": 5} if status == "sent" else {}
        await s.execute(
            update(Delivery)
            .where(Delivery.dedup_key == key)
            .values(status=status, updated_at=sent, **sent_fields)
        )


async def test_old_records_are_pruned_in_batches_and_tallied_per_piece(db: Database) -> None:
    for n in range(5):
        await _delivered(db, f"old:{n}", days_ago=40)
    await _delivered(db, "old-failed", days_ago=40, status="failed")
    await _delivered(db, "recent", days_ago=2)
    await _delivered(db, "waiting", days_ago=40, status="pending")

    pruned = await prune_all(db.session_factory, before=NOW - dt.timedelta(days=30), batch=2)

    async with db.session_factory() as s:
        left = set(await s.scalars(select(Delivery.dedup_key)))
        tally = {
            (p.content_type, p.content_id): p.messages
            for p in await s.scalars(select(PrunedDelivery))
        }
    assert left == {"recent", "waiting"}
    assert pruned == 6
    # Five delivered messages showed items 31 and 32 (the failed one showed nothing), counted
    # across three batches.
    assert tally == {("item", 31): 5, ("item", 32): 5}
