"""The objects every handler and job needs, kept on the Application (no globals)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.known_users import KnownUsersWriter

if TYPE_CHECKING:
    from aiohttp import web
    from telegram.ext import Application

    from bot.delivery.limiter import FloodLimiter
    from bot.delivery.runtime import DeliveryRuntime
    from bot.lookup import IndexCache
    from bot.sources.poller import SourcePoller

SERVICES_KEY = "services"


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    # Tests pass a clock they can move (daily summaries, quiet hours, DST).
    clock: Callable[[], dt.datetime] = system_clock
    # The rate limiter every request goes through; tests may pass their own
    # (`bot.delivery.runtime.configure_builder` makes one otherwise).
    limiter: FloodLimiter | None = None
    # The long-running parts, set while they run.
    delivery: DeliveryRuntime | None = None  # outbox sender, fan-out, schedules
    source_poller: SourcePoller | None = None  # only in the process that owns the schedules
    source_poller_task: asyncio.Task[None] | None = None
    site_runner: web.AppRunner | None = None  # the website, where this process serves it
    # Who wrote to the bot, recorded behind the updates (`bot.known_users`).
    known_users: KnownUsersWriter = field(init=False)
    # Names of regions and commentators for /follow and its suggestions (built on first use).
    lookup_cache: IndexCache | None = None

    def __post_init__(self) -> None:
        self.known_users = KnownUsersWriter(self.session_factory)


def get_services(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    return application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]
