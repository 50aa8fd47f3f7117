"""Real bot processes (`python -m bot run`) killed, stopped and replaced mid fan-out: nothing
is lost, duplicates are at most the requests in flight at a crash, a SIGTERM loses and
duplicates nothing, and two processes on PostgreSQL send as one."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.emulator import TelegramEmulator
from bot.publishing import publish
from storage.models import Delivery, Sender
from tests.db_fixtures import Database
from tests.delivery import factory
from tests.delivery.factory import ItemSpec, eventually
from tests.e2e.processes import BotProcess

FIRST_USER = 30_000
RATE = 40  # the bot's SEND_RATE_LIMIT; the emulator answers 429 above it


async def subscribers(db: Database, emulator: TelegramEmulator, count: int) -> list[int]:
    users = list(range(FIRST_USER, FIRST_USER + count))
    async with db.session_factory() as s, s.begin():
        for user in users:
            emulator.add_user(user)
            await factory.subscriber(s, user, follows=["japan"])
    return users


async def publish_item(db: Database) -> None:
    """Published from outside the bot, as `digestbot ingest --publish` does: the running
    process picks it up."""
    async with db.session_factory() as s, s.begin():
        report = await factory.report(s, [ItemSpec("Tokyo and Beijing talk", regions=["japan"])])
        await publish(s, report_ids=[report.id])


async def statuses(db: Database) -> Counter[str]:
    async with db.session_factory() as s:
        rows = await s.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        return Counter(dict(rows.all()))


async def in_doubt(db: Database) -> int:
    async with db.session_factory() as s:
        return int(
            await s.scalar(select(func.count()).where(Delivery.last_error.startswith("in doubt")))
            or 0
        )


def copies(emulator: TelegramEmulator, users: list[int]) -> Counter[int]:
    return Counter({u: len(emulator.messages(u)) for u in users})


async def everyone_served(
    emulator: TelegramEmulator,
    users: list[int],
    timeout: float = 30.0,  # noqa: ASYNC109
) -> None:
    await emulator.wait_until(
        lambda: all(emulator.messages(u) for u in users), timeout, "a message to every user"
    )


async def sends_reach(emulator: TelegramEmulator, n: int) -> None:
    await emulator.wait_until(lambda: emulator.counters.sends >= n, 20, f"{n} sends")


@pytest.fixture
async def processes(
    tmp_path: Path, emulator: TelegramEmulator, db: Database
) -> AsyncIterator[Callable[..., Awaitable[BotProcess]]]:
    started: list[BotProcess] = []

    async def start(**settings: object) -> BotProcess:
        log = tmp_path / f"bot-{len(started)}.log"
        process = await BotProcess.start(emulator, db.url, log, send_rate_limit=RATE, **settings)
        started.append(process)
        return process

    yield start
    for process in started:
        await process.close()


LIMITS = {"rate_limits": True, "rate_limit": RATE, "paid_rate_limit": RATE, "latency_ms": 40}


@pytest.mark.emulator(**LIMITS)
async def test_a_bot_killed_twice_mid_fan_out_delivers_everything_after_restarts(
    db: Database, emulator: TelegramEmulator, processes: Callable[..., Awaitable[BotProcess]]
) -> None:
    users = await subscribers(db, emulator, 90)
    await publish_item(db)
    claimed_at_kills = 0

    for sends_before_kill in (10, 45):
        bot = await processes()
        await sends_reach(emulator, sends_before_kill)
        bot.kill()
        assert await bot.exited() == -9
        claimed_at_kills += (await statuses(db))["sending"]

    await processes()
    await everyone_served(emulator, users)

    async def settled() -> Counter[str] | None:
        counts = await statuses(db)
        return counts if counts["sent"] == len(users) else None

    await eventually(settled, 10, "every row recorded as sent")
    got = copies(emulator, users)
    duplicates = sum(n - 1 for n in got.values())
    assert duplicates <= await in_doubt(db) <= claimed_at_kills
    assert emulator.counters.too_many_requests == 0


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the drain is the same on both
@pytest.mark.emulator(**LIMITS)
async def test_sigterm_mid_fan_out_finishes_what_is_in_flight_and_loses_nothing(
    db: Database, emulator: TelegramEmulator, processes: Callable[..., Awaitable[BotProcess]]
) -> None:
    users = await subscribers(db, emulator, 60)
    await publish_item(db)
    bot = await processes()
    await sends_reach(emulator, 15)

    bot.terminate()
    assert await bot.exited() == 0, bot.output()

    counts = await statuses(db)
    assert counts["sending"] == 0 and counts["pending"] > 0
    got = copies(emulator, users)
    assert counts["sent"] == sum(got.values())  # every request that left was recorded
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Sender)) == 0  # it signed off

    await processes()
    await everyone_served(emulator, users)
    assert set(copies(emulator, users).values()) == {1}
    assert await in_doubt(db) == 0


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
@pytest.mark.emulator(**LIMITS)
async def test_two_processes_send_as_one_and_the_standby_takes_over_after_a_kill(
    db: Database, emulator: TelegramEmulator, processes: Callable[..., Awaitable[BotProcess]]
) -> None:
    users = await subscribers(db, emulator, 150)
    asker = 7
    emulator.add_user(asker)
    first = await processes()
    await publish_item(db)
    await sends_reach(emulator, 1)  # the first process sends
    await processes()

    async def both_alive() -> bool:
        async with db.session_factory() as s:
            return (await s.scalar(select(func.count()).select_from(Sender))) == 2

    await eventually(both_alive, 20, "two live senders")
    for _ in range(3):  # users keep talking to the bot meanwhile: replies share the budget
        emulator.send_message(asker, "/help")
    await sends_reach(emulator, 60)
    first.kill()
    await first.exited()
    claimed_at_kill = (await statuses(db))["sending"]

    await everyone_served(emulator, users)
    got = copies(emulator, users)
    assert sum(n - 1 for n in got.values()) <= claimed_at_kill
    assert emulator.max_sends_in_window(1.0) <= RATE
    assert emulator.counters.too_many_requests == 0
    await emulator.wait_until(lambda: len(emulator.messages(asker)) >= 3, 10, "three replies")
