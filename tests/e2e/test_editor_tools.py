"""The rest of an editor's day: digest links, corrections, retraction, scheduling, broadcasts,
the numbers and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.models import AuditLog, Delivery, Digest, Entry, Subscriber
from tests.e2e.conftest import MovableClock, RunningBot

EDITOR = 9001
READER = 9101
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
    retracted = await running_bot.command(EDITOR, f"/retract {ref}")
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
