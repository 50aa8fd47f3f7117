"""Never silence: unknown commands and buttons nobody handles get a short helpful answer, and
an error anywhere is logged and answered politely.

The fallbacks look at every handler of the application (all groups) before answering, so a
command another area registers in any group is never called "unknown", and a message some
conversation is waiting for (a reply to the bot's prompt) is never taken for a search.
`UnclaimedMessageHandler` is that rule for any area's catch-all (handlers/search.py's plain-text
search): register it in `GROUP`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import t
from bot.subscriptions import interface_language

log = logging.getLogger(__name__)


def _handled_elsewhere(
    application: Application[Any, Any, Any, Any, Any, Any],
    update: object,
    me: BaseHandler[Any, Any, Any],
) -> bool:
    for handlers in application.handlers.values():
        for handler in handlers:
            if handler is me or isinstance(handler, TypeHandler | _Fallback):
                continue
            check = handler.check_update(update)
            if check is not None and check is not False:
                return True
    return False


# The handler group of the fallbacks: after group 0, where every area registers by default.
GROUP = 1


class _Fallback:
    """Marks the fallback handlers so they skip each other."""


class UnclaimedMessageHandler(MessageHandler[Any, Any], _Fallback):
    """A MessageHandler that answers only messages no other handler of the application, in
    any group, takes: a catch-all that never steals what a command or a conversation expects,
    whatever order the areas were registered in."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        message_filter: filters.BaseFilter,
        callback: Callable[[Update, Any], Coroutine[Any, Any, None]],
    ) -> None:
        super().__init__(message_filter, callback)
        self._application = application

    def check_update(self, update: object) -> Any:
        result = super().check_update(update)
        if not result or not self.wants(update):
            return False
        if _handled_elsewhere(self._application, update, self):
            return False
        return result

    def wants(self, update: object) -> bool:
        """A further check before looking at every other handler (cheap ones go here)."""
        return True


class UnknownCommandHandler(UnclaimedMessageHandler):
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        super().__init__(application, filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command)

    def wants(self, update: object) -> bool:
        message = update.effective_message if isinstance(update, Update) else None
        # "/cmd@otherbot" in a group is addressed to another bot: not ours to answer.
        command = (message.text or "").split(maxsplit=1)[0] if message else ""
        addressee = command.split("@", 1)[1].lower() if "@" in command else None
        if addressee is not None and addressee != (self._application.bot.username or "").lower():
            return False
        # In a group, a bare "/cmd" may be meant for another bot there: answer it only
        # when it names us ("/cmd@digestbot"). In private chats every command is ours.
        return message is None or message.chat.type == "private" or addressee is not None


class UnhandledButtonHandler(CallbackQueryHandler[Any, Any], _Fallback):
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        super().__init__(unhandled_button)
        self._application = application

    def check_update(self, update: object) -> Any:
        result = super().check_update(update)
        if not result:
            return result
        if _handled_elsewhere(self._application, update, self):
            return False
        return result


def _language(update: Update) -> str:
    user = update.effective_user
    return interface_language(user.language_code if user else None)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    # The chat's own language would need a query; the sender's is a good, free guess here.
    await message.reply_text(
        t(_language(update), "error.unknown_command"),
        parse_mode=ParseMode.HTML,
        do_quote=message.chat.type != "private",
    )


async def unhandled_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(
            t(_language(update), "error.stale_button"), show_alert=True
        )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    text = t(_language(update), "error.generic")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(text, do_quote=False)
    except Exception:  # noqa: BLE001 - the error reply itself failed; the log has the cause
        log.warning("could not tell the user about an error", exc_info=True)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register last: after every other area's handlers."""
    application.add_handler(UnknownCommandHandler(application), group=GROUP)
    application.add_handler(UnhandledButtonHandler(application), group=GROUP)
    application.add_error_handler(on_error)
