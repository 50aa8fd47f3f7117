"""The Bot API over raw HTTP: what Telegram accepts, refuses, and how it says so."""

from __future__ import annotations

import json

import aiohttp
import pytest

from bot.emulator import TelegramEmulator
from tests.emulator.conftest import Call

USER = 1001


async def test_unknown_method_is_404_not_found(call: Call) -> None:
    status, body = await call("sendTelepathy", chat_id=USER)

    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive_like_telegram(call: Call) -> None:
    status, body = await call("GETME")

    assert status == 200
    assert body["result"]["is_bot"] is True


async def test_a_wrong_token_is_401_unauthorized(
    emulator: TelegramEmulator, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{emulator.base_url}/bot123:nope/getMe") as response:
        assert response.status == 401
        assert (await response.json())["description"] == "Unauthorized"


async def test_send_without_text_says_message_text_is_empty(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)

    status, body = await call("sendMessage", chat_id=USER)

    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_send_without_chat_id_says_chat_id_is_empty(call: Call) -> None:
    status, body = await call("sendMessage", text="hello")

    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")


async def test_other_missing_fields_get_the_generic_required_wording(call: Call) -> None:
    status, body = await call("answerInlineQuery", inline_query_id="1")

    assert (status, body["description"]) == (400, 'Bad Request: parameter "results" is required')


async def test_a_field_the_method_does_not_have_is_refused(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)

    status, body = await call("sendMessage", chat_id=USER, text="hi", colour="red")

    assert status == 400
    assert body["description"] == 'Bad Request: unknown parameter "colour"'


async def test_a_field_of_the_wrong_type_is_refused(call: Call) -> None:
    status, body = await call("getUpdates", limit="many")

    assert status == 400
    assert "limit" in body["description"]


@pytest.mark.emulator(rate_limits=False)
async def test_json_form_multipart_and_query_string_bodies_all_work(
    emulator: TelegramEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.add_user(USER)
    url = emulator.api_url("sendMessage")
    keyboard = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", str(USER))
    multipart.add_field("text", "multipart")
    multipart.add_field("reply_markup", keyboard)
    multipart.add_field("document", b"ignored", filename="x.txt")  # a file part forces multipart

    async with http.post(url, json={"chat_id": USER, "text": "json"}) as r:
        assert r.status == 200
    async with http.post(
        url, data={"chat_id": str(USER), "text": "form", "reply_markup": keyboard}
    ) as r:
        assert r.status == 200
    async with http.get(url, params={"chat_id": str(USER), "text": "query"}) as r:
        assert r.status == 200
    async with http.post(emulator.api_url("sendDocument"), data=multipart) as r:
        assert r.status == 400  # sendDocument has no "text" field
    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", str(USER))
    multipart.add_field("caption", "<b>report</b>")
    multipart.add_field("parse_mode", "HTML")
    multipart.add_field("document", b"%PDF-1.4", filename="report.pdf")
    async with http.post(emulator.api_url("sendDocument"), data=multipart) as r:
        assert r.status == 200
        document = (await r.json())["result"]["document"]

    sent = emulator.messages(USER)
    assert [m.text for m in sent[:3]] == ["json", "form", "query"]
    assert sent[1].callback_data == ["a"]
    assert document["file_name"] == "report.pdf"
    assert sent[3].caption == "report"
    assert emulator.files[document["file_id"]].data == b"%PDF-1.4"


async def test_text_over_4096_visible_characters_is_too_long(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)

    at_limit = await call("sendMessage", chat_id=USER, text="x" * 4096)
    tags_do_not_count = await call(
        "sendMessage", chat_id=USER, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML"
    )
    status, body = await call("sendMessage", chat_id=USER, text="x" * 4097)

    assert at_limit[0] == tags_do_not_count[0] == 200
    assert (status, body["description"]) == (400, "Bad Request: message is too long")


async def test_length_is_counted_in_utf16_units_so_emoji_count_twice(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)
    emulator.configure(rate_limits=False)

    fits = await call("sendMessage", chat_id=USER, text="😀" * 2048)
    too_long = await call("sendMessage", chat_id=USER, text="😀" * 2048 + "x")
    chinese_fits = await call("sendMessage", chat_id=USER, text="中" * 4096)

    assert fits[0] == chinese_fits[0] == 200
    assert too_long[1]["description"] == "Bad Request: message is too long"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("Hello <br> world", 'Unsupported start tag "br" at byte offset 6'),
        ("<b>bold", "Can't find end tag corresponding to start tag b"),
        ("<b><i>crossed</b></i>", 'expected "</i>", found "</b>"'),
        ("3 < 5", 'Unsupported start tag "" at byte offset 2'),
        ("R&D budget", 'Unescaped "&" at byte offset 1'),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("</b>", "Unexpected end tag at byte offset 0"),
    ],
)
async def test_html_telegram_would_refuse_is_a_parse_error(
    emulator: TelegramEmulator, call: Call, html: str, reason: str
) -> None:
    emulator.add_user(USER)

    status, body = await call("sendMessage", chat_id=USER, text=html, parse_mode="HTML")

    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert reason in body["description"]


async def test_every_supported_html_tag_becomes_an_entity(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>"
        '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://example.com">link</a><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>quote</blockquote><blockquote expandable>more</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#39;&#x41;'
    )

    status, body = await call("sendMessage", chat_id=USER, text=html, parse_mode="HTML")

    assert status == 200, body
    result = body["result"]
    assert result["text"].endswith("👍 <>&\"'A")
    types = [e["type"] for e in result["entities"]]
    assert types.count("bold") == 2 and types.count("strikethrough") == 3
    assert {"italic", "underline", "spoiler", "text_link", "code", "pre"} <= set(types)
    assert {"blockquote", "expandable_blockquote", "custom_emoji"} <= set(types)
    pre = next(e for e in result["entities"] if e["type"] == "pre")
    assert pre["language"] == "python"


async def test_callback_data_over_64_bytes_is_button_data_invalid(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)

    def keyboard(data: str) -> dict[str, object]:
        return {
            "inline_keyboard": [
                [{"text": "ok", "callback_data": "x"}, {"text": "?", "callback_data": data}]
            ]
        }

    fits = await call("sendMessage", chat_id=USER, text="a", reply_markup=keyboard("é" * 32))
    status, body = await call(
        "sendMessage", chat_id=USER, text="b", reply_markup=keyboard("é" * 33)
    )

    assert fits[0] == 200
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_an_inline_button_without_an_action_is_refused(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)

    status, body = await call(
        "sendMessage", chat_id=USER, text="a", reply_markup={"inline_keyboard": [[{"text": "x"}]]}
    )

    assert status == 400
    assert "Text buttons are unallowed in the inline keyboard" in body["description"]


async def test_a_user_who_blocked_the_bot_is_403_forbidden(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)
    emulator.block(USER)

    status, body = await call("sendMessage", chat_id=USER, text="news")

    assert status == 403
    assert body == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    assert emulator.messages(USER) == []


async def test_a_user_who_never_started_the_bot_cannot_be_written_to(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER, started=False)

    status, body = await call("sendMessage", chat_id=USER, text="hi")

    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )


async def test_an_unknown_chat_is_400_chat_not_found(call: Call) -> None:
    status, body = await call("sendMessage", chat_id=987654, text="hi")

    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_fourth_message_within_a_second_in_a_private_chat_is_429(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)

    burst = [await call("sendMessage", chat_id=USER, text=f"#{i}") for i in range(3)]
    status, body = await call("sendMessage", chat_id=USER, text="#4")

    assert [s for s, _ in burst] == [200, 200, 200]
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    emulator.advance_clock(1.0)
    assert (await call("sendMessage", chat_id=USER, text="#4"))[0] == 200
    assert emulator.counters.too_many_requests == 1


async def test_a_group_takes_20_messages_a_minute(emulator: TelegramEmulator, call: Call) -> None:
    group = emulator.create_group("Readers")
    for i in range(20):
        assert (await call("sendMessage", chat_id=group.id, text=f"{i}"))[0] == 200
        emulator.advance_clock(0.5)

    status, body = await call("sendMessage", chat_id=group.id, text="21st")

    assert status == 429
    assert body["parameters"]["retry_after"] == 50  # the first send leaves the window in 50 s
    emulator.advance_clock(50)
    assert (await call("sendMessage", chat_id=group.id, text="21st"))[0] == 200


async def test_more_than_30_sends_a_second_overall_is_429_unless_paid(
    emulator: TelegramEmulator, call: Call
) -> None:
    for user in range(1, 41):
        emulator.add_user(user)

    statuses = [(await call("sendMessage", chat_id=u, text="hi"))[0] for u in range(1, 32)]
    paid = await call("sendMessage", chat_id=35, text="hi", allow_paid_broadcast=True)

    assert statuses == [200] * 30 + [429]
    assert paid[0] == 200
    assert emulator.max_sends_in_window(1.0) == 31


@pytest.mark.emulator(rate_limit=1000)
async def test_the_overall_limit_is_configurable(emulator: TelegramEmulator, call: Call) -> None:
    for user in range(1, 101):
        emulator.add_user(user)

    statuses = {(await call("sendMessage", chat_id=u, text="hi"))[0] for u in range(1, 101)}

    assert statuses == {200}


async def test_edits_count_towards_the_chat_limit_but_not_the_overall_one(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.configure(rate_limit=1)
    emulator.add_user(USER)
    emulator.add_user(USER + 1)
    _, sent = await call("sendMessage", chat_id=USER, text="v0")
    message_id = sent["result"]["message_id"]

    edits = [
        (await call("editMessageText", chat_id=USER, message_id=message_id, text=f"v{i}"))[0]
        for i in (1, 2, 3)
    ]

    assert edits == [200, 200, 429]  # the send and two edits used the chat's burst of 3
    assert (await call("sendMessage", chat_id=USER + 1, text="x"))[0] == 429  # 1/s overall


async def test_edits_and_deletions_show_in_what_the_user_sees(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)
    keyboard = {"inline_keyboard": [[{"text": "More", "callback_data": "more"}]]}
    _, first = await call("sendMessage", chat_id=USER, text="Draft", reply_markup=keyboard)
    _, second = await call("sendMessage", chat_id=USER, text="Temp")
    first_id, second_id = first["result"]["message_id"], second["result"]["message_id"]

    _, edited = await call(
        "editMessageText", chat_id=USER, message_id=first_id, text="<i>Final</i>", parse_mode="HTML"
    )
    not_modified = await call(
        "editMessageText", chat_id=USER, message_id=first_id, text="<i>Final</i>", parse_mode="HTML"
    )
    deleted = await call("deleteMessage", chat_id=USER, message_id=second_id)
    deleted_again = await call("deleteMessage", chat_id=USER, message_id=second_id)

    assert edited["result"]["edit_date"] >= edited["result"]["date"]
    assert "reply_markup" not in edited["result"]  # editMessageText without markup drops it
    assert not_modified[1]["description"].startswith("Bad Request: message is not modified")
    assert deleted[1]["result"] is True
    assert deleted_again[1]["description"] == "Bad Request: message to delete not found"
    draft, temp = emulator.messages(USER)
    assert (draft.text, draft.parse_mode, draft.buttons, len(draft.edits)) == (
        "Final",
        "HTML",
        [],
        1,
    )
    assert draft.edits[0]["text"] == "Draft"
    assert temp.deleted
    assert emulator.messages(USER, include_deleted=False) == [draft]


async def test_other_api_methods_are_accepted_recorded_and_typed(
    emulator: TelegramEmulator, call: Call
) -> None:
    emulator.add_user(USER)

    menu = await call("setChatMenuButton", menu_button={"type": "commands"})
    commands = await call("getMyCommands")
    location = await call("sendLocation", chat_id=USER, latitude=39.9, longitude=116.4)

    assert menu == (200, {"ok": True, "result": True})
    assert commands[1]["result"] == []
    assert location[1]["result"]["chat"]["id"] == USER
    assert [r.method for r in emulator.requests()] == [
        "setChatMenuButton",
        "getMyCommands",
        "sendLocation",
    ]
    assert emulator.stats()["requests"]["sendLocation"] == 1
