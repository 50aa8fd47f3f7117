"""A subscriber sets how and when things arrive, pauses, and deletes their data."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from storage.models import KnownUser, Subscriber, Subscription
from tests.e2e.conftest import MovableClock, RunningBot

ANN = 601
LI = 602

# 2026-03-07 12:00 UTC, a Saturday: the next 08:00 in Shanghai is 2026-03-08 00:00 UTC.
CLOCK = MovableClock(dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC))


async def subscriber(bot: RunningBot, chat_id: int, thread_id: int = 0) -> Subscriber | None:
    async with bot.session_factory() as session:
        return await session.scalar(
            select(Subscriber).where(
                Subscriber.chat_id == chat_id, Subscriber.thread_id == thread_id
            )
        )


@pytest.mark.bot(clock=CLOCK)
async def test_settings_by_buttons_and_by_text_commands(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)

    panel = await bot.command(ANN, "/settings")
    assert "Delivery: instant" in (panel.text or "")  # the default mode
    assert "✓ instant" in panel.button_texts

    daily = await bot.press(ANN, panel, text="daily summary")
    assert "✓ daily summary" in daily.message.button_texts
    shanghai = await bot.press(ANN, panel, text="Shanghai")
    assert "(Asia/Shanghai)" in shanghai.text
    chinese_items = await bot.press(ANN, panel, text="Chinese")
    assert "Bilingual items shown in: Chinese" in chinese_items.text
    saved = await subscriber(bot, ANN)
    assert saved is not None
    assert (saved.mode, saved.timezone, saved.content_language) == ("daily", "Asia/Shanghai", "zh")
    assert saved.next_summary_at == dt.datetime(2026, 3, 8, 0, 0, tzinfo=dt.UTC)

    replies = {}
    for text in (
        "/mode instant",
        "/mode daily",
        "/time 07:30",
        "/timezone new york",
        "/timezone Europe/London",
        "/quiet 23:00-07:00",
        "/content both",
    ):
        replies[text] = (await bot.command(ANN, text)).text or ""

    assert replies["/mode instant"] == "Delivery: instant."
    assert "daily summary at 08:00 (Asia/Shanghai)" in replies["/mode daily"]
    assert replies["/time 07:30"] == "Daily summary time: 07:30 (Asia/Shanghai)."
    assert replies["/timezone new york"].startswith("Time zone: America/New_York")
    assert replies["/timezone Europe/London"].startswith(
        "Time zone: Europe/London (local time now 12:00)"
    )
    assert "Quiet hours 23:00–07:00 (Europe/London)" in replies["/quiet 23:00-07:00"]
    assert "both" in replies["/content both"]
    saved = await subscriber(bot, ANN)
    assert saved is not None
    assert (saved.mode, saved.daily_time, saved.timezone) == ("daily", "07:30", "Europe/London")
    assert (saved.quiet_start, saved.quiet_end, saved.content_language) == (
        "23:00",
        "07:00",
        "both",
    )
    assert saved.next_summary_at == dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)

    switched = await bot.command(ANN, "/language zh")
    assert switched.text == "菜单已切换为中文。"
    assert (await bot.command(ANN, "/subscribe japan")).text == "✅ 已关注 日本。"
    listing = await bot.command(ANN, "/list")
    assert (listing.text or "").startswith("你的关注")
    back = await bot.press(ANN, await bot.command(ANN, "/settings"), text="English")
    assert back.text.startswith("Settings")


async def test_bad_setting_values_are_explained(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)

    replies = [
        (await bot.command(ANN, text)).text or ""
        for text in (
            "/mode sometimes",
            "/time 25:00",
            "/timezone Londn",
            "/timezone Atlantis/Nowhere",
            "/language fr",
            "/content de",
            "/quiet all night",
            "/mode",
            "/timezone",
        )
    ]

    assert replies[0] == "Choose one: /mode instant, /mode daily or /mode off."
    assert "like /time 08:00" in replies[1]
    assert "Did you mean /timezone Europe/London?" in replies[2]
    assert "I don't know that time zone" in replies[3]
    assert replies[4] == "Choose /language en or /language zh."
    assert "/content both" in replies[5]
    assert "/quiet 23:00-07:00" in replies[6]
    assert replies[7].startswith("Delivery is instant")
    assert replies[8].startswith("Time zone: UTC")
    saved = await subscriber(bot, ANN)
    assert saved is not None and (saved.mode, saved.timezone) == ("instant", "UTC")


@pytest.mark.bot(default_timezone="Asia/Shanghai")
async def test_new_subscribers_get_the_default_zone_and_their_telegram_language(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(LI, "Li", language_code="zh-hans")

    welcome = await bot.command(LI, "/start")

    assert (welcome.text or "").startswith("欢迎订阅中国观察简报")
    saved = await subscriber(bot, LI)
    assert saved is not None
    assert (saved.language, saved.timezone, saved.mode) == ("zh", "Asia/Shanghai", "instant")


async def test_stop_pauses_everything_and_start_resumes(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)
    await bot.command(ANN, "/subscribe japan")

    stopped = await bot.command(ANN, "/stop")
    again = await bot.command(ANN, "/stop")
    listing = await bot.command(ANN, "/list")
    paused = await subscriber(bot, ANN)
    resumed = await bot.command(ANN, "/start")
    active = await subscriber(bot, ANN)

    assert "Paused" in (stopped.text or "") and "Already paused" in (again.text or "")
    assert "Paused with /stop" in (listing.text or "") and "Japan" in (listing.text or "")
    assert paused is not None and paused.status == "paused"
    assert (resumed.text or "").startswith("Welcome back")
    assert active is not None and active.status == "active"


async def test_forget_deletes_my_data_after_a_confirmation(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN, username="ann_reads")
    await bot.command(ANN, "/subscribe japan")
    await bot.command(ANN, "/alert rare earth")

    ask = await bot.command(ANN, "/forget")
    assert ask.button_texts == ["Yes, delete", "Cancel"]
    cancelled = await bot.press(ANN, ask, text="Cancel")
    assert cancelled.text == "Nothing was deleted."
    assert await subscriber(bot, ANN) is not None

    ask = await bot.command(ANN, "/forget")
    done = await bot.press(ANN, ask, text="Yes, delete")

    assert done.text.startswith("Done: your data is deleted")
    assert await subscriber(bot, ANN) is None
    async with bot.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Subscription)) == 0
        assert await session.get(KnownUser, ANN) is None
    pressed_again = await bot.press(ANN, await bot.command(ANN, "/forget"), text="Yes, delete")
    assert pressed_again.text == "I keep no data for this chat."
