"""/start (with deep links that follow something in one tap) and /help."""

from __future__ import annotations

from typing import Any

from telegram import Chat, Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot import subscriptions
from bot.editorial.permissions import role_of
from bot.render import subscriber as render
from handlers.scope import Scope


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    payload = context.args[0] if context.args else None
    may_change = await scope.is_admin()
    if payload and not may_change:
        await scope.can_change()  # explains that only admins change a group's subscriptions
        return
    async with scope.unit() as session:
        outcome = await subscriptions.start_chat(
            session,
            scope.chat,
            scope.thread_id,
            scope.user,
            payload,
            default_timezone=scope.services.settings.default_timezone,
            now=scope.services.clock(),
            may_change=may_change,
        )
        if outcome.subscriber is not None:
            scope.language = outcome.subscriber.language
    if outcome.follow is not None and outcome.thing is not None:
        message = render.followed(
            scope.language, outcome.thing, outcome.follow.subscription, outcome.follow.created
        )
        if outcome.resumed:
            resumed = render.plain(scope.language, "sub.start.resumed").text
            message = render.Rendered(f"{resumed}\n{message.text}", message.keyboard)
        await scope.reply(message)
        return
    extra = render.plain(scope.language, "sub.start.bad_link").text if outcome.bad_link else None
    await scope.reply(render.welcome(scope.language, resumed=outcome.resumed, extra=extra))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    private = scope.chat.type == Chat.PRIVATE
    async with scope.unit() as session:
        await scope.subscriber(session)  # the language this chat chose
        # Editor commands are listed only where no one else reads the reply.
        role = await role_of(session, scope.services.settings, scope.user) if private else None
    await scope.reply(
        render.help_text(
            scope.language,
            private=private,
            in_group=scope.in_group,
            editor=role,
            bot_username=context.bot.username,
        )
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    only_messages = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", start, filters=only_messages))
    application.add_handler(CommandHandler("help", help_command, filters=only_messages))
