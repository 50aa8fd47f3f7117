"""Delivery settings: /settings (buttons), /mode, /time, /timezone, /language, /content,
/quiet, /stop and /forget (after a confirmation button)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import settings_service, subscriptions
from bot.render import Rendered, parse_callback
from bot.render import subscriber as render
from bot.settings_service import SettingError
from handlers.scope import Scope
from storage.models import Subscriber

BUTTON_ACTIONS = ("st", "fg")
_SPEC = {a: render.CALLBACKS[a] for a in BUTTON_ACTIONS}

# setting command → (setter taking the argument text, message after the change, message
# showing the current value when no argument is given).
Setter = Callable[[AsyncSession, Subscriber, str, Scope], Awaitable[None]]


async def _mode(session: AsyncSession, sub: Subscriber, text: str, scope: Scope) -> None:
    await settings_service.set_mode(session, sub, text, scope.services.clock())


async def _time(session: AsyncSession, sub: Subscriber, text: str, scope: Scope) -> None:
    await settings_service.set_daily_time(session, sub, text, scope.services.clock())


async def _timezone(session: AsyncSession, sub: Subscriber, text: str, scope: Scope) -> None:
    await settings_service.set_timezone(session, sub, text, scope.services.clock())


async def _language(session: AsyncSession, sub: Subscriber, text: str, scope: Scope) -> None:
    await settings_service.set_language(session, sub, text)
    scope.language = sub.language


async def _content(session: AsyncSession, sub: Subscriber, text: str, scope: Scope) -> None:
    await settings_service.set_content_language(session, sub, text)


async def _quiet(session: AsyncSession, sub: Subscriber, text: str, scope: Scope) -> None:
    await settings_service.set_quiet_hours(session, sub, text)


def _done_message(name: str, scope: Scope, sub: Subscriber) -> Rendered:
    language = scope.language
    if name == "mode":
        return render.mode_set(language, sub)
    if name == "time":
        return render.time_set(language, sub)
    if name == "timezone":
        return render.timezone_set(language, sub, scope.services.clock())
    if name == "language":
        return render.plain(language, "sub.language.set")
    if name == "content":
        return render.content_set(language, sub)
    return render.quiet_set(language, sub)


def _current_message(name: str, scope: Scope, sub: Subscriber | None) -> Rendered:
    language = scope.language
    defaults = Subscriber(
        mode="instant",
        daily_time="08:00",
        timezone=scope.services.settings.default_timezone,
        language=language,
        content_language="both",
    )
    sub = sub or defaults
    if name == "mode":
        return render.plain(language, "sub.mode.current", mode=render.mode_label(language, sub))
    if name == "time":
        return render.plain(
            language, "sub.time.current", time=sub.daily_time, timezone=sub.timezone
        )
    if name == "timezone":
        return render.plain(language, "sub.timezone.current", timezone=sub.timezone)
    if name == "language":
        return render.plain(language, "sub.language.invalid")
    if name == "content":
        return render.plain(language, "sub.content.invalid")
    return render.quiet_current(language, sub)


SETTERS: dict[str, Setter] = {
    "mode": _mode,
    "time": _time,
    "timezone": _timezone,
    "language": _language,
    "content": _content,
    "quiet": _quiet,
}


def _setting_command(name: str) -> Callable[[Update, Any], Coroutine[Any, Any, None]]:
    setter = SETTERS[name]

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        scope = Scope(update, context)
        value = scope.args
        if not value:
            async with scope.unit() as session:
                subscriber = await scope.subscriber(session)
                message = _current_message(name, scope, subscriber)
            await scope.reply(message)
            return
        if not await scope.can_change():
            return
        async with scope.unit() as session:
            subscriber = await scope.subscriber(session, create=True)
            assert subscriber is not None
            try:
                await setter(session, subscriber, value[:100], scope)
                message = _done_message(name, scope, subscriber)
            except SettingError as exc:
                message = render.plain(scope.language, exc.reason, **exc.values)
        await scope.reply(message)

    return handle


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session, create=await scope.is_admin())
        message = (
            render.settings_view(scope.language, subscriber)
            if subscriber is not None
            else _current_message("mode", scope, None)
        )
    await scope.reply(message)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session, create=True)
        assert subscriber is not None
        paused = await settings_service.pause(session, subscriber)
    await scope.reply(
        render.plain(scope.language, "sub.stop.done" if paused else "sub.stop.already")
    )


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    if not await scope.can_change():
        return
    await scope.load_language()
    await scope.reply(render.forget_confirm(scope.language))


# --- buttons ----------------------------------------------------------------------------

_BUTTON_VALUES = {
    "m": ("mode", settings_service.MODES),
    "l": ("language", settings_service.LANGUAGES),
    "c": ("content", settings_service.CONTENT_LANGUAGES),
    "t": ("time", None),
    "z": ("timezone", tuple(zone for _, _, zone in render.ZONE_PRESETS)),
    "p": ("status", ("stop", "go")),
}


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    scope = Scope(update, context)
    assert scope.query is not None
    parsed = parse_callback(scope.query.data, render.AREA, _SPEC)
    if parsed is None or scope.button_message is None:
        await scope.stale()
        return
    action, args = parsed
    if action == "st":
        await _setting_button(scope, *args)
    else:
        await _forget_button(scope, *args)


async def _setting_button(scope: Scope, field: str, value: str) -> None:
    known = _BUTTON_VALUES.get(field)
    if known is None or (known[1] is not None and value not in known[1]):
        await scope.stale()
        return
    if not await scope.can_change():
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session, create=True)
        assert subscriber is not None
        try:
            if field == "p":
                if value == "stop":
                    await settings_service.pause(session, subscriber)
                else:
                    await settings_service.resume(session, subscriber, scope.services.clock())
            else:
                await SETTERS[known[0]](session, subscriber, value, scope)
        except SettingError:
            subscriber = None
        message = render.settings_view(scope.language, subscriber) if subscriber else None
    if message is None:
        await scope.stale()
        return
    await scope.edit(message)
    await scope.answer()


async def _forget_button(scope: Scope, choice: str) -> None:
    if choice not in ("ask", "yes", "no"):
        await scope.stale()
        return
    if not await scope.can_change():
        return
    if choice == "ask":
        await scope.load_language()
        await scope.edit(render.forget_confirm(scope.language))
        await scope.answer()
        return
    if choice == "no":
        await scope.load_language()
        await scope.edit(render.plain(scope.language, "sub.forget.cancelled"))
        await scope.answer()
        return
    async with scope.unit() as session:
        subscriber = await scope.subscriber(session)
        if subscriber is not None:
            await subscriptions.forget_subscriber(session, subscriber)
        # In a private chat the chat is the person: their "seen" record goes too.
        if scope.chat.type == "private" and scope.user is not None:
            await scope.services.known_users.forget(session, scope.user.id)
    key = "sub.forget.done" if subscriber is not None else "sub.forget.nothing"
    await scope.edit(render.plain(scope.language, key))
    await scope.answer()


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    only_messages = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("settings", settings_command, filters=only_messages))
    for name in SETTERS:
        application.add_handler(CommandHandler(name, _setting_command(name), filters=only_messages))
    application.add_handler(CommandHandler("stop", stop, filters=only_messages))
    application.add_handler(CommandHandler("forget", forget, filters=only_messages))
    actions = "|".join(BUTTON_ACTIONS)
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^s:({actions})(:|$)"))
