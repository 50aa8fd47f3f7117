"""The rate limiter on its own: a fake request callback records when each request left."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.error import RetryAfter, TimedOut

from bot.delivery.limiter import FloodLimiter, Limits, RateLimitArgs
from tests.delivery.factory import eventually


class Recorder:
    """Stands in for the HTTP call; can answer 429 for chosen calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, int | None, str]] = []
        self.flood: dict[int | None, int] = {}  # chat -> how many 429s to answer first

    async def __call__(self, endpoint: str, data: dict) -> dict:
        chat = data.get("chat_id")
        if self.flood.get(chat, 0) > 0:
            self.flood[chat] -= 1
            raise RetryAfter(1)
        self.calls.append((time.monotonic(), chat, data.get("tag", "")))
        return {"ok": True}

    def times(self, chat: int | None = None) -> list[float]:
        return [t for t, c, _ in self.calls if chat is None or c == chat]


async def send(
    limiter: FloodLimiter,
    recorder: Recorder,
    chat_id: int | None,
    *,
    endpoint: str = "sendMessage",
    priority: int | None = None,
    tag: str = "",
) -> object:
    data = {"chat_id": chat_id, "tag": tag}
    args = RateLimitArgs(priority=priority, max_retries=3) if priority is not None else None
    return await limiter.process_request(recorder, (endpoint, data), {}, endpoint, data, args)


def most_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_never_more_than_the_limit_in_any_second_even_at_the_start() -> None:
    limiter = FloodLimiter(Limits(per_second=100))
    recorder = Recorder()
    started = time.monotonic()

    await asyncio.gather(*(send(limiter, recorder, 1000 + i) for i in range(150)))

    times = recorder.times()
    assert len(times) == 150
    assert most_in_window(times, 1.0) <= 100
    # Paced, not serialised: 150 sends at 100/s take about 1.5 s (a wide bound: a busy CI
    # machine must not fail this; a limiter that serialised sends would take minutes).
    assert time.monotonic() - started < 15.0


async def test_a_private_chat_gets_a_burst_of_three_then_one_per_interval() -> None:
    limiter = FloodLimiter(Limits(per_second=1000, private_interval=0.25))
    recorder = Recorder()

    await asyncio.gather(*(send(limiter, recorder, 42) for _ in range(6)))

    times = recorder.times(42)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert times[2] - times[0] < 0.2  # the burst: less than one interval for three
    assert all(gap >= 0.24 for gap in gaps[2:])  # then paced
    # Over any stretch: at most the burst plus one per interval.
    for i, t in enumerate(times):
        later = [u for u in times[i:] if u - t < 0.5]
        assert len(later) <= 3 + 2


async def test_a_group_gets_at_most_its_quota_per_period() -> None:
    limiter = FloodLimiter(Limits(per_second=1000, group_per_minute=5, group_period=0.5))
    recorder = Recorder()

    await asyncio.gather(*(send(limiter, recorder, -100) for _ in range(12)))

    times = recorder.times(-100)
    assert len(times) == 12
    assert most_in_window(times, 0.5) <= 5
    assert times[4] - times[0] < 0.05  # the quota goes at once


async def test_a_groups_sends_by_another_process_count_towards_its_quota() -> None:
    """A new owner learns what the last one sent to each group in the last period."""
    limiter = FloodLimiter(Limits(per_second=1000, group_per_minute=5, group_period=1.0))
    recorder = Recorder()
    limiter.note_group_sends(-100, [0.6, 0.5, 0.4, 0.3])  # four of five used, elsewhere
    limiter.note_group_sends(-200, [5.0, 9.0])  # older than the period: no longer counted
    started = time.monotonic()

    await asyncio.gather(
        send(limiter, recorder, -200), *(send(limiter, recorder, -100) for _ in range(3))
    )

    times = recorder.times(-100)
    assert times[0] - started < 0.05  # the fifth of the period goes at once
    assert times[1] - started >= 0.35  # the next waits for the oldest of the four to expire
    assert recorder.times(-200)[0] - started < 0.05


async def test_edits_use_the_chat_budget_but_not_the_overall_one() -> None:
    limiter = FloodLimiter(Limits(per_second=2, private_interval=0.2))
    recorder = Recorder()
    # Two sends fill the overall budget for a second; edits to other chats still go now.
    await asyncio.gather(send(limiter, recorder, 1), send(limiter, recorder, 2))
    before = time.monotonic()
    await asyncio.gather(
        *(send(limiter, recorder, 10 + i, endpoint="editMessageText") for i in range(5))
    )
    assert time.monotonic() - before < 0.2
    # Non-message methods are not paced at all.
    await asyncio.gather(
        *(send(limiter, recorder, 1, endpoint="answerCallbackQuery") for _ in range(5))
    )
    assert time.monotonic() - before < 0.3


async def test_a_429_halts_its_chat_for_retry_after_and_the_request_is_retried() -> None:
    limiter = FloodLimiter(Limits(per_second=1000))
    recorder = Recorder()
    recorder.flood[7] = 1
    started = time.monotonic()

    first = asyncio.create_task(send(limiter, recorder, 7, priority=10, tag="retried"))
    await asyncio.sleep(0.05)
    # Other chats are not held up by chat 7's flood control.
    await asyncio.gather(*(send(limiter, recorder, 100 + i) for i in range(5)))
    assert time.monotonic() - started < 0.5
    # More requests for chat 7 wait for the halt like the retried one.
    later = asyncio.create_task(send(limiter, recorder, 7, tag="later"))
    await asyncio.gather(first, later)

    chat7 = [(t, tag) for t, c, tag in recorder.calls if c == 7]
    assert [tag for _, tag in chat7] == ["retried", "later"]
    assert chat7[0][0] - started >= 1.0


async def test_a_global_halt_is_not_lifted_by_concurrent_requests() -> None:
    """python-telegram-bot 22.8 releases its halt when any concurrent request finishes
    (issue #5338); here nothing at all leaves before retry_after has passed."""
    limiter = FloodLimiter(Limits(per_second=1000))
    recorder = Recorder()
    recorder.flood[1] = 1
    recorder.flood[2] = 1  # 429s from two chats within a second: treated as global

    started = time.monotonic()
    waves = [
        asyncio.create_task(send(limiter, recorder, 1, priority=10)),
        asyncio.create_task(send(limiter, recorder, 2, priority=10)),
    ]
    await asyncio.sleep(0.05)
    waves += [asyncio.create_task(send(limiter, recorder, 50 + i)) for i in range(20)]
    await asyncio.sleep(0.3)
    waves += [asyncio.create_task(send(limiter, recorder, 80 + i)) for i in range(20)]
    await asyncio.gather(*waves)

    assert limiter.stats["global_halts"] >= 1
    earliest = min(recorder.times()) - started
    assert earliest >= 1.0, f"a request left {earliest:.2f}s after the 429, inside the halt"
    assert len(recorder.calls) == 42


async def test_a_429_is_handed_back_when_retries_are_used_up() -> None:
    limiter = FloodLimiter(Limits(per_second=1000))
    recorder = Recorder()
    recorder.flood[9] = 1
    data = {"chat_id": 9}
    with pytest.raises(RetryAfter):
        await limiter.process_request(
            recorder, ("sendMessage", data), {}, "sendMessage", data, RateLimitArgs(max_retries=0)
        )
    assert limiter.chat_ready_in(9) > 0.5


async def test_interactive_requests_jump_the_queue() -> None:
    limiter = FloodLimiter(Limits(per_second=20))
    recorder = Recorder()
    bulk = [
        asyncio.create_task(send(limiter, recorder, 1000 + i, priority=10, tag="bulk"))
        for i in range(60)
    ]
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await send(limiter, recorder, 5, tag="reply")  # a reply to a user: priority 0
    waited = time.monotonic() - started
    for task in bulk:
        task.cancel()
    await asyncio.gather(*bulk, return_exceptions=True)

    assert waited < 0.2  # one pacing slot at most, not 50 queued sends (2.5 s)
    assert most_in_window(recorder.times(), 1.0) <= 20


async def test_cancelled_waiters_do_not_block_the_queue() -> None:
    limiter = FloodLimiter(Limits(per_second=10))
    recorder = Recorder()
    waiting = [
        asyncio.create_task(send(limiter, recorder, 300 + i, priority=10)) for i in range(30)
    ]
    await asyncio.sleep(0.1)
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    started = time.monotonic()
    await send(limiter, recorder, 999)
    assert time.monotonic() - started < 0.3


class Network:
    """Stands in for the way to Telegram: a request arrives `delay` after it leaves (longer
    for the chats in `slow`), the answer comes straight back; `arrivals` is what Telegram
    counts."""

    def __init__(self, delay: float, slow: dict[int, float]) -> None:
        self.delay = delay
        self.slow = slow
        self.arrivals: list[float] = []

    async def __call__(self, endpoint: str, data: dict) -> dict:
        await asyncio.sleep(self.slow.get(data["chat_id"], self.delay))
        self.arrivals.append(time.monotonic())
        return {"ok": True}


async def test_sends_held_up_on_the_way_still_arrive_at_most_the_limit_per_second() -> None:
    limiter = FloodLimiter(Limits(per_second=40))
    # The second half of the first second's sends is held up for 0.4 s: they arrive among the
    # next second's, which must leave room for them.
    network = Network(0.02, {2000 + i: 0.4 for i in range(20, 40)})

    await asyncio.gather(
        *(
            limiter.process_request(network, ("sendMessage", d), {}, "sendMessage", d, None)
            for d in ({"chat_id": 2000 + i} for i in range(100))
        )
    )

    assert len(network.arrivals) == 100
    assert most_in_window(network.arrivals, 1.0) <= 40


async def test_requests_that_fail_or_are_cancelled_give_their_slots_back() -> None:
    limiter = FloodLimiter(Limits(per_second=5))

    async def times_out(endpoint: str, data: dict) -> dict:
        await asyncio.sleep(0.05)
        raise TimedOut

    async def hangs(endpoint: str, data: dict) -> dict:
        await asyncio.sleep(10)
        return {"ok": True}

    timed_out = [
        limiter.process_request(times_out, ("sendMessage", d), {}, "sendMessage", d, None)
        for d in ({"chat_id": 3000 + i} for i in range(3))
    ]
    assert all(
        isinstance(r, TimedOut) for r in await asyncio.gather(*timed_out, return_exceptions=True)
    )
    # In flight, then waiting for a slot: both cancelled.
    cancelled = [
        asyncio.create_task(
            limiter.process_request(hangs, ("sendMessage", d), {}, "sendMessage", d, None)
        )
        for d in ({"chat_id": 3100 + i} for i in range(8))
    ]
    await asyncio.sleep(0.3)
    for task in cancelled:
        task.cancel()
    await asyncio.gather(*cancelled, return_exceptions=True)

    async def all_free() -> bool:
        return limiter.pacer.counted(time.monotonic()) == 0

    # Nothing is counted for ever: once a window has passed, the whole budget is free again.
    await eventually(all_free, 5.0, "the whole budget free again")
