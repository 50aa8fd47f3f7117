"""The user's side: writing, pressing, groups and topics, blocking, and how the bot hears it."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from bot.emulator import TelegramEmulator
from tests.emulator.conftest import Call

ANN, BOB = 2001, 2002


async def test_long_polling_wakes_up_when_a_user_writes(
    emulator: TelegramEmulator, call: Call
) -> None:
    poll = asyncio.create_task(call("getUpdates", timeout=5))
    await emulator.wait_until(lambda: emulator.polling, 2, "the bot to poll")

    emulator.send_command(ANN, "start", "ref42")
    status, body = await asyncio.wait_for(poll, 2)

    assert status == 200
    [update] = body["result"]
    message = update["message"]
    assert message["text"] == "/start ref42"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"]["id"] == ANN and message["chat"]["type"] == "private"


async def test_a_user_keeps_their_profile_across_messages(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(ANN, "Ann", username="ann_k", language_code="zh-hans")

    emulator.send_message(ANN, "你好")
    emulator.send_message(ANN, "again")
    _, updates = await call("getUpdates")
    _, chat = await call("getChat", chat_id=ANN)

    senders = [u["message"]["from"] for u in updates["result"]]
    assert [s["language_code"] for s in senders] == ["zh-hans", "zh-hans"]
    assert senders[0]["username"] == "ann_k"
    assert (chat["result"]["first_name"], chat["result"]["username"]) == ("Ann", "ann_k")


async def test_get_updates_offset_confirms_updates(emulator: TelegramEmulator, call: Call) -> None:
    for text in ("one", "two", "three"):
        emulator.send_message(ANN, text)

    _, first = await call("getUpdates", limit=2)
    ids = [u["update_id"] for u in first["result"]]
    _, rest = await call("getUpdates", offset=ids[-1] + 1)
    _, last_only = await call("getUpdates", offset=-1)

    assert [u["message"]["text"] for u in first["result"]] == ["one", "two"]
    assert [u["message"]["text"] for u in rest["result"]] == ["three"]
    assert last_only["result"] == rest["result"]
    assert emulator.pending_updates == 1


async def test_a_second_poller_terminates_the_first_with_409(
    emulator: TelegramEmulator, call: Call
) -> None:
    first = asyncio.create_task(call("getUpdates", timeout=5))
    await emulator.wait_until(lambda: emulator.polling, 2, "the first poll")

    second = asyncio.create_task(call("getUpdates", timeout=0))
    status, body = await asyncio.wait_for(first, 2)
    await second

    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_updates_are_posted_to_a_webhook_with_its_secret(
    emulator: TelegramEmulator, call: Call
) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await call("setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        emulator.send_message(ANN, "via webhook")
        await emulator.wait_for_updates_fetched(timeout=3)
        _, info = await call("getWebhookInfo")
        polling = await call("getUpdates")
    finally:
        await runner.cleanup()

    [(secret, update)] = received
    assert secret == "s3cret"
    assert update["message"]["text"] == "via webhook"  # type: ignore[index]
    assert info["result"]["url"].endswith("/hook") and info["result"]["pending_update_count"] == 0
    assert polling[0] == 409


async def test_a_button_press_is_a_callback_query_on_the_bots_message(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(ANN, "Ann")
    keyboard = {
        "inline_keyboard": [
            [
                {"text": "Japan", "callback_data": "f:jp"},
                {"text": "Korea", "callback_data": "f:kr"},
            ],
            [{"text": "Site", "url": "https://example.com"}],
        ]
    }
    _, sent = await call("sendMessage", chat_id=ANN, text="Pick", reply_markup=keyboard)

    press = emulator.press_button(ANN, text="Korea")
    _, updates = await call("getUpdates")
    query = updates["result"][0]["callback_query"]
    first = await call("answerCallbackQuery", callback_query_id=query["id"], text="Done")
    again = await call("answerCallbackQuery", callback_query_id=query["id"])

    assert (query["data"], query["from"]["id"]) == ("f:kr", ANN)
    assert query["message"]["message_id"] == sent["result"]["message_id"]
    assert first[0] == 200 and press.answer == {"text": "Done"}
    assert again[1]["description"].startswith("Bad Request: query is too old")
    with pytest.raises(ValueError, match="not a callback button"):
        emulator.press_button(ANN, text="Site")
    with pytest.raises(LookupError):
        emulator.press_button(ANN, text="China")


async def test_in_groups_the_bot_hears_commands_and_mentions_only(
    emulator: TelegramEmulator, call: Call
) -> None:
    group = emulator.create_group("Readers", creator=ANN, members=[BOB])

    emulator.send_message(BOB, "just chatting", chat_id=group.id)
    emulator.send_command(BOB, "digest", chat_id=group.id, mention=True)
    emulator.send_message(ANN, "hey @digest_test_bot", chat_id=group.id)
    _, updates = await call("getUpdates")
    _, admins = await call("getChatAdministrators", chat_id=group.id)
    _, member = await call("getChatMember", chat_id=group.id, user_id=BOB)
    _, stranger = await call("getChatMember", chat_id=group.id, user_id=ANN + 99)

    texts = [u["message"]["text"] for u in updates["result"]]
    assert texts == ["/digest@digest_test_bot", "hey @digest_test_bot"]
    assert [a["status"] for a in admins["result"]] == ["creator"]
    assert member["result"]["status"] == "member"
    assert stranger["description"] == "Bad Request: user not found"
    assert len(emulator.history(group.id)) == 3


async def test_topics_in_a_forum_carry_their_thread_id(
    emulator: TelegramEmulator, call: Call
) -> None:
    forum = emulator.create_group("Desk", forum=True, bot_admin=True, members=[ANN])
    japan = emulator.create_topic(forum.id, "Japan")

    emulator.send_message(ANN, "anything new?", chat_id=forum.id, thread_id=japan)
    _, updates = await call("getUpdates")
    _, reply = await call("sendMessage", chat_id=forum.id, message_thread_id=japan, text="Yes")
    _, general = await call("sendMessage", chat_id=forum.id, text="General news")
    missing = await call("sendMessage", chat_id=forum.id, message_thread_id=9999, text="?")

    message = updates["result"][0]["message"]
    assert (message["message_thread_id"], message["is_topic_message"]) == (japan, True)
    assert (reply["result"]["message_thread_id"], reply["result"]["is_topic_message"]) == (
        japan,
        True,
    )
    assert "message_thread_id" not in general["result"]
    assert missing[1]["description"] == "Bad Request: message thread not found"
    assert [m.text for m in emulator.messages(forum.id, thread_id=japan)] == ["Yes"]


async def test_a_group_upgraded_to_a_supergroup_answers_with_the_new_id(
    emulator: TelegramEmulator, call: Call
) -> None:
    group = emulator.create_group("Small", supergroup=False, creator=ANN)

    supergroup = emulator.migrate_to_supergroup(group.id)
    status, body = await call("sendMessage", chat_id=group.id, text="hi")
    _, updates = await call("getUpdates")

    assert status == 400
    assert body["parameters"] == {"migrate_to_chat_id": supergroup.id}
    service = [u["message"] for u in updates["result"]]
    assert service[0]["migrate_to_chat_id"] == supergroup.id
    assert service[1]["migrate_from_chat_id"] == group.id


async def test_channel_posts_reach_the_bot_and_its_posts_are_signed_by_the_channel(
    emulator: TelegramEmulator, call: Call
) -> None:
    channel = emulator.create_channel("Digest", username="digest_news")

    emulator.post_to_channel(channel.id, "Issue #12 is out")
    _, updates = await call("getUpdates")
    _, post = await call("sendMessage", chat_id="@digest_news", text="Summary")
    emulator.kick_bot(channel.id)
    kicked = await call("sendMessage", chat_id=channel.id, text="again")

    assert updates["result"][0]["channel_post"]["text"] == "Issue #12 is out"
    assert "from" not in post["result"] and post["result"]["sender_chat"]["id"] == channel.id
    assert kicked[1]["description"] == "Forbidden: bot was kicked from the channel chat"


async def test_blocking_tells_the_bot_and_writing_again_unblocks(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(ANN)

    emulator.block(ANN)
    _, updates = await call("getUpdates")
    emulator.send_message(ANN, "/start")
    after = await call("sendMessage", chat_id=ANN, text="welcome back")

    change = updates["result"][0]["my_chat_member"]
    assert change["new_chat_member"]["status"] == "kicked"
    assert after[0] == 200


async def test_ask_waits_for_the_bots_replies_without_sleeping(
    emulator: TelegramEmulator, call: Call
) -> None:
    async def bot_replies() -> None:
        _, updates = await call("getUpdates", timeout=5)
        chat_id = updates["result"][0]["message"]["chat"]["id"]
        await call("sendMessage", chat_id=chat_id, text="first")
        await call("sendMessage", chat_id=chat_id, text="second")

    replying = asyncio.create_task(bot_replies())
    replies = await emulator.ask(ANN, "/list", replies=2)
    await replying

    assert [m.text for m in replies] == ["first", "second"]
    with pytest.raises(TimeoutError, match="the bot sent 2"):
        await emulator.wait_for_messages(ANN, 3, timeout=0.05)


async def test_the_control_api_drives_the_emulator_from_another_process(
    emulator: TelegramEmulator, http: aiohttp.ClientSession, call: Call
) -> None:
    root = f"{emulator.base_url}/_emulator"

    async def control(verb: str, name: str, **body: object) -> object:
        kwargs = {"json": body} if verb == "POST" else {"params": body}
        async with http.request(verb, f"{root}/{name}", **kwargs) as response:  # type: ignore[arg-type]
            payload = await response.json()
            assert payload["ok"], payload
            return payload["result"]

    await control("POST", "send_message", user_id=ANN, text="/start")
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
    await call("sendMessage", chat_id=ANN, text="Sure?", reply_markup=keyboard)
    messages = await control("GET", "messages", chat_id=ANN)
    pressed = await control("POST", "press_button", user_id=ANN, text="Yes")
    await control("POST", "block", user_id=BOB)
    counters = await control("GET", "counters")
    async with http.get(f"{root}/") as response:
        index = await response.json()

    assert [m["text"] for m in messages] == ["Sure?"]  # type: ignore[index]
    assert messages[0]["buttons"] == keyboard["inline_keyboard"]  # type: ignore[index]
    assert pressed["data"] == "y"  # type: ignore[index]
    assert emulator.users[BOB].blocked
    assert counters["requests"] == {"sendMessage": 1}  # type: ignore[index]
    assert "/_emulator/send_message" in index["endpoints"]


async def test_the_bots_channel_rights_are_reported_and_enforced(
    emulator: TelegramEmulator, call: Call
) -> None:
    posting = emulator.create_channel("News", username="news_ok")
    muted = emulator.create_channel(
        "Quiet", username="news_muted", bot_rights={"can_post_messages": False}
    )
    me = (await call("getMe"))[1]["result"]["id"]

    ok = (await call("getChatMember", chat_id="@news_ok", user_id=me))[1]["result"]
    no = (await call("getChatMember", chat_id=muted.id, user_id=me))[1]["result"]
    refused = await call("sendMessage", chat_id="@news_muted", text="hello")
    sent = await call("sendMessage", chat_id="@news_ok", text="hello")

    assert ok["status"] == "administrator" and ok["can_post_messages"] is True
    assert no["status"] == "administrator" and no["can_post_messages"] is False
    assert refused[0] == 400 and "need administrator rights" in refused[1]["description"]
    assert sent[0] == 200 and sent[1]["result"]["chat"]["id"] == posting.id
