"""Authors prepare drafts; publishers publish, schedule, retract and broadcast. An author who
tries is told which role it needs, in their language, and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.render.editor import cb
from storage.models import ContentStatus, Entry
from tests.e2e.conftest import RunningBot
from tests.e2e.test_editor_access import _snapshot
from tests.editorial.documents import ARTICLE_003

PUBLISHER = 7201
AUTHOR = 7202
CHINESE_AUTHOR = 7203
OTHER_PUBLISHER = 7204
NEEDS_PUBLISHER = (
    "🔒 This needs the publisher role, and you are an author. Nothing was changed."
    " Ask a publisher (/editor list shows who)."
)


async def _published_and_draft(bot: RunningBot) -> tuple[Entry, Entry]:
    async with bot.session_factory() as session, session.begin():
        now = bot.services.clock()
        # Already fanned out, so the running bot's poller leaves it alone during the test.
        published = Entry(
            kind="article",
            title="Published piece",
            summary="s",
            status=ContentStatus.PUBLISHED,
            published_at=now,
            fanned_out_at=now,
        )
        draft = Entry(kind="article", title="A draft", summary="d", status=ContentStatus.DRAFT)
        session.add_all([published, draft])
    return published, draft


async def _status(bot: RunningBot, entry_id: int) -> str:
    async with bot.session_factory() as session:
        return str(await session.scalar(select(Entry.status).where(Entry.id == entry_id)))


@pytest.mark.bot(admin_ids=[PUBLISHER])
async def test_an_author_prepares_drafts_but_cannot_publish_and_is_told_who_can(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(PUBLISHER, "Chief")
    bot.user(AUTHOR, "Writer", username="writer_wu")
    added = await bot.command(PUBLISHER, f"/editor add {AUTHOR} author")
    assert added.text == f"{AUTHOR} is now an editor: an author."
    listing = await bot.command(PUBLISHER, "/editor list")
    assert f"<code>{AUTHOR}</code> — an author" in (listing.source_text or "")
    published, draft = await _published_and_draft(bot)

    # What an author may do: post a draft, fix it, list drafts, read the numbers.
    preview = await bot.command(AUTHOR, "/post\n" + ARTICLE_003)
    assert "Preview of e" in (preview.text or "") and "(draft)" in (preview.text or "")
    async with bot.session_factory() as session:
        mine = await session.scalar(select(Entry.id).where(Entry.created_by == AUTHOR))
    edited = await bot.command(AUTHOR, f"/edit e{mine} regions japan, europe")
    assert "regions changed from “japan” to “europe, japan”" in (edited.text or "")
    assert f"e{mine}" in ((await bot.command(AUTHOR, "/drafts")).text or "")
    assert "Newsletter statistics" in ((await bot.command(AUTHOR, "/stats")).text or "")
    opened_published = await bot.command(AUTHOR, f"/post e{published.id}")
    assert f"Preview of e{published.id} (published)" in (opened_published.text or "")

    before = await _snapshot(bot)
    # By button: Publish on their own draft, Discard and the editing buttons of published
    # content (the message is the author's own preview).
    pressed = await bot.press(AUTHOR, preview, text="Publish")
    assert pressed.answer["text"] == NEEDS_PUBLISHER and pressed.answer["show_alert"]
    assert "(draft)" in pressed.text  # the preview is left as it was
    regions = await bot.press(AUTHOR, opened_published, text="Edit regions")
    assert regions.answer["text"] == NEEDS_PUBLISHER
    forged = await bot.press_data(AUTHOR, preview, cb("rt", f"e{published.id}", 1))
    assert forged["text"] == NEEDS_PUBLISHER
    # By command.
    for command in (
        f"/schedule e{draft.id} +2h",
        f"/schedule e{draft.id} cancel",
        "/schedule",
        f"/retract e{published.id}",
        "/broadcast Hello everyone",
        f"/edit e{published.id} summary Rewritten",
        f"/editor add {OTHER_PUBLISHER} publisher",
        f"/editor remove {PUBLISHER}",
        "/source list",
    ):
        reply = await bot.command(AUTHOR, command)
        assert reply.text == NEEDS_PUBLISHER, command
    assert await _snapshot(bot) == before
    assert bot.emulator.messages(OTHER_PUBLISHER) == []

    # /help lists what an author can do, and says what publishers do besides.
    help_text = (await bot.command(AUTHOR, "/help")).text or ""
    assert "Editor commands — you are an author" in help_text
    for command in ("/post", "/drafts", "/digest", "/edit", "/stats", "/audit", "/editor list"):
        assert command in help_text, command
    for command in ("/schedule <id>", "/retract <id>", "/broadcast <text>", "/editor add"):
        assert command not in help_text, command
    assert "Publishers also publish (the ✅ Publish button), /schedule, /retract" in help_text
    assert "Editor commands — you are an author" in (
        (await bot.command(AUTHOR, "/editor help")).text or ""
    )

    # A publisher opens the author's draft from /drafts and publishes it.
    listed = await bot.command(PUBLISHER, "/drafts")
    opened = await bot.press(PUBLISHER, listed, text=f"e{mine} ·")
    assert opened.answer.get("text") is None
    reopened = await bot.emulator.wait_for_message(PUBLISHER, f"Preview of e{mine} (draft)")
    done = await bot.press(PUBLISHER, reopened, text="Publish")
    assert done.answer["text"].startswith(f"✅ Published e{mine}")
    assert await _status(bot, mine) == ContentStatus.PUBLISHED
    publisher_help = (await bot.command(PUBLISHER, "/help")).text or ""
    assert "you are a publisher" in publisher_help and "/broadcast" in publisher_help
    assert "Publishers also" not in publisher_help


@pytest.mark.bot(admin_ids=[PUBLISHER])
async def test_an_author_is_refused_in_chinese_when_they_read_chinese(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(PUBLISHER, "Chief")
    bot.user(CHINESE_AUTHOR, "Wang", language_code="zh-hans")
    added = await bot.command(PUBLISHER, f"/editor add {CHINESE_AUTHOR}")
    assert "No role given, so an author" in (added.text or "")
    published, _ = await _published_and_draft(bot)
    reply = await bot.command(CHINESE_AUTHOR, f"/retract e{published.id}")
    assert reply.text == (
        "🔒 此操作需要发布者角色，而你是作者。未做任何更改。请联系发布者（/editor list 可查看）。"
    )
    assert await _status(bot, published.id) == ContentStatus.PUBLISHED


@pytest.mark.bot(admin_ids=[PUBLISHER, OTHER_PUBLISHER])
async def test_retract_asks_first_and_only_the_publisher_who_asked_can_confirm(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.user(PUBLISHER, "Chief")
    bot.user(OTHER_PUBLISHER, "Deputy")
    bot.user(AUTHOR, "Writer")
    await bot.command(PUBLISHER, f"/editor add {AUTHOR} author")
    published, draft = await _published_and_draft(bot)
    ref = f"e{published.id}"

    asked = await bot.command(PUBLISHER, f"/retract {ref}")
    assert asked.text == (
        f"↩️ Retract {ref} (published): Published piece?\n"
        "It will be taken out of search, messages to it still queued will be cancelled, and it"
        " will not be sent again. It went to no reader yet."
    )
    assert await _status(bot, published.id) == ContentStatus.PUBLISHED  # nothing yet

    # Cancel: nothing changes, and the question can no longer be answered.
    confirm_data = asked.callback_data[0]
    kept = await bot.press(PUBLISHER, asked, text="Cancel")
    assert kept.text == f"Retraction of {ref} cancelled: nothing was changed."
    assert await _status(bot, published.id) == ContentStatus.PUBLISHED
    stale = await bot.press_data(PUBLISHER, kept.message, confirm_data)
    assert (
        stale["text"] == "This confirmation was already used or has expired. Send /retract again."
    )
    assert await _status(bot, published.id) == ContentStatus.PUBLISHED

    # Asked again: another publisher and an author cannot confirm it.
    asked = await bot.command(PUBLISHER, f"/retract {ref}")
    confirm_data = asked.callback_data[0]
    other = await bot.press_data(OTHER_PUBLISHER, asked, confirm_data)
    assert other["text"] == "Only the editor who asked for this retraction can confirm it."
    author = await bot.press_data(AUTHOR, asked, confirm_data)
    assert author["text"] == NEEDS_PUBLISHER
    assert await _status(bot, published.id) == ContentStatus.PUBLISHED

    done = await bot.press(PUBLISHER, asked, text="Retract")
    assert done.text.startswith(f"↩️ Retracted {ref}")
    assert await _status(bot, published.id) == ContentStatus.RETRACTED
    twice = await bot.press_data(PUBLISHER, done.message, confirm_data)
    assert twice["text"].startswith("This confirmation was already used")

    # Nothing to confirm for a draft or what is already retracted.
    assert (await bot.command(PUBLISHER, f"/retract e{draft.id}")).text == (
        f"e{draft.id} was never published; discard it from its preview instead."
    )
    assert (await bot.command(PUBLISHER, f"/retract {ref}")).text == f"{ref} was already retracted."
