"""Application factory: builds the python-telegram-bot Application with its services."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ApplicationBuilder

import handlers
from bot.config import Settings
from bot.delivery import runtime
from bot.services import SERVICES_KEY, Services, get_services
from storage.db import create_engine, create_session_factory

log = logging.getLogger(__name__)


def build_application(settings: Settings, *, services: Services | None = None) -> Application:
    """The bot, wired to the Bot API at `settings.telegram_api_url` and to the database.

    Pass `services` to share an engine (tests, the sandbox); otherwise one is created from
    `settings.database_url`.
    """
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the bot")
    if services is None:
        engine = create_engine(settings.database_url)
        services = Services(settings, engine, create_session_factory(engine))
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_url)
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    builder = runtime.configure_builder(builder, services)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    handlers.register_all(application)
    return application


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    try:
        await application.bot.set_my_commands(handlers.command_menu("en"))
        await application.bot.set_my_commands(handlers.command_menu("zh"), language_code="zh")
    except Exception:  # noqa: BLE001 - the menu is a convenience; the bot works without it
        log.exception("could not set the command menu")
    await runtime.start(application, get_services(application))


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services = get_services(application)
    await runtime.stop(application, services)
    await services.known_users.close()
