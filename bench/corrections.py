"""Correcting an item a daily report delivered to N subscribers: what an editor's /edit costs.

    python bench/corrections.py --subscribers 100000 --db sqlite
    python bench/corrections.py --subscribers 100000 --db postgres   # TEST_POSTGRES_URL's server

A published report of five items, one per region, sent to N subscribers: subscriber i got an
edition message showing the item of region i % 5 (and, for every third subscriber, also the
next region's item). Then the correction of one item is made as /edit makes it
(`bot.corrections.queue.correct`, in one transaction, committed), and again for a second edit
made at once; then the owner process's planner queues the rest
(`bot.corrections.planner.CorrectionPlanner.plan_all`). The second edit takes the first's
waiting rows over: one "correct" row per message in the end.

`edit_s`/`again_s`: the editor's transactions; `plan_s`: the planner's work to the end;
`loop_max_gap_ms`: the longest the event loop went without running anything else during
either (what every other user's reply waited at worst). `readers_s` / `readers_gap_ms`: the
same for the count /retract shows before asking to confirm (`retraction.readers`), which reads
every message of the report.

Prints RESULT {"db": ..., "subscribers": N, "messages": ..., "correct_rows": ..., "edit_s": ...,
"again_s": ..., "plan_s": ..., "loop_max_gap_ms": ..., "readers_s": ..., "readers_gap_ms": ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pgdb  # noqa: E402  (bench/ is on sys.path when a benchmark runs)
from sqlalchemy import func, insert, select  # noqa: E402

from bot.corrections.planner import CorrectionPlanner  # noqa: E402
from bot.corrections.queue import correct  # noqa: E402
from bot.editorial.retraction import readers  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    DailyReport,
    Delivery,
    DeliveryStatus,
    Region,
    ReportItem,
    Subscriber,
)

NOW = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)


class GapProbe:
    """The longest stretch the event loop spent without waking a 1 ms sleeper."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - before)

    def __enter__(self) -> GapProbe:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def _seed(session_factory, n: int) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as s, s.begin():
        regions = list(await s.scalars(select(Region).order_by(Region.position)))
        report = DailyReport(date=NOW.date(), title="Bench report", status="published")
        for i, region in enumerate(regions):
            report.items.append(
                ReportItem(
                    position=i,
                    headline=f"Headline about {region.name_en}",
                    summary_zh="摘要。",
                    url=f"https://example.org/{i}",
                    regions=[region],
                    status="published",
                )
            )
        s.add(report)
        await s.flush()
        items = [item.id for item in report.items]
        ids = list(
            await s.scalars(
                insert(Subscriber).returning(Subscriber.id),
                [{"chat_id": 10_000_000 + i, "thread_id": 0} for i in range(n)],
            )
        )
        rows = []
        for i, sid in enumerate(ids):
            shown = [items[i % 5]] + ([items[(i + 1) % 5]] if i % 3 == 0 else [])
            rows.append(
                {
                    "subscriber_id": sid,
                    "chat_id": 10_000_000 + i,
                    "thread_id": 0,
                    "kind": "alert",
                    "priority": 10,
                    "content_type": "report",
                    "content_id": report.id,
                    "dedup_key": f"report:{report.id}:{sid}:1",
                    "text": "",
                    "disable_preview": True,
                    "status": DeliveryStatus.SENT,
                    "telegram_message_id": 100 + i,
                    "attempts": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "sent_at": NOW,
                    "edition": {
                        "items": [{"id": item, "why": [["region", 1]]} for item in shown],
                        "part": 1,
                        "parts": 1,
                        "first": 1,
                    },
                }
            )
        for start in range(0, len(rows), 5000):
            await s.execute(insert(Delivery), rows[start : start + 5000])
        return items[0]


async def run(args: argparse.Namespace) -> dict[str, object]:
    async with pgdb.throwaway(args.db) as url:
        engine = create_engine(url)
        try:
            return await _measure(create_session_factory(engine), engine, args)
        finally:
            await engine.dispose()


async def _measure(session_factory, engine, args: argparse.Namespace) -> dict[str, object]:  # type: ignore[no-untyped-def]
    await upgrade(engine)
    item = await _seed(session_factory, args.subscribers)
    times = []
    with GapProbe() as probe:
        for _ in range(2):
            started = time.perf_counter()
            async with session_factory() as s, s.begin():
                await correct(
                    s,
                    action="edit",
                    what=f"i{item}",
                    pieces=[("item", item)],
                    editor_chat_id=1,
                    language="en",
                    now=NOW,
                )
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        await CorrectionPlanner(session_factory, lambda: NOW).plan_all()
        plan_s = time.perf_counter() - started
    with GapProbe() as readers_probe:
        started = time.perf_counter()
        async with session_factory() as s, s.begin():
            readers_n = await readers(s, await s.get_one(ReportItem, item))
        readers_s = time.perf_counter() - started
    async with session_factory() as s:
        rows = await s.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.kind == "correct")
        )
    shown = sum(1 for i in range(args.subscribers) if i % 5 == 0 or (i % 5 == 4 and i % 3 == 0))
    return {
        "db": args.db,
        "subscribers": args.subscribers,
        "messages": shown,
        "correct_rows": rows,
        "edit_s": round(times[0], 2),
        "again_s": round(times[1], 2),
        "plan_s": round(plan_s, 2),
        "loop_max_gap_ms": round(probe.worst * 1000),
        "readers": readers_n,
        "readers_s": round(readers_s, 2),
        "readers_gap_ms": round(readers_probe.worst * 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    print("RESULT " + json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
