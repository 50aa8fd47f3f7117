"""The emulator's HTTP face: the Bot API, file downloads, and the `/_emulator/` control API.

Bot API: `/bot<token>/<method>` with a JSON, urlencoded or multipart body (and/or a query
string), answered as Telegram answers. Files: `/file/bot<token>/<file_path>`. Control API: JSON
endpoints under `/_emulator/` through which another process (the sandbox, a benchmark) acts as
users and reads what the bot did; `GET /_emulator/` lists them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.emulator.errors import UNAUTHORIZED
from bot.emulator.spec import UploadedFile

if TYPE_CHECKING:
    from bot.emulator.emulator import TelegramEmulator

log = logging.getLogger(__name__)
EMULATOR_KEY: web.AppKey[TelegramEmulator] = web.AppKey("emulator")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=_dumps(body).encode("utf-8"), status=status, content_type="application/json"
    )


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query) if request.query_string else {}
    if not request.body_exists:
        return params
    content_type = request.content_type
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(
                    value.filename or key, value.content_type or "", value.file.read()
                )
            else:
                params[key] = value
        return params
    raw = await request.read()
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict):
            params.update(body)
    return params


async def _api(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emulator.token:
        return _json(UNAUTHORIZED.to_json(), 401)
    params = await _read_params(request)
    status, body = await emulator.api.handle(request.match_info.get("method", ""), params)
    return _json(body, status)


async def _file(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emulator.token:
        return _json(UNAUTHORIZED.to_json(), 401)
    stored = emulator.file_by_path(request.match_info["path"])
    if stored is None or stored.data is None:
        return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


# ------------------------------------------------------------------------------ control API

Control = Callable[["TelegramEmulator", dict[str, Any]], Any]
_CONTROL: dict[str, tuple[str, Control, str]] = {}


def _control(method: str, name: str, doc: str) -> Callable[[Control], Control]:
    def register(fn: Control) -> Control:
        _CONTROL[name] = (method, fn, doc)
        return fn

    return register


def _int(args: dict[str, Any], key: str, default: Any = None) -> Any:
    value = args.get(key, default)
    return int(value) if value is not None and value != "" else default


@_control("POST", "users", "{user_id, first_name?, username?, language_code?} -> user")
def _c_user(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    user = emu.add_user(
        int(a["user_id"]),
        a.get("first_name"),
        username=a.get("username"),
        language_code=a.get("language_code"),
    )
    return user.to_api()


@_control(
    "POST",
    "groups",
    "{title, chat_id?, supergroup?, forum?, username?, creator?, admins?, members?, bot_admin?}",
)
def _c_group(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    chat = emu.create_group(
        a.get("title", "Test group"),
        chat_id=_int(a, "chat_id"),
        supergroup=bool(a.get("supergroup", True)),
        forum=bool(a.get("forum", False)),
        username=a.get("username"),
        creator=_int(a, "creator"),
        admins=[int(x) for x in a.get("admins", [])],
        members=[int(x) for x in a.get("members", [])],
        bot_admin=bool(a.get("bot_admin", False)),
    )
    return chat.to_api()


@_control("POST", "topics", "{chat_id, name} -> {message_thread_id}")
def _c_topic(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    return {"message_thread_id": emu.create_topic(int(a["chat_id"]), str(a["name"]))}


@_control("POST", "send_message", "{user_id, text, chat_id?, thread_id?, reply_to?} -> message")
def _c_send(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    message = emu.send_message(
        int(a["user_id"]),
        str(a["text"]),
        chat_id=_int(a, "chat_id"),
        thread_id=_int(a, "thread_id"),
        reply_to=_int(a, "reply_to"),
    )
    return message.view()


@_control("POST", "send_command", "{user_id, command, args?, chat_id?, thread_id?} -> message")
def _c_command(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    message = emu.send_command(
        int(a["user_id"]),
        str(a["command"]),
        str(a.get("args", "")),
        chat_id=_int(a, "chat_id"),
        thread_id=_int(a, "thread_id"),
    )
    return message.view()


@_control(
    "POST",
    "send_document",
    "{user_id, file_name, content_base64 | content_text, mime_type?, caption?, chat_id?}",
)
def _c_document(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    if "content_base64" in a:
        content: bytes = base64.b64decode(a["content_base64"])
    else:
        content = str(a.get("content_text", "")).encode("utf-8")
    message = emu.send_document(
        int(a["user_id"]),
        content,
        str(a.get("file_name", "document.txt")),
        mime_type=a.get("mime_type"),
        caption=a.get("caption"),
        chat_id=_int(a, "chat_id"),
        thread_id=_int(a, "thread_id"),
    )
    return message.view()


@_control("POST", "press_button", "{user_id, chat_id?, message_id?, text? | data?} -> query")
def _c_press(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    query = emu.press_button(
        int(a["user_id"]),
        _int(a, "chat_id"),
        _int(a, "message_id"),
        text=a.get("text"),
        data=a.get("data"),
    )
    return {"callback_query_id": query.id, "data": query.data, "message_id": query.message_id}


@_control("GET", "callback_answer", "?id= -> {answered, answer}")
def _c_callback_answer(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    query = emu.callback_queries[str(a["id"])]
    return {"answered": query.answered, "answer": query.answer}


@_control("POST", "inline_query", "{user_id, query, offset?} -> {inline_query_id}")
def _c_inline(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    record = emu.send_inline_query(int(a["user_id"]), str(a["query"]), offset=a.get("offset", ""))
    return {"inline_query_id": record.id}


@_control("GET", "inline_answer", "?id= -> {answered, results}")
def _c_inline_answer(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    record = emu.inline_queries[str(a["id"])]
    return {"answered": record.answered, "results": record.results, "answer": record.answer}


@_control("GET", "messages", "?chat_id=&thread_id=&all=1 -> the bot's messages (all=1: everyone's)")
def _c_messages(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    chat_id = int(a["chat_id"])
    if a.get("all") in ("1", "true", True):
        return [m.view() for m in emu.history(chat_id)]
    return [m.view() for m in emu.messages(chat_id, thread_id=_int(a, "thread_id"))]


@_control("POST", "block", "{user_id}")
def _c_block(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    emu.block(int(a["user_id"]))
    return True


@_control("POST", "unblock", "{user_id}")
def _c_unblock(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    emu.unblock(int(a["user_id"]))
    return True


@_control("GET", "counters", "-> requests per method, statuses, 429s, errors, sends")
def _c_counters(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    return emu.stats()


@_control("GET", "requests", "?method=&since=<index> -> the request log")
def _c_requests(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    records = emu.requests(a.get("method") or None)
    return [r.view() for r in records[_int(a, "since", 0) :]]


@_control("GET", "commands", "?language_code= -> the command menu")
def _c_commands(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    return emu.commands(a.get("language_code", ""))


@_control("POST", "config", "{latency_ms?, error_rate?, timeout_rate?, rate_limit?, ...}")
def _c_config(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    emu.configure(**a)
    return True


@_control("POST", "advance_clock", "{seconds}: let flood-limit windows pass")
def _c_clock(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    emu.advance_clock(float(a["seconds"]))
    return True


async def _c_wait_messages(emu: TelegramEmulator, a: dict[str, Any]) -> Any:
    sent = await emu.wait_for_messages(
        int(a["chat_id"]), int(a.get("count", 1)), timeout=float(a.get("timeout", 10))
    )
    return [m.view() for m in sent]


_ASYNC_CONTROL: dict[str, tuple[str, Callable[..., Awaitable[Any]], str]] = {
    "wait_messages": ("GET", _c_wait_messages, "?chat_id=&count=&timeout= -> bot messages"),
}


async def _control_handler(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    name = request.match_info["name"]
    args: dict[str, Any] = dict(request.query)
    if request.body_exists:
        try:
            body = await request.json()
        except ValueError:
            return _json({"ok": False, "error": "the body must be a JSON object"}, 400)
        if isinstance(body, dict):
            args.update(body)
    try:
        if name in _ASYNC_CONTROL:
            result = await _ASYNC_CONTROL[name][1](emulator, args)
        elif name in _CONTROL:
            result = _CONTROL[name][1](emulator, args)
        else:
            return _json({"ok": False, "error": f"unknown endpoint {name!r}"}, 404)
    except (KeyError, LookupError, ValueError, TypeError, TimeoutError) as exc:
        return _json({"ok": False, "error": f"{exc.__class__.__name__}: {exc}"}, 400)
    return _json({"ok": True, "result": result})


async def _control_index(request: web.Request) -> web.Response:
    endpoints = {
        f"/_emulator/{name}": f"{method} {doc}"
        for name, (method, _, doc) in {**_CONTROL, **_ASYNC_CONTROL}.items()
    }
    emulator = request.app[EMULATOR_KEY]
    return _json(
        {
            "ok": True,
            "token": emulator.token,
            "bot": emulator.bot_user,
            "api": f"{emulator.base_url}/bot{emulator.token}/<method>",
            "endpoints": endpoints,
        }
    )


def create_app(emulator: TelegramEmulator) -> web.Application:
    """The aiohttp application serving one emulator."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[EMULATOR_KEY] = emulator
    app.router.add_route("*", "/bot{token}/{method}", _api)
    app.router.add_route("*", "/bot{token}/", _api)
    app.router.add_get("/file/bot{token}/{path:.+}", _file)
    app.router.add_get("/_emulator/", _control_index)
    app.router.add_get("/_emulator", _control_index)
    app.router.add_route("*", "/_emulator/{name}", _control_handler)
    return app


async def serve(
    port: int = 8081,
    host: str = "127.0.0.1",
    *,
    on_ready: Callable[[TelegramEmulator], object] | None = None,
    **options: Any,
) -> None:
    """Run an emulator until cancelled; `options` are `EmulatorConfig` fields.

    `on_ready(emulator)` is called once it listens (for embedding: the sandbox, tests).
    """
    from bot.emulator.emulator import TelegramEmulator

    emulator = TelegramEmulator(**options)
    await emulator.start(host, port)
    if on_ready is not None:
        on_ready(emulator)
    print(
        f"Telegram Bot API emulator at {emulator.base_url}\n"
        f"  bot token: {emulator.token}  (@{emulator.config.bot_username})\n"
        f"  Bot API:   {emulator.bot_base_url}<token>/<method>\n"
        f"  control:   {emulator.base_url}/_emulator/",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def run_standalone(
    port: int, host: str = "127.0.0.1", rate_limit: int = 30, latency_ms: int = 0
) -> None:
    """`digestbot emulator`: serve until Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(port, host, rate_limit=rate_limit, latency_ms=latency_ms))
