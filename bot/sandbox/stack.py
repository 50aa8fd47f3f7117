"""The sandbox's running pieces in one event loop: the database (migrated), the emulated
Telegram, the real bot long-polling it, and the bot's delivery runtime (outbox sender, fan-out,
daily-summary scheduler), which `post_init` starts.

`Application.run_polling` would own the event loop, so the Application is driven by hand in
the same order run_polling uses, and stopped in the reverse order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application

from bot.config import Settings
from bot.emulator import TelegramEmulator
from bot.sandbox import identities
from bot.services import Services, system_clock
from bot.site import serve as site
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import (
    ContentStatus,
    DailyReport,
    Delivery,
    DeliveryStatus,
    Digest,
    Entry,
    FanoutRecipient,
    KnownUser,
    Subscriber,
)

log = logging.getLogger(__name__)

QUEUED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
OUTBOX_POLL_SECONDS = 0.1


class ForeignDatabase(Exception):
    """The database holds chats the sandbox did not create: real subscribers."""


class SandboxClock:
    """The bot's clock (`Services.clock`): real time plus however far `:time` moved it."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return system_clock() + self.offset


def describe_database(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class Stack:
    """Start, stop, and wait for the bot."""

    def __init__(self, settings: Settings, *, port: int = 0) -> None:
        self.settings = settings
        self.port = port
        self.clock = SandboxClock()
        # Telegram's flood limits stay on: the sandbox is where a newcomer sees the real
        # pacing (the bot's own limiter keeps it under them, so nothing waits on a 429).
        # Unknown private chats are accepted so that what the outbox holds for a user of an
        # earlier session arrives here instead of marking that subscriber as gone.
        self.emulator = TelegramEmulator(accept_unknown_chats=True)
        self.engine: AsyncEngine | None = None
        self._services: Services | None = None
        self._application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._emulator_started = False
        self._initialized = False
        self._post_init_done = False
        self.site_url: str | None = None

    @property
    def services(self) -> Services:
        assert self._services is not None, "the sandbox is not started"
        return self._services

    @property
    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        assert self._application is not None, "the sandbox is not started"
        return self._application

    # --------------------------------------------------------------------------- lifecycle

    async def start(self, *, ready_timeout: float = 10.0) -> None:
        """Migrate, check the database is the sandbox's, then start Telegram and the bot."""
        self.engine = create_engine(self.settings.database_url)
        await upgrade(self.engine)
        session_factory = create_session_factory(self.engine)
        await self._refuse_real_subscribers(session_factory)
        await self.emulator.start(port=self.port)
        self._emulator_started = True
        # The website too (on PORT, or a free port); it is the public address unless PUBLIC_URL
        # says otherwise, so tracked links in messages lead to it.
        listening = site.listen("127.0.0.1", self.settings.port or 0)
        site_url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        settings = self.settings.model_copy(
            update={
                "telegram_bot_token": self.emulator.token,
                "telegram_api_url": self.emulator.base_url,
                "public_url": self.settings.public_url or site_url,
            }
        )
        self._services = Services(settings, self.engine, session_factory, clock=self.clock)
        self.site_url = await site.start(self._services, sock=listening)
        await self._restore_chats(session_factory)

        from bot.app import build_application

        app = build_application(settings, services=self._services)
        self._application = app
        # run_polling's order. Its post_init (command menu, delivery runtime) is only called
        # by run_polling, so it is called here.
        await app.initialize()
        self._initialized = True
        if app.post_init is not None:
            await app.post_init(app)
        self._post_init_done = True
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await app.start()
        # Ready once the bot's first long poll waits (stopping earlier leaves python-telegram-
        # bot's final getUpdates without a free connection).
        await self.emulator.wait_until(lambda: self.emulator.polling, ready_timeout)

    async def stop(self) -> None:
        """Stop whatever started, in the reverse order; safe after a failed start."""
        app = self._application
        if app is not None:
            try:
                if app.updater is not None and app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
                    if app.post_stop is not None:
                        await app.post_stop(app)
                if self._initialized:
                    await app.shutdown()
            finally:
                if self._post_init_done and app.post_shutdown is not None:
                    await app.post_shutdown(app)
            self._application = None
        if self._services is not None:
            await site.stop(self._services)
        if self._emulator_started:
            await self.emulator.stop()
            self._emulator_started = False
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None

    async def _refuse_real_subscribers(
        self, session_factory: async_sessionmaker[AsyncSession]
    ) -> None:
        """The sender would deliver real subscribers' queued messages to the emulator and mark
        them sent: refuse a database with chats the sandbox does not hand out."""
        async with session_factory() as session:
            chats = set(await session.scalars(select(Subscriber.chat_id).distinct()))
            chats |= set(
                await session.scalars(
                    select(Delivery.chat_id).where(Delivery.status.in_(QUEUED)).distinct()
                )
            )
        foreign = sorted(c for c in chats if not identities.is_sandbox_chat(c))
        if foreign:
            raise ForeignDatabase(
                f"{describe_database(self.settings.database_url)} has {len(foreign)} chat(s) "
                f"that are not sandbox users (such as {', '.join(map(str, foreign[:3]))}): the "
                "sandbox would deliver their messages to its fake Telegram. Give it a database "
                "of its own, e.g. DATABASE_URL=sqlite:///sandbox.sqlite3"
            )

    async def _restore_chats(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        """Put the users and groups of earlier sessions back into the new emulator, under
        their names, so what the outbox still holds for them arrives."""
        async with session_factory() as session:
            users = (await session.execute(select(KnownUser.user_id, KnownUser.first_name))).all()
            chats = (
                await session.execute(
                    select(Subscriber.chat_id, Subscriber.chat_type, Subscriber.title).where(
                        Subscriber.thread_id == 0
                    )
                )
            ).all()
        for user_id, first_name in users:
            if identities.is_sandbox_chat(user_id) and first_name:
                self.emulator.add_user(
                    user_id, first_name, username=identities.username(first_name)
                )
        for chat_id, chat_type, title in chats:
            if chat_id > 0 and chat_id not in self.emulator.users:
                self.emulator.add_user(chat_id)
            elif chat_id < 0 and chat_id not in self.emulator.chats:
                self.emulator.create_group(
                    title or "group", chat_id=chat_id, supergroup=chat_type != "group"
                )

    # ---------------------------------------------------------------------------- waiting

    async def settle(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until the bot has handled every update so far; False on timeout.

        The emulator keeps an update until a getUpdates confirms it, which python-telegram-bot
        sends only after putting the update on its queue; the queue's join() returns once
        every update taken from it was processed (its replies sent).
        """
        try:
            async with asyncio.timeout(timeout):
                await self.emulator.wait_until(lambda: self.emulator.pending_updates == 0, timeout)
                await self.application.update_queue.join()
        except TimeoutError:
            return False
        return True

    async def queued(self) -> int:
        """Messages due to go out now, plus those planned and published content not fanned
        out yet.

        One statement, so one snapshot: counted separately, content could be fanned out
        between the two counts and its messages be missed by both.
        """
        now = self.clock()
        due = select(func.count(Delivery.id)).where(
            Delivery.status.in_(QUEUED),
            or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        )
        # Recipients planned at publication but not expanded into messages yet are waiting too.
        planned = select(func.count(FanoutRecipient.id))
        counts = [due.scalar_subquery(), planned.scalar_subquery()]
        for model in (Entry, DailyReport, Digest):
            unfanned = select(func.count(model.id)).where(
                model.status == ContentStatus.PUBLISHED, model.fanned_out_at.is_(None)
            )
            counts.append(unfanned.scalar_subquery())
        async with self.services.session_factory() as session:
            row = (await session.execute(select(*counts))).one()
        return sum(int(n or 0) for n in row)

    async def drain(self, timeout: float) -> int:  # noqa: ASYNC109
        """Wait (up to `timeout`) for the outbox to send what is due; returns what is left."""
        # The outbox lives in the database, which signals nothing: poll it.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        left = await self.queued()
        while left and loop.time() < deadline:
            await asyncio.sleep(OUTBOX_POLL_SECONDS)
            left = await self.queued()
        return left

    # ------------------------------------------------------------------------------- time

    async def advance(self, by: dt.timedelta) -> tuple[int, list[str]]:
        """Move the bot's clock (and Telegram's) forward, then do what the schedulers' ticks
        would do at the new time, since they tick on the real clock: daily summaries that fell
        due, and scheduled publications. Returns (summaries queued, refs published)."""
        from bot.delivery import notify_published
        from bot.delivery.summaries import run_due_summaries
        from bot.editorial.scheduling import publish_due

        self.clock.offset += by
        self.emulator.advance_clock(by.total_seconds())
        services = self.services
        summaries = 0
        if services.delivery is not None and services.delivery.owns_schedules:
            summaries = await run_due_summaries(services)
        async with services.session_factory() as session, session.begin():
            due = await publish_due(session, self.clock())
        if due.published:
            notify_published(services)
        return summaries, [str(ref) for ref in due.published]
