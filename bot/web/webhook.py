"""Webhook mode: Telegram posts every update to WEBHOOK_URL; any number of processes serve it.

- `register_webhook` gives Telegram the URL and the secret (setWebhook with `secret_token`).
- `webhook_routes(application)` is the `RouteHook` that answers those posts at the URL's path.
  A request without the right `X-Telegram-Bot-Api-Secret-Token` is refused (401 without one,
  403 with a wrong one) before its body is read. An update id that some process already
  accepted is answered 200 and dropped (Telegram retries deliveries it saw no answer to). Any
  other update is claimed in the database, then put on the Application's `update_queue`,
  where python-telegram-bot handles it exactly as a polled one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.ext import Application

from bot.config import Settings
from bot.services import Services
from bot.web import handled_updates
from bot.web.server import RouteHook

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PRUNE_EVERY_SECONDS = 600.0


async def register_webhook(bot: Bot, settings: Settings) -> None:
    """Point Telegram at WEBHOOK_URL. Every process does it at start; it is idempotent, and
    pending updates are kept for whichever process answers first."""
    assert settings.webhook_url and settings.webhook_secret
    await bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret,
        drop_pending_updates=False,
    )


class WebhookEndpoint:
    """The aiohttp handler for Telegram's posts."""

    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], services: Services
    ) -> None:
        secret = services.settings.webhook_secret
        assert secret, "webhook mode needs WEBHOOK_SECRET"
        self.application = application
        self.services = services
        self._secret = secret.encode()

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode(), self._secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("the body is not a JSON object")
            update = Update.de_json(data, self.application.bot)
        except Exception as error:  # noqa: BLE001 - any malformed body is the sender's fault
            log.warning("webhook: unreadable update refused (%s)", error)
            return web.Response(status=400, text="not a Telegram update")
        try:
            async with self.services.session_factory() as session, session.begin():
                first = await handled_updates.claim(
                    session, update.update_id, self.services.clock()
                )
        except Exception as error:  # noqa: BLE001 - Telegram retries; nothing was acted on
            log.warning("webhook: update %d not accepted (%s)", update.update_id, error)
            return web.Response(status=503, text="try again")
        if first:
            await self.application.update_queue.put(update)
        else:
            log.info("webhook: update %d was already handled; ignored", update.update_id)
        return web.Response()


def webhook_routes(application: Application[Any, Any, Any, Any, Any, Any]) -> RouteHook:
    """The RouteHook serving the webhook at WEBHOOK_URL's path, pruning old claims meanwhile."""

    def add(app: web.Application, services: Services) -> None:
        endpoint = WebhookEndpoint(application, services)
        app.router.add_post(services.settings.webhook_path, endpoint.handle)
        app.cleanup_ctx.append(_pruning(services))

    return add


def _pruning(services: Services) -> Any:
    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_prune_forever(services), name="prune-handled-updates")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


async def _prune_forever(services: Services) -> None:
    while True:
        try:
            async with services.session_factory() as session, session.begin():
                await handled_updates.prune(session, services.clock())
        except Exception:  # noqa: BLE001 - retried at the next round
            log.warning("could not prune handled update ids; retrying later", exc_info=True)
        await asyncio.sleep(PRUNE_EVERY_SECONDS)
