"""Notes who the bot has seen (before any other handler runs), for `/editor add @name`."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.services import get_services


async def remember_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    # Written behind the update, in batches: the reply does not wait for it.
    get_services(context.application).known_users.saw(user.id, user.username, user.first_name)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Group -1 runs before every other group, so /forget, in the same update, drops the
    # sighting this update made.
    application.add_handler(TypeHandler(Update, remember_user), group=-1)
