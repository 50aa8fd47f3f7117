"""Time from a user's command to the bot's reply, through the emulator, with 10,000 subscribers.

    python bench/handlers.py                      # SQLite in a temporary file
    python bench/handlers.py --db postgres        # TEST_POSTGRES_URL's server (a scratch database)
    python bench/handlers.py --subscribers 10000 --commands 600 --concurrency 1

Fills a database with N subscribers (three subscriptions each) and 400 commentators, runs the
real Application (bot.app.build_application) polling the emulator over HTTP, and has existing
subscribers send a mix of commands and button presses (/subscribe with names to resolve, /alert,
/list, /settings, /mode, /timezone, region toggles). Each user sends at most three times, so
Telegram's per-chat pacing (which the bot honours) never enters the figure: this measures the
bot. The clock starts when the emulator queues the update and stops when the reply (or the
edited message) is stored.

Prints RESULT {"p50_ms": ..., "p95_ms": ..., ...}; the per-command medians go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pgdb  # noqa: E402  (bench/ is on sys.path when a benchmark runs)
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.emulator import TelegramEmulator  # noqa: E402
from bot.services import Services  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Commentator, Region, Subscriber, Subscription  # noqa: E402

FIRST_USER = 10_000_000
SURNAMES = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo"
GIVEN = "Jing Wei Min Hua Jun Lei Tao Ming Yan Hong Bo Yi Ning Qiang Feng Xin Yu Chen Jie Hao"
HANZI_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
HANZI_GIVEN = "靖伟敏华军磊涛明艳红波毅宁强峰新宇晨杰浩"
# (label, command text or None for a button press) — the button presses act on /subscribe.
MIX = [
    ("subscribe_region", "/subscribe japan"),
    ("subscribe_chinese", "/subscribe 欧洲"),
    ("subscribe_name", "/subscribe {name}"),
    ("subscribe_pinyin", "/subscribe {pinyin}"),
    ("subscribe_typo", "/subscribe {typo}"),
    ("alert", "/alert rare earth"),
    ("list", "/list"),
    ("settings", "/settings"),
    ("mode", "/mode daily"),
    ("timezone", "/timezone Shanghai"),
    ("toggle_region", None),
]


def people(count: int) -> list[tuple[str, str]]:
    surnames, given = SURNAMES.split(), GIVEN.split()
    out = []
    for n in range(count):
        s, g1, g2 = n % 20, (n // 20) % 20, (n // 400 + n) % 20
        out.append(
            (
                f"{surnames[s]} {given[g1]}{given[g2].lower()}",
                HANZI_SURNAMES[s] + HANZI_GIVEN[g1] + HANZI_GIVEN[g2],
            )
        )
    return list(dict.fromkeys(out))


async def fill(url: str, subscribers: int) -> list[tuple[str, str]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        names = people(400)
        async with factory() as session, session.begin():
            await session.execute(
                insert(Commentator), [{"name": n, "name_zh": z, "aliases": []} for n, z in names]
            )
            regions = list(await session.scalars(select(Region)))
            commentator_ids = list(await session.scalars(select(Commentator.id)))
            rows = [
                {
                    "chat_id": FIRST_USER + i,
                    "thread_id": 0,
                    "chat_type": "private",
                    "language": "en",
                    "content_language": "both",
                    "mode": "instant",
                    "daily_time": "08:00",
                    "timezone": "UTC",
                    "status": "active",
                }
                for i in range(subscribers)
            ]
            for start in range(0, len(rows), 2000):
                await session.execute(insert(Subscriber), rows[start : start + 2000])
            ids = list(await session.scalars(select(Subscriber.id).order_by(Subscriber.id)))
            rng = random.Random(7)
            subs = []
            for sid in ids:
                region = rng.choice(regions)
                person = rng.choice(commentator_ids)
                word = rng.choice(["tariffs", "稀土", "taiwan strait", "chips", "belt and road"])
                subs += [
                    {
                        "subscriber_id": sid,
                        "kind": "region",
                        "region_id": region.id,
                        "target": region.slug,
                    },
                    {
                        "subscriber_id": sid,
                        "kind": "commentator",
                        "commentator_id": person,
                        "target": str(person),
                    },
                    {"subscriber_id": sid, "kind": "keyword", "keyword": word, "target": word},
                ]
            # Rows with the same keys go in one executemany; interleaved kinds would not.
            subs.sort(key=lambda row: row["kind"])
            for start in range(0, len(subs), 5000):
                await session.execute(insert(Subscription), subs[start : start + 5000])
        return names
    finally:
        await engine.dispose()


Stop = Callable[[], Awaitable[None]]


async def start_process(emulator: TelegramEmulator, url: str) -> Stop:
    """`digestbot run` in its own process, as in production: the emulator's work (Telegram's)
    does not share the bot's CPU."""
    env = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=emulator.token,
        TELEGRAM_API_URL=emulator.base_url,
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=str(ROOT)
    )

    async def stop() -> None:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()

    return stop


async def start_in_process(emulator: TelegramEmulator, url: str) -> Stop:
    """The Application in this process and event loop (shares the CPU with the emulator)."""
    engine = create_engine(url)
    settings = Settings(
        telegram_bot_token=emulator.token, telegram_api_url=emulator.base_url, database_url=url
    )
    services = Services(settings, engine, create_session_factory(engine))
    application = build_application(settings, services=services)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=5)
    await application.start()

    async def stop() -> None:
        assert application.updater is not None
        await application.updater.stop()
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        await engine.dispose()

    return stop


async def measure(
    url: str,
    names: list[tuple[str, str]],
    commands: int,
    concurrency: int,
    subscribers: int,
    think_ms: float,
    in_process: bool,
) -> tuple[list[float], dict[str, list[float]]]:
    from pypinyin import lazy_pinyin

    emulator = TelegramEmulator(rate_limits=False)
    await emulator.start()
    stop_bot = await (start_in_process if in_process else start_process)(emulator, url)
    await emulator.wait_for_request("getUpdates", timeout=60.0)

    rng = random.Random(11)
    users = rng.sample(range(FIRST_USER, FIRST_USER + subscribers), k=min(subscribers, commands))
    by_kind: dict[str, list[float]] = {}
    timings: list[float] = []

    async def one(user: int, n: int) -> None:
        label, template = MIX[n % len(MIX)]
        emulator.add_user(user)
        if template is None:  # open the region picker, then time the toggle's edit
            await emulator.ask(user, "/subscribe")
            [picker] = emulator.messages(user)[-1:]
            edits = len(picker.edits)
            started = time.perf_counter()
            query = emulator.press_button(user, text="Africa")
            await emulator.wait_until(lambda: len(picker.edits) > edits, 10.0)
            await emulator.wait_for_callback_answer(query, timeout=10.0)
        else:
            name, zh = rng.choice(names)
            text = template.format(
                name=rng.choice([name, zh]),
                pinyin=" ".join(lazy_pinyin(zh)),
                typo=name[:-1] if len(name) > 6 else name,
            )
            started = time.perf_counter()
            await emulator.ask(user, text, timeout=10.0)
        elapsed = (time.perf_counter() - started) * 1000
        timings.append(elapsed)
        by_kind.setdefault(label, []).append(elapsed)

    try:
        # Warm-up: first imports, connection pool, the lookup caches.
        for n, user in enumerate(users[:20]):
            await one(user, n)
        timings.clear()
        by_kind.clear()
        queue = list(enumerate(users[20:commands]))

        async def worker() -> None:
            while queue:
                n, user = queue.pop()
                await one(user, n)
                # Users pause between messages; back-to-back commands would measure the
                # overall 30 messages/s pace (a reply every 33 ms), not the bot.
                await asyncio.sleep(think_ms / 1000)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await stop_bot()
        await emulator.stop()
    return timings, by_kind


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        if args.db == "postgres":
            url = await pgdb.create_database()
        else:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        try:
            started = time.perf_counter()
            names = await fill(url, args.subscribers)
            print(f"filled in {time.perf_counter() - started:.1f}s", file=sys.stderr)
            timings, by_kind = await measure(
                url,
                names,
                args.commands,
                args.concurrency,
                args.subscribers,
                args.think_ms,
                args.in_process,
            )
        finally:
            if args.db == "postgres":
                await pgdb.drop_database(url)
    for label, values in sorted(by_kind.items()):
        print(
            f"{label:18} median {statistics.median(values):7.1f} ms  n={len(values)}",
            file=sys.stderr,
        )
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "max_ms": round(ordered[-1], 1),
        "commands": len(ordered),
        "subscribers": args.subscribers,
        "concurrency": args.concurrency,
        "think_ms": args.think_ms,
        "db": args.db,
        "bot": "in-process" if args.in_process else "own process",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--commands", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=1, help="users writing at the same time")
    parser.add_argument(
        "--think-ms", type=float, default=100.0, help="pause between one user's commands"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="run the bot in this process and event loop"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main_async(args))
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
