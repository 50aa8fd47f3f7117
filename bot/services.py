"""The objects every handler and job needs, kept on the Application (no globals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.known_users import KnownUsersWriter

if TYPE_CHECKING:
    from telegram.ext import Application

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
    # Long-running parts (outbox sender, scheduler, fan-out poller) register themselves here.
    extras: dict[str, Any] = field(default_factory=dict)
    # Who wrote to the bot, recorded behind the updates (`bot.known_users`).
    known_users: KnownUsersWriter = field(init=False)

    def __post_init__(self) -> None:
        self.known_users = KnownUsersWriter(self.session_factory)


def get_services(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    return application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]
