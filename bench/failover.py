"""Failover: two bot processes on PostgreSQL, the one that sends killed (kill -9) mid fan-out.

    python bench/failover.py                       # 600 subscribers at 30/s
    python bench/failover.py --subscribers 3000 --limit 300

A throwaway database on TEST_POSTGRES_URL's server (bench/pgdb.py) gets N subscribers who all
follow one region and a published report with one item for it. The emulator runs here, with
`--latency-ms` on every request and Telegram's flood limits at `--limit`. Two `python -m bot
run` processes (the real thing, default heartbeat settings) share the database: the first
starts sending, the second stands by; when a third of the messages have gone, the first is
killed with SIGKILL and the second must take over.

Prints RESULT {"delivered", "expected", "duplicates", "max_per_second", "http_429",
"conflicts", "takeover_s", ...}:
- delivered: subscribers who got the message (expected: all); duplicates: extra copies, at
  most `in_doubt`, the rows the dead process had claimed (resent once);
- max_per_second: the most sends Telegram saw in any one second, replies included; http_429:
  flood-control answers;
- conflicts: getUpdates answered 409 (two processes long-polling) after both started;
- takeover_s: from the kill to the first message the second process sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pgdb  # noqa: E402  (bench/ is on sys.path when a benchmark runs)
from sqlalchemy import func, insert, select  # noqa: E402

from bot.emulator import TelegramEmulator  # noqa: E402
from bot.publishing import publish  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    DailyReport,
    Delivery,
    Region,
    ReportItem,
    Sender,
    Subscriber,
    Subscription,
)

FIRST_USER = 2_000_000


async def seed(session_factory: object, n: int) -> None:
    import datetime as dt

    async with session_factory() as s, s.begin():  # type: ignore[operator]
        region = (await s.scalars(select(Region).where(Region.slug == "japan"))).one()
        ids = list(
            await s.scalars(
                insert(Subscriber).returning(Subscriber.id),
                [{"chat_id": FIRST_USER + i, "chat_type": "private"} for i in range(n)],
            )
        )
        await s.execute(
            insert(Subscription),
            [
                {"subscriber_id": i, "kind": "region", "region_id": region.id, "target": "japan"}
                for i in ids
            ],
        )
        report = DailyReport(date=dt.date(2025, 9, 1), title="Failover bench")
        report.items.append(
            ReportItem(position=1, headline="Tokyo and Beijing talk", regions=[region])
        )
        s.add(report)
        await s.flush()
        await publish(s, report_ids=[report.id])


async def start_bot(emulator: TelegramEmulator, url: str, limit: int, log: Path) -> object:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": url,
        "SEND_RATE_LIMIT": str(limit),
        "LOG_LEVEL": "WARNING",
    }
    out = log.open("ab")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdout=out, stderr=out
    )


async def until(predicate: object, timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not await predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.05)


def conflicts(emulator: TelegramEmulator) -> int:
    return sum(
        n
        for key, n in emulator.counters.errors.items()
        if key.startswith("getUpdates") and "Conflict" in key
    )


async def run(args: argparse.Namespace) -> dict[str, object]:
    emulator = TelegramEmulator(
        rate_limits=True,
        rate_limit=args.limit,
        paid_rate_limit=args.limit,
        latency_ms=args.latency_ms,
        request_log_limit=1000,
    )
    for i in range(args.subscribers):
        emulator.add_user(FIRST_USER + i)
    await emulator.start()
    url = await pgdb.create_database()
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    processes = []
    logs = tempfile.TemporaryDirectory(prefix="digestbot-failover-")
    try:
        await upgrade(engine)
        users = range(FIRST_USER, FIRST_USER + args.subscribers)

        def sends() -> int:
            return sum(1 for s in emulator.send_log if s.chat_id >= FIRST_USER)

        async def senders_alive(n: int) -> bool:
            async with session_factory() as s:
                return (await s.scalar(select(func.count()).select_from(Sender))) == n

        first = await start_bot(emulator, url, args.limit, Path(logs.name) / "first.log")
        processes.append(first)
        await until(lambda: senders_alive(1), 60, "the first process")
        second = await start_bot(emulator, url, args.limit, Path(logs.name) / "second.log")
        processes.append(second)
        await until(lambda: senders_alive(2), 60, "the second process")
        conflicts_at_start = conflicts(emulator)

        await seed(session_factory, args.subscribers)

        async def third_sent() -> bool:
            return sends() >= args.subscribers // 3

        await until(third_sent, 120, "a third of the fan-out")
        first.send_signal(signal.SIGKILL)  # type: ignore[attr-defined]
        killed_at = time.time()
        await first.wait()  # type: ignore[attr-defined]
        async with session_factory() as s:
            in_doubt = await s.scalar(select(func.count()).where(Delivery.status == "sending"))

        async def all_served() -> bool:
            return len({s.chat_id for s in emulator.send_log if s.chat_id >= FIRST_USER}) >= len(
                users
            )

        with contextlib.suppress(TimeoutError):  # reported as missing
            await until(all_served, args.subscribers / args.limit * 3 + 60, "every message")
        second_pid = second.pid  # type: ignore[attr-defined]
        async with session_factory() as s:
            second_id = await s.scalar(select(Sender.id).where(Sender.pid == second_pid))
            taken_over = await s.scalar(
                select(func.min(Delivery.sent_at)).where(Delivery.claimed_by == second_id)
            )
        chats = Counter(s.chat_id for s in emulator.send_log)
        return {
            "delivered": sum(1 for u in users if chats[u]),
            "expected": args.subscribers,
            "duplicates": sum(max(0, chats[u] - 1) for u in users),
            "in_doubt": int(in_doubt or 0),
            "max_per_second": emulator.max_sends_in_window(1.0),
            "limit": args.limit,
            "http_429": emulator.counters.too_many_requests,
            "conflicts": conflicts(emulator) - conflicts_at_start,
            "takeover_s": round(taken_over.timestamp() - killed_at, 2) if taken_over else None,
            "latency_ms": args.latency_ms,
        }
    finally:
        for process in processes:
            if process.returncode is None:  # type: ignore[attr-defined]
                process.send_signal(signal.SIGTERM)  # type: ignore[attr-defined]
                await process.wait()  # type: ignore[attr-defined]
        await engine.dispose()
        await pgdb.drop_database(url)
        await emulator.stop()
        logs.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=600)
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
