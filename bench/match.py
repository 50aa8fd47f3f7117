"""Matching and enqueueing at scale: one 33-item report for 100,000 subscribers.

    python bench/match.py                       # SQLite, and PostgreSQL when one answers
    python bench/match.py --subscribers 100000 --items 33 --db sqlite

Every subscriber is in instant mode (the costly case: daily-mode subscribers queue nothing at
publication) and follows three things: a region (one of five), a commentator (one of 300) and a
keyword (one of 500, a tenth of them Chinese); a few mute a keyword. Items have one region each
(US-China most often), a third have a commentator, and their text carries a few of the
keywords. The timed part is what the running bot does when the report is published: the fan-out
(`bot.delivery.fanout.fan_out`), which matches regions, commentators and keywords, records one
recipient row per subscriber reached, stamps the report and expands the first chunks of
recipients into outbox rows, one message per subscriber listing the items that match them,
mutes applied; the sender can start then. `seconds` is that time. The rest of the outbox rows
are expanded ahead of the sender (`bot.delivery.recipients`); `expand_rows_per_second` is how
fast, measured by expanding everything that is left, so it can be compared with the send rate
(30 to 1,000 messages a second). `messages_queued` counts every outbox row in the end: each is
one message that will be sent; `subscribers_reached` the chats they go to.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pgdb  # noqa: E402  (bench/ is on sys.path when a benchmark runs)

REGION_WEIGHTS = {"us-china": 40, "europe": 20, "japan": 15, "africa": 10, "russia": 15}
WORDS = [f"topic{i}" for i in range(450)] + [f"主题{i}" for i in range(50)]


async def seed(session_factory: Any, args: argparse.Namespace, rng: random.Random) -> int:
    from sqlalchemy import insert, select

    from storage.models import (
        Commentator,
        DailyReport,
        Region,
        ReportItem,
        Subscriber,
        Subscription,
        item_commentators,
        item_regions,
    )

    async with session_factory() as s, s.begin():
        regions = {r.slug: r.id for r in await s.scalars(select(Region))}
        commentator_ids = list(
            await s.scalars(
                insert(Commentator).returning(Commentator.id),
                [{"name": f"Commentator {i}", "name_zh": f"评论员{i}"} for i in range(300)],
            )
        )
        chunk = 20_000
        slugs = list(regions)
        for start in range(0, args.subscribers, chunk):
            count = min(chunk, args.subscribers - start)
            ids = list(
                await s.scalars(
                    insert(Subscriber).returning(Subscriber.id),
                    [
                        {"chat_id": 10_000_000 + start + i, "chat_type": "private"}
                        for i in range(count)
                    ],
                )
            )
            rows: list[dict[str, Any]] = []
            for sid in ids:
                slug = rng.choice(slugs)
                commentator = rng.choice(commentator_ids)
                word = rng.choice(WORDS)
                rows += [
                    {
                        "subscriber_id": sid,
                        "kind": "region",
                        "region_id": regions[slug],
                        "target": slug,
                    },
                    {
                        "subscriber_id": sid,
                        "kind": "commentator",
                        "commentator_id": commentator,
                        "target": str(commentator),
                    },
                    {"subscriber_id": sid, "kind": "keyword", "keyword": word, "target": word},
                ]
                if rng.random() < 0.02:
                    muted = rng.choice(WORDS)
                    if muted != word:
                        rows.append(
                            {
                                "subscriber_id": sid,
                                "kind": "mute",
                                "keyword": muted,
                                "target": muted,
                            }
                        )
            await s.execute(insert(Subscription), rows)
        report = DailyReport(date=__import__("datetime").date(2025, 8, 29), title="Bench report")
        s.add(report)
        await s.flush()
        population = [slug for slug, weight in REGION_WEIGHTS.items() for _ in range(weight)]
        items = []
        for position in range(args.items):
            words = " ".join(rng.sample(WORDS, 3))
            items.append(
                {
                    "report_id": report.id,
                    "position": position,
                    "headline": f"Headline {position} on {words}",
                    "title_zh": f"标题{position}",
                    "summary_zh": "摘要。",
                    "summary_en": f"A one-line summary of item {position}.",
                    "text": f"Body of item {position}: {words}. " * 20,
                    "status": "draft",
                }
            )
        item_ids = list(await s.scalars(insert(ReportItem).returning(ReportItem.id), items))
        await s.execute(
            insert(item_regions),
            [{"item_id": i, "region_id": regions[rng.choice(population)]} for i in item_ids],
        )
        with_commentator = [i for i in item_ids if rng.random() < 1 / 3]
        if with_commentator:
            await s.execute(
                insert(item_commentators),
                [
                    {"item_id": i, "commentator_id": rng.choice(commentator_ids)}
                    for i in with_commentator
                ],
            )
        return report.id


async def measure(kind: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    import datetime as dt

    from sqlalchemy import func, select, update

    from bot import lexicon
    from bot.delivery.fanout import fan_out
    from bot.delivery.recipients import queue_next
    from storage.db import create_engine, create_session_factory
    from storage.migrate import upgrade
    from storage.models import ContentStatus, DailyReport, Delivery, ReportItem

    engine = create_engine(url)
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        report_id = await seed(session_factory, args, random.Random(args.seed))
        now = dt.datetime.now(dt.UTC)
        # Publish by flipping the rows (what bot.publishing does, minus the search index).
        async with session_factory() as s, s.begin():
            await s.execute(
                update(DailyReport)
                .where(DailyReport.id == report_id)
                .values(status=ContentStatus.PUBLISHED, published_at=now)
            )
            await s.execute(
                update(ReportItem)
                .where(ReportItem.report_id == report_id)
                .values(status=ContentStatus.PUBLISHED, published_at=now)
            )
        if kind == "postgresql":
            # Statistics, as autovacuum keeps them (outside a transaction, or they roll back).
            async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                await conn.execute(__import__("sqlalchemy").text("ANALYZE"))
        await lexicon.ready()  # loaded at start-up by the running bot (delivery runtime)
        started = time.perf_counter()
        result = await fan_out(session_factory, now)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        expanded = 0
        while True:
            async with session_factory() as s, s.begin():
                queued = await queue_next(s, now)
            if queued is None:
                break
            expanded += queued
        expand_seconds = time.perf_counter() - started
        async with session_factory() as s:
            rows = await s.scalar(select(func.count()).select_from(Delivery))
            chats = await s.scalar(select(func.count(func.distinct(Delivery.subscriber_id))))
    finally:
        await engine.dispose()
    return {
        "db": kind,
        "subscribers": args.subscribers,
        "subscriptions_each": 3,
        "items": args.items,
        "seconds": round(seconds, 3),
        "plan_commit_seconds": round(result.first_commit_seconds or 0.0, 3),
        "recipients": result.recipients,
        "rows_at_once": result.queued,
        "expand_seconds": round(expand_seconds, 3),
        "expand_rows_per_second": round(expanded / expand_seconds) if expand_seconds else None,
        "messages_queued": rows,
        "subscribers_reached": chats,
        "messages_per_subscriber": round(rows / chats, 3) if chats else None,
    }


async def postgres_database() -> str | None:
    try:
        return await pgdb.create_database()
    except Exception as exc:  # noqa: BLE001 - no server: the SQLite figure only
        print(f"PostgreSQL not reachable ({exc}); skipping it", file=sys.stderr)
        return None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=33)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{os.path.join(tmp, 'match.sqlite3')}"
            print("RESULT " + json.dumps(await measure("sqlite", url, args)), flush=True)
    if args.db in ("postgresql", "both"):
        url = await postgres_database()
        if url is not None:
            try:
                print("RESULT " + json.dumps(await measure("postgresql", url, args)), flush=True)
            finally:
                await pgdb.drop_database(url)


if __name__ == "__main__":
    asyncio.run(main())
