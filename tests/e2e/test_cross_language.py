"""Keywords and searches cross the language line: a reader who types 关税 hears about
"tariffs", one who types "rare earth" hears about 稀土, and traditional characters find
simplified ones."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.delivery import notify_published
from bot.publishing import publish
from storage.models import Delivery, Entry, Subscriber
from tests.delivery import factory
from tests.delivery.factory import EntrySpec, ItemSpec, outbox_settled
from tests.e2e.conftest import RunningBot

ANN, BEN, CHEN = 621, 622, 623


async def publish_report(bot: RunningBot, items: list[ItemSpec]) -> None:
    async with bot.session_factory() as s, s.begin():
        report = await factory.report(s, items)
        await publish(s, report_ids=[report.id], now=bot.services.clock())
    notify_published(bot.services)


async def next_message(bot: RunningBot, chat_id: int, before: int) -> str:
    """The text of the first message the bot sends the chat after its first `before`."""
    sent = await bot.emulator.wait_for_messages(chat_id, before + 1)
    return sent[before].text or ""


async def deliveries_to(bot: RunningBot, chat_id: int) -> list[Delivery]:
    async with bot.session_factory() as s:
        rows = await s.scalars(
            select(Delivery).join(Subscriber).where(Subscriber.chat_id == chat_id)
        )
        return list(rows)


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_a_chinese_alert_fires_on_an_english_post_about_tariffs(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(ANN)
    bot.user(BEN)
    await bot.command(ANN, "/alert 关税")
    await bot.command(BEN, "/alert 芯片")  # nothing about chips below: BEN hears nothing

    before = len(bot.emulator.messages(ANN))
    await publish_report(
        bot,
        [ItemSpec("Washington doubles tariffs on Chinese steel", url="https://n.example/steel")],
    )

    text = await next_message(bot, ANN, before)
    assert "Washington doubles tariffs on Chinese steel" in text
    assert "关税" in text  # why it came: the reader's own keyword
    await outbox_settled(bot.session_factory)
    assert await deliveries_to(bot, BEN) == []


async def test_an_english_alert_fires_on_chinese_only_text(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)
    await bot.command(ANN, "/alert rare earths")
    before = len(bot.emulator.messages(ANN))

    await publish_report(
        bot,
        [
            ItemSpec(
                "Beijing tightens licensing",
                title_zh="商务部收紧稀土出口许可",
                summary_zh="新规要求出口商逐批申报。",
                url="https://n.example/licences",
            )
        ],
    )

    assert "Beijing tightens licensing" in await next_message(bot, ANN, before)


async def test_a_chinese_mute_mutes_english_text(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(ANN)
    await bot.command(ANN, "/subscribe europe")
    await bot.command(ANN, "/mute 制裁")
    before = len(bot.emulator.messages(ANN))

    await publish_report(
        bot,
        [ItemSpec("Brussels readies new sanctions", url="https://n.example/s", regions=["europe"])],
    )
    await publish_report(
        bot,
        [ItemSpec("Brussels hosts a trade fair", url="https://n.example/f", regions=["europe"])],
    )

    assert "Brussels hosts a trade fair" in await next_message(bot, ANN, before)
    await outbox_settled(bot.session_factory)
    delivered = " ".join(m.text or "" for m in bot.emulator.messages(ANN)[before:])
    assert "sanctions" not in delivered


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_search_crosses_scripts_and_languages(running_bot: RunningBot) -> None:
    bot = running_bot
    async with bot.session_factory() as s, s.begin():
        zhou = await factory.commentator(s, "Zhou Bo", "周波")
        digest = await factory.digest(
            s,
            "November Digest",
            "https://digest.example.org/11",
            [
                EntrySpec("Zhou Bo on why the new tariffs will not move Beijing.", [zhou]),
                EntrySpec("习近平在峰会上谈到多边主义。"),
                EntrySpec("A note on shipping insurance in the Red Sea."),
            ],
        )
        entries = await s.scalars(select(Entry.id).where(Entry.digest_id == digest.id))
        await publish(s, entry_ids=list(entries), digest_ids=[digest.id], now=bot.services.clock())
    bot.user(CHEN, language_code="zh-hans")

    tariffs = await bot.command(CHEN, "/search 关税")
    xi = await bot.command(CHEN, "/search 習近平")
    # A precise term stays precise: 关税 is not "new" or "will", 習近平 is not 峰会.
    tariff_text, xi_text = tariffs.text or "", xi.text or ""

    assert "why the new tariffs will not move Beijing" in tariff_text
    assert "Red Sea" not in tariff_text and "习近平" not in tariff_text
    assert "习近平在峰会上谈到多边主义" in xi_text
    assert "tariffs" not in xi_text
