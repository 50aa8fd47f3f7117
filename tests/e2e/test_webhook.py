"""Webhook mode: Telegram posts updates to the bot's HTTP server; only with the right secret,
each update once, whichever process it reaches; the bot never calls getUpdates.

The bot is the real thing (build_application + BotRunner, as `digestbot run` starts it) on a
free local port; Telegram is the emulator, which delivers updates to the registered webhook
with the registered secret and retries what is refused, as Telegram does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import build_application
from bot.config import Settings
from bot.delivery.limiter import FloodLimiter, Limits
from bot.emulator import TelegramEmulator
from bot.runner import BotRunner
from bot.services import Services
from bot.web.webhook import SECRET_HEADER
from storage.models import HandledUpdate
from tests.bot_process import free_port
from tests.db_fixtures import Database

SECRET = "s3cret-For_tests"
ANN = 7101


@dataclass
class WebhookBot:
    emulator: TelegramEmulator
    runner: BotRunner
    settings: Settings

    @property
    def url(self) -> str:
        assert self.settings.webhook_url
        return self.settings.webhook_url

    def http_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}{path}"

    async def handled_ids(self) -> int:
        async with self.runner.services.session_factory() as session:
            return int(await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0)


BotFactory = Callable[..., Awaitable[WebhookBot]]


@pytest.fixture
async def start_webhook_bot(
    emulator: TelegramEmulator, bot_db: Database
) -> AsyncIterator[BotFactory]:
    """Start webhook-mode bots (one per call, each its own process's worth: Application,
    delivery, HTTP server) on the test's database; all stopped at teardown."""
    runners: list[BotRunner] = []

    async def start(**overrides: Any) -> WebhookBot:
        port = free_port()
        options: dict[str, Any] = {
            "telegram_bot_token": emulator.token,
            "telegram_api_url": emulator.base_url,
            "database_url": bot_db.url,
            "webhook_url": f"http://127.0.0.1:{port}/telegram/{uuid.uuid4().hex}",
            "webhook_secret": SECRET,
            "port": port,
            "web_host": "127.0.0.1",
        }
        options.update(overrides)
        settings = Settings(**options)
        services = Services(settings, bot_db.engine, bot_db.session_factory)
        services.limiter = FloodLimiter(
            Limits(per_second=settings.send_rate_limit, chat_limits=False)
        )
        runner = BotRunner(build_application(settings, services=services), services)
        runners.append(runner)
        assert await runner.start()
        return WebhookBot(emulator, runner, settings)

    try:
        yield start
    finally:
        for runner in reversed(runners):
            await runner.stop()


@pytest.fixture
async def webhook_bot(start_webhook_bot: BotFactory) -> WebhookBot:
    return await start_webhook_bot()


def command_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A private-chat command as Telegram posts it."""
    user = {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def post(url: str, body: dict[str, Any], secret: str | None) -> int:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as response,
    ):
        return response.status


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_updates_arrive_by_webhook_and_the_bot_never_polls(webhook_bot: WebhookBot) -> None:
    emulator = webhook_bot.emulator
    emulator.add_user(ANN, "Ann")

    [reply] = await emulator.ask(ANN, "/help")

    assert "/subscribe" in (reply.text or "")
    registered = emulator.requests("setWebhook")[-1].params
    assert registered["url"] == webhook_bot.url
    assert registered["secret_token"] == SECRET
    assert emulator.requests("getUpdates") == []
    assert await webhook_bot.handled_ids() == 1


async def test_deliveries_with_a_wrong_or_missing_secret_are_refused_and_kept_by_telegram(
    webhook_bot: WebhookBot,
) -> None:
    emulator = webhook_bot.emulator
    emulator.add_user(ANN, "Ann")
    emulator.set_webhook(webhook_bot.url, secret_token="someone-elses-secret")
    emulator.send_message(ANN, "/help")
    await emulator.wait_until(
        lambda: "403" in str(emulator.webhook_info().get("last_error_message", "")),
        describe="the webhook refusing a wrong secret",
    )
    emulator.set_webhook(webhook_bot.url, secret_token=None)
    await emulator.wait_until(
        lambda: "401" in str(emulator.webhook_info().get("last_error_message", "")),
        describe="the webhook refusing a missing secret",
    )
    assert emulator.messages(ANN) == []
    assert await webhook_bot.handled_ids() == 0

    # Telegram kept the update: once the secret is right it is answered, once.
    emulator.set_webhook(webhook_bot.url, secret_token=SECRET)
    await emulator.wait_for_messages(ANN, 1)
    assert await webhook_bot.handled_ids() == 1


async def test_direct_posts_need_the_secret_header(webhook_bot: WebhookBot) -> None:
    webhook_bot.emulator.add_user(ANN, "Ann")

    assert await post(webhook_bot.url, command_update(50_001, ANN, "/help"), None) == 401
    assert await post(webhook_bot.url, command_update(50_002, ANN, "/help"), "guess") == 403
    assert await post(webhook_bot.url, command_update(50_003, ANN, "/help"), SECRET) == 200

    await webhook_bot.emulator.wait_for_messages(ANN, 1)
    await webhook_bot.runner.application.update_queue.join()
    assert len(webhook_bot.emulator.messages(ANN)) == 1
    assert await webhook_bot.handled_ids() == 1


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
async def test_an_update_retried_at_another_process_is_handled_once(
    start_webhook_bot: BotFactory,
) -> None:
    first = await start_webhook_bot()
    second = await start_webhook_bot()
    emulator = first.emulator
    emulator.add_user(ANN, "Ann")
    update = command_update(60_001, ANN, "/help")

    assert await post(first.url, update, SECRET) == 200
    assert await post(second.url, update, SECRET) == 200  # Telegram's retry, load-balanced
    assert await post(first.url, update, SECRET) == 200
    # A later update still goes through; once it is answered, so would the duplicates be.
    assert await post(second.url, command_update(60_002, ANN, "/help"), SECRET) == 200

    await emulator.wait_for_messages(ANN, 2)
    for bot in (first, second):
        await bot.runner.application.update_queue.join()
    assert len(emulator.messages(ANN)) == 2
    assert await first.handled_ids() == 2


async def test_healthz_answers_for_load_balancers(webhook_bot: WebhookBot) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(webhook_bot.http_url("/healthz")) as response,
    ):
        assert response.status == 200
        assert await response.json() == {"ok": True}


async def test_with_port_and_no_webhook_the_server_runs_beside_polling(
    emulator: TelegramEmulator, start_webhook_bot: BotFactory
) -> None:
    bot = await start_webhook_bot(webhook_url=None, webhook_secret=None)
    emulator.add_user(ANN, "Ann")

    [reply] = await emulator.ask(ANN, "/help", timeout=10)

    assert reply.text
    assert emulator.requests("getUpdates")
    assert emulator.requests("setWebhook") == []
    async with (
        aiohttp.ClientSession() as session,
        session.get(bot.http_url("/healthz")) as response,
    ):
        assert response.status == 200
