"""Queueing an editor's /broadcast for N subscribers: the time the confirmation takes.

    python bench/broadcast.py --subscribers 100000 --db sqlite
    python bench/broadcast.py --subscribers 100000 --db postgres   # TEST_POSTGRES_URL's server

Creates N active subscribers (plus a paused and a blocked one per hundred, who must get
nothing) on a fresh, migrated database, then runs what the editor's "Send" button runs:
`bot.editorial.broadcast.confirm`, in one transaction, committed. Then queues the same broadcast
again (`outbox.enqueue_for_subscribers` with the same dedup prefix), which must add nothing.

Prints RESULT {"db": ..., "subscribers": N, "queued": ..., "confirm_s": ..., "again_s": ...}.
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

from bot.delivery import outbox  # noqa: E402
from bot.editorial import broadcast  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Delivery, Subscriber, SubscriberStatus  # noqa: E402

EDITOR = 1
NOW = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)


def _subscribers(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(n):
        rows.append({"chat_id": 10_000_000 + i, "thread_id": 0, "status": SubscriberStatus.ACTIVE})
        if i % 100 == 0:
            for status in (SubscriberStatus.PAUSED, SubscriberStatus.BLOCKED):
                rows.append({"chat_id": -(len(rows) + 1), "thread_id": 0, "status": status})
    return rows


async def run(args: argparse.Namespace) -> dict[str, object]:
    async with pgdb.throwaway(args.db) as url:
        engine = create_engine(url)
        try:
            session_factory = create_session_factory(engine)
            await upgrade(engine)
            rows = _subscribers(args.subscribers)
            async with session_factory() as session, session.begin():
                for start in range(0, len(rows), 5000):
                    await session.execute(insert(Subscriber), rows[start : start + 5000])
            async with session_factory() as session, session.begin():
                draft = await broadcast.prepare(
                    session, "<b>Issue 42</b> is out", owner_id=EDITOR, chat_id=EDITOR, now=NOW
                )
            began = time.perf_counter()
            async with session_factory() as session, session.begin():
                result = await broadcast.confirm(session, draft.action_id, actor_id=EDITOR, now=NOW)
            confirm_s = time.perf_counter() - began
            began = time.perf_counter()
            async with session_factory() as session, session.begin():
                again = await outbox.enqueue_for_subscribers(
                    session,
                    Subscriber.status == SubscriberStatus.ACTIVE,
                    text="<b>Issue 42</b> is out",
                    kind=broadcast.KIND,
                    dedup_prefix=f"broadcast:{result.broadcast_id}",
                    now=NOW,
                )
            again_s = time.perf_counter() - began
            async with session_factory() as session:
                stored = await session.scalar(select(func.count(Delivery.id)))
        finally:
            await engine.dispose()
    return {
        "db": args.db,
        "subscribers": args.subscribers,
        "queued": result.queued,
        "stored": stored,
        "queued_again": again,
        "confirm_s": round(confirm_s, 3),
        "again_s": round(again_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    print("RESULT " + json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
