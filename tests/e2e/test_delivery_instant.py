"""Instant editions: a publication reaches exactly the subscribers it matches, as one message
each (split between items only past Telegram's limit), worth reading in their languages, with
buttons to open an item's full summary and to follow more or less of it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from bot.delivery import notify_published
from bot.publishing import publish
from bot.render import MAX_MESSAGE_CHARS
from storage.models import Delivery, FanoutRecipient, Subscriber, Subscription
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, ItemSpec, eventually, outbox_settled
from tests.e2e.conftest import MovableClock, RunningBot

ANN, BEN, CHEN, DAN, EVE = 601, 602, 603, 604, 605


async def publish_report(bot: RunningBot, items: list[ItemSpec]) -> list[int]:
    async with bot.session_factory() as s, s.begin():
        report = await factory.report(s, items)
        await publish(s, report_ids=[report.id], now=bot.services.clock())
        ids = [i.id for i in report.items]
    notify_published(bot.services)
    return ids


async def settled(bot: RunningBot) -> list[Delivery]:
    return await outbox_settled(bot.session_factory)


def has_chinese(text: str) -> bool:
    return re.search(r"[\u3400-\u9fff]", text) is not None


async def test_a_region_follower_gets_one_message_for_a_report_with_two_matching_items(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(ANN)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
    await publish_report(
        bot,
        [
            ItemSpec("Tokyo hosts trade talks", regions=["japan"], url="https://example.org/1"),
            ItemSpec("Lagos port deal", regions=["africa"]),
            ItemSpec("Osaka chip plant opens", regions=["japan"], url="https://example.org/2"),
        ],
    )

    [message] = await bot.emulator.wait_for_messages(ANN)
    rows = await settled(bot)
    text = message.text or ""
    # One notification: both items, in the report's order, each with why it came; not the
    # item nobody here follows.
    assert text.index("1. Tokyo hosts trade talks") < text.index("2. Osaka chip plant opens")
    assert text.count("🔔 Japan") == 2 and "Lagos" not in text
    assert [r.status for r in rows] == ["sent"] and len(bot.emulator.messages(ANN)) == 1


async def test_each_reader_gets_their_items_in_their_languages_with_reason_and_buttons(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    for user in (ANN, BEN, CHEN):
        bot.user(user)
    async with bot.session_factory() as s, s.begin():
        lian = await factory.commentator(s, "Lian Degui", "廉德瑰", "Shanghai Institutes")
        await factory.subscriber(s, ANN, follows=["japan", lian])
        await factory.subscriber(s, BEN, follows=["europe"], language="zh", content_language="zh")
        await factory.subscriber(s, CHEN, keywords=["rare earth"], content_language="en")

    report_items = await publish_report(
        bot,
        [
            ItemSpec(
                "Tokyo & Beijing <talk> export curbs",
                title_zh="东京与北京谈出口管制",
                summary_zh="双方讨论稀土与芯片出口。",
                summary_en="Officials from both capitals discussed licences for rare earths.",
                url="https://news.example.org/tokyo?utm_source=rss_feed",
                regions=["japan"],
                commentators=[lian],
                text="Officials discussed rare earth export licences.",
            ),
            ItemSpec(
                "Brussels reviews duties",
                title_zh="布鲁塞尔审查关税",
                summary_zh="欧盟评估电动车关税。",
                summary_en="The EU weighs its duties on electric cars.",
                url="https://news.example.org/eu",
                regions=["europe"],
            ),
            ItemSpec("Nothing for anyone", regions=["africa"]),
        ],
    )

    [ann_msg] = await bot.emulator.wait_for_messages(ANN)
    [ben_msg] = await bot.emulator.wait_for_messages(BEN)
    [chen_msg] = await bot.emulator.wait_for_messages(CHEN)
    rows = await settled(bot)

    assert len(rows) == 3 and all(r.status == "sent" and r.telegram_message_id for r in rows)
    # Ann reads both languages: the headline, the Chinese title, both one-line summaries, why
    # (both her follows, said once), HTML escaped.
    text = ann_msg.text or ""
    assert text.startswith("📰 China in the English-language press · 29 Aug 2025")
    assert "1. Tokyo & Beijing <talk> export curbs\n东京与北京谈出口管制" in text
    assert "discussed licences for rare earths" in text and "双方讨论稀土与芯片出口。" in text
    assert "🔔 Japan · Lian Degui · Source" in text
    assert "&lt;talk&gt;" in (ann_msg.source_text or "")
    assert ann_msg.parse_mode == "HTML"
    assert any(
        e.get("url", "").startswith("https://news.example.org/tokyo") for e in ann_msg.entities
    )
    assert "📄 1" in ann_msg.button_texts
    assert "✖ Stop Japan" in ann_msg.button_texts and "✖ Stop Lian Degui" in ann_msg.button_texts
    # Ben reads Chinese: the Chinese side only, interface in Chinese.
    ben_text = ben_msg.text or ""
    assert ben_text.startswith("📰 英文媒体关于中国的报道汇总") and "布鲁塞尔审查关税" in ben_text
    assert "欧盟评估电动车关税。" in ben_text and "🔔 欧洲 · 原文" in ben_text
    assert "Brussels" not in ben_text and "electric cars" not in ben_text
    # Chen (/content en): a keyword in the article text; the English summary, no Chinese.
    chen_text = chen_msg.text or ""
    assert "Officials from both capitals discussed licences for rare earths." in chen_text
    assert "🔔 “rare earth”" in chen_text and not has_chinese(chen_text)
    assert "➕ Follow Japan" in chen_msg.button_texts
    assert "➕ Follow Lian Degui" in chen_msg.button_texts
    # One row per chat, naming the items it showed.
    shown = {r.chat_id: [p["id"] for p in (r.edition or {})["items"]] for r in rows}
    assert shown == {ANN: [report_items[0]], BEN: [report_items[1]], CHEN: [report_items[0]]}


async def test_buttons_open_the_full_summary_and_follow_or_stop_following(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(DAN)
    async with bot.session_factory() as s, s.begin():
        ding = await factory.commentator(s, "Ding Chun", "丁纯")
        await factory.subscriber(s, DAN, keywords=["tariffs"], content_language="en")
    full = (
        "EU ministers debated tariffs on steel. " + "They set out the next steps in detail. " * 12
    )
    await publish_report(
        bot,
        [
            ItemSpec(
                "EU tariffs debated",
                title_zh="欧盟辩论关税",
                summary_zh="中文摘要。",
                summary_en=full,
                regions=["europe"],
                commentators=[ding],
            )
        ],
    )
    [alert] = await bot.emulator.wait_for_messages(DAN)
    assert full.strip() not in (alert.text or "")  # one line of it only

    opened = await bot.press(DAN, alert, text="📄 1")
    assert not opened.answer.get("show_alert")
    [_, summary] = await bot.emulator.wait_for_messages(DAN, 2)
    assert full.strip() in (summary.text or "") and not has_chinese(summary.text or "")

    follow = await bot.press(DAN, alert, text="➕ Follow Europe")
    assert follow.answer.get("text") == "Now following Europe."
    assert "➕ Follow Europe" not in follow.message.button_texts
    stop = await bot.press(DAN, alert, text="✖ Stop tariffs")
    assert stop.answer.get("text") == "Stopped following tariffs."
    again = await bot.press(DAN, alert, text="➕ Follow Ding Chun")
    assert "Ding Chun" in (again.answer.get("text") or "")

    async with bot.session_factory() as s:
        rows = await s.scalars(
            select(Subscription).join(Subscriber).where(Subscriber.chat_id == DAN)
        )
        assert {(r.kind, r.target) for r in rows} == {
            ("region", "europe"),
            ("commentator", str(ding.id)),
        }
    forged = await bot.press_data(DAN, alert, "dl:u:999999")
    assert "no longer followed" in (forged.get("text") or "")
    gone = await bot.press_data(DAN, alert, "dl:si:999999")
    assert gone.get("text") == "That item is no longer available."


async def test_a_report_longer_than_a_message_arrives_split_between_items(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EVE)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, EVE, follows=["japan"])
    account = "a careful account of what each side said and wants next " * 4
    headlines = [f"Story {n} from Tokyo" for n in range(14)]
    await publish_report(
        bot,
        [
            ItemSpec(
                headline,
                title_zh="东京消息" * 20,
                summary_zh="中文摘要" * 60,
                summary_en=account,
                url=f"https://example.org/story/{n}",
                regions=["japan"],
            )
            for n, headline in enumerate(headlines)
        ],
    )
    rows = await settled(bot)
    messages = bot.emulator.messages(EVE)
    assert len(messages) == len(rows) >= 2
    assert all(len(m.source_text or "") <= MAX_MESSAGE_CHARS for m in messages)
    assert "(part 1/" in (messages[0].text or "") and "(part 2/" in (messages[1].text or "")
    # Every item exactly once, whole, numbered on from one message to the next.
    for n, headline in enumerate(headlines, 1):
        holding = [m for m in messages if f"{n}. {headline}\n" in (m.text or "")]
        assert len(holding) == 1, headline
        block = (holding[0].text or "").split(f"{n}. {headline}")[1]
        assert "🔔 Japan · Source" in block.split("\n\n")[0]


async def test_entries_show_commentators_in_both_scripts_outlet_and_date(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EVE)
    async with bot.session_factory() as s, s.begin():
        huang = await factory.commentator(s, "Huang Jing", "黄靖")
        wang = await factory.commentator(s, "Wang Yiwei", "王义桅")
        await factory.subscriber(s, EVE, follows=[huang])
        entry = await factory.entry(
            s,
            EntrySpec(
                "US-China talks will test the tariff truce.",
                commentators=[huang, wang],
                regions=["us-china"],
                outlet="Global Times",
                date=dt.date(2025, 11, 12),
                affiliation="Shanghai International Studies University",
                url="https://example.org/huang",
                kind="article",
            ),
        )
        await publish(s, entry_ids=[entry.id], now=bot.services.clock())
    notify_published(bot.services)

    [msg] = await bot.emulator.wait_for_messages(EVE)
    text = msg.text or ""
    assert text.startswith("🔔 Huang Jing")
    assert "Huang Jing (黄靖) & Wang Yiwei (王义桅)" in text
    assert "Shanghai International Studies University" in text
    assert "Global Times, 12 Nov 2025" in text
    assert "tariff truce" in text
    assert "➕ Follow Wang Yiwei" in msg.button_texts and "➕ Follow US-China" in msg.button_texts


@pytest.mark.bot(clock=MovableClock(dt.datetime(2025, 8, 29, 23, 30, tzinfo=dt.UTC)))
async def test_quiet_hours_hold_alerts_until_they_end(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)
    bot.user(BEN)
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    async with bot.session_factory() as s, s.begin():
        # 23:30 UTC is 07:30 in Shanghai: Ann's quiet hours (22:00-08:00) are on.
        await factory.subscriber(
            s,
            ANN,
            follows=["russia"],
            timezone="Asia/Shanghai",
            quiet_start="22:00",
            quiet_end="08:00",
        )
        await factory.subscriber(s, BEN, follows=["russia"])
    await publish_report(bot, [ItemSpec("Moscow visit planned", regions=["russia"])])

    await bot.emulator.wait_for_messages(BEN)
    async with bot.session_factory() as s:
        held = await s.scalar(select(Delivery).where(Delivery.chat_id == ANN))
    assert held is not None and held.status == "pending"
    assert held.not_before == dt.datetime(2025, 8, 30, 0, 0, tzinfo=dt.UTC)
    assert bot.emulator.messages(ANN) == []

    clock.advance(minutes=31)
    bot.services.delivery.sender.wake()
    [msg] = await bot.emulator.wait_for_messages(ANN)
    assert "Moscow visit planned" in (msg.text or "")


async def test_a_group_that_became_a_supergroup_keeps_its_subscriptions(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    emu = bot.emulator
    group = emu.create_group("Analysts", supergroup=False, creator=ANN)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, group.id, follows=["africa"], chat_type="group")
        other = emu.create_group("Watchers", supergroup=False, creator=BEN)
        await factory.subscriber(s, other.id, follows=["africa"], chat_type="group")

    # One group migrates while the bot is watching (service messages), the other silently:
    # the bot learns of it from the 400 answer to its next send.
    new = emu.migrate_to_supergroup(group.id)

    async def moved() -> bool:
        async with bot.session_factory() as s:
            return (
                await s.scalar(select(Subscriber.id).where(Subscriber.chat_id == new.id))
                is not None
            )

    await eventually(moved, what="the subscriber to move to the supergroup")
    # The bot is not polling when the second group moves: it finds out from Telegram's 400.
    updater = bot.application.updater
    assert updater is not None
    await updater.stop()
    silent_new = emu.migrate_to_supergroup(other.id)

    await publish_report(bot, [ItemSpec("Nairobi forum opens", regions=["africa"])])
    [a] = await emu.wait_for_messages(new.id)
    [b] = await emu.wait_for_messages(silent_new.id)
    refused = [r for r in emu.requests("sendMessage") if r.params["chat_id"] == other.id]
    assert [r.status for r in refused] == [400]
    await updater.start_polling(poll_interval=0, timeout=5)
    assert "Nairobi" in (a.text or "") and "Nairobi" in (b.text or "")
    async with bot.session_factory() as s:
        chats = set(await s.scalars(select(Subscriber.chat_id)))
    assert chats == {new.id, silent_new.id}


async def test_a_fan_out_too_big_to_queue_at_once_is_fed_to_the_sender_in_chunks(
    running_bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its first rows a fan-out's recipients wait in the plan; the running bot's feeder
    expands them a chunk at a time and every one of them gets the report once."""
    bot = running_bot
    monkeypatch.setattr("bot.delivery.fanout.FIRST_ROWS", 0)  # nothing at once: all fed
    bot.services.delivery.feeder.chunk = 2
    chats = [700 + i for i in range(7)]
    for chat in chats:
        bot.user(chat)
    async with bot.session_factory() as s, s.begin():
        for chat in chats:
            await factory.subscriber(s, chat, follows=["russia"])

    await publish_report(
        bot,
        [
            ItemSpec("Gas pipeline talks resume", regions=["russia"]),
            ItemSpec("Arctic shipping season ends", regions=["russia"]),
        ],
    )

    for chat in chats:
        [got] = await bot.emulator.wait_for_messages(chat)
        text = got.text or ""
        assert "Gas pipeline talks resume" in text and "Arctic shipping season ends" in text
    rows = await settled(bot)
    assert len(rows) == 7 and len({r.dedup_key for r in rows}) == 7
    assert [len(bot.emulator.messages(chat)) for chat in chats] == [1] * 7
    async with bot.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(FanoutRecipient)) == 0
