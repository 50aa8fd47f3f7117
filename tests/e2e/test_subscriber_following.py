"""A subscriber follows regions, commentators and keywords in chat, and sees and edits the list."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot import subscriptions
from storage.models import (
    Commentator,
    ContentStatus,
    Entry,
    Region,
    Subscriber,
    Subscription,
)
from tests.e2e.conftest import RunningBot

ANN = 501
BEN = 502


async def add_commentators(bot: RunningBot, *people: tuple[str, str | None]) -> dict[str, int]:
    """Commentators by (Latin name, Chinese name); returns name → id."""
    async with bot.session_factory() as session, session.begin():
        rows = [Commentator(name=name, name_zh=zh) for name, zh in people]
        session.add_all(rows)
        await session.flush()
        return {row.name: row.id for row in rows}


async def followed(bot: RunningBot, chat_id: int, thread_id: int = 0) -> set[tuple[str, str]]:
    async with bot.session_factory() as session:
        rows = await session.scalars(
            select(Subscription)
            .join(Subscriber)
            .where(Subscriber.chat_id == chat_id, Subscriber.thread_id == thread_id)
        )
        return {(row.kind, row.target) for row in rows}


async def test_start_welcomes_and_the_menu_is_set_at_start_up(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)

    welcome = await bot.command(ANN, "/start")

    assert "Welcome" in (welcome.text or "") and "/subscribe" in (welcome.text or "")
    assert welcome.parse_mode == "HTML"
    english = [c["command"] for c in bot.emulator.commands()]
    chinese = bot.emulator.commands("zh")
    assert {"start", "subscribe", "alert", "list", "settings", "help"} <= set(english)
    assert chinese and all(c["description"] for c in chinese)
    assert chinese[0]["description"] != bot.emulator.commands()[0]["description"]
    help_text = (await bot.command(ANN, "/help")).text or ""
    for command in ("/unsubscribe", "/mute", "/quiet", "/timezone", "/forget"):
        assert command in help_text


async def test_deep_links_follow_in_one_tap(running_bot: RunningBot) -> None:
    bot = running_bot
    ids = await add_commentators(bot, ("Huang Jing", "黄靖"))
    bot.user(ANN)

    region = await bot.command(ANN, "/start region-japan")
    person = await bot.command(ANN, f"/start commentator-{ids['Huang Jing']}")
    broken = await bot.command(ANN, "/start region-atlantis")

    assert "You now follow" in (region.text or "") and "Japan" in (region.text or "")
    assert region.button_texts == ["📰 Catch up: latest 3"]
    assert "Huang Jing (黄靖)" in (person.text or "")
    assert "does not point to anything" in (broken.text or "")
    assert await followed(bot, ANN) == {
        ("region", "japan"),
        ("commentator", str(ids["Huang Jing"])),
    }


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_subscribe_by_slug_name_chinese_pinyin_and_misspelling(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    ids = await add_commentators(
        bot, ("Huang Jing", "黄靖"), ("Ding Chen", "丁琛"), ("Steve Tsang", "曾锐生")
    )
    bot.user(ANN)

    replies = {}
    for text in (
        "japan",
        "Europe",
        "日本",
        "Rusia",
        "Huang Jing",
        "黄靖",
        "huang jing",
        "Ding Chn",
        "zeng rui sheng",
    ):
        replies[text] = (await bot.command(ANN, f"/subscribe {text}")).text or ""

    assert replies["japan"].startswith("✅ You now follow Japan")
    assert replies["Europe"].startswith("✅ You now follow Europe")
    assert replies["日本"] == "You already follow Japan."
    assert replies["Rusia"].startswith("✅ You now follow Russia")
    assert replies["Huang Jing"].startswith("✅ You now follow Huang Jing (黄靖)")
    assert replies["黄靖"] == "You already follow Huang Jing (黄靖)."
    assert replies["huang jing"] == "You already follow Huang Jing (黄靖)."
    assert replies["Ding Chn"].startswith("✅ You now follow Ding Chen (丁琛)")
    assert replies["zeng rui sheng"].startswith("✅ You now follow Steve Tsang (曾锐生)")
    assert await followed(bot, ANN) == {
        ("region", "japan"),
        ("region", "europe"),
        ("region", "russia"),
        ("commentator", str(ids["Huang Jing"])),
        ("commentator", str(ids["Ding Chen"])),
        ("commentator", str(ids["Steve Tsang"])),
    }


async def test_an_ambiguous_name_offers_buttons_and_an_unknown_one_a_suggestion(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    ids = await add_commentators(bot, ("Wang Jisi", "王缉思"), ("Wang Yiwei", "王义桅"))
    bot.user(ANN)

    choice = await bot.command(ANN, "/subscribe Wang")
    assert "could be several things" in (choice.text or "")
    assert choice.button_texts == ["Wang Jisi (王缉思)", "Wang Yiwei (王义桅)"]
    picked = await bot.press(ANN, choice, text="Wang Yiwei (王义桅)")
    assert picked.text.startswith("✅ You now follow Wang Yiwei")
    assert picked.message.button_texts == ["📰 Catch up: latest 3"]

    unknown = await bot.command(ANN, "/subscribe Wang Jsii Wng")
    assert "I don't know “Wang Jsii Wng”" in (unknown.text or "")
    assert "Did you mean" in (unknown.text or "")
    assert unknown.button_texts[0] == "Wang Jisi (王缉思)"

    topic = await bot.command(ANN, "/subscribe rare earth")
    assert "I don't know “rare earth”" in (topic.text or "")
    assert "/alert rare earth" in (topic.text or "")
    assert await followed(bot, ANN) == {("commentator", str(ids["Wang Yiwei"]))}


async def test_region_buttons_toggle_in_place_with_check_marks(running_bot: RunningBot) -> None:
    bot = running_bot
    await add_commentators(bot, ("Huang Jing", "黄靖"))
    bot.user(ANN)

    picker = await bot.command(ANN, "/subscribe")
    assert "▫️ Japan" in picker.button_texts

    on = await bot.press(ANN, picker, text="Japan")
    assert on.message.message_id == picker.message_id  # edited, not a new message
    assert "✅ Japan" in on.message.button_texts
    assert on.answer["text"] == "✅ You now follow Japan."
    assert "📰 Catch up: latest 3" in on.message.button_texts

    await bot.press(ANN, picker, text="Africa")
    off = await bot.press(ANN, picker, text="Japan")
    assert "▫️ Japan" in off.message.button_texts and "✅ Africa" in off.message.button_texts

    people = await bot.press(ANN, picker, text="Commentators")
    assert "▫️ Huang Jing (黄靖)" in people.message.button_texts
    chosen = await bot.press(ANN, picker, text="Huang Jing")
    assert "✅ Huang Jing (黄靖)" in chosen.message.button_texts
    back = await bot.press(ANN, picker, text="Regions")
    assert "✅ Africa" in back.message.button_texts
    assert len(bot.emulator.messages(ANN)) == 1  # all of it happened in one message
    assert ("region", "africa") in await followed(bot, ANN)
    assert ("region", "japan") not in await followed(bot, ANN)


async def test_keyword_alerts_in_english_and_chinese(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)

    english = await bot.command(ANN, "/alert Rare  Earth")
    chinese = await bot.command(ANN, "/alert 稀土")
    again = await bot.command(ANN, "/alert rare earth")
    usage = await bot.command(ANN, "/alert")

    assert "“rare earth”" in (english.text or "")
    assert english.button_texts == ["📰 Catch up: latest 3"]
    assert "“稀土”" in (chinese.text or "")
    assert "already" in (again.text or "")
    assert "/alert rare earth" in (usage.text or "")
    assert await followed(bot, ANN) == {("keyword", "rare earth"), ("keyword", "稀土")}

    removed = await bot.command(ANN, "/unalert 稀土")
    missing = await bot.command(ANN, "/unalert chips")
    assert "removed" in (removed.text or "")
    assert "no alert" in (missing.text or "")
    assert await followed(bot, ANN) == {("keyword", "rare earth")}


async def test_unsubscribe_takes_the_same_forms(running_bot: RunningBot) -> None:
    bot = running_bot
    await add_commentators(bot, ("Huang Jing", "黄靖"))
    bot.user(ANN)
    for text in ("/subscribe japan", "/subscribe 黄靖", "/alert rare earth"):
        await bot.command(ANN, text)

    region = await bot.command(ANN, "/unsubscribe 日本")
    person = await bot.command(ANN, "/unsubscribe huang jing")
    keyword = await bot.command(ANN, "/unsubscribe rare earth")
    not_followed = await bot.command(ANN, "/unsubscribe Europe")
    bare = await bot.command(ANN, "/unsubscribe")

    assert (region.text or "").startswith("You no longer follow Japan")
    assert (person.text or "").startswith("You no longer follow Huang Jing")
    assert (keyword.text or "").startswith("You no longer follow “rare earth”")
    assert "were not following Europe" in (not_followed.text or "")
    assert "/unsubscribe" in (bare.text or "")
    assert await followed(bot, ANN) == set()


async def test_list_shows_everything_with_a_button_to_drop_each_and_paginates(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(ANN)
    await bot.command(ANN, "/subscribe japan")
    await bot.command(ANN, "/mute tariffs")
    long_phrase = "a & b <c> " * 9  # escaping makes it longer than the 90 typed characters
    for n in range(22):
        await bot.command(ANN, f"/alert {long_phrase}{n:02d}")

    first = await bot.command(ANN, "/list")
    text = first.text or ""
    assert text.startswith("You follow") and "Regions\n• Japan" in text
    assert "a & b <c>" in text  # shown as typed: escaped on the way in, parsed by Telegram
    assert "✖ Japan" in first.button_texts and "1/3" in first.button_texts
    assert len(first.source_text or "") <= 4096

    second = await bot.press(ANN, first, text="▶")
    assert "2/3" in second.message.button_texts
    third = await bot.press(ANN, first, text="▶")
    assert "Muted\n• “tariffs”" in third.text

    dropped = await bot.press(ANN, first, text="✖ tariffs")
    assert dropped.text.startswith("Dropped: tariffs")
    assert ("mute", "tariffs") not in await followed(bot, ANN)
    assert len(await followed(bot, ANN)) == 23


async def test_catch_up_sends_the_latest_three_published_items(running_bot: RunningBot) -> None:
    bot = running_bot
    now = dt.datetime.now(dt.UTC)
    async with bot.session_factory() as session, session.begin():
        japan = await session.scalar(select(Region).where(Region.slug == "japan"))
        for n in range(5):
            session.add(
                Entry(
                    title=f"Tokyo note {n}",
                    summary=f"Commentary number {n} on Japan & China.",
                    status=ContentStatus.PUBLISHED,
                    published_at=now - dt.timedelta(days=5 - n),
                    regions=[japan],
                )
            )
        session.add(
            Entry(
                title="Tokyo draft", summary="Not yet.", status=ContentStatus.DRAFT, regions=[japan]
            )
        )
    bot.user(ANN)

    reply = await bot.command(ANN, "/subscribe japan")
    before = len(bot.emulator.messages(ANN))
    press = await bot.press(ANN, reply, text="Catch up")
    sent = await bot.emulator.wait_for_messages(ANN, before + 4)

    assert press.message.button_texts == []  # the button is used up
    texts = [m.text or "" for m in sent[before:]]
    assert texts[0] == "Latest for Japan"
    assert [next(n for n in range(5) if f"Tokyo note {n}" in t) for t in texts[1:]] == [4, 3, 2]
    assert not any("draft" in t for t in texts)


async def test_bad_arguments_and_unknown_commands_get_a_helpful_reply(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(ANN)

    unknown = await bot.command(ANN, "/frobnicate now")
    one_letter = await bot.command(ANN, "/alert x")
    too_long = await bot.command(ANN, "/subscribe " + "z" * 300)
    html = await bot.command(ANN, "/subscribe <b>Japan</b> & co")

    assert "/help" in (unknown.text or "")
    assert "single letter" in (one_letter.text or "")
    assert "longer than anything" in (too_long.text or "")
    assert "<b>Japan</b> & co" in (html.text or "")  # echoed escaped, displayed as typed
    assert bot.failed_requests() == []


async def test_stale_and_forged_buttons_get_a_polite_answer(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)
    bot.user(BEN)
    picker = await bot.command(ANN, "/subscribe")
    listing = await bot.command(ANN, "/alert chips")

    for data in ("s:rt:99999", "s:rt:abc", "s:zz", "garbage", "s:ld:1:2:3", "s:st:m:sometimes"):
        answer = await bot.press_data(ANN, picker, data)
        assert answer.get("text") == "This button has expired. Please run the command again."

    # Ben's chat cannot be changed through a button id from Ann's list.
    ben_list = await bot.command(BEN, "/list")
    async with bot.session_factory() as session:
        sub_id = await session.scalar(select(Subscription.id).where(Subscription.target == "chips"))
    answer = await bot.press_data(BEN, ben_list, f"s:ld:{sub_id}:0")
    assert "expired" in (answer.get("text") or "")
    assert await followed(bot, ANN) == {("keyword", "chips")}
    assert listing.text and bot.failed_requests() == []


async def test_mute_and_unmute(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)

    muted = await bot.command(ANN, "/mute Taiwan Strait")
    shown = await bot.command(ANN, "/mute")
    unmuted = await bot.command(ANN, "/unmute taiwan strait")

    assert "Muted" in (muted.text or "") and "“taiwan strait”" in (muted.text or "")
    assert "“taiwan strait”" in (shown.text or "")
    assert "no longer muted" in (unmuted.text or "")
    assert await followed(bot, ANN) == set()


async def test_an_error_is_logged_and_answered_politely(
    running_bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot = running_bot
    bot.user(ANN)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(subscriptions, "follow_by_name", broken)
    reply = await bot.command(ANN, "/subscribe japan")

    assert reply.text == "Sorry, something went wrong on our side. Please try again in a moment."
    assert "database on fire" in caplog.text
    assert (await bot.command(ANN, "/list")).text is not None  # still answering
