"""/retract: out of search and future sends, and who already had it."""

from __future__ import annotations

from sqlalchemy import select

from bot.editorial.refs import ContentRef
from bot.editorial.retraction import RetractOutcome, retract
from storage.models import AuditLog, Delivery, Entry, ReportItem
from tests.db_fixtures import Database
from tests.editorial import factories as f

EDITOR = 1000


async def test_retracting_says_who_received_it_and_cancels_the_queue(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        entry = await f.entry(s, status="published", published_at=f.NOW)
        alice = await f.subscriber(s, 11, title="Alice", username="alice")
        bob = await f.subscriber(s, 12, username="bob")
        carol = await f.subscriber(s, 13)
        other = await f.entry(s, title="Other", status="published")
        s.add_all(
            [
                f.delivery(alice, "entry", entry.id, "sent"),
                f.delivery(bob, "entry", entry.id, "sent"),
                f.delivery(carol, "entry", entry.id, "pending"),
                f.delivery(carol, "entry", other.id, "sent"),
            ]
        )
        await s.flush()
        result = await retract(s, ContentRef("e", entry.id), actor_id=EDITOR, now=f.NOW)
    assert result.outcome is RetractOutcome.RETRACTED
    assert [(r.chat_id, r.username) for r in result.recipients] == [(11, "alice"), (12, "bob")]
    assert result.cancelled == 1
    async with db.session_factory() as s:
        row = await s.get(Entry, entry.id)
        assert row is not None and row.status == "retracted" and row.retracted_at == f.NOW
        carol_rows = (await s.scalars(select(Delivery.status).where(Delivery.chat_id == 13))).all()
        assert sorted(carol_rows) == ["cancelled", "sent"]
        assert (await s.scalars(select(AuditLog.target))).all() == [f"entry:{entry.id}"]


async def test_retracting_a_report_retracts_every_item(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        report = await f.report(s, [("A", ("japan",)), ("B", ("europe",))], status="published")
        sub = await f.subscriber(s, 21)
        s.add(f.delivery(sub, "item", report.items[1].id, "sent"))
        await s.flush()
        result = await retract(s, ContentRef("r", report.id), actor_id=EDITOR, now=f.NOW)
    assert result.outcome is RetractOutcome.RETRACTED
    assert [r.chat_id for r in result.recipients] == [21]
    async with db.session_factory() as s:
        assert set((await s.scalars(select(ReportItem.status))).all()) == {"retracted"}


async def test_retract_refuses_drafts_unknown_ids_and_repeats(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        draft = await f.entry(s)
        published = await f.entry(s, title="P", status="published")
        assert (
            await retract(s, ContentRef("e", draft.id), actor_id=EDITOR, now=f.NOW)
        ).outcome is RetractOutcome.DRAFT
        assert (
            await retract(s, ContentRef("i", 77), actor_id=EDITOR, now=f.NOW)
        ).outcome is RetractOutcome.NOT_FOUND
        first = await retract(s, ContentRef("e", published.id), actor_id=EDITOR, now=f.NOW)
        second = await retract(s, ContentRef("e", published.id), actor_id=EDITOR, now=f.NOW)
    assert (first.outcome, second.outcome) == (RetractOutcome.RETRACTED, RetractOutcome.ALREADY)
    async with db.session_factory() as s:
        assert (await s.get(Entry, draft.id)).status == "draft"  # type: ignore[union-attr]
