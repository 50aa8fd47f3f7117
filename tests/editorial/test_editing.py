"""/edit <id> regions|commentators|summary."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.editorial.content import load
from bot.editorial.editing import EditError, EditField, edit, parse_field
from bot.editorial.refs import ContentRef
from storage.models import AuditLog, Commentator, Entry, ReportItem
from tests.db_fixtures import Database
from tests.editorial import factories as f

EDITOR = 1000


async def _entry(db: Database, **kw: object) -> ContentRef:
    async with db.session_factory() as s, s.begin():
        return ContentRef("e", (await f.entry(s, **kw)).id)  # type: ignore[arg-type]


async def test_regions_by_slug_english_or_chinese_name(db: Database) -> None:
    ref = await _entry(db, regions=("japan",))
    async with db.session_factory() as s, s.begin():
        result = await edit(s, ref, EditField.REGIONS, "欧洲, US-China", actor_id=EDITOR)
    assert (result.old, result.new) == ("japan", "us-china, europe")
    async with db.session_factory() as s:
        entry = await load(s, ref)
        assert isinstance(entry, Entry)
        assert [r.slug for r in entry.regions] == ["us-china", "europe"]
        logged = (await s.scalars(select(AuditLog))).one()
        assert (logged.action, logged.target, logged.actor_id) == ("edit.regions", str(ref), EDITOR)
        assert logged.details == {"old": "japan", "new": "us-china, europe"}
    async with db.session_factory() as s, s.begin():
        assert (await edit(s, ref, EditField.REGIONS, "japan russia", actor_id=1)).new == (
            "japan, russia"
        )
        assert (await edit(s, ref, EditField.REGIONS, "none", actor_id=1)).new == ""


async def test_an_unknown_region_changes_nothing(db: Database) -> None:
    ref = await _entry(db, regions=("japan",))
    async with db.session_factory() as s, s.begin():
        with pytest.raises(EditError) as caught:
            await edit(s, ref, EditField.REGIONS, "japan, atlantis", actor_id=EDITOR)
    assert (caught.value.reason, caught.value.detail) == ("unknown_region", "atlantis")
    async with db.session_factory() as s:
        entry = await load(s, ref)
        assert [r.slug for r in entry.regions] == ["japan"]  # type: ignore[union-attr]
        assert await s.scalar(select(func.count(AuditLog.id))) == 0


async def test_commentators_keep_their_order_and_reuse_known_people(db: Database) -> None:
    ref = await _entry(db, commentators=(("Huang Jing", "黄靖"),))
    async with db.session_factory() as s, s.begin():
        result = await edit(
            s, ref, EditField.COMMENTATORS, "Wang Yiwei (王义桅) & Huang Jing (黄靖)", actor_id=1
        )
    assert result.old == "Huang Jing (黄靖)"
    assert result.new == "Wang Yiwei (王义桅); Huang Jing (黄靖)"
    async with db.session_factory() as s:
        entry = await load(s, ref)
        assert [c.name_zh for c in entry.commentators] == ["王义桅", "黄靖"]  # type: ignore[union-attr]
        assert await s.scalar(select(func.count(Commentator.id))) == 2


async def test_commentators_of_a_report_item_and_its_chinese_summary(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        report = await f.report(s, [("Headline", ("japan",))])
        ref = ContentRef("i", report.items[0].id)
        await edit(s, ref, EditField.COMMENTATORS, "He Jun", actor_id=1)
        await edit(s, ref, EditField.SUMMARY, "新的摘要。", actor_id=1)
    async with db.session_factory() as s:
        item = await load(s, ref)
        assert isinstance(item, ReportItem)
        assert [c.name for c in item.commentators] == ["He Jun"]
        assert item.summary_zh == "新的摘要。"


async def test_a_report_item_s_english_summary_is_corrected_on_its_own(db: Database) -> None:
    async with db.session_factory() as s, s.begin():
        report = await f.report(s, [("Headline", ("japan",))])
        ref = ContentRef("i", report.items[0].id)
        result = await edit(
            s, ref, parse_field("summary_en"), "Tokyo and Beijing agreed to talk.", actor_id=1
        )
    assert (result.field, result.old) == (
        EditField.SUMMARY_EN,
        "An English summary of the article.",
    )
    async with db.session_factory() as s:
        item = await load(s, ref)
        assert isinstance(item, ReportItem)
        assert (item.summary_en, item.summary_zh) == (
            "Tokyo and Beijing agreed to talk.",
            "中文摘要。",
        )
        logged = (await s.scalars(select(AuditLog))).one()
        assert logged.action == "edit.summary_en"


async def test_bad_edits_are_refused(db: Database) -> None:
    ref = await _entry(db)
    cases = [
        (ContentRef("e", 999), EditField.SUMMARY, "x", "not_found"),
        (ContentRef("r", 1), EditField.SUMMARY, "x", "not_editable"),
        (ref, EditField.SUMMARY, "   ", "empty_summary"),
        (ref, EditField.SUMMARY, "x" * 2001, "summary_too_long"),
        (ref, EditField.COMMENTATORS, "not a (name list", "bad_commentators"),
        # An entry has one summary, in its own language.
        (ref, EditField.SUMMARY_EN, "An English summary.", "summary_en_items_only"),
    ]
    for target, field, value, reason in cases:
        async with db.session_factory() as s, s.begin():
            with pytest.raises(EditError) as caught:
                await edit(s, target, field, value, actor_id=1)
        assert caught.value.reason == reason
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(AuditLog.id))) == 0


def test_field_names_in_english_and_chinese() -> None:
    assert parse_field("Regions") is EditField.REGIONS
    assert parse_field("评论员") is EditField.COMMENTATORS
    assert parse_field("英文摘要") is parse_field("summary_en") is EditField.SUMMARY_EN
    assert parse_field("标题") is parse_field("headline") is EditField.TITLE
    with pytest.raises(EditError):
        parse_field("colour")
