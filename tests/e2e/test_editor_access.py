"""Only editors run the newsletter: everyone else is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from bot.render.editor import cb
from storage.models import Base, ContentStatus, Entry
from tests.e2e.conftest import RunningBot
from tests.editorial.documents import ARTICLE_003

ADMIN = 7001
STRANGER = 7002
REFUSAL = "This command is for editors."


async def _snapshot(running_bot: RunningBot) -> dict[str, list[Any]]:
    """Every row of every table but known_users (the bot notes who wrote to it, on purpose)."""
    rows: dict[str, list[Any]] = {}
    async with running_bot.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "known_users":
                continue
            result = await session.execute(select(table))
            rows[table.name] = sorted(map(tuple, result.all()), key=repr)
        rows["search_docs"] = sorted(
            map(tuple, (await session.execute(text("SELECT * FROM search_docs"))).all()), key=repr
        )
    return rows


@pytest.mark.bot(admin_ids=[ADMIN])
async def test_a_non_editor_is_refused_everything_and_nothing_changes(
    running_bot: RunningBot,
) -> None:
    running_bot.user(ADMIN, "Editor")
    running_bot.user(STRANGER, "Stranger", username="stranger")
    async with running_bot.session_factory() as session, session.begin():
        # Already fanned out, so the running bot's poller leaves it alone during the test.
        entry = Entry(
            kind="article",
            title="Published piece",
            summary="s",
            status=ContentStatus.PUBLISHED,
            published_at=running_bot.services.clock(),
            fanned_out_at=running_bot.services.clock(),
        )
        draft = Entry(kind="article", title="A draft", summary="d", status=ContentStatus.DRAFT)
        session.add_all([entry, draft])
    before = await _snapshot(running_bot)

    for command in (
        "/post " + ARTICLE_003,
        "/post",
        "/digest https://newsletter.example.com/november-digest",
        f"/retract e{entry.id}",
        "/broadcast Hello everyone",
        f"/editor add {STRANGER}",
        "/editor remove 7001",
        f"/edit e{entry.id} summary Rewritten",
        f"/schedule e{draft.id} +2h",
        "/stats",
        "/audit",
    ):
        reply = await running_bot.command(STRANGER, command)
        assert reply.text == REFUSAL, command

    upload = running_bot.emulator.send_document(
        STRANGER, ARTICLE_003, "analysis.txt", caption="/post"
    )
    assert upload is not None
    await running_bot.emulator.wait_for_messages(STRANGER, 12)
    assert running_bot.emulator.messages(STRANGER)[-1].text == REFUSAL

    # A forged Publish button on the stranger's own chat is refused too.
    forged = await running_bot.press_data(
        STRANGER, running_bot.emulator.messages(STRANGER)[-1], cb("pub", f"e{draft.id}")
    )
    assert forged["text"] == REFUSAL and forged["show_alert"]

    assert await _snapshot(running_bot) == before


@pytest.mark.bot(admin_ids=[ADMIN])
async def test_an_editor_adds_another_by_username_who_can_then_post(
    running_bot: RunningBot,
) -> None:
    running_bot.user(ADMIN, "Editor")
    helper = running_bot.user(7003, "Helper", username="helper_li")
    refused = await running_bot.command(helper, "/stats")
    assert refused.text == REFUSAL
    added = await running_bot.command(ADMIN, "/editor add @Helper_Li")
    # No role named: the least privilege, said out loud with how to give more.
    assert (added.text or "").startswith("@helper_li (7003) is now an editor: an author.\n")
    assert "No role given, so an author: they can prepare drafts but not publish" in (
        added.text or ""
    )
    assert "/editor add 7003 publisher" in (added.text or "")
    stats = await running_bot.command(helper, "/stats")
    assert stats.text is not None and stats.text.startswith("Newsletter statistics")
    # Editors get the commands of their role in their own chat's menu; the public menu has none.
    emulator = running_bot.emulator
    helper_menu = [c["command"] for c in emulator.commands(scope={"type": "chat", "chat_id": 7003})]
    assert {"post", "drafts", "editor", "subscribe"} <= set(helper_menu)
    assert not {"broadcast", "retract", "schedule", "source"} & set(helper_menu)
    assert "post" not in [c["command"] for c in emulator.commands()]
    promoted = await running_bot.command(ADMIN, "/editor add 7003 publisher")
    assert promoted.text == "@helper_li (7003) is now a publisher."
    await running_bot.handled()  # the menu is set after the reply
    helper_menu = [c["command"] for c in emulator.commands(scope={"type": "chat", "chat_id": 7003})]
    assert {"broadcast", "retract", "schedule", "source"} <= set(helper_menu)
    removed = await running_bot.command(ADMIN, "/editor remove 7003")
    assert "is no longer an editor" in (removed.text or "")
    assert (await running_bot.command(helper, "/stats")).text == REFUSAL
    assert emulator.commands(scope={"type": "chat", "chat_id": 7003}) == []
    listing = await running_bot.command(ADMIN, "/editor list")
    assert "7001 — a publisher (ADMIN_IDS)" in (listing.text or "")
    assert "7003" not in (listing.text or "")
