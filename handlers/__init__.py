"""Thin Telegram handlers: parse the update, call one service in `bot/`, render the reply."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand
from telegram.ext import Application


def register_all(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach every handler of the bot to `application`."""


def command_menu(language: str) -> list[BotCommand]:
    """The command menu shown in Telegram's UI (setMyCommands)."""
    return [BotCommand("start", "Start"), BotCommand("help", "Help")]
