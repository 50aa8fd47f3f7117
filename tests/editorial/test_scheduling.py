"""/schedule and the due-publication check."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.editorial.refs import ContentRef
from bot.editorial.scheduling import (
    ScheduleOutcome,
    editor_timezone,
    publish_due,
    schedule,
)
from storage.models import DailyReport, Entry, ReportItem
from tests.db_fixtures import Database
from tests.editorial import factories as f

LATER = f.NOW + dt.timedelta(hours=2)


async def test_scheduled_content_is_published_when_due_and_not_before(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        entry = await f.entry(s)
        report = await f.report(s, [("A", ("japan",))])
        for ref in (ContentRef("e", entry.id), ContentRef("r", report.id)):
            result = await schedule(s, ref, LATER, actor_id=1)
            assert (result.outcome, result.when) == (ScheduleOutcome.SCHEDULED, LATER)
    async with db.session_factory() as s, s.begin():
        assert (await publish_due(s, f.NOW + dt.timedelta(hours=1))).published == []
        assert (await s.get(Entry, entry.id)).status == "scheduled"  # type: ignore[union-attr]
    async with db.session_factory() as s, s.begin():
        due = await publish_due(s, LATER)
    assert due.published == [ContentRef("e", entry.id), ContentRef("r", report.id)]
    async with db.session_factory() as s:
        published = await s.get(Entry, entry.id)
        assert published is not None
        assert (published.status, published.published_at, published.scheduled_for) == (
            "published",
            LATER,
            None,
        )
        assert (await s.get(DailyReport, report.id)).status == "published"  # type: ignore[union-attr]
        assert (await s.scalars(select(ReportItem.status))).all() == ["published"]
    async with db.session_factory() as s, s.begin():
        assert (await publish_due(s, LATER + dt.timedelta(hours=1))).published == []


async def test_cancelling_a_schedule_returns_it_to_draft(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        entry = await f.entry(s)
        ref = ContentRef("e", entry.id)
        assert (await schedule(s, ref, None, actor_id=1)).outcome is ScheduleOutcome.NOT_SCHEDULED
        await schedule(s, ref, LATER, actor_id=1)
        assert (await schedule(s, ref, None, actor_id=1)).outcome is ScheduleOutcome.UNSCHEDULED
    async with db.session_factory() as s, s.begin():
        assert (await publish_due(s, LATER)).published == []
        assert (await s.get(Entry, entry.id)).status == "draft"  # type: ignore[union-attr]


async def test_what_cannot_be_scheduled(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        published = await f.entry(s, status="published")
        report = await f.report(s, [("A", ())])
        item = await schedule(s, ContentRef("i", report.items[0].id), LATER, actor_id=1)
        assert (item.outcome, item.report_id) == (ScheduleOutcome.NOT_SCHEDULABLE, report.id)
        assert (
            await schedule(s, ContentRef("e", published.id), LATER, actor_id=1)
        ).outcome is ScheduleOutcome.ALREADY_PUBLISHED
        assert (
            await schedule(s, ContentRef("d", 404), LATER, actor_id=1)
        ).outcome is ScheduleOutcome.NOT_FOUND
    # Times are read in the zone the editor chose as a subscriber, else the default.
    async with db.session_factory() as s, s.begin():
        await f.subscriber(s, 1000, timezone="Asia/Shanghai")
        assert await editor_timezone(s, 1000, "UTC") == "Asia/Shanghai"
        assert await editor_timezone(s, 2000, "Europe/Berlin") == "Europe/Berlin"
