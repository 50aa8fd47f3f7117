"""Wires delivery into the Application: the rate limiter and HTTP pool at build time, and the
outbox sender, the fan-out poller, the daily-summary ticker and the feed poller while the bot runs.

- `configure_builder`: installs the one `FloodLimiter` every request goes through (replies and
  outbox alike), an aiohttp-based HTTP client (`bot.delivery.http`) whose pool is sized for the
  sender's concurrency plus headroom for interactive requests, and registers a post-stop hook
  so the sender drains while the bot can still make requests (post_shutdown runs after the
  bot's HTTP client is closed). A SIGTERM stops python-telegram-bot's `run_polling`, whose
  post-stop hook is this drain: requests in flight finish and are recorded, claimed rows whose
  request had not left go back to pending.
- `start`: every process runs the fan-out poller and the recipient feeder (row locks and dedup
  keys make that safe), registers as a sender and beats every `SENDER_HEARTBEAT_SECONDS`
  (`bot.delivery.senders`). At each beat it puts back the claims of senders that died, and the
  process that does not own the outbox tries the owner lock (`bot.delivery.ownership`); the
  owner sends the outbox, runs the daily summaries and polls the followed feeds, on SQLite as
  on PostgreSQL, and steps down if
  its lock goes. Each beat also sets this process's share of the send budget
  (`bot.delivery.budget`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import time
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot import lexicon
from bot.corrections.planner import CorrectionPlanner
from bot.corrections.retention import RetentionPruner
from bot.delivery import budget, outbox, senders
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

TAKEOVER_HOLD_SECONDS = 1.05  # Telegram's windows are one second (30/s overall, 1/s a chat)

INTERACTIVE_CONNECTIONS = 64
STOP_BEAT_TIMEOUT = 10.0  # seconds a stop waits for a heartbeat under way
FREE_BROADCAST_LIMIT = 30  # above this, outbox sends are paid broadcasts (allow_paid_broadcast)


def sender_concurrency(rate: int) -> int:
    """Rows in flight: about half a second of sends (enough to hide 100 ms of latency with
    room for a slow database round trip), never fewer than 32."""
    return max(32, min(600, math.ceil(rate * 0.5)))


def configure_builder(
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any], services: Services
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    rate = services.settings.send_rate_limit
    limiter = services.limiter
    if limiter is None:
        limiter = services.limiter = FloodLimiter(Limits(per_second=rate))
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
        self.session_factory = services.session_factory
        settings = services.settings
        limiter = services.limiter
        if limiter is None:  # built without configure_builder
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
            settings=settings,
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
            settings=settings,
        )
        self.summaries = SummaryTicker(services)
        self.summaries_task: asyncio.Task[None] | None = None
        self.pruner = RetentionPruner(
            services.session_factory,
            services.clock,
            days=settings.delivery_retention_days,
            write_lock=write_lock,
        )
        self.pruner_task: asyncio.Task[None] | None = None
        self.corrections = CorrectionPlanner(
            services.session_factory,
            services.clock,
            on_queued=self.sender.wake,
            write_lock=write_lock,
        )
        self.corrections_task: asyncio.Task[None] | None = None
        self.owner = OwnerLock(services.engine, settings.database_url)
        self.write_lock = write_lock or contextlib.nullcontext()
        self.heartbeat = settings.sender_heartbeat_seconds
        self.stale_after = dt.timedelta(seconds=settings.sender_stale_seconds)
        self.sender_id: int | None = None
        self.alive = 1
        self.sender_task: asyncio.Task[None] | None = None
        self.fanout_task: asyncio.Task[None] | None = None
        self.feeder_task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._failing: str | None = None
        self._taken_over = False  # owner, with earlier claims recovered and the schedules on
        self._stopping = asyncio.Event()

    @property
    def owns_schedules(self) -> bool:
        """This process runs the daily summaries, the feeds and the corrections planner."""
        return self._taken_over

    @property
    def sending(self) -> bool:
        """This process owns the outbox and its sender is running."""
        return self.owner.held and self.sender_task is not None and not self.sender_task.done()

    def wake(self) -> None:
        self.fanout.wake()
        self.corrections.wake()
        self.sender.wake()

    def _queued(self) -> None:
        self.feeder.wake()
        self.sender.wake()

    def start_sender(self) -> None:
        if self.sender_task is None or self.sender_task.done():
            self.sender.sender_id = self.sender_id
            self.sender_task = asyncio.create_task(self.sender.run(), name="outbox-sender")

    async def stop_sender(self) -> None:
        if self.sender_task is not None:
            self.sender_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sender_task
            self.sender_task = None

    async def start(self) -> None:
        # Matching (fan-out, expansion, summaries) looks keywords up in the cross-language
        # lexicon; loading it takes a second or two, done here in a worker thread so that the
        # first fan-out does not do it on the event loop.
        await lexicon.ready()
        self.fanout_task = asyncio.create_task(self.fanout.run(), name="fan-out")
        self.feeder_task = asyncio.create_task(self.feeder.run(), name="fan-out-feeder")
        await self.beat()
        self._watch_task = asyncio.create_task(self._watch(), name="sender-heartbeat")

    async def _watch(self) -> None:
        # Not cancelled by `stop`: a beat is never cut half-way (a claim being recovered, the
        # lock being taken); the stop waits for it instead.
        while True:
            try:
                await asyncio.wait_for(self._stopping.wait(), self.heartbeat)
            except TimeoutError:
                await self.beat()
            else:
                return

    async def beat(self) -> None:
        """One heartbeat: refresh this sender's row, put back dead senders' claims, keep or
        try to take the owner lock, and set this process's share of the send budget. A failure
        (the database unreachable) is logged once and retried at the next beat."""
        began = time.monotonic()
        try:
            async with self.write_lock, self.session_factory() as session, session.begin():
                if self.sender_id is None:
                    self.sender_id = await senders.register(session)
                elif not await senders.beat(session, self.sender_id):
                    log.warning(
                        "outbox: this process was taken for dead (no heartbeat for %ss: its "
                        "event loop or the database stalled); its claims were resent by others",
                        self.stale_after.total_seconds(),
                    )
                    self.sender_id = await senders.register(session)
                recovered = await senders.recover_dead(session, stale_after=self.stale_after)
                self.alive = max(
                    1, await senders.count_alive(session, stale_after=self.stale_after)
                )
            if recovered:
                log.warning(
                    "outbox: %d rows of a stopped sender were in doubt; resending", recovered
                )
            self.sender.sender_id = self.sender_id
            await self._keep_or_take_ownership()
            # Alive and still the owner as of `began`: claims may be sent for half the time
            # others wait before taking them over (see `bot.delivery.sender`).
            self.sender.renew_lease(began + self.stale_after.total_seconds() / 2)
        except Exception as exc:  # noqa: BLE001 - the next beat tries again
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            if reason != self._failing:
                log.warning(
                    "delivery heartbeat failed (retrying every %ss): %s", self.heartbeat, reason
                )
            self._failing = reason
        else:
            if self._failing is not None:
                log.info("delivery heartbeat recovered")
            self._failing = None
        self.limiter.set_rate(
            budget.share(
                self.services.settings.send_rate_limit, self.alive, sends_outbox=self.owner.held
            )
        )

    async def _keep_or_take_ownership(self) -> None:
        if self.owner.held and not await self.owner.still_held():
            log.warning("lost the owner lock (its database connection is gone); standing by")
            await self._step_down()
        if not self.owner.held:
            if self.sender_id is None or not await self.owner.try_acquire():
                return
            self._taken_over = False
        if not self._taken_over:
            # Only the owner sends, and its sender is not running yet: every row still claimed
            # is in doubt, this process's own from before a step-down included. Results of
            # that earlier run still in memory are written first.
            await self.sender.flush()
            async with self.write_lock, self.session_factory() as session, session.begin():
                recovered = await senders.recover_all_but(session, None)
                # What the last owner sent to each group in the last minute still counts
                # towards the group's 20 a minute.
                groups = await outbox.recent_group_sends(session, self.services.clock())
            for chat_id, ages in groups.items():
                self.limiter.note_group_sends(chat_id, ages)
            if recovered:
                log.warning("outbox: %d rows were in doubt after a stop; resending them", recovered)
            log.info("this process sends the outbox, runs the daily summaries and polls feeds")
            self.summaries_task = asyncio.create_task(self.summaries.run(), name="daily-summaries")
            # Off the hot path: its own task, short transactions, once an hour.
            self.pruner_task = asyncio.create_task(self.pruner.run(), name="delivery-retention")
            self.corrections_task = asyncio.create_task(
                self.corrections.run(), name="corrections-planner"
            )
            sources.start(self.application, self.services)
            self._taken_over = True
            # The sender this one replaces (killed a moment ago, or standing down) may have
            # sent its whole per-second budget, and to some chat, in the last second: wait
            # that second out rather than earn a 429 for the bot.
            self.limiter.hold(TAKEOVER_HOLD_SECONDS)
            self.start_sender()
        elif self.sender_task is not None and self.sender_task.done():
            log.warning("outbox: the sender stopped unexpectedly; starting it again")
            self.start_sender()

    async def _step_down(self) -> None:
        await self.stop_sender()
        if self._taken_over:
            if self.summaries_task is not None:
                self.summaries_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.summaries_task
            self.summaries_task = None
            for task in (self.pruner_task, self.corrections_task):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            self.pruner_task = self.corrections_task = None
            await sources.stop(self.services)
        self._taken_over = False
        await self.owner.release()

    async def stop(self) -> None:
        self._stopping.set()
        if self._watch_task is not None:
            _, hung = await asyncio.wait({self._watch_task}, timeout=STOP_BEAT_TIMEOUT)
            for beat in hung:  # the database does not answer: stop anyway
                beat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beat
        for task in (self.fanout_task, self.feeder_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._watch_task = self.fanout_task = self.feeder_task = None
        await self._step_down()
        if self.sender_id is not None:
            with contextlib.suppress(Exception):
                async with self.write_lock, self.session_factory() as session, session.begin():
                    await senders.retire(session, self.sender_id)


async def start(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    runtime = DeliveryRuntime(application, services)
    services.delivery = runtime
    await runtime.start()


async def stop(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    runtime, services.delivery = services.delivery, None
    if runtime is not None:
        await runtime.stop()
