"""Buttons under pushed editions (an item's full summary; follow / stop following in one tap)
and group-to-supergroup moves (`migrate_to_chat_id`), which carry a group's subscriptions to
its new chat id."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.delivery.buttons import SUMMARY_ACTIONS, apply_button, open_summary
from bot.delivery.migration import move_chat
from bot.i18n import t
from bot.render import esc, parse_callback
from bot.render.content import AREA, CALLBACKS
from bot.services import get_services
from handlers.scope import Scope

log = logging.getLogger(__name__)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    assert scope.query is not None
    parsed = parse_callback(scope.query.data, AREA, CALLBACKS)
    if parsed is None:
        await scope.load_language()
        await scope.answer(t(scope.language, "error.stale_button"), alert=True)
        return
    action, (target_id,) = parsed
    if action in SUMMARY_ACTIONS:
        await _send_summary(scope, action, target_id)
        return
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session, create=True)
        assert subscriber is not None
        outcome = await apply_button(session, subscriber, action, target_id, scope.language)
    if outcome.key in ("delivery.followed", "delivery.unfollowed"):
        await _drop_button(scope, scope.query.data or "")
    values = {k: esc(v) for k, v in {"name": outcome.name, **outcome.values}.items()}
    await scope.answer(t(scope.language, outcome.key, **values))


async def _send_summary(scope: Scope, action: str, piece_id: int) -> None:
    """Reading needs no permission: anyone in the chat may open what the chat was sent."""
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session)
        content_language = subscriber.content_language if subscriber else "both"
        rendered = await open_summary(
            session, action, piece_id, language=scope.language, content_language=content_language
        )
    if rendered is None:
        await scope.answer(t(scope.language, "delivery.piece_gone"), alert=True)
        return
    await scope.answer()
    await scope.reply(rendered)


async def _drop_button(scope: Scope, data: str) -> None:
    """Take the pressed button off the message: what it offered is done."""
    message = scope.message
    markup = getattr(message, "reply_markup", None)
    if scope.query is None or markup is None:
        return
    rows = [[b for b in row if b.callback_data != data] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    try:
        await scope.query.edit_message_reply_markup(type(markup)(rows) if rows else None)
    except BadRequest:
        log.debug("could not update the buttons of an alert", exc_info=True)


async def on_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if message.migrate_to_chat_id:
        old, new = chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, chat.id
    else:
        return
    services = get_services(context.application)
    async with services.session_factory() as session, session.begin():
        moved = await move_chat(session, old, new)
    if moved:
        log.info("chat %s became %s: %d subscribers moved", old, new, moved)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{AREA}:"))
    # Its own group: a service message must reach this whatever group 0 does with messages.
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration), group=1)
