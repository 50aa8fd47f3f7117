"""Short garbage-collector pauses for a bot that sends up to 1,000 messages a second.

A full collection of Python's cyclic garbage collector walks every object it tracks with the
event loop stopped: in a running bot some 370,000 (python-telegram-bot, SQLAlchemy, aiohttp and
the other modules, caches), 100 to 200 ms. During a fan-out at 1,000 messages/s one comes every
second or two (the sends waiting for their slot outlive the young generations); each is a gap in
the sends, and every request in flight gets its answer that much later, so the rate limiter must
count it that much longer. One at the start of a fan-out holds up the replies to commands.

So while a sender runs, the objects that exist are hidden from the collector (`gc.freeze`, which
costs nothing) and a full collection walks only what was made since: a few tens of
milliseconds. When the outbox has gone idle, at most once a minute, the heap is handed back,
collected once and frozen again (`refresh`): garbage cycles among frozen objects are freed then,
not kept for good. The last sender to stop hands the heap back for good.
"""

from __future__ import annotations

import gc
import time

REFRESH_INTERVAL = 60.0  # seconds: at most one deliberate full collection a minute


class _State:
    """The collector is one per process, so senders are counted per process."""

    holders = 0
    refreshed_at = float("-inf")


def hold() -> None:
    """A sender starts: freeze the heap, unless another sender already did."""
    if _State.holders == 0:
        gc.freeze()
    _State.holders += 1


def release() -> None:
    """A sender that called `hold` stops: unfreeze the heap when it was the last."""
    _State.holders -= 1
    if _State.holders == 0:
        gc.unfreeze()


def refresh() -> None:
    """The outbox went idle: collect the frozen heap once, then freeze what survives."""
    now = time.monotonic()
    if _State.holders == 0 or now - _State.refreshed_at < REFRESH_INTERVAL:
        return
    _State.refreshed_at = now
    gc.unfreeze()
    gc.collect()
    gc.freeze()
