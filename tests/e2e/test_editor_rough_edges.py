"""Rough edges an editor hit when trying the bot as a new user would (issue 13), each replayed
as it was found: the steps first, then what the editor should have seen."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.models import AuditLog, ContentStatus, DailyReport, Digest, Entry, ReportItem
from tests.e2e.conftest import MovableClock, RunningBot
from tests.editorial.documents import DAILY_REPORT

EDITOR = 7301
CHINESE_EDITOR = 7302
EXPIRED = "This button has expired. Please run the command again."


async def _report_draft(bot: RunningBot) -> tuple[DailyReport, list[ReportItem]]:
    bot.emulator.send_document(EDITOR, DAILY_REPORT, "press-review-2025-09-02.md")
    await bot.emulator.wait_for_message(EDITOR, "Daily report r")
    async with bot.session_factory() as session:
        report = (await session.scalars(select(DailyReport))).one()
        items = (await session.scalars(select(ReportItem).order_by(ReportItem.position))).all()
    return report, list(items)


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_after_editing_an_item_of_a_draft_report_its_buttons_still_work(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR, "Editor")
    report, items = await _report_draft(bot)

    edited = await bot.command(EDITOR, f"/edit i{items[0].id} regions none")
    assert f"i{items[0].id}: regions changed from “japan” to “none”" in (edited.text or "")
    assert {"✅ Publish", "🗑 Discard"} <= set(edited.button_texts)
    published = await bot.press(EDITOR, edited, text="Publish")
    assert published.answer["text"] != EXPIRED
    assert published.answer["text"].startswith(f"✅ Published r{report.id}")
    async with bot.session_factory() as session:
        status = await session.scalar(select(DailyReport.status))
    assert status == ContentStatus.PUBLISHED


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_draft_is_reopened_with_post_or_from_drafts_and_discarded_from_there(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR, "Editor")
    report, items = await _report_draft(bot)
    await bot.command(EDITOR, f"/edit i{items[1].id} regions none")

    # "/post r1" used to be read as an article, "too short to be an article".
    reopened = await bot.command(EDITOR, f"/post r{report.id}")
    assert (reopened.text or "").startswith(f"Daily report r{report.id} (draft)")
    assert "too short" not in (reopened.text or "")
    item = await bot.command(EDITOR, f"/post i{items[1].id}")
    assert f"Preview of i{items[1].id} (draft)" in (item.text or "")

    post = "**Harbour talks resume**\n\nOfficials met again on Monday to discuss shipping fees."
    await bot.command(EDITOR, "/post " + post)
    async with bot.session_factory() as session:
        entry = (await session.scalars(select(Entry))).one()
    listing = await bot.command(EDITOR, "/drafts")
    text = listing.text or ""
    assert text.startswith("Drafts and scheduled (2) — tap one to open its preview:")
    assert f"e{entry.id} Harbour talks resume — draft" in text
    assert f"r{report.id} " in text
    # Newest first, one button each.
    assert listing.button_texts[0] == f"e{entry.id} · Harbour talks resume"
    assert listing.button_texts[1].startswith(f"r{report.id} · ")
    assert len(listing.button_texts) == 2

    pressed = await bot.press(EDITOR, listing, text=f"r{report.id} ·")
    assert pressed.text == text  # the list stays for the next one
    preview = await bot.emulator.wait_for_message(EDITOR, f"Daily report r{report.id}")
    discarded = await bot.press(EDITOR, preview, text="Discard")
    assert discarded.text == f"🗑 Discarded r{report.id}. Nothing was sent."
    after = await bot.command(EDITOR, "/drafts")
    assert f"r{report.id}" not in (after.text or "") and f"e{entry.id}" in (after.text or "")


@pytest.mark.bot(admin_ids=[EDITOR, CHINESE_EDITOR])
async def test_alerts_show_plain_text_not_html_entities(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(EDITOR, "Editor")
    bot.user(CHINESE_EDITOR, "Wang", language_code="zh-hans")
    await _report_draft(bot)
    preview = bot.emulator.messages(EDITOR)[-1]

    for button in ("Edit regions", "Edit commentators"):
        pressed = await bot.press(EDITOR, preview, text=button)
        assert pressed.answer["text"] == (
            "Regions are set per item: /edit <id> regions japan, europe"
        ), button
        assert "&lt;" not in pressed.answer["text"]
    async with bot.session_factory() as session:
        report_id = await session.scalar(select(DailyReport.id))
    chinese = await bot.command(CHINESE_EDITOR, f"/post r{report_id}")
    pressed = await bot.press(CHINESE_EDITOR, chinese, text="修改地区")
    assert pressed.answer["text"] == "地区按条目设置：/edit <编号> regions japan, europe"


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_discarded_drafts_id_is_never_given_to_the_next_one(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR, "Editor")
    first = await bot.command(EDITOR, "/digest https://newsletter.example.com/p/first First")
    await bot.press(EDITOR, first, text="Discard")
    await bot.command(EDITOR, "/digest https://newsletter.example.com/p/second Second")
    post = "**Harbour talks resume**\n\nOfficials met again on Monday to discuss shipping fees."
    article = await bot.command(EDITOR, "/post " + post)
    await bot.press(EDITOR, article, text="Discard")
    again = "**Port fees agreed**\n\nThe two sides agreed on the shipping fees at last."
    await bot.command(EDITOR, "/post " + again)

    async with bot.session_factory() as session:
        digest = (await session.scalars(select(Digest))).one()
        entry = (await session.scalars(select(Entry))).one()
        log = (await session.execute(select(AuditLog.action, AuditLog.target))).all()
    assert digest.title == "Second" and entry.title == "Port fees agreed"
    # Each id in the audit log names one object: the discarded ones are not the live ones.
    discarded = sorted(target for action, target in log if action == "discard")
    assert len(discarded) == 2
    assert f"d{digest.id}" not in discarded and f"e{entry.id}" not in discarded


@pytest.mark.bot(
    admin_ids=[EDITOR],
    default_timezone="Asia/Shanghai",
    clock=MovableClock(dt.datetime(2027, 3, 10, 22, 30, tzinfo=dt.UTC)),
)
async def test_schedule_examples_are_dates_it_accepts(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(EDITOR, "Editor")
    post = "**Harbour talks resume**\n\nOfficials met again on Monday to discuss shipping fees."
    await bot.command(EDITOR, "/post " + post)
    async with bot.session_factory() as session:
        entry_id = await session.scalar(select(Entry.id))

    usage = await bot.command(EDITOR, "/schedule")
    # 22:30 UTC on 10 March is 06:30 on 11 March in Shanghai: the example is the next day there.
    assert "e.g. /schedule e12 2027-03-12 09:00, +2h" in (usage.text or "")
    assert "2025" not in (usage.text or "")
    bad = await bot.command(EDITOR, f"/schedule e{entry_id} someday")
    assert "Try 2027-03-12 09:00, +2h or tomorrow 08:00." in (bad.text or "")
    done = await bot.command(EDITOR, f"/schedule e{entry_id} 2027-03-12 09:00")
    assert done.text == f"⏰ e{entry_id} will be published at 2027-03-12 09:00 (Asia/Shanghai)."
