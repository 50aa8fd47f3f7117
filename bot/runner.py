"""Running the bot for real: check and migrate the database, then serve until SIGTERM/SIGINT.

`serve` is `digestbot run`. `BotRunner` is one process's bot, in python-telegram-bot's
run_polling order (initialize, post_init, start; stopped in reverse with post_stop and
post_shutdown), with two differences:
- Telegram unreachable at start is retried with back-off (`bot.startup.initialize_bot`);
- updates come either from the webhook (WEBHOOK_URL: served by `bot.web`, never getUpdates)
  or from long polling by the one process holding the poller lock (`bot.polling`).
The HTTP server (`bot.web.server`) runs in webhook mode and whenever PORT is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterable
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.polling import SinglePoller
from bot.services import Services
from bot.startup import StartupError, check_database, initialize_bot, retry_telegram
from bot.web.routes import feature_routes
from bot.web.server import RouteHook, WebServer, create_web_app
from bot.web.webhook import register_webhook, webhook_routes
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade

log = logging.getLogger(__name__)


async def upgrade_database(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await check_database(engine, settings.database_url)
        await upgrade(engine)
    finally:
        await engine.dispose()


class BotRunner:
    """Start and stop one process's bot; `stop` is safe after a failed or interrupted start."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        services: Services,
        *,
        route_hooks: Iterable[RouteHook] | None = None,
    ) -> None:
        self.application = application
        self.services = services
        self.settings = services.settings
        self.route_hooks = list(feature_routes() if route_hooks is None else route_hooks)
        self.poller: SinglePoller | None = None
        self.web: WebServer | None = None
        self._initialized = False
        self._post_init_done = False

    async def start(self, stopping: asyncio.Event | None = None) -> bool:
        """Start serving; False if `stopping` was set while Telegram was being waited for."""
        stopping = stopping or asyncio.Event()
        app = self.application
        settings = self.settings
        if not await initialize_bot(app, settings, stopping):
            return False
        self._initialized = True
        if app.post_init is not None:
            await app.post_init(app)
        self._post_init_done = True
        await app.start()
        if settings.serves_web:
            hooks = list(self.route_hooks)
            if settings.webhook_url:
                hooks.append(webhook_routes(app))
            self.web = WebServer(
                create_web_app(self.services, hooks), host=settings.web_host, port=settings.web_port
            )
            try:
                await self.web.start()
            except OSError as error:
                self.web = None
                raise StartupError(
                    f"cannot serve HTTP on {settings.web_host}:{settings.web_port} ({error}): "
                    "free the port or set PORT"
                ) from None
        if settings.webhook_url:
            registered = await retry_telegram(
                lambda: register_webhook(app.bot, settings), "setWebhook", settings, stopping
            )
            if not registered:
                return False
            log.info("webhook mode: Telegram posts updates to %s", settings.webhook_url)
        else:
            self.poller = SinglePoller(app, self.services)
            self.poller.start()
        return True

    async def stop(self) -> None:
        """Stop taking updates first, then the Application (post_stop drains delivery)."""
        app = self.application
        try:
            if self.poller is not None:
                await self.poller.stop()
                self.poller = None
            if self.web is not None:
                await self.web.stop()
                self.web = None
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
            if self._initialized:
                await app.shutdown()
            else:
                # initialize() may have opened the HTTP client before getMe failed.
                await app.bot.request.shutdown()
        finally:
            if self._post_init_done and app.post_shutdown is not None:
                await app.post_shutdown(app)
            self._initialized = self._post_init_done = False


async def serve(settings: Settings, stopping: asyncio.Event | None = None) -> int:
    """`digestbot run`: until SIGTERM or SIGINT (or `stopping` is set)."""
    stopping = stopping or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    engine = create_engine(settings.database_url)
    try:
        await check_database(engine, settings.database_url)
        await upgrade(engine)
        services = Services(settings, engine, create_session_factory(engine))
        application = build_application(settings, services=services)
        runner = BotRunner(application, services)
        log.info("digestbot starting against %s", settings.telegram_api_url)
        try:
            if await runner.start(stopping):
                await stopping.wait()
                log.info("stopping")
        finally:
            await runner.stop()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        await engine.dispose()
    return 0


def run_bot(settings: Settings) -> int:
    return asyncio.run(serve(settings))
