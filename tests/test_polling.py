"""One getUpdates poller across processes (bot.polling), on both databases.

Two pollers here stand for two processes: each has its own Application and its own lock
connection (or lock file descriptor), as separate processes would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text
from telegram.ext import Application

from bot.config import Settings
from bot.emulator import TelegramEmulator
from bot.polling import POLLER_ADVISORY_KEY, SinglePoller
from bot.services import Services
from tests.db_fixtures import Database

FAST = {"retry_seconds": 0.05, "check_seconds": 0.05}


@pytest.fixture
async def two_pollers(
    emulator: TelegramEmulator, db: Database
) -> AsyncIterator[tuple[SinglePoller, SinglePoller]]:
    settings = Settings(
        telegram_bot_token=emulator.token,
        telegram_api_url=emulator.base_url,
        database_url=db.url,
    )
    services = Services(settings, db.engine, db.session_factory)
    applications: list[Application] = [emulator.application_builder().build() for _ in "ab"]
    for application in applications:
        await application.initialize()
    pollers = [SinglePoller(application, services, **FAST) for application in applications]
    try:
        yield pollers[0], pollers[1]
    finally:
        for poller in pollers:
            await poller.stop()
        for application in applications:
            await application.shutdown()


async def until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Await a poller's state (re-checked every 10 ms: it changes without telling anyone)."""
    try:
        async with asyncio.timeout(timeout):
            while not predicate():  # noqa: ASYNC110 - state owned by another task
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"waited {timeout}s for {what}") from None


def count_refusals(poller: SinglePoller, times: int) -> asyncio.Event:
    """An event set once `poller` was refused the lock `times` times."""
    refused = asyncio.Event()
    tries = poller.lock.try_acquire
    count = 0

    async def counted() -> bool:
        nonlocal count
        got = await tries()
        count += 0 if got else 1
        if count >= times:
            refused.set()
        return got

    poller.lock.try_acquire = counted  # type: ignore[method-assign]
    return refused


def no_conflicts(emulator: TelegramEmulator) -> bool:
    return all(r.status != 409 for r in emulator.requests("getUpdates"))


async def test_the_standby_polls_once_the_poller_stops(
    emulator: TelegramEmulator, two_pollers: tuple[SinglePoller, SinglePoller]
) -> None:
    first, second = two_pollers
    first.start()
    await until(lambda: first.polling and emulator.polling, "the first polling")
    refused = count_refusals(second, 3)
    second.start()
    # The standby keeps trying the lock (every 50 ms here) without ever polling.
    await asyncio.wait_for(refused.wait(), 10)
    assert not second.polling and not second.lock.held

    await first.stop()
    await until(lambda: second.polling, "the standby taking over")

    assert no_conflicts(emulator)


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
async def test_a_poller_whose_lock_connection_dies_stops_until_it_holds_the_lock_again(
    emulator: TelegramEmulator,
    two_pollers: tuple[SinglePoller, SinglePoller],
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = two_pollers
    first.start()
    await until(lambda: first.polling, "the first polling")
    second.start()

    # What a PostgreSQL restart or a network cut does to the lock's session.
    high, low = divmod(POLLER_ADVISORY_KEY, 1 << 32)
    async with db.engine.connect() as connection:
        killed = await connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = "
                "'advisory' AND classid = :high AND objid = :low AND granted"
            ),
            {"high": high, "low": low},
        )
    assert killed == 1

    # The poller notices (and stops), then whichever retries first polls: one at a time.
    def noticed() -> bool:
        return any("lost the poller lock" in r.getMessage() for r in caplog.records)

    await until(lambda: noticed() and first.polling != second.polling, "one poller again")
    polling = first if first.polling else second
    assert polling.lock.held and await polling.lock.still_held()
