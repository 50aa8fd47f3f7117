"""The rest of an editor's day: digest links, corrections, retraction (of items daily readers
had in a summary too), scheduling, broadcasts, the numbers and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.models import AuditLog, Delivery, Digest, Entry, ReportItem, Subscriber
from tests.delivery import factory
from tests.delivery.factory import ItemSpec, eventually, outbox_settled
from tests.e2e.conftest import MovableClock, RunningBot
from tests.e2e.test_delivery_daily import at, publish_at, summaries_at

EDITOR = 9001
READER = 9101
NIGHT_OWL = 9102
OTHER_EDITOR = 9002


@pytest.mark.bot(admin_ids=[EDITOR, OTHER_EDITOR])
async def test_a_broadcast_waits_for_confirmation_and_reaches_every_active_subscriber(
    running_bot: RunningBot,
) -> None:
    running_bot.user(EDITOR, "Editor")
    running_bot.user(OTHER_EDITOR, "Other")
    for n, status in enumerate(["active", "active", "paused"]):
        running_bot.user(READER + n)
        async with running_bot.session_factory() as session, session.begin():
            session.add(Subscriber(chat_id=READER + n, status=status))

    # Typed on a phone with "Issue 42" in bold; "<i>" is typed literally.
    text = "/broadcast Issue 42 is out & ready <i>"
    running_bot.emulator.send_message(
        EDITOR,
        text,
        entities=[
            {"type": "bot_command", "offset": 0, "length": 10},
            {"type": "bold", "offset": 11, "length": 8},
        ],
    )
    confirm = await running_bot.emulator.wait_for_message(EDITOR, "📣 This message will go")
    assert confirm.text is not None
    assert confirm.text.startswith("📣 This message will go to 2 active subscribers.")
    assert "<b>Issue 42</b> is out &amp; ready &lt;i&gt;" in (confirm.source_text or "")
    assert confirm.button_texts == ["📣 Send to 2 subscribers", "✖ Cancel"]
    assert running_bot.emulator.messages(READER) == []

    send_data = confirm.callback_data[0]
    # Another editor cannot send someone else's broadcast.
    foreign = await running_bot.press_data(OTHER_EDITOR, confirm, send_data)
    assert foreign["text"] == "Only the editor who wrote this broadcast can send it."

    sent = await running_bot.press(EDITOR, confirm, text="Send to 2")
    assert sent.text == "📣 Broadcast queued for 2 subscribers."
    for reader in (READER, READER + 1):
        got = await running_bot.emulator.wait_for_message(reader, "Issue 42")
        assert got.source_text == "<b>Issue 42</b> is out &amp; ready &lt;i&gt;"
    again = await running_bot.press_data(EDITOR, sent.message, send_data)
    assert again["text"] == "This broadcast was already sent, cancelled or has expired."
    async with running_bot.session_factory() as session:
        rows = (await session.scalars(select(Delivery).where(Delivery.kind == "broadcast"))).all()
    assert sorted(r.chat_id for r in rows) == [READER, READER + 1]
    assert running_bot.emulator.messages(READER + 2) == []


@pytest.mark.bot(admin_ids=[EDITOR])
async def test_edit_retract_and_audit_from_chat(running_bot: RunningBot) -> None:
    running_bot.user(EDITOR, "Editor", username="chief_editor")
    running_bot.user(READER, username="reader_one")
    preview = await running_bot.command(
        EDITOR, "/post **Port deal signed**\n\nKenya and China signed the port financing deal."
    )
    async with running_bot.session_factory() as session:
        entry = (await session.scalars(select(Entry))).one()
    ref = f"e{entry.id}"
    edited = await running_bot.command(EDITOR, f"/edit {ref} regions africa, europe")
    assert f"{ref}: regions changed from “none” to “europe, africa”" in (edited.text or "")
    unknown = await running_bot.command(EDITOR, f"/edit {ref} regions atlantis")
    assert "“atlantis” is not a region. Regions: us-china (US-China)" in (unknown.text or "")
    summary = await running_bot.command(EDITOR, f"/edit {ref} summary A deal on port financing.")
    assert "A deal on port financing." in (summary.text or "")
    bad = await running_bot.command(EDITOR, "/edit x9 summary hello")
    assert "“x9” is not an id." in (bad.text or "")

    await running_bot.press(EDITOR, preview, text="Publish")
    async with running_bot.session_factory() as session, session.begin():
        # As if the sender had delivered it to a reader.
        reader = Subscriber(chat_id=READER, username="reader_one")
        session.add(reader)
        await session.flush()
        session.add(
            Delivery(
                subscriber_id=reader.id,
                chat_id=READER,
                kind="alert",
                content_type="entry",
                content_id=entry.id,
                dedup_key=f"test:{entry.id}:{reader.id}",
                text="",
                status="sent",
            )
        )
    asked = await running_bot.command(EDITOR, f"/retract {ref}")
    assert asked.text == (
        f"↩️ Retract {ref} (published): Port deal signed?\n"
        "It will be taken out of search, messages to it still queued will be cancelled, and it"
        " will not be sent again. It went to 1 reader."
    )
    assert asked.button_texts == [f"↩️ Retract {ref}", "✖ Cancel"]
    retracted = (await running_bot.press(EDITOR, asked, text="Retract")).message
    assert f"Retracted {ref}" in (retracted.text or "")
    assert "Already received by 1: @reader_one" in (retracted.text or "")
    twice = await running_bot.command(EDITOR, f"/retract {ref}")
    assert twice.text == f"{ref} was already retracted."

    audit = await running_bot.command(EDITOR, "/audit")
    text = audit.text or ""
    assert text.startswith("Audit log — page 1 of 1")
    for action in ("retract", "publish", "edit.summary", "edit.regions", "ingest"):
        assert f"@chief_editor ({EDITOR}) · {action}" in text, action
    assert len(audit.source_text or "") <= 4096


@pytest.mark.bot(
    admin_ids=[EDITOR], clock=MovableClock(dt.datetime(2025, 11, 4, 22, 0, tzinfo=dt.UTC))
)
async def test_schedule_digest_link_and_stats(running_bot: RunningBot) -> None:
    running_bot.user(EDITOR, "Editor")
    preview = await running_bot.command(
        EDITOR, "/digest https://newsletter.example.com/p/november-digest November Digest, Part 2"
    )
    async with running_bot.session_factory() as session:
        digest = (await session.scalars(select(Digest))).one()
    ref = f"d{digest.id}"
    assert f"Digest {ref} (draft): November Digest, Part 2 — 0 entries" in (preview.text or "")
    assert "no entries" in (preview.text or "")
    bad = await running_bot.command(EDITOR, "/digest newsletter dot com")
    assert "is not a web link" in (bad.text or "")

    scheduled = await running_bot.command(EDITOR, f"/schedule {ref} tomorrow 09:00")
    assert scheduled.text == f"⏰ {ref} will be published at 2025-11-05 09:00 (UTC)."
    past = await running_bot.command(EDITOR, f"/schedule {ref} 2025-11-01 09:00")
    assert past.text == "“2025-11-01 09:00” has already passed."
    nonsense = await running_bot.command(EDITOR, f"/schedule {ref} someday")
    assert "I could not read “someday” as a time." in (nonsense.text or "")

    stats = await running_bot.command(EDITOR, "/stats")
    assert "Scheduled to publish: 1" in (stats.text or "")
    assert "Subscribers: 0 active, 0 paused, 0 blocked" in (stats.text or "")

    async with running_bot.session_factory() as session:
        logged = (await session.scalars(select(AuditLog.action).order_by(AuditLog.id))).all()
    assert logged == ["digest.register", "schedule"]


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(admin_ids=[EDITOR], clock=MovableClock(at(2025, 11, 5, 6, 0)))
async def test_retracting_an_item_names_daily_readers_and_fixes_waiting_summaries(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(EDITOR, "Editor")
    bot.user(READER, username="reader_one")
    bot.user(NIGHT_OWL, username="night_owl")
    async with bot.session_factory() as s, s.begin():
        daily = {"mode": "daily", "daily_time": "08:00", "timezone": "Europe/London"}
        await factory.subscriber(s, READER, follows=["japan"], username="reader_one", **daily)
        # Quiet until 09:00: the 08:00 summary waits in the outbox.
        await factory.subscriber(
            s,
            NIGHT_OWL,
            follows=["japan", "europe"],
            quiet_start="23:00",
            quiet_end="09:00",
            **daily,
        )
    assert await summaries_at(bot, at(2025, 11, 5, 6, 0)) == 0  # schedules set
    await publish_at(
        bot,
        at(2025, 11, 5, 7, 0),
        [
            ItemSpec("Tokyo rumour of a summit", regions=["japan"]),
            ItemSpec("Brussels trade talks", regions=["europe"]),
        ],
    )
    assert await summaries_at(bot, at(2025, 11, 5, 8, 0)) == 2
    [summary] = await bot.emulator.wait_for_messages(READER)
    assert "Tokyo rumour of a summit" in (summary.text or "")

    async def recorded_as_sent() -> bool:
        async with bot.session_factory() as s:
            status = await s.scalar(select(Delivery.status).where(Delivery.chat_id == READER))
        return status == "sent"

    await eventually(recorded_as_sent, what="the reader's summary recorded as sent")
    async with bot.session_factory() as s:
        tokyo = await s.scalar(select(ReportItem).where(ReportItem.headline.startswith("Tokyo")))
    assert tokyo is not None

    asked = await bot.command(EDITOR, f"/retract i{tokyo.id}")
    assert "It went to 1 reader." in (asked.text or "")
    text = (await bot.press(EDITOR, asked, text="Retract")).text
    assert f"Retracted i{tokyo.id}" in text
    assert "Already received by 1 (1 in a daily summary): @reader_one" in text
    assert "Taken out of daily summaries still waiting to be sent: 1." in text

    # Quiet hours end: the night owl's summary goes out without the retracted item.
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    clock.now = at(2025, 11, 5, 9, 1)
    bot.services.delivery.sender.wake()
    [late] = await bot.emulator.wait_for_messages(NIGHT_OWL)
    assert "Brussels trade talks" in (late.text or "")
    assert "Tokyo" not in (late.text or "") and "1 new for you" in (late.text or "")
    rows = await outbox_settled(bot.session_factory)
    assert sorted(r.status for r in rows if r.chat_id == NIGHT_OWL) == ["cancelled", "sent"]
    assert len(bot.emulator.messages(READER)) == 1
