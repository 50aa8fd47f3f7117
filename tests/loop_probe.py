"""Showing that a blocking call runs off the event loop, by the order of events, not a clock.

    probe = OffLoopProbe(detect.extract_html)
    monkeypatch.setattr(detect, "extract_html", probe)
    ... start the work that parses ...
    await probe.started()
    ... get a reply to something else: possible only if the loop is free ...
    probe.loop_answered()
    ... await the work's result ...
    assert probe.answered_during_call == [True]

Once called, the probe holds the call until the test says the loop answered meanwhile. Had
the call run on the event loop, nothing else could have been answered: the hold gives up after
a while (a fail-safe so the test fails instead of hanging, never a measurement) and records
False.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

GIVE_UP_AFTER = 20.0


class OffLoopProbe:
    def __init__(self, func: Callable[..., Any]) -> None:
        self._func = func
        self._started = threading.Event()
        self._answered = threading.Event()
        self.answered_during_call: list[bool] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._started.set()
        self.answered_during_call.append(self._answered.wait(GIVE_UP_AFTER))
        return self._func(*args, **kwargs)

    async def started(self) -> None:
        """Return once the wrapped call has begun (in whichever thread it runs)."""
        if not await asyncio.to_thread(self._started.wait, GIVE_UP_AFTER):
            raise AssertionError("the probed call never started")

    def loop_answered(self) -> None:
        self._answered.set()
