"""How long the event loop stalls while a large web page is parsed: on the loop (how /post
parsed before) against bot.ingest.reading.parse_document (a worker thread).

A ticker task sleeps 5 ms at a time and records the longest gap between its wake-ups while
the page (generated, about 1.3 MB of HTML) is decoded, extracted by trafilatura and parsed.
Both ways run in the same process, one after the other, so the ratio is what to compare on a
busy machine. Prints one line:
RESULT {"page_bytes": n, "parse_s": s, "stall_on_loop_ms": ms, "stall_off_loop_ms": ms, ...}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest.detect import parse_bytes  # noqa: E402
from bot.ingest.reading import parse_document  # noqa: E402

TICK = 0.005
PARAGRAPH = (
    "<p>Port officials in Yokohama and Shanghai met again this week to compare notes on "
    "container fees, customs paperwork and the schedules of the ferries that link them, "
    "and agreed to publish a joint table of charges before the spring shipping season.</p>\n"
)


def page(target_bytes: int = 1_300_000) -> bytes:
    head = (
        "<!doctype html><html><head><title>Harbour Fees Between Japan and China</title></head>"
        "<body><article><h1>Harbour Fees Between Japan and China</h1>\n"
    )
    count = target_bytes // len(PARAGRAPH.encode())
    return (head + PARAGRAPH * count + "</article></body></html>").encode()


async def longest_stall(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(longest gap between ticks, wall time of `work`), both in seconds."""
    done = asyncio.Event()
    worst = 0.0

    async def ticker() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            worst = max(worst, now - last - TICK)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(TICK * 2)
    started = time.perf_counter()
    await work()
    elapsed = time.perf_counter() - started
    done.set()
    await task
    return worst, elapsed


async def main() -> None:
    data = page()
    url = "https://news.example.com/harbour-fees"

    async def on_loop() -> object:
        return parse_bytes(data, content_type="text/html", url=url)

    async def off_loop() -> object:
        return await parse_document(data, content_type="text/html", url=url)

    await off_loop()  # warm up: imports, trafilatura's first-run setup
    on_stall, on_time = await longest_stall(on_loop)
    off_stall, off_time = await longest_stall(off_loop)
    result = {
        "page_bytes": len(data),
        "parse_s": round(on_time, 3),
        "parse_off_loop_s": round(off_time, 3),
        "stall_on_loop_ms": round(on_stall * 1000, 1),
        "stall_off_loop_ms": round(off_stall * 1000, 1),
        "stall_ratio": round(off_stall / on_stall, 3) if on_stall else None,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
