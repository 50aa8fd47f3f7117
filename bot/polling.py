"""One getUpdates poller across processes.

Telegram answers a second long poll with "409 Conflict: terminated by other getUpdates
request", so when several processes run on one database only the one holding the poller lock
polls (an `OwnerLock` with its own key: a PostgreSQL advisory lock on a connection held for the
process's life, or a file lock next to a SQLite file). The others stand by, retrying the lock
every `RETRY_SECONDS`: the lock is released by the server (or the OS) the moment the poller's
process dies, so a standby takes over within seconds. Standby processes still run everything
else: fan-out, sending, scheduling as delivery's own rules say.

The poller stops polling before it releases the lock, so two processes never poll at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.delivery.ownership import OwnerLock
from bot.services import Services

log = logging.getLogger(__name__)

POLLER_ADVISORY_KEY = 0x646967706F  # "digpo"
RETRY_SECONDS = 2.0
# How often the poller checks that its lock's database connection is still alive: a lost
# connection means the server released the lock and a standby may be polling already, so
# this bounds how long two processes can poll at once (a SELECT 1 on an idle connection).
CHECK_SECONDS = 1.0


def poller_lock(services: Services) -> OwnerLock:
    return OwnerLock(
        services.engine,
        services.settings.database_url,
        key=POLLER_ADVISORY_KEY,
        name="poller",
    )


class SinglePoller:
    """Polls Telegram from this process while it holds the poller lock."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        services: Services,
        *,
        retry_seconds: float = RETRY_SECONDS,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.application = application
        self.lock = poller_lock(services)
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def polling(self) -> bool:
        updater = self.application.updater
        return updater is not None and updater.running

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="getUpdates-poller")

    async def stop(self) -> None:
        """Stop polling (python-telegram-bot confirms what it fetched), then let go of the lock."""
        # The flag as well as the cancellation: Updater.stop() swallows a CancelledError that
        # arrives while it waits for its own polling task.
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._stop_polling()
        await self.lock.release()

    async def _run(self) -> None:
        standing_by = False
        while not self._stopping:
            if await self._acquire():
                if self._stopping:
                    break
                standing_by = False
                try:
                    await self._poll_while_held()
                except Exception:  # noqa: BLE001 - a poller that gives up leaves the bot deaf
                    log.exception("polling failed; retrying")
                    await self._stop_polling()
                    await self.lock.release()
            elif not standing_by:
                log.info("another process polls Telegram: standing by to take over")
                standing_by = True
            await asyncio.sleep(self.retry_seconds)

    async def _acquire(self) -> bool:
        try:
            return await self.lock.try_acquire()
        except Exception as error:  # noqa: BLE001 - the database may be back at the next try
            log.warning("could not take the poller lock (%s); retrying", error)
            return False

    async def _poll_while_held(self) -> None:
        updater = self.application.updater
        assert updater is not None
        try:
            await updater.start_polling(
                poll_interval=0, drop_pending_updates=False, error_callback=_log_poll_error
            )
        except TelegramError as error:
            log.warning("could not start polling (%s); retrying", error)
            await self.lock.release()
            return
        log.info("this process polls Telegram for updates")
        while await self.lock.still_held():  # noqa: ASYNC110 - polling a lock, not an event
            if self._stopping:
                return
            await asyncio.sleep(self.check_seconds)
        log.warning("lost the poller lock (its database connection closed): polling stops")
        await self._stop_polling()

    async def _stop_polling(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()


def _log_poll_error(error: TelegramError) -> None:
    # python-telegram-bot retries with back-off; one line per failure, not a traceback.
    log.warning("getUpdates failed (%s); retrying", error)
