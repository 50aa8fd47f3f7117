"""Groups follow things too: only their admins change what the group follows, and a forum
topic subscribes on its own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import KnownUser, Subscriber, Subscription
from tests.e2e.conftest import RunningBot

OWNER = 701
ADMIN = 702
MEMBER = 703
ADMINS_ONLY = "Only this group's admins can change what the group follows and its settings."


async def group_follows(bot: RunningBot, chat_id: int, thread_id: int = 0) -> set[str]:
    async with bot.session_factory() as session:
        rows = await session.scalars(
            select(Subscription.target)
            .join(Subscriber)
            .where(Subscriber.chat_id == chat_id, Subscriber.thread_id == thread_id)
        )
        return set(rows)


async def test_only_group_admins_change_the_groups_subscriptions(running_bot: RunningBot) -> None:
    bot = running_bot
    group = bot.emulator.create_group(
        "China watchers", creator=OWNER, admins=[ADMIN], members=[MEMBER]
    )

    refused = await bot.command(MEMBER, "/subscribe japan", chat_id=group.id)
    assert refused.text == ADMINS_ONLY
    assert refused.reply_to is not None and refused.reply_to.from_user["id"] == MEMBER
    for text in ("/alert rare earth", "/mode daily", "/stop", "/forget", "/start region-europe"):
        assert (await bot.command(MEMBER, text, chat_id=group.id)).text == ADMINS_ONLY

    picker = await bot.command(MEMBER, "/subscribe", chat_id=group.id)  # looking is fine
    press = await bot.press(MEMBER, picker, text="Japan")
    assert press.answer == {"text": ADMINS_ONLY, "show_alert": True}
    assert "▫️ Japan" in press.message.button_texts
    assert await group_follows(bot, group.id) == set()

    done = await bot.command(ADMIN, "/subscribe@digest_test_bot japan", chat_id=group.id)
    owner_press = await bot.press(OWNER, picker, text="Europe")
    assert (done.text or "").startswith("✅ You now follow Japan")
    assert "✅ Europe" in owner_press.message.button_texts
    assert await group_follows(bot, group.id) == {"japan", "europe"}

    listing = await bot.command(MEMBER, "/list", chat_id=group.id)
    assert "Japan" in (listing.text or "") and "Europe" in (listing.text or "")
    drop = await bot.press(MEMBER, listing, text="✖ Japan")
    assert drop.answer["show_alert"] is True
    assert await group_follows(bot, group.id) == {"japan", "europe"}

    # The member's own private chat is theirs to change.
    bot.user(MEMBER)
    await bot.command(MEMBER, "/subscribe russia")
    assert await group_follows(bot, MEMBER) == {"russia"}
    async with bot.session_factory() as session:
        saved = await session.scalar(select(Subscriber).where(Subscriber.chat_id == group.id))
    assert saved is not None and (saved.chat_type, saved.title) == ("supergroup", "China watchers")
    # Admin rights are cached briefly: one getChatMember per person, not one per action.
    asked = [int(r.params["user_id"]) for r in bot.emulator.requests("getChatMember")]
    assert sorted(asked) == sorted({OWNER, ADMIN, MEMBER})


async def test_subscriptions_made_in_a_forum_topic_belong_to_that_topic(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    forum = bot.emulator.create_group("Desk", forum=True, admins=[ADMIN], members=[MEMBER])
    japan_desk = bot.emulator.create_topic(forum.id, "Japan desk")

    in_topic = await bot.command(ADMIN, "/subscribe japan", chat_id=forum.id, thread_id=japan_desk)
    in_general = await bot.command(ADMIN, "/subscribe europe", chat_id=forum.id)
    picker = await bot.command(ADMIN, "/subscribe", chat_id=forum.id, thread_id=japan_desk)
    toggled = await bot.press(ADMIN, picker, text="Africa")

    assert in_topic.thread_id == japan_desk and picker.thread_id == japan_desk
    assert in_general.thread_id is None
    assert "✅ Japan" in toggled.message.button_texts
    assert "✅ Europe" not in toggled.message.button_texts
    assert await group_follows(bot, forum.id, japan_desk) == {"japan", "africa"}
    assert await group_follows(bot, forum.id, 0) == {"europe"}


async def test_a_non_admin_starting_the_bot_in_a_group_changes_nothing(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    group = bot.emulator.create_group("Readers", admins=[ADMIN], members=[MEMBER])

    welcome = await bot.command(MEMBER, "/start", chat_id=group.id)
    helped = await bot.command(MEMBER, "/help", chat_id=group.id)

    assert (welcome.text or "").startswith("Welcome")
    assert "only admins" in (helped.text or "")
    bot.emulator.send_message(MEMBER, "/otherbots_command", chat_id=group.id)
    unknown = await bot.command(MEMBER, "/frobnicate@digest_test_bot", chat_id=group.id)
    assert "/help" in (unknown.text or "")
    assert len(bot.emulator.messages(group.id)) == 3  # the bare command was left alone
    async with bot.session_factory() as session:
        assert (
            await session.scalar(select(Subscriber).where(Subscriber.chat_id == group.id)) is None
        )


async def test_users_seen_are_remembered_for_editor_commands(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(OWNER, "Olga", username="olga_w")
    group = bot.emulator.create_group("Readers", members=[MEMBER])
    bot.emulator.add_user(MEMBER, "Max", username="max_m", started=False)

    await bot.command(OWNER, "/help")
    await bot.command(MEMBER, "/list", chat_id=group.id)

    await bot.services.known_users.flush()  # written behind the replies, in batches
    async with bot.session_factory() as session:
        rows = {u.user_id: u.username for u in await session.scalars(select(KnownUser))}
    assert rows == {OWNER: "olga_w", MEMBER: "max_m"}


@pytest.mark.emulator(error_rate=1.0, fault_methods=frozenset({"setMyCommands"}))
async def test_a_failing_command_menu_does_not_stop_the_bot(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.user(OWNER)

    welcome = await bot.command(OWNER, "/start")

    assert (welcome.text or "").startswith("Welcome")
    assert [r.status for r in bot.emulator.requests("setMyCommands")][:1] == [500]
