"""Thin Telegram handlers: parse the update, call one service in `bot/`, render the reply."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand
from telegram.ext import Application

from bot.i18n import t


def register_all(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach every handler of the bot to `application`."""
    from handlers import (
        channels,
        delivery_buttons,
        editor,
        fallback,
        known_users,
        search,
        settings,
        sources,
        start,
        subscribe,
    )

    known_users.register(application)
    start.register(application)
    subscribe.register(application)
    settings.register(application)
    delivery_buttons.register(application)
    editor.register(application)
    search.register(application)
    sources.register(application)
    channels.register(application)
    # Last: answers only what no handler above (in any group) takes.
    fallback.register(application)


# The subscriber commands shown in Telegram's menu, in this order.
_MENU = (
    "start",
    "subscribe",
    "alert",
    "list",
    "settings",
    "mode",
    "timezone",
    "unsubscribe",
    "mute",
    "stop",
    "search",
    "help",
)
# Menu entries whose description lives in another area's catalog.
_MENU_KEYS = {"search": "search.menu"}


def command_menu(language: str) -> list[BotCommand]:
    """The command menu shown in Telegram's UI (setMyCommands)."""
    return [
        BotCommand(name, t(language, _MENU_KEYS.get(name, f"sub.menu.{name}"))) for name in _MENU
    ]
