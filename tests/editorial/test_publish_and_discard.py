"""Publish and Discard, the preview's buttons, by ref."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.editorial.posting import DiscardOutcome, PublishOutcome, discard, publish_ref
from bot.editorial.refs import ContentRef
from storage.models import AuditLog, DailyReport, Digest, Entry, ReportItem
from tests.db_fixtures import Database
from tests.editorial import factories as f

EDITOR = 1000


async def test_publishing_an_entry_flips_it_once(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        entry = await f.entry(s)
        ref = ContentRef("e", entry.id)
        assert await publish_ref(s, ref, actor_id=EDITOR, now=f.NOW) is PublishOutcome.PUBLISHED
        again = await publish_ref(s, ref, actor_id=EDITOR, now=f.NOW)
        assert again is PublishOutcome.ALREADY_PUBLISHED
        gone = await f.entry(s, title="Gone", status="retracted")
        retracted = await publish_ref(s, ContentRef("e", gone.id), actor_id=EDITOR, now=f.NOW)
        assert retracted is PublishOutcome.RETRACTED
        missing = await publish_ref(s, ContentRef("e", 999), actor_id=EDITOR, now=f.NOW)
        assert missing is PublishOutcome.NOT_FOUND
    async with db.session_factory() as s:
        row = await s.get(Entry, entry.id)
        assert row is not None and row.status == "published" and row.published_at == f.NOW
        assert row.fanned_out_at is None  # left for the running bot's fan-out
        assert await s.scalar(select(func.count(AuditLog.id))) == 1


async def test_a_report_publishes_with_all_its_items(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        report = await f.report(
            s, [("Tokyo and Beijing talk", ("japan",)), ("EU levy", ("europe",))]
        )
        item_id = report.items[0].id
        single = await publish_ref(s, ContentRef("i", item_id), actor_id=EDITOR, now=f.NOW)
        assert single is PublishOutcome.NOT_PUBLISHABLE
        outcome = await publish_ref(s, ContentRef("r", report.id), actor_id=EDITOR, now=f.NOW)
        assert outcome is PublishOutcome.PUBLISHED
    async with db.session_factory() as s:
        statuses = (await s.scalars(select(ReportItem.status))).all()
        assert statuses == ["published", "published"]


async def test_a_digest_publishes_its_draft_entries(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        digest = Digest(title="November digest", link="https://example.org/nov")
        s.add(digest)
        await s.flush()
        e1 = await f.entry(s, title="One", digest_id=digest.id)
        e2 = await f.entry(s, title="Two", digest_id=digest.id)
        outcome = await publish_ref(s, ContentRef("d", digest.id), actor_id=EDITOR, now=f.NOW)
        assert outcome is PublishOutcome.PUBLISHED
    async with db.session_factory() as s:
        assert (await s.get(Digest, digest.id)).status == "published"  # type: ignore[union-attr]
        for e in (e1, e2):
            assert (await s.get(Entry, e.id)).status == "published"  # type: ignore[union-attr]


async def test_discard_deletes_drafts_with_everything_stored_with_them(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        report = await f.report(s, [("A", ("japan",)), ("B", ())])
        outcome = await discard(s, ContentRef("r", report.id), actor_id=EDITOR)
        assert outcome is DiscardOutcome.DISCARDED
        published = await f.entry(s, status="published")
        too_late = await discard(s, ContentRef("e", published.id), actor_id=EDITOR)
        assert too_late is DiscardOutcome.PUBLISHED
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(DailyReport.id))) == 0
        assert await s.scalar(select(func.count(ReportItem.id))) == 0
        assert await s.get(Entry, published.id) is not None
        logged = (await s.scalars(select(AuditLog))).one()
        assert (logged.action, logged.target, logged.actor_id) == (
            "discard",
            f"r{report.id}",
            EDITOR,
        )
    async with db.session_factory() as s, s.begin():
        digest = Digest(title="November digest")
        s.add(digest)
        await s.flush()
        await f.entry(s, digest_id=digest.id, commentators=(("Huang Jing", "黄靖"),))
        assert (
            await discard(s, ContentRef("d", digest.id), actor_id=EDITOR)
            is DiscardOutcome.DISCARDED
        )
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(Entry.id))) == 1  # the published one
        assert await s.scalar(select(func.count(Digest.id))) == 0
