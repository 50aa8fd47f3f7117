"""/retract: out of search and future sends (queued daily summaries too), and who already had
it, at once or in a daily summary."""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.summaries import build_summaries
from bot.editorial.refs import ContentRef
from bot.editorial.retraction import RetractOutcome, retract
from bot.render import editor as render
from bot.subscriptions import forget_subscriber
from storage.models import (
    AuditLog,
    Delivery,
    Digest,
    Entry,
    ReportItem,
    Subscriber,
    SummaryItem,
    SummaryRun,
)
from tests.db_fixtures import Database
from tests.editorial import factories as f

EDITOR = 1000


def showing(*ids: int) -> dict[str, object]:
    """`Delivery.edition` of a message that shows these pieces."""
    return {"items": [{"id": i, "why": []} for i in ids], "part": 1, "parts": 1, "first": 1}


async def test_retracting_says_who_received_it_and_cancels_the_queue(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        entry = await f.entry(s, status="published", published_at=f.NOW)
        alice = await f.subscriber(s, 11, title="Alice", username="alice")
        bob = await f.subscriber(s, 12, username="bob")
        carol = await f.subscriber(s, 13)
        other = await f.entry(s, title="Other", status="published")
        s.add_all(
            [
                f.delivery(alice, "entry", entry.id, "sent", edition=showing(entry.id)),
                f.delivery(bob, "entry", entry.id, "sent", edition=showing(entry.id)),
                f.delivery(carol, "entry", entry.id, "pending", edition=showing(entry.id)),
                f.delivery(carol, "entry", other.id, "sent", edition=showing(other.id)),
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
        waiting = await f.subscriber(s, 22)
        a, b = (i.id for i in report.items)
        s.add(f.delivery(sub, "report", report.id, "sent", edition=showing(b)))
        s.add(f.delivery(waiting, "report", report.id, "pending", edition=showing(a, b)))
        await s.flush()
        result = await retract(s, ContentRef("r", report.id), actor_id=EDITOR, now=f.NOW)
    assert result.outcome is RetractOutcome.RETRACTED
    assert [r.chat_id for r in result.recipients] == [21]
    assert result.cancelled == 1
    async with db.session_factory() as s:
        assert set((await s.scalars(select(ReportItem.status))).all()) == {"retracted"}


async def test_retracting_one_item_names_who_was_shown_it_and_spares_the_rest_of_the_queue(
    db: Database,
) -> None:
    async with db.session_factory() as s, s.begin():
        report = await f.report(
            s, [("Tokyo talks", ("japan",)), ("Brussels summit", ("europe",))], status="published"
        )
        tokyo, brussels = (i.id for i in report.items)
        both = await f.subscriber(s, 31, username="both")
        europe = await f.subscriber(s, 32, username="europe")
        queued_both = await f.subscriber(s, 33)
        queued_tokyo = await f.subscriber(s, 34)
        s.add_all(
            [
                f.delivery(both, "report", report.id, "sent", edition=showing(tokyo, brussels)),
                f.delivery(europe, "report", report.id, "sent", edition=showing(brussels)),
                f.delivery(
                    queued_both, "report", report.id, "pending", edition=showing(tokyo, brussels)
                ),
                f.delivery(queued_tokyo, "report", report.id, "pending", edition=showing(tokyo)),
            ]
        )
        await s.flush()
        result = await retract(s, ContentRef("i", tokyo), actor_id=EDITOR, now=f.NOW)
    assert [r.username for r in result.recipients] == ["both"]
    # Only the message that showed nothing else is cancelled; the other goes without Tokyo.
    assert result.cancelled == 1
    async with db.session_factory() as s:
        statuses = dict((await s.execute(select(Delivery.chat_id, Delivery.status))).tuples().all())
    assert statuses == {31: "sent", 32: "sent", 33: "pending", 34: "cancelled"}


async def test_retracting_a_digest_entry_names_who_had_it_in_the_digest_message(
    db: Database,
) -> None:
    async with db.session_factory() as s, s.begin():
        digest = Digest(title="November Digest", link="https://example.org/d", status="published")
        s.add(digest)
        await s.flush()
        first = await f.entry(s, title="One", status="published")
        second = await f.entry(s, title="Two", status="published")
        first.digest_id = second.digest_id = digest.id
        reader = await f.subscriber(s, 41, username="reader")
        other = await f.subscriber(s, 42, username="other")
        s.add(f.delivery(reader, "digest", digest.id, "sent", edition=showing(first.id)))
        s.add(f.delivery(other, "digest", digest.id, "sent", edition=showing(second.id)))
        await s.flush()
        result = await retract(s, ContentRef("e", first.id), actor_id=EDITOR, now=f.NOW)
    assert [r.username for r in result.recipients] == ["reader"]


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


async def _daily(s: AsyncSession, chat_id: int, username: str, *regions: str) -> Subscriber:
    return await f.subscriber(s, chat_id, username=username, regions=regions, mode="daily")


async def test_daily_readers_are_named_and_queued_summaries_lose_the_item(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        report = await f.report(
            s,
            [("Tokyo talks resume", ("japan",)), ("Brussels summit", ("europe",))],
            status="published",
        )
        for item in report.items:
            item.published_at = f.NOW - dt.timedelta(hours=1)
        tokyo = report.items[0]
        alice = await f.subscriber(s, 11, username="alice")  # instant: had it as an alert
        s.add(f.delivery(alice, "report", report.id, "sent", edition=showing(tokyo.id)))
        dana = await _daily(s, 21, "dana", "japan")
        eve = await _daily(s, 22, "eve", "japan", "europe")
        finn = await _daily(s, 23, "finn", "japan")
        assert await build_summaries(s, [dana, eve, finn], f.NOW) == 3
        await s.execute(  # Dana's summary went out; Eve's and Finn's still wait
            update(Delivery).where(Delivery.chat_id == 21).values(status="sent")
        )
    async with db.session_factory() as s, s.begin():
        result = await retract(s, ContentRef("i", tokyo.id), actor_id=EDITOR, now=f.NOW)

    assert [(r.username, r.at_once, r.in_summary) for r in result.recipients] == [
        ("alice", True, False),
        ("dana", False, True),
    ]
    assert (result.summaries_rewritten, result.summaries_cancelled) == (1, 1)
    reply = render.retracted("en", result).text
    assert "Already received by 2 (1 at once, 1 in a daily summary): @alice, @dana" in reply
    assert "Taken out of daily summaries still waiting to be sent: 2." in reply
    assert "Of these, 1 listed nothing else and will not be sent." in reply
    async with db.session_factory() as s:
        queued = (await s.scalars(select(Delivery).where(Delivery.status == "pending"))).all()
        [eve_summary] = queued
        assert eve_summary.chat_id == 22 and eve_summary.kind == "summary"
        assert "Brussels summit" in eve_summary.text and "Tokyo" not in eve_summary.text
        assert "1 new for you" in eve_summary.text
        finn_rows = (await s.scalars(select(Delivery.status).where(Delivery.chat_id == 23))).all()
        assert finn_rows == ["cancelled"]
        listed = {
            (run.subscriber_id, item.content_id)
            for run, item in await s.execute(select(SummaryRun, SummaryItem).join(SummaryItem))
        }
        assert listed == {(dana.id, tokyo.id), (eve.id, report.items[1].id)}
        items = dict((await s.execute(select(SummaryRun.subscriber_id, SummaryRun.items))).all())
        assert items == {dana.id: 1, eve.id: 1, finn.id: 0}


async def test_a_summary_is_stored_with_its_items_or_not_at_all(db: Database) -> None:
    class Crash(Exception):
        pass

    async with db.session_factory() as s:
        with contextlib.suppress(Crash):
            async with s.begin():
                entry = await f.entry(
                    s, status="published", published_at=f.NOW - dt.timedelta(hours=2)
                )
                reader = await _daily(s, 31, "gus", "japan")
                assert await build_summaries(s, [reader], f.NOW) == 1
                raise Crash  # the process dies before the commit
    async with db.session_factory() as s:
        for model in (SummaryRun, SummaryItem, Delivery, Entry):
            assert (await s.scalars(select(model))).all() == [], model.__name__
    async with db.session_factory() as s, s.begin():
        entry = await f.entry(s, status="published", published_at=f.NOW - dt.timedelta(hours=2))
        reader = await _daily(s, 31, "gus", "japan")
        assert await build_summaries(s, [reader], f.NOW) == 1
    async with db.session_factory() as s:
        run = (await s.scalars(select(SummaryRun))).one()
        item = (await s.scalars(select(SummaryItem))).one()
        assert (item.run_id, item.content_type, item.content_id) == (run.id, "entry", entry.id)
    async with db.session_factory() as s, s.begin():  # /forget
        await forget_subscriber(s, await s.get_one(Subscriber, reader.id))
    async with db.session_factory() as s:
        for model in (SummaryRun, SummaryItem, Delivery):
            assert (await s.scalars(select(model))).all() == [], model.__name__


async def test_a_queued_summary_loses_a_digest_whose_listed_entries_were_retracted(
    db: Database,
) -> None:
    published = f.NOW - dt.timedelta(hours=1)
    async with db.session_factory() as s, s.begin():
        digest = Digest(
            title="November Digest",
            link="https://example.org/d",
            status="published",
            published_at=published,
        )
        s.add(digest)
        await s.flush()
        tokyo = await f.entry(
            s, title="Tokyo view", status="published", published_at=published, digest_id=digest.id
        )
        await f.entry(
            s,
            title="Brussels view",
            regions=("europe",),
            status="published",
            published_at=published,
            digest_id=digest.id,
        )
        report = await f.report(s, [("Osaka chip plant opens", ("japan",))], status="published")
        report.items[0].published_at = published
        gus = await _daily(s, 51, "gus", "japan")
        assert await build_summaries(s, [gus], f.NOW) == 1
        [summary] = (await s.scalars(select(Delivery))).all()
        assert "November Digest" in summary.text and "Tokyo view" in summary.text
        assert "Brussels view" not in summary.text and "2 new for you" in summary.text
    async with db.session_factory() as s, s.begin():
        result = await retract(s, ContentRef("e", tokyo.id), actor_id=EDITOR, now=f.NOW)
    assert (result.summaries_rewritten, result.summaries_cancelled) == (1, 0)
    async with db.session_factory() as s:
        [waiting] = (await s.scalars(select(Delivery).where(Delivery.status == "pending"))).all()
    assert "Osaka chip plant opens" in waiting.text and "1 new for you" in waiting.text
    assert "November Digest" not in waiting.text and "Tokyo view" not in waiting.text
