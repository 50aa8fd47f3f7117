"""Keeping the event loop responsive to users while the outbox sends as fast as it may.

Replies and the outbox share one event loop. When the process gets less CPU than a fan-out at
full rate needs (a busy machine, the database on the same cores), every step of a reply (the
update, each database round trip, the sendMessage) waits its turn behind the callbacks of the
sends in flight, and a reply that takes ten such steps is ten times late: measured on PostgreSQL
during a 1,000 msg/s fan-out on a loaded machine, the loop ran 100 ms late at p95 and replies
took over a second.

So the sender watches how late the loop wakes up (`LoopLag`) and sizes its window of requests in
flight to it (`SendWindow`, additive increase and multiplicative decrease, as TCP does with
congestion): while the loop is on time the window grows back to the full concurrency; while it
runs late the fan-out slows to what the CPU can carry with room for replies.
"""

from __future__ import annotations

import asyncio
import time


class LoopLag:
    """How late the event loop runs: a short sleep is timed over and over; `late` is the
    recent worst lateness, decaying by half every ~50 ms."""

    INTERVAL = 0.01

    def __init__(self) -> None:
        self.late = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch(), name="loop-lag")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.late = 0.0

    async def _watch(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.INTERVAL)
            late = time.perf_counter() - before - self.INTERVAL
            self.late = max(late, self.late * 0.87)


class SendWindow:
    """Requests the sender may have in flight: between `floor` and `ceiling`."""

    TARGET = 0.02  # seconds of loop lateness that still leave replies fast
    DECREASE_EVERY = 0.1  # seconds: one cut per round of answers, not one per claim

    def __init__(self, ceiling: int, floor: int | None = None) -> None:
        self.ceiling = ceiling
        self.floor = floor if floor is not None else max(8, ceiling // 16)
        self.size = float(ceiling)
        self._cut_at = 0.0

    def update(self, late: float) -> int:
        now = time.monotonic()
        if late > self.TARGET:
            if now - self._cut_at >= self.DECREASE_EVERY:
                self.size = max(float(self.floor), self.size * 0.7)
                self._cut_at = now
        else:
            self.size = min(float(self.ceiling), self.size + max(1.0, self.ceiling / 50))
        return int(self.size)


class TimeSlice:
    """Bounds how long a CPU-bound loop holds the event loop: `await slice.tick()` on every
    round yields once `budget` seconds have passed since the last yield. A reply waits for
    each callback that is running when its own turn comes; rendering a batch of a hundred
    editions in one go made that wait tens of milliseconds, once per database round trip."""

    __slots__ = ("_budget", "_since")

    def __init__(self, budget: float = 0.003) -> None:
        self._budget = budget
        self._since = time.perf_counter()

    async def tick(self) -> None:
        if time.perf_counter() - self._since >= self._budget:
            await asyncio.sleep(0)
            self._since = time.perf_counter()
