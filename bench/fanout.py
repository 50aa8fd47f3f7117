"""Fan-out throughput: one published report to N subscribers through the emulator.

    python bench/fanout.py --subscribers 600 --limit 30
    python bench/fanout.py --subscribers 10000 --limit 1000
    python bench/fanout.py --subscribers 10000 --limit 1000 --database-url postgresql://postgres@127.0.0.1:5432/postgres

The emulator runs in its own process (its CPU is Telegram's, not ours) with `--latency-ms` on
every request and flood limits at L messages/s. The bot is the real thing: build_application,
the fan-out poller, matching, the outbox, the sender and the shared rate limiter, on a fresh
SQLite file (or, with `--database-url postgresql://...`, a throwaway database on that server,
dropped afterwards: bench/pgdb.py). The report has five items, one per region, and subscriber i
follows region i % 5, so everyone gets exactly one message.

Then the baseline: the same N messages sent with python-telegram-bot's AIORateLimiter (overall
rate L, 3 retries on 429) and its default request settings, fired at once with asyncio.gather,
as a bot without an outbox would.

ratio = achieved rate / L, the achieved rate being (sends - 1) / (last send - first send) as the
emulator saw them; `end_to_end_s` adds the time from publishing to the first send (fan-out,
matching, the first claim). `reply_ms` is the bot's answer time to /help, idle and during the
fan-out (p95 over a few commands).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pgdb  # noqa: E402  (bench/ is on sys.path when a benchmark runs)

FIRST_USER = 1_000_000
# People who send /help while we measure reply times: a fresh one per command, so a reply never
# waits for Telegram's one-message-per-second limit of its own chat.
FIRST_ASKER = 500
ASKERS = 200


# --- the emulator, in its own process ---------------------------------------------------


def _emulator_process(conn: Connection, settings: dict[str, Any], users: int) -> None:
    from bot.emulator import TelegramEmulator

    async def main() -> None:
        emu = TelegramEmulator(**settings)
        for i in range(users):
            emu.add_user(FIRST_USER + i)
        for i in range(ASKERS):
            emu.add_user(FIRST_ASKER + i)
        await emu.start()
        conn.send(emu.base_url)
        loop = asyncio.get_running_loop()
        while True:
            command, args = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                break
            conn.send(await _control(emu, command, args))
        await emu.stop()

    asyncio.run(main())


async def _control(emu: Any, command: str, args: Any) -> Any:
    if command == "sends":
        return sum(1 for s in emu.send_log if s.chat_id >= FIRST_USER)
    if command == "reset":
        emu.limiter.reset()
        emu.send_log.clear()
        emu.counters.too_many_requests = 0
        return True
    if command == "ask":
        started = time.monotonic()
        emu.send_message(FIRST_ASKER + args, "/help")
        await emu.wait_for_messages(FIRST_ASKER + args, 1, timeout=30)
        return time.monotonic() - started
    if command == "report":
        chats = Counter(s.chat_id for s in emu.send_log)
        wanted = range(FIRST_USER, FIRST_USER + args)
        times = [s.monotonic for s in emu.send_log if s.chat_id >= FIRST_USER]
        first, last = min(times, default=0.0), max(times, default=0.0)
        gaps = sorted((b - a for a, b in zip(times, times[1:], strict=False)), reverse=True)
        return {
            "sends": len(times),
            # Every send in the fan-out's span counts towards the rate, replies included.
            "sends_in_span": sum(1 for s in emu.send_log if first <= s.monotonic <= last),
            "first": first,
            "last": last,
            "largest_gaps_ms": [round(g * 1000) for g in gaps[:5]],
            "smallest_gaps_ms": [round(g * 1000, 1) for g in gaps[-5:]],
            "max_per_second": emu.max_sends_in_window(1.0),
            "http_429": emu.counters.too_many_requests,
            "duplicates": sum(max(0, chats[c] - 1) for c in wanted),
            "missing": sum(1 for c in wanted if chats[c] == 0),
        }
    raise ValueError(command)


class Emulator:
    def __init__(self, settings: dict[str, Any], users: int) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_emulator_process, args=(child, settings, users))
        self.process.start()
        self.base_url: str = self.conn.recv()

    async def call(self, command: str, args: Any = None) -> Any:
        loop = asyncio.get_running_loop()
        self.conn.send((command, args))
        return await loop.run_in_executor(None, self.conn.recv)

    def stop(self) -> None:
        self.conn.send(("stop", None))
        self.process.join(10)


# --- the bot ----------------------------------------------------------------------------


async def _seed(session_factory: Any, n: int) -> int:
    from sqlalchemy import insert, select

    from storage.models import DailyReport, Region, ReportItem, Subscriber, Subscription

    async with session_factory() as s, s.begin():
        regions = list(await s.scalars(select(Region).order_by(Region.position, Region.id)))
        ids = list(
            await s.scalars(
                insert(Subscriber).returning(Subscriber.id),
                [{"chat_id": FIRST_USER + i, "chat_type": "private"} for i in range(n)],
            )
        )
        await s.execute(
            insert(Subscription),
            [
                {
                    "subscriber_id": sid,
                    "kind": "region",
                    "region_id": regions[i % len(regions)].id,
                    "target": regions[i % len(regions)].slug,
                }
                for i, sid in enumerate(ids)
            ],
        )
        import datetime as dt

        report = DailyReport(date=dt.date(2025, 8, 29), title="Bench report")
        for i, region in enumerate(regions):
            report.items.append(
                ReportItem(
                    position=i,
                    headline=f"Headline about {region.name_en}",
                    title_zh=f"关于{region.name_zh}的标题",
                    summary_zh="这是一条用于基准测试的摘要。",
                    url=f"https://example.org/{region.slug}",
                    regions=[region],
                )
            )
        s.add(report)
        await s.flush()
        report_id = report.id
    return report_id


async def run_ours(emulator: Emulator, args: argparse.Namespace, database_url: str) -> dict:
    from bot.app import build_application
    from bot.config import Settings
    from bot.delivery import notify_published
    from bot.publishing import publish
    from bot.services import Services
    from storage.db import create_engine, create_session_factory
    from storage.migrate import upgrade

    settings = Settings(
        telegram_bot_token="5555500001:AAEmulatorTokenForLocalUse-digestbot",
        telegram_api_url=emulator.base_url,
        database_url=database_url,
        send_rate_limit=args.limit,
    )
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    services = Services(settings, engine, create_session_factory(engine))
    report_id = await _seed(services.session_factory, args.subscribers)
    application = build_application(settings, services=services)
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0, timeout=5)
    await application.start()
    try:
        await emulator.call("ask", ASKERS - 1)  # warm-up: first-use imports and connections
        idle = [await emulator.call("ask", i) for i in range(args.asks)]
        await emulator.call("reset")
        published = time.monotonic()
        async with services.session_factory() as s, s.begin():
            await publish(s, report_ids=[report_id])
        notify_published(services)
        busy: list[float] = []
        last, stalled = -1, time.monotonic()
        while True:
            if len(busy) < args.asks:
                busy.append(await emulator.call("ask", args.asks + len(busy)))
            else:
                await asyncio.sleep(0.2)
            sends = await emulator.call("sends")
            if sends >= args.subscribers:
                break
            if sends != last:
                last, stalled = sends, time.monotonic()
            elif time.monotonic() - stalled > 30:
                break
        report = await emulator.call("report", args.subscribers)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
        await application.post_shutdown(application)
        await engine.dispose()
    report["published"] = published
    report["reply_ms"] = {"idle_p95": _p95(idle), "busy_p95": _p95(busy)}
    return report


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)


async def run_baseline(emulator: Emulator, args: argparse.Namespace) -> dict:
    from telegram.ext import AIORateLimiter, ExtBot

    await emulator.call("reset")
    bot = ExtBot(
        "5555500001:AAEmulatorTokenForLocalUse-digestbot",
        base_url=f"{emulator.base_url}/bot",
        rate_limiter=AIORateLimiter(overall_max_rate=args.limit, max_retries=3),
    )
    failures: Counter[str] = Counter()

    async def send(i: int) -> None:
        try:
            await bot.send_message(FIRST_USER + i, f"Baseline message {i}")
        except Exception as exc:  # noqa: BLE001 - counted, as a bot without an outbox loses it
            failures[type(exc).__name__] += 1

    async with bot:
        await asyncio.gather(*(send(i) for i in range(args.subscribers)))
    report = await emulator.call("report", args.subscribers)
    report["errors"] = dict(failures)
    return report


def _ratio(report: dict, limit: int) -> float:
    span = report["last"] - report["first"]
    if report["sends"] < 2 or span <= 0:
        return 0.0
    return round((report["sends_in_span"] - 1) / span / limit, 3)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=600)
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a fresh SQLite file; postgresql://...: a throwaway database on that server",
    )
    parser.add_argument("--asks", type=int, default=20, help="/help commands timed, idle and busy")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    emulator = Emulator(
        {
            "rate_limits": True,
            "rate_limit": args.limit,
            "paid_rate_limit": args.limit,
            "latency_ms": args.latency_ms,
            "request_log_limit": 1000,
        },
        args.subscribers,
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.database_url and args.database_url.startswith("postgres"):
                # A throwaway database on that server, dropped afterwards.
                url = await pgdb.create_database(args.database_url)
            else:
                url = args.database_url or f"sqlite+aiosqlite:///{os.path.join(tmp, 'b.sqlite3')}"
            try:
                ours = await run_ours(emulator, args, url)
            finally:
                if url.startswith("postgres"):
                    await pgdb.drop_database(url)
        baseline = None if args.no_baseline else await run_baseline(emulator, args)
    finally:
        emulator.stop()
    result: dict[str, Any] = {
        "limit": args.limit,
        "subscribers": args.subscribers,
        "ratio": _ratio(ours, args.limit),
        "max_per_second": ours["max_per_second"],
        "http_429": ours["http_429"],
        "duplicates": ours["duplicates"],
        "missing": ours["missing"],
        "end_to_end_s": round(ours["last"] - ours["published"], 2),
        "first_send_after_s": round(ours["first"] - ours["published"], 2),
        "reply_ms": ours["reply_ms"],
        "largest_gaps_ms": ours["largest_gaps_ms"],
        "latency_ms": args.latency_ms,
        "database": "postgresql"
        if args.database_url and "postgres" in args.database_url
        else "sqlite",
    }
    if baseline is not None:
        result["baseline"] = {
            "ratio": _ratio(baseline, args.limit),
            "max_per_second": baseline["max_per_second"],
            "http_429": baseline["http_429"],
            "missing": baseline["missing"],
            "duplicates": baseline["duplicates"],
            "errors": baseline["errors"],
        }
    print("RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
