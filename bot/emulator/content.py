"""Checks on what a request carries, beyond field types: text, captions, keyboards, commands.

These are the rules that do not depend on the emulator's state, shared by the server and by
`validate_request`. Limits are Telegram's: 4096 UTF-16 units of visible text, 1024 for a
caption, 1-64 bytes of callback_data, 100 buttons per keyboard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.formatting import Entity, ParseError, add_auto_entities, parse_text, strip_text

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
BUTTON_LIMIT = 100
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}\Z")
_PARSE_MODES = {"html", "markdown", "markdownv2"}


@dataclass(slots=True)
class Content:
    """The parsed parts of a request: visible text/caption with entities, and reply markup."""

    text: str | None = None
    entities: list[Entity] | None = None
    caption: str | None = None
    caption_entities: list[Entity] | None = None
    reply_markup: dict[str, Any] | None = None


def format_text(
    raw: str,
    parse_mode: str | None,
    explicit: list[Any] | None,
    *,
    caption: bool = False,
    strict_ampersand: bool = True,
) -> tuple[str, list[Entity]]:
    """Visible text and entities as Telegram would store them, or an `ApiError`."""
    if explicit:
        if not all(
            isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in explicit
        ):
            raise bad_request("can't parse entities JSON object")
        text, entities = raw, [dict(e) for e in explicit]
    else:
        if parse_mode and parse_mode.lower() not in _PARSE_MODES:
            raise bad_request("unsupported parse_mode")
        try:
            text, entities = parse_text(raw, parse_mode, strict_ampersand=strict_ampersand)
        except ParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    text, entities = strip_text(text, entities)
    if caption:
        if len(text) > CAPTION_LIMIT // 2 and _units(text) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
    else:
        if not text:
            raise bad_request("message text is empty")
        if len(text) > TEXT_LIMIT // 2 and _units(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
    return text, add_auto_entities(text, entities)


def _units(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def check_reply_markup(markup: Any) -> dict[str, Any]:
    """The markup if Telegram would accept it; BUTTON_DATA_INVALID etc. otherwise."""
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'can\'t parse inline keyboard markup: field "inline_keyboard" must be an Array '
                "of Arrays"
            )
        if sum(len(r) for r in rows) > BUTTON_LIMIT:
            raise bad_request("REPLY_MARKUP_TOO_LONG")
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'can\'t parse keyboard markup: field "keyboard" must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, str) and not (
                    isinstance(button, dict) and isinstance(button.get("text"), str)
                ):
                    raise bad_request("can't parse keyboard button: Text must be a String")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_commands(commands: Any) -> list[dict[str, str]]:
    """The `commands` of setMyCommands if valid (1-32 of a-z0-9_, description 1-256)."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = command.get("command")
        if not isinstance(name, str) or not _COMMAND_RE.match(name.lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("command description is empty")
    return [
        {"command": c["command"].lstrip("/"), "description": c["description"]} for c in commands
    ]


def check_content(method: str, params: dict[str, Any], *, strict_ampersand: bool = True) -> Content:
    """Parse and check the text, caption and reply markup a (normalized) request carries."""
    content = Content()
    if "text" in params and method in ("sendMessage", "editMessageText"):
        content.text, content.entities = format_text(
            params["text"],
            params.get("parse_mode"),
            params.get("entities"),
            strict_ampersand=strict_ampersand,
        )
    if "caption" in params:
        content.caption, content.caption_entities = format_text(
            params["caption"],
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
            strict_ampersand=strict_ampersand,
        )
    if "reply_markup" in params:
        content.reply_markup = check_reply_markup(params["reply_markup"])
    if method == "setMyCommands":
        check_commands(params.get("commands"))
    return content
