"""Editors paste what they have: part of a report or digest becomes a draft whose preview says
it looks cut off, and report items carry an English summary the editor can correct."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import DailyReport, Entry, ReportItem
from tests.e2e.conftest import RunningBot
from tests.editorial.documents import DAILY_REPORT, DIGEST

EDITOR = 8301


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_half_a_pasted_report_is_a_draft_whose_preview_warns_it_looks_cut_off(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    # The editor's copy stops in the middle of the second item's Chinese summary.
    cut = DAILY_REPORT.index("德国和法国的立场")
    preview = await running_bot.command(EDITOR, "/post " + DAILY_REPORT[:cut])
    text = preview.text or ""
    async with running_bot.session_factory() as session:
        report = (await session.scalars(select(DailyReport))).one()
        items = (await session.scalars(select(ReportItem).order_by(ReportItem.position))).all()
    assert f"Daily report r{report.id} (draft)" in text and "2 items" in text
    assert (
        f"r{report.id}: the headline list names 3 stories, 2 items found — the text looks cut off"
        in text
    )
    # No article text came with them, so there is no English summary to send yet.
    assert f"i{items[0].id}: no English summary" in text
    assert [i.summary_en for i in items] == [None, None]


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_digest_cut_after_its_first_entry_is_flagged_in_chinese_too(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "编辑", language_code="zh-hans")
    preview = await running_bot.command(EDITOR, "/post " + DIGEST[: DIGEST.index("2. Europe")])
    async with running_bot.session_factory() as session:
        assert await session.scalar(select(func.count(Entry.id))) == 1
    assert "导语列出 2 位评论员，只找到 1 条评论 — 文本似乎不完整" in (preview.text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_the_title_line_alone_is_read_as_that_day_s_report(running_bot: RunningBot) -> None:
    running_bot.user(EDITOR, "Editor")
    reply = await running_bot.command(EDITOR, "/post 英文媒体关于中国的报道汇总 2025-09-02")
    assert "the daily report of 2025-09-02 has no “摘要” section" in (reply.text or "")
    assert "Nothing was stored." in (reply.text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_items_get_an_english_summary_from_their_article_and_the_editor_corrects_one(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    preview = await running_bot.command(EDITOR, "/post " + DAILY_REPORT)
    assert "Subscribers would miss" not in (preview.text or "")
    async with running_bot.session_factory() as session:
        items = (await session.scalars(select(ReportItem).order_by(ReportItem.position))).all()
    assert items[0].summary_en == (
        "Japanese and Chinese trade officials met in Tokyo on Tuesday to discuss export"
        " controls on rare earths. Japan asked for stable supplies for its carmakers."
        " Both sides agreed to meet again in Beijing next month."
    )
    assert all(i.summary_en and i.summary_en != i.headline for i in items)

    fixed = await running_bot.command(
        EDITOR, f"/edit i{items[2].id} summary_en China will lend Kenya the money for a new port."
    )
    assert f"i{items[2].id}: English summary changed from “China will finance" in (fixed.text or "")
    async with running_bot.session_factory() as session:
        item = await session.get(ReportItem, items[2].id)
        assert item is not None
        assert item.summary_en == "China will lend Kenya the money for a new port."
