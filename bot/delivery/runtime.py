"""Wires delivery into the Application: the rate limiter and HTTP pool at build time, and the
outbox sender, the fan-out poller and the daily-summary ticker while the bot runs.

- `configure_builder`: installs the one `FloodLimiter` every request goes through (replies and
  outbox alike), an aiohttp-based HTTP client (`bot.delivery.http`) whose pool is sized for the
  sender's concurrency plus headroom for interactive requests, and registers a post-stop hook
  so the sender drains while the bot can still make requests (post_shutdown runs after the
  bot's HTTP client is closed).
- `start`: the fan-out poller and the recipient feeder run in every process (row locks and
  dedup keys make that safe); the daily-summary ticker runs in the one process holding the owner lock,
  and so does the sender on SQLite (PostgreSQL senders share the outbox with SKIP LOCKED). A
  process that is not the owner retries the lock every `OWNER_RETRY_SECONDS` and takes over
  when the owner goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.delivery.fanout import FanoutPoller
from bot.delivery.http import AiohttpRequest
from bot.delivery.limiter import FloodLimiter, Limits
from bot.delivery.ownership import OwnerLock
from bot.delivery.recipients import RecipientFeeder
from bot.delivery.sender import OutboxSender
from bot.delivery.summaries import SummaryTicker
from bot.services import Services
from bot.sources import runtime as sources

log = logging.getLogger(__name__)

OWNER_RETRY_SECONDS = 15.0
INTERACTIVE_CONNECTIONS = 64
FREE_BROADCAST_LIMIT = 30  # above this, outbox sends are paid broadcasts (allow_paid_broadcast)


def sender_concurrency(rate: int) -> int:
    """Rows in flight: about half a second of sends (enough to hide 100 ms of latency with
    room for a slow database round trip), never fewer than 32."""
    return max(32, min(600, math.ceil(rate * 0.5)))


def configure_builder(
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any], services: Services
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    rate = services.settings.send_rate_limit
    limiter = services.extras.get("limiter")
    if not isinstance(limiter, FloodLimiter):
        limiter = FloodLimiter(Limits(per_second=rate))
        services.extras["limiter"] = limiter
    request = AiohttpRequest(
        sender_concurrency(rate) + INTERACTIVE_CONNECTIONS,
        # Requests wait in the limiter, not in the pool; a pool wait means something is wrong,
        # but a generous timeout turns it into latency rather than a lost send.
        pool_timeout=30.0,
    )
    return builder.rate_limiter(limiter).request(request).post_stop(_post_stop)


async def _post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    from bot.services import get_services

    await stop(application, get_services(application))


class DeliveryRuntime:
    """The background parts of delivery for one running Application."""

    def __init__(self, application: Any, services: Services) -> None:
        self.application = application
        self.services = services
        settings = services.settings
        limiter = services.extras.get("limiter")
        if not isinstance(limiter, FloodLimiter):  # built without configure_builder
            limiter = application.bot.rate_limiter
        self.limiter: FloodLimiter = limiter
        # SQLite has one writer: the sender and the fan-out take turns in-process (see sender).
        write_lock = asyncio.Lock() if services.engine.dialect.name == "sqlite" else None
        self.sender = OutboxSender(
            services.session_factory,
            application.bot,
            self.limiter,
            clock=services.clock,
            concurrency=sender_concurrency(settings.send_rate_limit),
            paid_broadcast=settings.send_rate_limit > FREE_BROADCAST_LIMIT,
            write_lock=write_lock,
        )
        self.feeder = RecipientFeeder(
            services.session_factory,
            services.clock,
            rate=settings.send_rate_limit,
            on_queued=self.sender.wake,
            write_lock=write_lock,
        )
        self.fanout = FanoutPoller(
            services.session_factory,
            services.clock,
            on_queued=self._queued,
            write_lock=write_lock,
        )
        self.summaries = SummaryTicker(services)
        self.summaries_task: asyncio.Task[None] | None = None
        self.owner = OwnerLock(services.engine, settings.database_url)
        self.sender_task: asyncio.Task[None] | None = None
        self.fanout_task: asyncio.Task[None] | None = None
        self.feeder_task: asyncio.Task[None] | None = None
        self._owner_task: asyncio.Task[None] | None = None

    @property
    def sends_here_always(self) -> bool:
        return self.services.engine.dialect.name == "postgresql"

    def wake(self) -> None:
        self.fanout.wake()
        self.sender.wake()

    def _queued(self) -> None:
        self.feeder.wake()
        self.sender.wake()

    def start_sender(self) -> None:
        if self.sender_task is None or self.sender_task.done():
            self.sender_task = asyncio.create_task(self.sender.run(), name="outbox-sender")

    async def stop_sender(self) -> None:
        if self.sender_task is not None:
            self.sender_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sender_task
            self.sender_task = None

    async def start(self) -> None:
        self.services.extras["wake_sender"] = self.sender.wake
        self.fanout_task = asyncio.create_task(self.fanout.run(), name="fan-out")
        self.feeder_task = asyncio.create_task(self.feeder.run(), name="fan-out-feeder")
        if self.sends_here_always:
            self.start_sender()
        if not await self._become_owner():
            self._owner_task = asyncio.create_task(self._wait_for_ownership(), name="owner")

    async def _become_owner(self) -> bool:
        try:
            if not await self.owner.try_acquire():
                return False
        except Exception:  # noqa: BLE001 - retried by the owner loop
            log.exception("could not take the owner lock")
            return False
        log.info("this process owns the schedules")
        self.summaries_task = asyncio.create_task(self.summaries.run(), name="daily-summaries")
        self.services.extras["summaries"] = self.summaries
        sources.start(self.application, self.services)  # feeds are polled by the owner only
        self.start_sender()
        return True

    async def _wait_for_ownership(self) -> None:
        while not await self._become_owner():  # noqa: ASYNC110 - polling a lock, not an event
            await asyncio.sleep(OWNER_RETRY_SECONDS)

    async def stop(self) -> None:
        for task in (self._owner_task, self.fanout_task, self.feeder_task, self.summaries_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._owner_task = self.fanout_task = self.feeder_task = self.summaries_task = None
        self.services.extras.pop("summaries", None)
        await self.stop_sender()
        await sources.stop(self.services)
        await self.owner.release()
        self.services.extras.pop("wake_sender", None)


async def start(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    runtime = DeliveryRuntime(application, services)
    services.extras["delivery"] = runtime
    await runtime.start()


async def stop(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    runtime = services.extras.pop("delivery", None)
    if isinstance(runtime, DeliveryRuntime):
        await runtime.stop()
