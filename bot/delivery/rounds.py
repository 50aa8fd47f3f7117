"""The loop of the background workers that poll the database (fan-out, recipient expansion,
corrections): a round of work, then a wait for a wake-up or the interval, until cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


async def run_rounds(
    work: Callable[[], Awaitable[Any]], wake: asyncio.Event, interval: float, what: str
) -> None:
    """Run `work` over and over: after each round, wait until `wake` is set or `interval`
    seconds pass. A failed round is logged and tried again at the next. Cancelling waits for
    the round under way: a stop lets a transaction commit, never cuts it half-way."""
    while True:
        wake.clear()
        running = asyncio.ensure_future(work())
        try:
            await asyncio.shield(running)
        except asyncio.CancelledError:
            await asyncio.wait({running})
            raise
        except Exception:  # noqa: BLE001 - retried at the next round
            log.exception("%s failed; retrying", what)
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can lose a cancellation that
        # races with the event being set (a stop right after a publish would hang).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval):
                await wake.wait()
