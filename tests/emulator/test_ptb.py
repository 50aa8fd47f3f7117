"""python-telegram-bot against the emulator: its own parsing must accept every answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.emulator import TelegramEmulator

ANN = 4242


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Follow Japan", callback_data="follow:jp")]]
    )
    await update.effective_message.reply_html(
        f"Welcome, <b>{update.effective_user.first_name}</b>!", reply_markup=keyboard
    )


async def _follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer("Following Japan")
    await query.edit_message_text(
        f"You follow <i>{query.data.split(':')[1]}</i>.", parse_mode="HTML"
    )


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    content = bytes(await file.download_as_bytearray())
    await message.reply_text(f"Got {message.document.file_name}: {content.decode()}")


async def _inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    await query.answer(
        [
            InlineQueryResultArticle(
                id="1",
                title=f"Search: {query.query}",
                input_message_content=telegram.InputTextMessageContent(query.query),
            )
        ]
    )


async def _echo_in_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(f"topic {message.message_thread_id}", do_quote=False)


@pytest.fixture
async def application(emulator: TelegramEmulator) -> AsyncIterator[Application]:
    """A polling PTB Application with a few handlers, as the real bot is built."""
    root = emulator.base_url
    app = (
        ApplicationBuilder()
        .token(emulator.token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CommandHandler("topic", _echo_in_topic))
    app.add_handler(CallbackQueryHandler(_follow, pattern=r"^follow:"))
    app.add_handler(MessageHandler(filters.Document.ALL, _document))
    app.add_handler(InlineQueryHandler(_inline))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_ptb_bot_answers_start_and_a_button_press(
    emulator: TelegramEmulator, application: Application
) -> None:
    emulator.add_user(ANN, "Ann")
    emulator.send_command(ANN, "start")

    [welcome] = await emulator.wait_for_messages(ANN, 1)
    assert welcome.text == "Welcome, Ann!"
    assert welcome.parse_mode == "HTML"
    assert welcome.button_texts == ["Follow Japan"]

    press = emulator.press_button(ANN, text="Follow Japan")
    answer = await emulator.wait_for_callback_answer(press)
    edited = await emulator.wait_for_message(ANN, "You follow")

    assert answer == {"text": "Following Japan"}
    assert edited is welcome and edited.text == "You follow jp." and edited.buttons == []
    assert welcome.edits[0]["text"] == "Welcome, Ann!"
    emulator.assert_valid_requests()
    assert {"getMe", "deleteWebhook", "getUpdates"} <= set(emulator.counters.requests)


async def test_ptb_bot_downloads_a_document_the_user_sent(
    emulator: TelegramEmulator, application: Application
) -> None:
    emulator.send_document(ANN, "digest body", "digest-2026-05-01.txt")

    reply = await emulator.wait_for_message(ANN, "Got ")

    assert reply.text == "Got digest-2026-05-01.txt: digest body"
    assert emulator.requests("getFile")[0].status == 200


async def test_ptb_bot_answers_an_inline_query(
    emulator: TelegramEmulator, application: Application
) -> None:
    query = emulator.send_inline_query(ANN, "taiwan")

    results = await emulator.wait_for_inline_answer(query)

    assert [r["title"] for r in results] == ["Search: taiwan"]


async def test_ptb_bot_replies_inside_a_forum_topic(
    emulator: TelegramEmulator, application: Application
) -> None:
    forum = emulator.create_group("Analysts", forum=True, members=[ANN])
    topic = emulator.create_topic(forum.id, "Japan")

    emulator.send_command(ANN, "topic", chat_id=forum.id, thread_id=topic)
    [reply] = await emulator.wait_for_messages(forum.id, 1)

    assert reply.text == f"topic {topic}"
    assert reply.thread_id == topic
    assert reply.to_api()["is_topic_message"] is True


async def test_ptb_parses_every_object_the_emulator_returns(
    emulator: TelegramEmulator, emulator_bot: telegram.Bot
) -> None:
    emulator.add_user(ANN, "Ann", username="ann")
    forum = emulator.create_group("Forum", forum=True, creator=ANN, bot_admin=True)
    topic = emulator.create_topic(forum.id, "News")
    channel = emulator.create_channel("Digest", username="digest_channel")
    emulator.configure(rate_limits=False)
    bot = emulator_bot

    sent = await bot.send_message(
        ANN,
        "😀 <b>Bold</b> <a href='https://example.com'>link</a> <tg-spoiler>s</tg-spoiler>",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Go", url="https://x.org")]]),
    )
    in_topic = await bot.send_message(forum.id, "hello", message_thread_id=topic)
    post = await bot.send_message("@digest_channel", "post")
    edited = await bot.edit_message_reply_markup(ANN, sent.message_id)
    document = await bot.send_document(ANN, b"bytes", filename="a.bin", caption="file")
    photo = await bot.send_photo(ANN, b"\x89PNG", caption="photo")
    copied = await bot.copy_message(ANN, ANN, sent.message_id)
    forwarded = await bot.forward_message(ANN, ANN, sent.message_id)
    chat = await bot.get_chat(forum.id)
    admins = await bot.get_chat_administrators(forum.id)
    me_in_forum = await bot.get_chat_member(forum.id, emulator.bot_id)
    count = await bot.get_chat_member_count(forum.id)
    created = await bot.create_forum_topic(forum.id, "Created")
    await bot.set_my_commands([("start", "Start"), ("follow", "Follow a region")])
    menu = await bot.get_chat_menu_button()
    webhook = await bot.get_webhook_info()
    await bot.send_chat_action(ANN, "typing")

    assert sent.entities[0].type == "bold" and sent.entities[1].url == "https://example.com"
    assert sent.entities[0].offset == 3  # 😀 is two UTF-16 units
    assert in_topic.message_thread_id == topic and in_topic.is_topic_message
    assert post.sender_chat is not None and post.sender_chat.id == channel.id
    assert edited.reply_markup is None and edited.edit_date is not None
    assert document.document is not None and document.document.file_name == "a.bin"
    assert photo.photo and photo.caption == "photo"
    assert copied.message_id > forwarded.message_id - 2
    assert forwarded.forward_origin is not None
    assert chat.is_forum and chat.title == "Forum"
    assert [a.status for a in admins] == ["creator", "administrator"]
    assert me_in_forum.status == "administrator"
    assert count == 2
    assert created.name == "Created"
    assert menu.type == "commands"
    assert webhook.url == ""
    assert [c.command for c in await bot.get_my_commands()] == ["start", "follow"]
    assert emulator.chat_actions[0][:2] == (ANN, "typing")
    emulator.assert_valid_requests()


# PTB itself warns about RetryAfter.retry_after becoming a timedelta when it builds the error
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_raises_telegram_errors_for_limits_blocks_and_migrations(
    emulator: TelegramEmulator, emulator_bot: telegram.Bot
) -> None:
    emulator.add_user(ANN)
    group = emulator.create_group("Old", supergroup=False, members=[ANN])
    emulator.migrate_to_supergroup(group.id)
    bot = emulator_bot

    for _ in range(3):
        await bot.send_message(ANN, "ok")
    with pytest.raises(RetryAfter):
        await bot.send_message(ANN, "too fast")
    emulator.block(ANN)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ANN, "blocked")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(group.id, "old group")
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(
            migrated.value.new_chat_id,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="y" * 65)]]
            ),
        )

    assert emulator.requests("sendMessage")[3].description == "Too Many Requests: retry after 1"
    assert migrated.value.new_chat_id == emulator.chats[group.id].migrated_to
