"""A reader just types what they are looking for: in a private chat, plain text is a search
(the same results and buttons as /search); in groups the bot stays out of the conversation;
a reply some conversation waits for is never taken for a search."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.emulator import EmuMessage
from tests.e2e.conftest import RunningBot
from tests.search import archive as fixtures

READER = 711
CHINESE_READER = 712
MEMBER = 713
EDITOR = 714
HINT = "Send me a few words and I will search the archive"


async def stock(bot: RunningBot, extra: int = 0) -> fixtures.Archive:
    async with bot.session_factory() as session, session.begin():
        archive = await fixtures.build(session)
        for n in range(extra):
            await fixtures.add_entry(
                session, summary=f"Note {n} on submarine cables", date=dt.date(2025, 6, n + 1)
            )
    return archive


async def answers_to(
    bot: RunningBot, user_id: int, chat_id: int, text: str, reply_to: int | None = None
) -> list[EmuMessage]:
    """What the bot sent in the chat in answer to `text`, once it has handled it."""
    before = len(bot.emulator.messages(chat_id))
    bot.emulator.send_message(user_id, text, chat_id=chat_id, reply_to=reply_to)
    await bot.handled()
    return bot.emulator.messages(chat_id)[before:]


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_plain_text_in_a_private_chat_is_a_search_with_pages(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await stock(bot, extra=6)
    bot.user(READER)

    first = await bot.command(READER, "submarine")

    text = first.text or ""
    first_page = (first.text, first.button_texts)
    assert "9 results, 1–5" in text
    assert "Russian and Chinese submarines hold a first joint patrol" in text
    assert first.button_texts == ["More ›"]
    second = await bot.press(READER, first, text="More ›")
    assert "6–9" in second.text and second.message.button_texts == ["‹ Back"]
    # The same answer /search gives.
    command = await bot.command(READER, "/search submarine")
    assert (command.text, command.button_texts) == first_page


async def test_chinese_pinyin_and_filters_work_as_in_search(running_bot: RunningBot) -> None:
    bot = running_bot
    await stock(bot)
    bot.user(CHINESE_READER, language_code="zh-hans")
    bot.user(READER)

    chinese = await bot.command(CHINESE_READER, "稀土 region:欧洲")
    pinyin = await bot.command(READER, "huang jing")

    assert "共 2 条结果" in (chinese.text or "")
    assert "稀土出口管制令欧洲车企不安" in (chinese.text or "")
    assert "A grand bargain over chips?" in (pinyin.text or "")


async def test_greetings_and_scraps_get_a_hint_and_misses_say_what_to_do(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await stock(bot)
    bot.user(READER)
    bot.user(CHINESE_READER, language_code="zh")

    for scrap in ("hi", "Thanks!", "?", "👍", "a", "x" * 300):
        reply = await bot.command(READER, scrap)
        text = reply.text or ""
        assert HINT in text and "/search" in text and "/subscribe" in text, scrap
        assert reply.button_texts == []
    chinese = await bot.command(CHINESE_READER, "你好")
    assert "直接发送关键词即可搜索" in (chinese.text or "")

    missed = await bot.command(READER, "quantum blockchain")

    text = missed.text or ""
    assert "No results for quantum blockchain" in text
    assert "/search" in text and "/alert" in text and "/subscribe" in text


async def test_plain_text_in_groups_gets_no_answer(running_bot: RunningBot) -> None:
    bot = running_bot
    await stock(bot)
    bot.user(MEMBER)
    # An admin bot sees every message of a group; a member bot (privacy mode) still sees
    # mentions and replies to its own messages.
    for bot_admin in (True, False):
        group = bot.emulator.create_group("Readers", members=[MEMBER], bot_admin=bot_admin)
        helped = await bot.command(MEMBER, "/help", chat_id=group.id)
        assert await answers_to(bot, MEMBER, group.id, "submarine") == []
        assert await answers_to(bot, MEMBER, group.id, "@digest_test_bot submarine") == []
        replied = await answers_to(bot, MEMBER, group.id, "rare earths", helped.message_id)
        assert replied == []


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_reply_an_editor_prompt_waits_for_is_not_searched(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await stock(bot)
    bot.user(EDITOR, "Editor")
    preview = await bot.command(
        EDITOR, "/post **Harbour talks resume**\n\nOfficials met again to discuss fees."
    )
    await bot.press(EDITOR, preview, text="Edit commentators")
    prompt = await bot.emulator.wait_for_message(EDITOR, "👤 Commentators of e")
    before = len(bot.emulator.messages(EDITOR))

    bot.emulator.send_message(EDITOR, "Huang Jing (黄靖)", reply_to=prompt.message_id)
    await bot.handled()

    answers = bot.emulator.messages(EDITOR)[before:]
    assert len(answers) == 1  # no search results for "Huang Jing" besides the edit
    assert "commentators changed from “none” to “Huang Jing (黄靖)”" in (answers[0].text or "")
    # The same words, not as a reply, are a search.
    searched = await bot.command(EDITOR, "Huang Jing")
    assert "A grand bargain over chips?" in (searched.text or "")
