"""Sending survives what real Telegram does: restarts mid-fan-out, users who block the bot,
flood control, server errors; and the bot keeps answering commands during a big fan-out."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import column, func, select, table, update
from sqlalchemy.pool import NullPool
from telegram import Bot

from bot.delivery import notify_published, outbox, senders
from bot.delivery.ownership import OwnerLock
from bot.delivery.runtime import DeliveryRuntime
from bot.publishing import publish
from storage.db import create_engine, create_session_factory
from storage.models import Delivery, Subscriber
from tests.delivery import factory
from tests.delivery.factory import ItemSpec, eventually
from tests.e2e.conftest import MovableClock, RunningBot

FIRST_USER = 20_000


def runtime_of(bot: RunningBot) -> DeliveryRuntime:
    runtime = bot.services.delivery
    assert isinstance(runtime, DeliveryRuntime)
    return runtime


async def subscribers(bot: RunningBot, count: int, *, follows: str = "japan") -> list[int]:
    users = list(range(FIRST_USER, FIRST_USER + count))
    for user in users:
        bot.user(user)
    async with bot.session_factory() as s, s.begin():
        for user in users:
            await factory.subscriber(s, user, follows=[follows])
    return users


async def publish_items(bot: RunningBot, count: int, region: str = "japan") -> None:
    """`count` reports of one item each: `count` messages to each follower of `region`."""
    async with bot.session_factory() as s, s.begin():
        reports = [
            await factory.report(s, [ItemSpec(f"Item {i} on {region}", regions=[region])])
            for i in range(count)
        ]
        await publish(s, report_ids=[r.id for r in reports], now=bot.services.clock())
    notify_published(bot.services)


async def statuses(bot: RunningBot) -> Counter[str]:
    async with bot.session_factory() as s:
        rows = await s.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        return Counter(dict(rows.all()))


async def settled(bot: RunningBot, timeout: float = 20.0) -> Counter[str]:  # noqa: ASYNC109
    async def done() -> Counter[str] | None:
        counts = await statuses(bot)
        return counts if counts and not (counts["pending"] or counts["sending"]) else None

    return await eventually(done, timeout, "a settled outbox")


def copies(bot: RunningBot, users: list[int]) -> Counter[int]:
    return Counter({u: len(bot.emulator.messages(u)) for u in users})


@pytest.mark.bot(send_rate_limit=100)
@pytest.mark.emulator(rate_limits=True, rate_limit=100, latency_ms=30)
async def test_a_sender_stopped_mid_fan_out_and_restarted_sends_each_message_once(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    users = await subscribers(bot, 150)
    await publish_items(bot, 1)

    await bot.emulator.wait_until(lambda: bot.emulator.counters.sends >= 40, 10, "40 sends")
    runtime = runtime_of(bot)
    await runtime.stop_sender()  # cancelled mid-fan-out
    left = await statuses(bot)
    assert left["pending"] > 0 and left["sending"] == 0
    assert bot.emulator.counters.sends < 150
    assert gc.get_freeze_count() == 0, "a stopped sender hands the heap back to the collector"

    runtime.start_sender()
    counts = await settled(bot)

    assert counts == Counter({"sent": 150})
    assert set(copies(bot, users).values()) == {1}
    assert bot.emulator.counters.too_many_requests == 0


@pytest.mark.bot(send_rate_limit=100)
@pytest.mark.emulator(rate_limits=True, rate_limit=100, latency_ms=30)
async def test_after_a_crash_requests_in_doubt_are_resent_once(running_bot: RunningBot) -> None:
    """A process that dies leaves rows `sending`; they are resent once (bot.delivery.outbox):
    duplicates are possible only for requests that were in flight at the crash."""
    bot = running_bot
    users = await subscribers(bot, 120)
    await publish_items(bot, 1)
    await bot.emulator.wait_until(lambda: bot.emulator.counters.sends >= 30, 10, "30 sends")

    runtime = runtime_of(bot)
    sender = runtime.sender
    # Die abruptly: every send task is killed, in flight or not, nothing is written back.
    sender._outcomes.clear()  # noqa: SLF001 - results not yet recorded are lost in a crash
    sender._record = lambda outcome: None  # type: ignore[method-assign]  # noqa: SLF001
    for task, _ in list(sender._tasks.values()):  # noqa: SLF001
        task.cancel()
    await runtime.stop_sender()
    in_doubt = (await statuses(bot))["sending"]
    assert in_doubt > 0

    async with bot.session_factory() as s, s.begin():
        assert await senders.recover_all_but(s, -1) == in_doubt
    runtime.sender = type(sender)(
        bot.session_factory,
        bot.application.bot,
        runtime.limiter,
        clock=bot.services.clock,
        concurrency=sender.concurrency,
    )
    runtime.start_sender()
    counts = await settled(bot)

    assert counts["sent"] == 120
    got = copies(bot, users)
    assert min(got.values()) == 1
    assert sum(n - 1 for n in got.values()) <= in_doubt
    async with bot.session_factory() as s:
        marked = await s.scalar(
            select(func.count()).where(Delivery.last_error.startswith("in doubt"))
        )
    assert marked == in_doubt


async def test_users_who_blocked_the_bot_are_deactivated_and_skipped(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    users = await subscribers(bot, 8)
    for blocked in users[:3]:
        bot.emulator.block(blocked)
    async with bot.session_factory() as s, s.begin():
        await factory.subscriber(s, 99_999, follows=["japan"])  # a chat Telegram does not know
    await publish_items(bot, 2)

    counts = await settled(bot)

    assert counts == Counter({"sent": 10, "failed": 4, "cancelled": 4})
    async with bot.session_factory() as s:
        rows = dict((await s.execute(select(Subscriber.chat_id, Subscriber.status))).all())
    assert {c for c, status in rows.items() if status == "blocked"} == {*users[:3], 99_999}
    for blocked in users[:3]:
        sends = [r for r in bot.emulator.requests("sendMessage") if r.params["chat_id"] == blocked]
        assert len(sends) == 1  # the first 403 stopped everything else queued for them
    assert set(copies(bot, users[3:]).values()) == {2}


@pytest.mark.emulator(rate_limits=True)
async def test_flood_control_is_honoured_for_the_chat_and_the_message_is_retried(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    [user] = await subscribers(bot, 1)
    # Pretend our own per-chat pacing is off, so Telegram's flood control answers 429.
    runtime_of(bot).limiter.limits.chat_limits = False
    await publish_items(bot, 6)

    [message, *_] = await bot.emulator.wait_for_messages(user, 6, timeout=15)
    counts = await settled(bot)

    assert counts == Counter({"sent": 6}) and message.text
    assert bot.emulator.counters.too_many_requests >= 1
    requests = [r for r in bot.emulator.requests("sendMessage") if r.params["chat_id"] == user]
    for refused, following in zip(requests, requests[1:], strict=False):
        if refused.status == 429:
            retry_after = int(refused.description.rsplit(" ", 1)[1])
            assert following.monotonic - refused.monotonic >= retry_after - 0.05
    assert len(bot.emulator.messages(user)) == 6


@pytest.mark.bot(clock=MovableClock(dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)))
@pytest.mark.emulator(error_rate=0.4, fault_methods=frozenset({"sendMessage"}), seed=7)
async def test_server_errors_are_retried_with_backoff_then_given_up(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    clock = bot.services.clock
    assert isinstance(clock, MovableClock)
    users = await subscribers(bot, 12)
    await publish_items(bot, 1)

    async def done() -> list[Delivery] | None:
        async with bot.session_factory() as s:
            rows = list(await s.scalars(select(Delivery)))
        if all(r.status in ("sent", "failed") for r in rows):
            return rows
        clock.advance(minutes=5)  # the back-off passes
        bot.services.delivery.sender.wake()
        return None

    rows = await eventually(done, 20, "every row sent or given up")

    assert bot.emulator.counters.faults["error"] > 0
    assert any(r.attempts > 1 and r.status == "sent" for r in rows)
    got = copies(bot, users)
    for row in rows:
        if row.status == "sent":
            assert got[row.chat_id] == 1
        else:  # out of attempts: the error is kept, nothing was delivered
            assert row.attempts == outbox.MAX_ATTEMPTS
            assert "Internal Server Error" in (row.last_error or "")
            assert got[row.chat_id] == 0


@pytest.mark.emulator(rate_limits=True, latency_ms=20)
async def test_commands_are_answered_during_a_big_fan_out(running_bot: RunningBot) -> None:
    bot = running_bot
    await subscribers(bot, 240)
    bot.user(7)
    await publish_items(bot, 1)
    await bot.emulator.wait_until(lambda: bot.emulator.counters.sends >= 15, 10, "the fan-out")

    started = asyncio.get_running_loop().time()
    reply = await bot.command(7, "/help", timeout=5)
    waited = asyncio.get_running_loop().time() - started

    assert "/subscribe" in (reply.text or "")
    pending = (await statuses(bot))["pending"]
    assert pending > 150, "the reply should not have waited for the fan-out"
    assert waited < 1.0


STORM_CLOCK = MovableClock(dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC))


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.bot(send_rate_limit=60, clock=STORM_CLOCK)
@pytest.mark.emulator(
    rate_limits=True,
    rate_limit=20,
    paid_rate_limit=20,  # a third of what the bot believes: flood control answers 429s
    error_rate=0.3,
    fault_methods=frozenset({"sendMessage"}),
    seed=3,
)
async def test_a_storm_of_server_errors_and_flood_control_still_delivers_everything(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    users = await subscribers(bot, 60)
    await publish_items(bot, 1)
    emulator = bot.emulator
    await emulator.wait_until(
        lambda: emulator.counters.faults["error"] >= 5 and emulator.counters.too_many_requests,
        15,
        "500s and 429s",
    )
    emulator.configure(error_rate=0.0)  # the storm passes

    async def done() -> Counter[str] | None:
        counts = await statuses(bot)
        if counts and not (counts["pending"] or counts["sending"]):
            return counts
        STORM_CLOCK.advance(seconds=30)  # back-offs and retry_after pass
        bot.services.delivery.sender.wake()
        return None

    counts = await eventually(done, 30, "every row sent")

    assert counts == Counter({"sent": 60})
    assert set(copies(bot, users).values()) == {1}


ACTIVITY = table("pg_stat_activity", column("pid"), column("datname"))


@pytest.mark.bot(
    db="postgres", send_rate_limit=50, sender_heartbeat_seconds=0.2, sender_stale_seconds=1
)
@pytest.mark.emulator(rate_limits=True, rate_limit=50, paid_rate_limit=50, latency_ms=30)
async def test_postgres_connections_cut_mid_send_are_recovered(running_bot: RunningBot) -> None:
    bot = running_bot
    users = await subscribers(bot, 100)
    await publish_items(bot, 1)
    await bot.emulator.wait_until(lambda: bot.emulator.counters.sends >= 20, 10, "20 sends")

    async with bot.db.engine.connect() as conn:
        cut = await conn.scalar(
            select(func.count(func.pg_terminate_backend(ACTIVITY.c.pid))).where(
                ACTIVITY.c.datname == func.current_database(),
                ACTIVITY.c.pid != func.pg_backend_pid(),
            )
        )
    assert cut, "the bot's connections (the owner lock's among them) were cut"

    counts = await settled(bot)

    assert counts == Counter({"sent": 100})
    got = copies(bot, users)
    async with bot.session_factory() as s:
        resent = await s.scalar(
            select(func.count()).where(Delivery.last_error.startswith("in doubt"))
        )
    assert min(got.values()) == 1 and sum(n - 1 for n in got.values()) <= (resent or 0)
    assert runtime_of(bot).sending  # it took the lock back and sends again


def _take_over_from_another_process(url: str, after: float) -> list[int]:
    """Another process, while this one is stalled: the stalled owner's connections drop (its
    owner lock with them), it takes the lock, puts the stalled sender's claims back, sends them
    (here: marks them sent) and stops. Returns the chats it sent to. Its own engine and event
    loop, in a thread."""

    async def main() -> list[int]:
        engine = create_engine(url, poolclass=NullPool)
        lock = OwnerLock(engine, url)
        try:
            await asyncio.sleep(after)
            async with engine.connect() as conn:
                await conn.scalar(
                    select(func.count(func.pg_terminate_backend(ACTIVITY.c.pid))).where(
                        ACTIVITY.c.datname == func.current_database(),
                        ACTIVITY.c.pid != func.pg_backend_pid(),
                    )
                )
            assert await lock.try_acquire()
            async with create_session_factory(engine)() as s, s.begin():
                other = await senders.register(s)
                await senders.recover_all_but(s, other)
                taken = (
                    await s.execute(
                        update(Delivery)
                        .where(Delivery.status == "pending", Delivery.last_error.is_not(None))
                        .values(status="sent", claimed_by=other, last_error=None)
                        .returning(Delivery.chat_id)
                    )
                ).scalars()
                chats = list(taken)
                await senders.retire(s, other)
            return chats
        finally:
            await lock.release()
            await engine.dispose()

    return asyncio.run(main())


@pytest.mark.bot(
    db="postgres", send_rate_limit=20, sender_heartbeat_seconds=0.2, sender_stale_seconds=1
)
@pytest.mark.emulator(rate_limits=True, rate_limit=20, paid_rate_limit=20, latency_ms=30)
async def test_a_stalled_sender_does_not_send_claims_another_process_took_over(
    running_bot: RunningBot,
) -> None:
    """A process whose event loop stalls (a blocking call, a starved CPU) past
    SENDER_STALE_SECONDS may find, when it comes back, that another process took the outbox
    over and resent its claims. Its lease ran out during the stall: it must not send them too,
    nor write over them; only requests already in flight at the stall can arrive twice."""
    bot = running_bot
    users = await subscribers(bot, 60)
    await publish_items(bot, 1)
    await bot.emulator.wait_until(lambda: bot.emulator.counters.sends >= 10, 10, "10 sends")
    sender = runtime_of(bot).sender
    in_flight = sender.unrecorded  # requests that may have left, their results not written

    with ThreadPoolExecutor(1) as pool:
        other = pool.submit(_take_over_from_another_process, bot.db.url, 1.2)
        time.sleep(2.0)  # noqa: ASYNC251 - the stall under test: the whole event loop stops
        taken = other.result()
    assert len(taken) > in_flight + 2, "the other process took claims that had not left"

    counts = await settled(bot)

    assert counts == Counter({"sent": 60})
    got = copies(bot, users)
    assert sum(got[chat] for chat in taken) <= in_flight
    assert all(got[u] == 1 for u in users if u not in taken)
    assert bot.emulator.counters.too_many_requests == 0


@pytest.mark.bot(send_rate_limit=30)
@pytest.mark.emulator(rate_limits=True, rate_limit=30, latency_ms=10)
async def test_a_new_owner_counts_what_the_last_one_sent_to_a_group_this_minute(
    running_bot: RunningBot,
) -> None:
    """Telegram allows 20 messages a minute in a group, whoever of our processes sends them:
    the process that takes the outbox over must not start that minute afresh."""
    bot = running_bot
    reader = FIRST_USER
    bot.user(reader)
    group = bot.emulator.create_group("Readers", members=[reader])
    runtime = runtime_of(bot)

    # The last owner (another process) sent the group its 20 of this minute, and recorded them.
    other = Bot(bot.emulator.token, base_url=f"{bot.emulator.base_url}/bot")
    async with other, bot.session_factory() as s, s.begin():
        for i in range(20):
            await other.send_message(group.id, f"Earlier post {i}")
            await outbox.enqueue(
                s,
                chat_id=group.id,
                text=f"Earlier post {i}",
                kind="broadcast",
                dedup_key=f"earlier:{i}",
                now=bot.services.clock(),
            )
        await s.execute(update(Delivery).values(status="sent", sent_at=bot.services.clock()))
    assert bot.emulator.counters.too_many_requests == 0

    await runtime._step_down()  # noqa: SLF001 - this process takes the outbox over anew
    await runtime.beat()
    assert runtime.sending
    async with bot.session_factory() as s, s.begin():
        for chat, key in ((group.id, "late:group"), (reader, "late:reader")):
            await outbox.enqueue(
                s,
                chat_id=chat,
                text="One more",
                kind="broadcast",
                dedup_key=key,
                now=bot.services.clock(),
            )
    runtime.sender.wake()

    await bot.emulator.wait_for_messages(reader, 1, timeout=10)
    await asyncio.sleep(1.5)
    assert len(bot.emulator.messages(group.id)) == 20  # the 21st waits for the minute to pass
    assert runtime.limiter.chat_ready_in(group.id) > 40
    assert bot.emulator.counters.too_many_requests == 0


@pytest.mark.parametrize("bot_db", ["sqlite", "postgres"], indirect=True)
@pytest.mark.emulator(rate_limits=True, latency_ms=20)
async def test_hundreds_of_users_starting_at_the_same_moment_all_get_their_answer(
    running_bot: RunningBot,
) -> None:
    """300 new users send /start within the same instant: each gets one welcome, none is
    lost, and the bot never goes over Telegram's 30 messages a second (no 429)."""
    bot = running_bot
    users = list(range(FIRST_USER, FIRST_USER + 300))
    for user in users:
        bot.user(user)
    for user in users:
        bot.emulator.send_message(user, "/start")

    await bot.emulator.wait_until(
        lambda: all(bot.emulator.messages(u) for u in users), 40, "a welcome for every user"
    )
    await asyncio.sleep(0.5)  # nothing more on its way

    assert set(copies(bot, users).values()) == {1}
    assert all("/help" in (bot.emulator.messages(u)[0].text or "") for u in users)
    assert bot.emulator.counters.too_many_requests == 0
    assert bot.emulator.max_sends_in_window(1.0) <= 30
    async with bot.session_factory() as s:
        started = await s.scalar(
            select(func.count()).select_from(Subscriber).where(Subscriber.chat_id.in_(users))
        )
    assert started == 300
