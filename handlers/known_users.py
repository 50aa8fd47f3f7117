"""Remembers who the bot has seen (before any other handler runs), for `/editor add @name`."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot import known_users
from bot.known_users import SeenUsers
from bot.services import get_services
from handlers.settings import SEEN_USERS_KEY

log = logging.getLogger(__name__)


async def remember_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    seen: SeenUsers = context.application.bot_data.setdefault(SEEN_USERS_KEY, SeenUsers())
    if not seen.needs_write(user.id, user.username, user.first_name):
        return
    services = get_services(context.application)
    try:
        async with services.session_factory() as session, session.begin():
            await known_users.remember(session, user.id, user.username, user.first_name)
    except Exception:  # noqa: BLE001 - bookkeeping must never stop the update being handled
        log.warning("could not record user %s", user.id, exc_info=True)
        return
    seen.mark(user.id, user.username, user.first_name)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Group -1 runs before every other group. It blocks (a write at most once an hour per
    # user, see SeenUsers) so that /forget, in the same update, cannot race with it.
    application.add_handler(TypeHandler(Update, remember_user), group=-1)
