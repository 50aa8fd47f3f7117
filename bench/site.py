"""Public website latency over a synthetic archive.

    python bench/site.py --entries 100000 --db sqlite
    python bench/site.py --entries 100000 --db postgres   # TEST_POSTGRES_URL's server

Builds the archive the search benchmark builds (bench/search.py: entries with commentators and
regions, daily reports of 25 items, a digest per hundred entries), serves the site with
`bot.site.add_routes` on 127.0.0.1, and times full HTTP GETs, client included, per page kind:
home, a region page (first pages and pages deep in the archive), a permalink (entries, items,
reports, digests picked at random) and a feed (everything, per region, per commentator).
Prints one RESULT {"db": ..., "page": ..., "n": N, "p50_ms": ..., "p95_ms": ...} line per kind,
and one for "baseline": a page served without the database, the machine's own cost of a
request, and "db_ping": one trivial query (compare ratios on a busy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pgdb  # noqa: E402  (bench/ is on sys.path when a benchmark runs)
from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from search import build_archive  # noqa: E402  (bench/search.py's bulk loader)
from sqlalchemy import func, select, text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.site import add_routes  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import DailyReport, Digest, Entry, ReportItem  # noqa: E402

REGIONS = ["us-china", "europe", "japan", "africa", "russia"]


async def _paths(client: TestClient, session_factory, rng: random.Random) -> dict[str, list[str]]:
    async with session_factory() as session:
        counts = {
            model: int(await session.scalar(select(func.max(model.id))) or 0)
            for model in (Entry, ReportItem, DailyReport, Digest)
        }
    permalinks = (
        [f"/entries/{rng.randint(1, counts[Entry])}" for _ in range(60)]
        + [f"/items/{rng.randint(1, counts[ReportItem])}" for _ in range(60)]
        + [f"/reports/{rng.randint(1, counts[DailyReport])}" for _ in range(20)]
        + [f"/digests/{rng.randint(1, counts[Digest])}" for _ in range(20)]
    )
    regions = [f"/regions/{slug}" for slug in REGIONS]
    # Deeper pages: follow the "older" links a few pages down.
    for slug in REGIONS[:2]:
        path = f"/regions/{slug}"
        for _ in range(5):
            body = await (await client.get(path)).text()
            marker = 'rel="next" href="'
            if marker not in body:
                break
            path = body.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
            regions.append(path)
    feeds = ["/feed.atom"] + [f"/regions/{slug}/feed.atom" for slug in REGIONS]
    feeds += [f"/commentators/{rng.randint(1, 400)}/feed.atom" for _ in range(10)]
    # What the machine costs per request, to read the other figures against on a busy or slow
    # machine: the site answering without the database (a not-found page), and a request
    # making one trivial database query.
    return {
        "baseline": ["/entries/none"],
        "db_ping": ["/bench/ping"],
        "home": ["/"],
        "region": regions,
        "permalink": permalinks,
        "feed": feeds,
    }


async def run(args: argparse.Namespace) -> list[dict]:
    tmp = None
    if args.db == "sqlite":
        path = args.path
        if path is None:
            tmp = tempfile.TemporaryDirectory(prefix="digestbot-bench-")
            path = str(Path(tmp.name) / "bench.sqlite3")
        url = f"sqlite+aiosqlite:///{path}"
        reuse = args.reuse
    elif args.url:
        url, reuse = args.url, True
    else:
        url = await pgdb.create_database()
        reuse = False
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    client = None
    try:
        if not reuse:
            await upgrade(engine)
            if args.keep:
                print(f"database: {url}", file=sys.stderr)
            began = time.perf_counter()
            counts = await build_archive(session_factory, args.entries)
            if args.db == "postgres":
                async with engine.connect() as conn:
                    conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await conn.execute(text("VACUUM ANALYZE"))
            print(f"archive: {counts} in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        settings = Settings(
            database_url=url,
            public_url="https://site.example.org",
            _env_file=None,  # type: ignore[call-arg]
        )
        app = web.Application()
        add_routes(app, Services(settings, engine, session_factory))

        async def ping(request: web.Request) -> web.Response:
            async with session_factory() as session:
                await session.execute(select(1))
            return web.Response(text="ok")

        app.router.add_get("/bench/ping", ping)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        rng = random.Random(11)
        paths = await _paths(client, session_factory, rng)
        results = []
        for kind, kind_paths in paths.items():
            timings: list[float] = []
            cpu = 0.0
            for round_ in range(args.rounds + 1):  # the first round warms caches, not counted
                for path in kind_paths if len(kind_paths) > 1 else kind_paths * 40:
                    began, began_cpu = time.perf_counter(), time.process_time()
                    response = await client.get(path)
                    await response.read()
                    elapsed = (time.perf_counter() - began) * 1000
                    if response.status not in (200, 410) and kind != "baseline":
                        raise RuntimeError(f"{path}: {response.status}")
                    if round_:
                        timings.append(elapsed)
                        cpu += (time.process_time() - began_cpu) * 1000
            timings.sort()
            results.append(
                {
                    "db": args.db,
                    "page": kind,
                    "n": args.entries,
                    "p50_ms": round(_percentile(timings, 50), 2),
                    "p95_ms": round(_percentile(timings, 95), 2),
                    # This process's CPU per request (client, server and SQLite's thread):
                    # steadier than wall time on a machine busy with other work.
                    "cpu_ms": round(cpu / max(len(timings), 1), 2),
                }
            )
        return results
    finally:
        if client is not None:
            await client.close()
        await engine.dispose()
        if args.db == "postgres" and not args.keep and not args.url:
            await pgdb.drop_database(url)
        if tmp is not None:
            tmp.cleanup()


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    k = (len(values) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10000, help="documents in the archive")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the pages")
    parser.add_argument(
        "--path", help="SQLite file to build (or reuse when it exists) instead of a temp file"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--url", help="a PostgreSQL database built by an earlier --keep run")
    args = parser.parse_args()
    args.reuse = args.path is not None and Path(args.path).exists()
    for result in asyncio.run(run(args)):
        print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
