"""Corrections that reach readers: an /edit or /retract of a published item changes every
message already delivered that shows it (a follower's edition, a channel post), through the
outbox, and the editor is told how many messages were updated and how many could not be."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from bot.corrections import queue
from bot.delivery import notify_published
from bot.delivery.summaries import run_due_summaries
from bot.emulator.emulator import EmuMessage
from bot.publishing import publish
from storage.models import Delivery, ReportItem
from tests.delivery import factory
from tests.delivery.factory import ItemSpec, eventually, outbox_settled
from tests.e2e.conftest import MovableClock, RunningBot

EDITOR, ANN, BEN = 7401, 7402, 7403

TOKYO = ItemSpec(
    "Tokyo hosts trade talks",
    title_zh="东京举行贸易谈判",
    summary_zh="日中双方就出口管制进行磋商。",
    regions=["japan"],
    url="https://example.org/tokyo",
)
OSAKA = ItemSpec(
    "Osaka chip plant opens",
    title_zh="大阪芯片厂开工",
    summary_zh="新工厂将生产车用芯片。",
    regions=["japan"],
    url="https://example.org/osaka",
)


async def publish_report(bot: RunningBot, items: list[ItemSpec]) -> list[int]:
    async with bot.session_factory() as s, s.begin():
        report = await factory.report(s, items)
        await publish(s, report_ids=[report.id], now=bot.services.clock())
        ids = [i.id for i in report.items]
    notify_published(bot.services)
    return ids


async def tokyo_sent_to_ann_and_ben(bot: RunningBot) -> tuple[int, EmuMessage]:
    """Ann and Ben follow Japan and got a report of TOKYO: its item id and Ben's message."""
    for user in (EDITOR, ANN, BEN):
        bot.user(user)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
        await factory.subscriber(s, BEN, follows=["japan"])
    [tokyo] = await publish_report(bot, [TOKYO])
    await bot.emulator.wait_for_messages(ANN)
    [bens] = await bot.emulator.wait_for_messages(BEN)
    await outbox_settled(bot.session_factory)
    return tokyo, bens


async def editor_notice(bot: RunningBot, pattern: str) -> EmuMessage:
    """The editor's follow-up message matching `pattern` (it comes once the edits are done)."""

    async def found() -> EmuMessage | None:
        for message in bot.emulator.messages(EDITOR):
            if re.search(pattern, message.text or ""):
                return message
        return None

    return await eventually(found, what=f"the editor's message {pattern!r}")


async def edited(bot: RunningBot, chat_id: int, needle: str) -> EmuMessage:
    async def found() -> EmuMessage | None:
        for message in bot.emulator.messages(chat_id):
            if needle in (message.text or ""):
                return message
        return None

    return await eventually(found, what=f"{needle!r} in chat {chat_id}")


async def retract(bot: RunningBot, item_id: int) -> str:
    asked = await bot.command(EDITOR, f"/retract i{item_id}")
    return (await bot.press(EDITOR, asked, text="Retract")).text


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_an_edited_summary_changes_the_followers_message_and_the_channel_post(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(ANN)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    reply = await bot.command(EDITOR, "/channel add @chinawatch")
    assert "Connected" in (reply.text or "")
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
    tokyo, _ = await publish_report(bot, [TOKYO, OSAKA])
    [mine] = await bot.emulator.wait_for_messages(ANN)
    [post] = await bot.emulator.wait_for_messages(channel.id)
    await outbox_settled(bot.session_factory)
    buttons = mine.reply_markup

    reply = await bot.command(EDITOR, f"/edit i{tokyo} summary 双方同意延长出口管制磋商。")

    assert "2 will be updated" in (reply.text or "")
    notice = await editor_notice(bot, r"2 delivered messages updated, 0 could not be")
    assert f"i{tokyo}" in (notice.text or "")
    for message in (
        bot.emulator.message(ANN, mine.message_id),
        bot.emulator.message(channel.id, post.message_id),
    ):
        text = message.text or ""
        assert "双方同意延长出口管制磋商。" in text and "日中双方就出口管制进行磋商" not in text
        assert "新工厂将生产车用芯片。" in text  # the other item, as it was
        assert len(message.edits) == 1
    # The reader's buttons still work: the same keyboard, edited in place.
    assert bot.emulator.message(ANN, mine.message_id).reply_markup == buttons
    assert len(bot.emulator.messages(ANN)) == 1


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_chat_that_blocked_the_bot_is_counted_as_not_updated(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    tokyo, bens = await tokyo_sent_to_ann_and_ben(bot)
    bot.emulator.block(BEN)

    reply = await bot.command(EDITOR, f"/edit i{tokyo} summary 双方同意延长出口管制磋商。")

    assert "2 will be updated" in (reply.text or "")
    await editor_notice(bot, r"1 delivered messages updated, 1 could not be")
    await edited(bot, ANN, "双方同意延长出口管制磋商。")
    assert "双方同意" not in (bot.emulator.message(BEN, bens.message_id).text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_two_quick_edits_make_one_edit_per_message_with_the_latest_text(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(ANN)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
    [tokyo] = await publish_report(bot, [TOKYO])
    [mine] = await bot.emulator.wait_for_messages(ANN)
    await outbox_settled(bot.session_factory)
    # The sender is held back so both edits are queued before either goes out.
    runtime = bot.services.delivery
    await runtime.stop_sender()

    await bot.command(EDITOR, f"/edit i{tokyo} summary 第一次修改。")
    await bot.command(EDITOR, f"/edit i{tokyo} summary 第二次修改。")
    runtime.start_sender()

    await editor_notice(bot, r"1 delivered messages updated")
    message = await edited(bot, ANN, "第二次修改。")
    assert message.message_id == mine.message_id and len(message.edits) == 1
    edits = [r for r in bot.emulator.requests() if r.method == "editMessageText"]
    assert len(edits) == 1


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_edits_queued_before_a_crash_are_applied_after_the_restart(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(ANN)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
    [tokyo] = await publish_report(bot, [TOKYO])
    await bot.emulator.wait_for_messages(ANN)
    await outbox_settled(bot.session_factory)
    runtime = bot.services.delivery
    await runtime.stop_sender()
    await bot.command(EDITOR, f"/edit i{tokyo} summary 崩溃之后仍然修改。")
    # The process died with the edit claimed but not sent: in doubt, resent at the restart.
    async with bot.session_factory() as s, s.begin():
        await s.execute(
            update(Delivery)
            .where(Delivery.kind == "correct")
            .values(
                status="sending",
                claimed_by=None,
                attempts=1,
                updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            )
        )
    await runtime.beat()  # the heartbeat recovers claims of dead senders
    runtime.start_sender()

    await edited(bot, ANN, "崩溃之后仍然修改。")
    await editor_notice(bot, r"1 delivered messages updated, 0 could not be")


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_retracting_one_of_two_items_re_renders_the_message_without_it(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(ANN)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
    tokyo, _ = await publish_report(bot, [TOKYO, OSAKA])
    [mine] = await bot.emulator.wait_for_messages(ANN)
    await outbox_settled(bot.session_factory)

    assert "1 will be updated" in await retract(bot, tokyo)

    await editor_notice(bot, r"1 delivered messages updated, 0 could not be")
    message = bot.emulator.message(ANN, mine.message_id)
    assert "Tokyo hosts trade talks" not in (message.text or "")
    assert "Osaka chip plant opens" in (message.text or "") and not message.deleted


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_retracting_the_only_item_deletes_a_fresh_message_and_marks_an_old_one_withdrawn(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    for user in (EDITOR, ANN, BEN):
        bot.user(user)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, ANN, follows=["japan"])
    [osaka] = await publish_report(bot, [OSAKA])
    [older] = await bot.emulator.wait_for_messages(ANN)
    await outbox_settled(bot.session_factory)
    # Three days later (Telegram would refuse to delete that first message now) another.
    bot.emulator.advance_clock(3 * 24 * 3600)
    async with bot.session_factory() as s, s.begin():
        await s.execute(
            update(Delivery)
            .where(Delivery.telegram_message_id == older.message_id, Delivery.chat_id == ANN)
            .values(sent_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
        )
    [tokyo] = await publish_report(bot, [TOKYO])
    [_, fresh] = await bot.emulator.wait_for_messages(ANN, count=2)
    await outbox_settled(bot.session_factory)

    await retract(bot, tokyo)
    await retract(bot, osaka)

    await editor_notice(bot, rf"i{tokyo} \(retraction\): 1 delivered messages updated, 0")
    await editor_notice(bot, rf"i{osaka} \(retraction\): 1 delivered messages updated, 0")
    assert bot.emulator.message(ANN, fresh.message_id).deleted
    withdrawn = bot.emulator.message(ANN, older.message_id)
    assert not withdrawn.deleted
    assert "withdrawn by the editors" in (withdrawn.text or "")
    assert "Osaka" not in (withdrawn.text or "") and not withdrawn.reply_markup
    async with bot.session_factory() as s:
        corrections = list(await s.scalars(select(Delivery).where(Delivery.kind == "correct")))
    assert sorted(c.status for c in corrections) == ["sent", "sent"]


@pytest.mark.bot(
    admin_ids=[EDITOR], clock=MovableClock(dt.datetime(2025, 11, 1, 0, 0, tzinfo=dt.UTC))
)
async def test_an_edited_headline_changes_the_daily_summary_that_listed_it(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    bot.user(ANN)
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(
            s, ANN, follows=["japan"], mode="daily", daily_time="08:00", timezone="Asia/Shanghai"
        )
    assert await run_due_summaries(bot.services) == 0  # the first summary is scheduled
    clock.advance(hours=12)
    await publish_report(bot, [TOKYO, OSAKA])
    clock.advance(hours=12)  # 08:00 in Shanghai
    assert await run_due_summaries(bot.services) == 1
    [summary] = await bot.emulator.wait_for_messages(ANN)
    assert "Tokyo hosts trade talks" in (summary.text or "")
    await outbox_settled(bot.session_factory)
    async with bot.session_factory() as s:
        tokyo = await s.scalar(select(ReportItem.id).where(ReportItem.headline == TOKYO.headline))

    reply = await bot.command(EDITOR, f"/edit i{tokyo} title Tokyo and Seoul extend trade talks")

    assert "1 will be updated" in (reply.text or "")
    await editor_notice(bot, r"1 delivered messages updated, 0 could not be")
    text = bot.emulator.message(ANN, summary.message_id).text or ""
    assert "Tokyo and Seoul extend trade talks" in text and "Tokyo hosts trade talks" not in text
    assert "Osaka chip plant opens" in text and "Your daily summary" in text


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_pruned_delivery_records_are_counted_as_messages_that_could_not_be_updated(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    tokyo, bens = await tokyo_sent_to_ann_and_ben(bot)
    # Ben's message is older than the retention period (30 days by default).
    async with bot.session_factory() as s, s.begin():
        await s.execute(
            update(Delivery)
            .where(Delivery.chat_id == BEN)
            .values(sent_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
        )

    assert await bot.services.delivery.pruner.tick() == 1

    async with bot.session_factory() as s:
        left = list(await s.scalars(select(Delivery.chat_id)))
    assert left == [ANN]
    reply = await bot.command(EDITOR, f"/edit i{tokyo} summary 双方同意延长出口管制磋商。")
    assert "1 will be updated" in (reply.text or "")
    assert "1 delivered earlier can no longer be updated" in (reply.text or "")
    await editor_notice(bot, r"1 delivered messages updated, 1 could not be")
    await edited(bot, ANN, "双方同意延长出口管制磋商。")
    assert "双方同意" not in (bot.emulator.message(BEN, bens.message_id).text or "")


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_retracted_item_leaves_the_channel_post_and_a_new_reader_never_sees_it(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    reply = await bot.command(EDITOR, "/channel add @chinawatch")
    assert "Connected" in (reply.text or "")
    tokyo, _ = await publish_report(bot, [TOKYO, OSAKA])
    [post] = await bot.emulator.wait_for_messages(channel.id)
    await outbox_settled(bot.session_factory)

    assert "1 will be updated" in await retract(bot, tokyo)

    await editor_notice(bot, r"1 delivered messages updated, 0 could not be")
    text = bot.emulator.message(channel.id, post.message_id).text or ""
    assert "Tokyo hosts trade talks" not in text and "Osaka chip plant opens" in text
    assert len(bot.emulator.messages(channel.id)) == 1


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_correction_larger_than_the_editors_share_is_finished_in_the_background(
    running_bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor's own transaction looks through the first few messages only (at 100,000
    readers the whole of it stalled every other reply for over a second); the owner process
    queues the rest, and the editor's report counts them all."""
    monkeypatch.setattr(queue, "FIRST_CHUNK", 3)
    monkeypatch.setattr(queue, "CHUNK", 4)
    bot = running_bot
    bot.user(EDITOR)
    readers = list(range(7500, 7512))
    async with bot.session_factory() as s, s.begin():
        for reader in readers:
            bot.user(reader)
            await factory.subscriber(s, reader, follows=["japan"])
    tokyo, _ = await publish_report(bot, [TOKYO, OSAKA])
    for reader in readers:
        await bot.emulator.wait_for_messages(reader)
    await outbox_settled(bot.session_factory)

    reply = await bot.command(EDITOR, f"/edit i{tokyo} summary 双方同意延长出口管制磋商。")

    assert "3 will be updated so far" in (reply.text or "")
    notice = await editor_notice(bot, r"12 delivered messages updated, 0 could not be")
    assert f"i{tokyo}" in (notice.text or "")
    for reader in readers:
        [message] = bot.emulator.messages(reader)
        assert "双方同意延长出口管制磋商。" in (message.text or "")
        assert len(message.edits) == 1
    assert (
        len([m for m in bot.emulator.messages(EDITOR) if "delivered messages" in (m.text or "")])
        == 1
    )


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_a_channel_post_grown_past_one_message_by_edits_keeps_every_item(
    running_bot: RunningBot,
) -> None:
    """A sent post is edited in place: when edits make its items longer than one message
    holds, their summaries are shortened, never an item left out. Three quick edits also
    take each other's waiting corrections over, and every editor still gets a report."""
    bot = running_bot
    bot.user(EDITOR)
    channel = bot.emulator.create_channel("China Watch", username="chinawatch")
    await bot.command(EDITOR, "/channel add @chinawatch")
    kyoto = ItemSpec(
        "Kyoto forum on supply chains", summary_zh="论坛讨论供应链。", regions=["japan"]
    )
    items = await publish_report(bot, [TOKYO, OSAKA, kyoto])
    [post] = await bot.emulator.wait_for_messages(channel.id)
    await outbox_settled(bot.session_factory)

    for item, word in zip(items, "谈厂链", strict=True):
        await bot.command(EDITOR, f"/edit i{item} summary {word * 1990}。")
    for item in items:  # each editor hears how it went (or that a later one took it over)
        await editor_notice(bot, rf"Correction of i{item} \(edit\)")
    await outbox_settled(bot.session_factory)
    reports = [
        m.text or "" for m in bot.emulator.messages(EDITOR) if "Correction of" in (m.text or "")
    ]
    assert len(reports) == 3

    text = bot.emulator.message(channel.id, post.message_id).text or ""
    assert len(text) <= 4096
    for headline in ("Tokyo hosts trade talks", "Osaka chip plant opens", "Kyoto forum"):
        assert headline in text
    for word in "谈厂链":
        assert word * 20 in text  # every summary, shortened
    assert len(bot.emulator.messages(channel.id)) == 1
