"""Storing parsed documents: drafts or published, deduplicated, audited (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.ingest.article import parse_article
from bot.ingest.daily_report import parse_report
from bot.ingest.digest import parse_digest
from bot.ingest.service import IngestError, ingest, load_known
from storage.models import (
    AuditLog,
    Commentator,
    DailyReport,
    Digest,
    Entry,
    ReportItem,
    entry_commentators,
)
from tests.db_fixtures import Database
from tests.ingest.support import fixture

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
EDITOR = 4242
DIGEST = parse_digest(fixture("digest_january.txt"), today=date(2027, 3, 1))
REPORT = parse_report(fixture("report_2026-01-14.txt"))


async def count(db: Database, column: object) -> int:
    async with db.session_factory() as s:
        return int(await s.scalar(select(func.count(column))) or 0)


async def test_a_digest_is_stored_as_drafts_with_regions_and_commentators(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, DIGEST, publish=False, actor_id=EDITOR, now=NOW)
    assert (result.kind, result.duplicate, result.stored) == ("digest", False, 6)
    assert not result.published
    assert len(result.new_commentators) == 7  # Guo Haoran appears twice
    async with db.session_factory() as s:
        digest = await s.get(Digest, result.digest_id)
        assert digest is not None
        assert (digest.month, digest.part, digest.status) == ("2027-01", 2, "draft")
        entries = (
            await s.scalars(
                select(Entry)
                .where(Entry.digest_id == digest.id)
                .order_by(Entry.position)
                .options(selectinload(Entry.regions), selectinload(Entry.commentators))
            )
        ).all()
        assert [e.position for e in entries] == list(range(6))
        assert all(e.status == "draft" and e.kind == "digest" for e in entries)
        assert [[r.slug for r in e.regions] for e in entries] == [
            ["russia"],
            ["japan"],
            ["us-china"],
            ["us-china"],
            ["europe"],
            ["africa"],
        ]
        trio = entries[4]
        assert [c.name for c in trio.commentators] == ["Han Meixi", "Lu Zhenbang", "Qiu Wenjie"]
        assert (entries[0].outlet, entries[0].date) == ("北极观察", date(2027, 1, 9))
        assert entries[0].summary.startswith("Bai Yutong on Arctic shipping")


async def test_the_same_digest_twice_stores_nothing_new_and_says_so(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        first = await ingest(s, DIGEST, publish=False, actor_id=EDITOR)
    async with db.session_factory() as s, s.begin():
        again = await ingest(s, DIGEST, publish=False, actor_id=EDITOR)
    assert again.duplicate and again.stored == 0 and again.unchanged == 6
    assert again.digest_id == first.digest_id
    assert await count(db, Entry.id) == 6
    assert await count(db, Digest.id) == 1
    assert await count(db, Commentator.id) == 7


async def test_a_corrected_digest_adds_only_the_changed_paragraph(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        await ingest(s, DIGEST, publish=False, actor_id=EDITOR)
    corrected = parse_digest(
        fixture("digest_january.txt").replace("until then the dollar", "Until then the dollar"),
        today=date(2027, 3, 1),
    )
    corrected = parse_digest(
        fixture("digest_january.txt").replace("Until then the dollar", "For now the dollar"),
        today=date(2027, 3, 1),
    )
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, corrected, publish=False, actor_id=EDITOR)
    assert (result.stored, result.unchanged) == (1, 5)
    assert await count(db, Digest.id) == 1


async def test_publish_sets_status_and_published_at_and_returns_the_ids(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, DIGEST, publish=True, actor_id=EDITOR, now=NOW)
    assert set(result.published_entry_ids) == set(result.entry_ids)
    assert result.published_digest_ids == (result.digest_id,)
    async with db.session_factory() as s:
        rows = (await s.scalars(select(Entry))).all()
        assert {(e.status, e.published_at) for e in rows} == {("published", NOW)}
        assert all(e.fanned_out_at is None for e in rows)  # fan-out is the running bot's job


async def test_ingesting_stored_drafts_again_with_publish_publishes_them(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        await ingest(s, REPORT, publish=False, actor_id=EDITOR)
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, REPORT, publish=True, actor_id=EDITOR, now=NOW)
    assert result.duplicate and len(result.published_item_ids) == 4
    async with db.session_factory() as s:
        statuses = set((await s.scalars(select(ReportItem.status))).all())
        assert statuses == {"published"}


async def test_an_existing_commentator_is_matched_by_chinese_name_or_alias(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        s.add(Commentator(name="Haoran Guo", name_zh="郭浩然", aliases=[]))
        s.add(Commentator(name="Ruan J.", name_zh=None, aliases=["Ruan Jiaming"]))
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, DIGEST, publish=False, actor_id=EDITOR)
    assert "Guo Haoran (郭浩然)" not in result.new_commentators
    assert not any(n.startswith("Ruan") for n in result.new_commentators)
    assert await count(db, Commentator.id) == 7
    async with db.session_factory() as s:
        ruan = await s.scalar(select(Commentator).where(Commentator.name == "Ruan J."))
        assert ruan is not None and ruan.name_zh == "阮佳明"  # filled in from the digest
        assert ruan.affiliation and ruan.affiliation.startswith("Researcher")


async def test_entry_commentators_keep_their_byline_order(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, DIGEST, publish=False, actor_id=EDITOR)
    trio_id = result.entry_ids[4]
    async with db.session_factory() as s:
        rows = await s.execute(
            select(Commentator.name)
            .join(entry_commentators, entry_commentators.c.commentator_id == Commentator.id)
            .where(entry_commentators.c.entry_id == trio_id)
            .order_by(entry_commentators.c.position)
        )
        assert list(rows.scalars()) == ["Han Meixi", "Lu Zhenbang", "Qiu Wenjie"]


async def test_a_report_is_stored_with_its_items_and_their_regions(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, REPORT, publish=False, actor_id=EDITOR)
    assert (result.kind, result.stored) == ("report", 4)
    async with db.session_factory() as s:
        report = await s.scalar(
            select(DailyReport).options(
                selectinload(DailyReport.items).selectinload(ReportItem.regions)
            )
        )
        assert report is not None
        assert (report.date, report.status) == (date(2026, 1, 14), "draft")
        assert report.overview and report.overview.startswith("以下是")
        assert [[r.slug for r in i.regions] for i in report.items] == [
            ["japan"],
            [],
            ["europe"],
            ["russia"],
        ]
        assert report.items[0].url == (
            "https://news.example.com/asia/article/1001/tokyo-beijing-spar-port-fees"
        )
        assert report.items[0].summary_zh and report.items[0].title_zh


async def test_the_same_report_twice_stores_nothing_and_a_longer_one_adds_the_new_item(
    db: Database,
) -> None:
    async with db.session_factory() as s, s.begin():
        await ingest(s, REPORT, publish=False, actor_id=EDITOR)
    async with db.session_factory() as s, s.begin():
        again = await ingest(s, REPORT, publish=False, actor_id=EDITOR)
    assert again.duplicate and again.unchanged == 4
    longer = parse_report(
        fixture("report_2026-01-14.txt") + "\nSeoul and Beijing agree ferry schedule\n"
        "https://news.example.com/asia/article/1005/ferry?utm_source=rss_feedFerries will run."
        "\nThe route reopens in April after five years.\n"
    )
    async with db.session_factory() as s, s.begin():
        more = await ingest(s, longer, publish=False, actor_id=EDITOR)
    assert (more.stored, more.unchanged, more.report_id) == (1, 4, again.report_id)
    assert await count(db, ReportItem.id) == 5


async def test_known_commentators_from_the_database_tag_report_items(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        s.add(Commentator(name="Han Meixi", name_zh="韩美溪", aliases=[]))
    async with db.session_factory() as s:
        known = await load_known(s)
    assert [r.slug for r in known.regions] == ["us-china", "europe", "japan", "africa", "russia"]
    report = parse_report(fixture("report_2026-01-14.txt"), commentators=known.commentators)
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, report, publish=False, actor_id=EDITOR)
    async with db.session_factory() as s:
        item = await s.get(
            ReportItem, result.item_ids[2], options=[selectinload(ReportItem.commentators)]
        )
        assert item is not None and [c.name for c in item.commentators] == ["Han Meixi"]
    assert await count(db, Commentator.id) == 1


async def test_an_article_is_not_stored_twice_even_after_an_edit_at_the_same_url(
    db: Database,
) -> None:
    url = "https://blog.example.org/steel?utm_source=newsletter"
    first = parse_article(fixture("social_post.txt"), url=url)
    edited = parse_article(
        fixture("social_post.txt").replace("Waiting has", "Patience has"), url=url
    )
    async with db.session_factory() as s, s.begin():
        stored = await ingest(s, first, publish=False, actor_id=EDITOR)
    async with db.session_factory() as s, s.begin():
        again = await ingest(s, edited, publish=False, actor_id=EDITOR)
    assert stored.stored == 1 and again.duplicate
    async with db.session_factory() as s:
        entry = await s.scalar(select(Entry))
        assert entry is not None
        assert (entry.kind, entry.url) == ("article", "https://blog.example.org/steel")


async def test_every_ingest_writes_an_audit_row(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        result = await ingest(s, DIGEST, publish=False, actor_id=EDITOR)
    async with db.session_factory() as s, s.begin():
        await ingest(s, DIGEST, publish=False, actor_id=EDITOR)
    async with db.session_factory() as s:
        rows = (await s.scalars(select(AuditLog).where(AuditLog.action == "ingest"))).all()
        assert [(r.actor_id, r.target) for r in rows] == [
            (EDITOR, f"digest:{result.digest_id}"),
            (EDITOR, f"digest:{result.digest_id}"),
        ]
        assert rows[0].details and rows[0].details["stored"] == 6
        assert rows[1].details and rows[1].details["duplicate"] is True


async def test_a_report_without_a_date_is_refused_and_nothing_is_stored(db: Database) -> None:
    undated = parse_report(fixture("report_2026-01-14.txt").replace(" 2026-01-14", "", 1))
    with pytest.raises(IngestError, match="no date"):
        async with db.session_factory() as s, s.begin():
            await ingest(s, undated, publish=False, actor_id=EDITOR)
    assert await count(db, DailyReport.id) == 0
    assert await count(db, AuditLog.id) == 0
