"""/help lists every command a reader has, search included, in the chat's language; editors
also get theirs, where no one else reads them."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RunningBot

READER = 521
CHINESE_READER = 522
EDITOR = 523
EDITOR_COMMANDS = (
    "/post",
    "/digest",
    "/edit",
    "/retract",
    "/schedule",
    "/stats",
    "/broadcast",
    "/audit",
    "/editor",
)


async def test_help_shows_search_with_examples_and_the_menu_has_it(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(READER)

    reply = await bot.command(READER, "/help")

    text = reply.text or ""
    for command in ("/subscribe", "/alert", "/settings", "/search", "@digest_test_bot"):
        assert command in text
    example = '/search tariffs region:japan by:"Ding Chun" since:2025-11-01'
    for sample in ("/search rare earths", "/search 稀土", "/search huang jing", example):
        assert sample in text
    assert "just send the words" in text
    assert "Editor commands" not in text
    assert not any(command in text for command in EDITOR_COMMANDS)
    assert reply.parse_mode == "HTML"
    for language in ("", "zh"):  # the default menu (English) and the Chinese one
        menu = {c["command"]: c["description"] for c in bot.emulator.commands(language)}
        assert menu.get("search") and menu.get("help")


async def test_help_speaks_the_chats_language(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(CHINESE_READER, language_code="zh-hans")

    chinese = await bot.command(CHINESE_READER, "/help")
    await bot.command(CHINESE_READER, "/language en")
    english = await bot.command(CHINESE_READER, "/help")

    assert "<b>搜索</b>" in (chinese.source_text or "") and "/search 稀土" in (chinese.text or "")
    assert "直接发送关键词" in (chinese.text or "")
    assert "the archive in English, Chinese or pinyin" in (english.text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_editors_see_their_commands_in_private_but_not_in_groups(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR, "Editor")
    bot.user(READER)
    group = bot.emulator.create_group("Readers", admins=[EDITOR], members=[READER])

    private = await bot.command(EDITOR, "/help")
    in_group = await bot.command(EDITOR, "/help", chat_id=group.id)
    reader = await bot.command(READER, "/help")

    text = private.text or ""
    assert "Editor commands" in text and "/search" in text
    for command in EDITOR_COMMANDS:
        assert command in text, command
    # Everyone in the group reads that reply: no editor commands there.
    assert "/search" in (in_group.text or "") and "Editor commands" not in (in_group.text or "")
    assert "only admins" in (in_group.text or "")
    assert "Editor commands" not in (reader.text or "")
