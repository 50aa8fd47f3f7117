"""Search from the chat: the real bot, driven through the emulated Telegram.

A reader sends /search, reads five results, pages on with "More ›"; in any chat, `@bot query`
lists results to share.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import RunningBot
from tests.search import archive as fixtures

READER = 701
CHINESE_READER = 702


async def stock(bot: RunningBot, extra: int = 0) -> fixtures.Archive:
    async with bot.session_factory() as session, session.begin():
        archive = await fixtures.build(session)
        for n in range(extra):
            await fixtures.add_entry(
                session,
                summary=f"Note {n} on submarine cables & <b>landing</b> rights",
                date=dt.date(2025, 6, n + 1),
            )
    return archive


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_search_pages_through_results_with_buttons(running_bot: RunningBot) -> None:
    bot = running_bot
    await stock(bot, extra=6)
    bot.user(READER)

    first = await bot.command(READER, "/search submarine")

    text = first.text or ""
    assert "9 results, 1–5" in text
    assert "Russian and Chinese submarines hold a first joint patrol" in text
    assert "Open ›" in text
    assert first.button_texts == ["More ›"]
    assert "<b>landing</b>" in text  # stored text is escaped, not markup
    assert len(first.source_text or text) < 4096

    second = await bot.press(READER, first, text="More ›")
    assert "6–9" in second.text and second.message.button_texts == ["‹ Back"]
    back = await bot.press(READER, second.message, text="‹ Back")
    assert "1–5" in back.text and back.message.button_texts == ["More ›"]


async def test_search_in_chinese_with_a_filter_answers_in_chinese(running_bot: RunningBot) -> None:
    bot = running_bot
    await stock(bot)
    bot.user(CHINESE_READER, language_code="zh-hans")

    reply = await bot.command(CHINESE_READER, "/search 稀土 region:欧洲")

    text = reply.text or ""
    assert "共 2 条结果" in text
    assert text.index("稀土出口管制令欧洲车企不安") < text.index("单丽萍")
    assert reply.button_texts == []


async def test_search_explains_itself_and_its_mistakes(running_bot: RunningBot) -> None:
    bot = running_bot
    await stock(bot)
    bot.user(READER)

    usage = await bot.command(READER, "/search")
    hint = await bot.command(READER, "/search since:2025-13-01 renminbi")
    nothing = await bot.command(READER, '/search "; DROP TABLE entries; -- 😀')
    unknown = await bot.command(READER, "/search region:atlantis")

    assert "region:japan" in (usage.text or "")
    assert "since:2025-13-01" in (hint.text or "") and "Lü Chen" in (hint.text or "")
    assert "No results" in (nothing.text or "")
    assert "us-china, europe, japan, africa, russia" in (unknown.text or "")


async def test_a_stale_or_forged_page_button_is_refused(running_bot: RunningBot) -> None:
    bot = running_bot
    await stock(bot, extra=6)
    bot.user(READER)
    first = await bot.command(READER, "/search submarine")

    forged = await bot.press_data(READER, first, "search:p:999999:1")
    garbage = await bot.press_data(READER, first, "search:p:x:'")

    assert forged.get("show_alert") and "expired" in forged.get("text", "")
    assert garbage.get("show_alert")


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_inline_mode_lists_results_to_share(running_bot: RunningBot) -> None:
    bot = running_bot
    await stock(bot)
    bot.user(READER)

    query = bot.emulator.send_inline_query(READER, "huang jing")
    results = await bot.emulator.wait_for_inline_answer(query)

    assert [r["title"] for r in results] == ["A grand bargain over chips?"]
    article = results[0]
    assert article["type"] == "article"
    message = article["input_message_content"]
    assert message["parse_mode"] == "HTML"
    assert "Huang Jing (黄靖)" in message["message_text"]

    empty = await bot.emulator.wait_for_inline_answer(bot.emulator.send_inline_query(READER, ""))
    assert len(empty) == 10  # the newest content before anything is typed
    none = await bot.emulator.wait_for_inline_answer(
        bot.emulator.send_inline_query(READER, "qwertyuiop")
    )
    assert [r["id"] for r in none] == ["none"]
