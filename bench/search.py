"""Search latency over a synthetic archive.

    python bench/search.py --entries 100000 --db sqlite
    python bench/search.py --entries 100000 --db postgres   # TEST_POSTGRES_URL's server
    python bench/search.py --entries 1000000 --db postgres --keep   # prints the database URL
    python bench/search.py --entries 1000000 --db postgres --url URL   # queries it again

Builds an archive of N documents (three entries for every two daily-report items, plus a digest
per hundred entries) mixing English and Chinese the way the newsletter does: English commentary
with Chinese names and terms in brackets, report items with an English headline and a Chinese
title and summary. Words follow a Zipf distribution over a hand-written head (the topics the
newsletter covers) and a generated tail. Content rows go in with bulk inserts, then the index
is built by `rebuild_index`, the same code maintenance uses.

Then runs a fixed set of queries (common and rare terms, Chinese, pinyin, phrases, filters)
through `bot.search.service.search` and prints
RESULT {"db": ..., "n": N, "p50_ms": ..., "p95_ms": ..., "max_ms": ..., "worst_query": ...,
"worst_median_ms": ...}; per-query medians go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pgdb  # noqa: E402  (bench/ is on sys.path when a benchmark runs)
from sqlalchemy import insert, select, text  # noqa: E402

from bot.search.index import rebuild_index  # noqa: E402
from bot.search.names import pinyin_readings  # noqa: E402
from bot.search.service import search  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Commentator,
    DailyReport,
    Digest,
    Entry,
    Region,
    ReportItem,
    entry_commentators,
    entry_regions,
    item_regions,
)

QUERIES = [
    "submarine",
    "submarines patrol",
    "rare earths",
    "china",  # in most documents: the bounded candidate set
    "the",
    "中国",
    "稀土",
    "土",
    "出口管制",
    "稀土出口管制的影响",
    "huang jing",
    "zzw",
    "曾志伟",
    'by:"Zeng Zhiwei" tariffs',
    "by:黄靖",
    "region:japan",
    "region:日本 since:2025-06-01",
    "type:digest",
    '"export controls"',
    "semiconductor export controls",
    "europe trade since:2024-01-01 until:2024-12-31",
    "AI模型",
    "velmoranth",  # a tail word: few documents
    "nothingmatchesthis",
    "what did Zeng Zhiwei say about rare earths",
    'AND OR NOT NEAR * " %_ 😀',
]


def _words(text: str) -> list[str]:
    return text.split()


HEAD_EN = _words(
    """china chinese beijing united states us washington trade tariffs tariff policy
security economy economic growth investment market markets industry industrial technology
technologies semiconductor semiconductors chips chip export exports controls control sanctions
sanction military navy submarine submarines patrol patrols pacific taiwan strait japan japanese
tokyo europe european eu brussels germany france africa african russia russian moscow
diplomacy diplomatic relations relationship strategy strategic alliance partners partnership
cooperation competition rivalry supply chains chain rare earths earth minerals critical energy
oil gas climate green transition electric vehicles vehicle battery batteries solar finance
financial currency renminbi rmb dollar bank banks central digital debt loans infrastructure
belt road initiative ports shipping maritime south sea philippines vietnam india korea
election government party leadership president minister ministry officials summit talks
negotiations agreement deal grand bargain order global world international multilateral
regional bilateral power powers influence soft hard narrative media scholars analysts think
tank research university policy makers experts commentary analysis view argues says warns
notes suggests believes risk risks crisis stability pressure tensions conflict war peace
deterrence nuclear missile missiles drills exercises forces defense defence budget spending
innovation ai artificial intelligence models model data platform platforms companies company
firms private state owned enterprises manufacturing overcapacity steel aluminium cars exports
consumers consumption demand domestic growth slowdown property housing local governments
reform opening sovereignty normalisation constitution history memory clauses charter un
united nations development aid connectivity currencies settlement system systems order
the of and to in a that is for on with as by at from be this it an are was which has have
not but its their they more than also will can would between over after into about new"""
)

HEAD_ZH = _words(
    """中国 美国 日本 欧洲 欧盟 非洲 俄罗斯 中美 关系 贸易 关税 政策 安全 经济 增长 投资 市场 产业
技术 半导体 芯片 出口 管制 制裁 军事 海军 潜艇 巡逻 太平洋 台湾 海峡 东京 布鲁塞尔 德国 法国 外交
战略 联盟 伙伴 合作 竞争 供应链 稀土 矿产 能源 石油 天然气 气候 绿色 转型 电动汽车 电池 光伏 金融
货币 人民币 美元 银行 央行 数字 债务 贷款 基础设施 一带一路 港口 航运 海洋 南海 菲律宾 越南 印度 韩国
选举 政府 领导 总统 部长 官员 峰会 会谈 谈判 协议 秩序 全球 国际 多边 地区 双边 影响 学者 分析
研究 大学 专家 评论 认为 表示 警告 指出 风险 危机 稳定 压力 紧张 冲突 战争 和平 威慑 核 导弹 演习
国防 预算 创新 人工智能 模型 数据 平台 公司 企业 民营 国有 制造业 产能 过剩 钢铁 汽车 消费 需求
国内 放缓 房地产 地方 改革 开放 主权 宪法 历史 联合国 发展 援助 互联互通 结算 体系 的 了 和 在
是 对 与 将 也 为 不 这 其 等 中 上 下 大 小 新 多 进一步 同时 以及 通过 进行 推动 加强 认为"""
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤单区"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建林文斌宇浩凯晨志红云峰波春雪燕海亮成国庆东新宏德安荣振宁俊"
SYLLABLES = _words(
    "ka ri mo ve lan tor sen dal mir quo bex fen gar hol ith jun kel lor mun nes pra rov sul tam ust vin wex yor zan"
)
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
REGIONS = ["us-china", "europe", "japan", "africa", "russia"]


class Corpus:
    """Zipf-distributed English and Chinese words: the hand-written head, then a generated tail
    (pseudo-words, character pairs) so rare terms exist as they do in a real archive."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        tail_en = sorted(
            {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(40000)}
        )
        rng.shuffle(tail_en)
        tail_en.insert(0, "velmoranth")
        tail_zh = sorted({rng.choice(CHARS) + rng.choice(CHARS) for _ in range(20000)})
        rng.shuffle(tail_zh)
        self.en = HEAD_EN + tail_en
        self.zh = HEAD_ZH + tail_zh
        self.en_cw = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(self.en))))
        self.zh_cw = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(self.zh))))

    def english(self, n: int) -> str:
        words = self.rng.choices(self.en, cum_weights=self.en_cw, k=n)
        out = []
        for i in range(0, n, 14):
            sentence = " ".join(words[i : i + 14])
            if self.rng.random() < 0.15:
                sentence += f" ({self.chinese(self.rng.randint(1, 3), punctuate=False)})"
            out.append(sentence[:1].upper() + sentence[1:] + ".")
        return " ".join(out)

    def chinese(self, n: int, *, punctuate: bool = True) -> str:
        words = self.rng.choices(self.zh, cum_weights=self.zh_cw, k=n)
        if not punctuate:
            return "".join(words)
        return "，".join("".join(words[i : i + 6]) for i in range(0, n, 6)) + "。"


def commentator_rows(rng: random.Random, count: int) -> list[dict]:
    rows = [
        {"id": 1, "name": "Zeng Zhiwei", "name_zh": "曾志伟", "aliases": []},
        {"id": 2, "name": "Huang Jing", "name_zh": "黄靖", "aliases": []},
    ]
    seen = {"曾志伟", "黄靖"}
    while len(rows) < count:
        zh = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        if zh in seen:
            continue
        seen.add(zh)
        surname, given = pinyin_readings(zh)[0]
        latin = "".join(surname).title() + " " + "".join(given).title()
        rows.append({"id": len(rows) + 1, "name": latin, "name_zh": zh, "aliases": []})
    return rows


async def build_archive(session_factory, n: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    corpus = Corpus(rng)
    n_items = n * 2 // 5
    n_entries = n - n_items
    n_digests = max(1, n_entries // 100)
    start = dt.date(2021, 1, 1)
    span_days = (dt.date(2025, 12, 31) - start).days

    async with session_factory() as session, session.begin():
        region_ids = {
            slug: rid for rid, slug in (await session.execute(select(Region.id, Region.slug)))
        }
        people = commentator_rows(rng, 400)
        await session.execute(insert(Commentator), people)
        await session.execute(
            insert(Digest),
            [
                {
                    "id": i + 1,
                    "title": f"Digest {i + 1} — {corpus.english(6)}",
                    "summary": corpus.english(40),
                    "link": f"https://digest.example.org/{i + 1}",
                    "status": "published",
                    "published_at": _moment(start, span_days * (i + 1) // n_digests),
                }
                for i in range(n_digests)
            ],
        )
        reports = max(1, n_items // 25)
        await session.execute(
            insert(DailyReport),
            [
                {
                    "id": i + 1,
                    "date": start + dt.timedelta(days=span_days * i // reports),
                    "title": f"英文媒体关于中国的报道汇总 {i + 1}",
                    "status": "published",
                    "published_at": _moment(start, span_days * i // reports),
                }
                for i in range(reports)
            ],
        )

    batch = 5000
    for first in range(0, n_entries, batch):
        rows, people_links, region_links = [], [], []
        for i in range(first, min(first + batch, n_entries)):
            day = span_days * i // n_entries
            rows.append(
                {
                    "id": i + 1,
                    "kind": "digest",
                    "title": corpus.english(rng.randint(5, 10)) if rng.random() < 0.5 else None,
                    "title_zh": corpus.chinese(rng.randint(4, 8)) if rng.random() < 0.2 else None,
                    "summary": corpus.english(rng.randint(12, 24)),
                    "text": corpus.english(rng.randint(60, 120)),
                    "outlet": rng.choice(["Guancha", "Caixin", "Global Times", "Lianhe Zaobao"]),
                    "date": start + dt.timedelta(days=day),
                    "url": f"https://example.org/e/{i + 1}",
                    "digest_id": 1 + i * n_digests // n_entries,
                    "status": "published",
                    "published_at": _moment(start, day),
                }
            )
            for position, person in enumerate(
                rng.sample(people, rng.choice([1, 1, 1, 2, 3])), start=0
            ):
                people_links.append(
                    {"entry_id": i + 1, "commentator_id": person["id"], "position": position}
                )
            for slug in rng.sample(REGIONS, rng.choice([1, 1, 2])):
                region_links.append({"entry_id": i + 1, "region_id": region_ids[slug]})
        async with session_factory() as session, session.begin():
            await session.execute(insert(Entry), rows)
            await session.execute(insert(entry_commentators), people_links)
            await session.execute(insert(entry_regions), region_links)

    for first in range(0, n_items, batch):
        rows, region_links = [], []
        for i in range(first, min(first + batch, n_items)):
            report = 1 + i * reports // n_items
            day = span_days * (report - 1) // reports
            rows.append(
                {
                    "id": i + 1,
                    "report_id": report,
                    "position": i % 25,
                    "headline": corpus.english(rng.randint(7, 14)),
                    "title_zh": corpus.chinese(rng.randint(5, 9), punctuate=False),
                    "summary_zh": corpus.chinese(rng.randint(25, 45)),
                    "text": corpus.english(rng.randint(60, 120)),
                    "url": f"https://news.example.com/{i + 1}?utm_source=rss_feed",
                    "status": "published",
                    "published_at": _moment(start, day),
                }
            )
            if rng.random() < 0.6:
                region_links.append(
                    {"item_id": i + 1, "region_id": region_ids[rng.choice(REGIONS)]}
                )
        async with session_factory() as session, session.begin():
            await session.execute(insert(ReportItem), rows)
            if region_links:
                await session.execute(insert(item_regions), region_links)
    return {"entries": n_entries, "items": n_items, "digests": n_digests}


def _moment(start: dt.date, day: int) -> dt.datetime:
    return dt.datetime.combine(start + dt.timedelta(days=day + 1), dt.time(8), tzinfo=dt.UTC)


async def run(args: argparse.Namespace) -> dict:
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
    if args.db == "postgres" and args.keep:
        print(f"database: {url}", file=sys.stderr)
    # Pooled connections, as the bot has them: the figures are search, not connecting.
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    try:
        if not reuse:
            await upgrade(engine)
            began = time.perf_counter()
            counts = await build_archive(session_factory, args.entries)
            loaded = time.perf_counter() - began
            began = time.perf_counter()
            async with session_factory() as session, session.begin():
                indexed = await rebuild_index(session)
            index_s = time.perf_counter() - began
            if args.db == "postgres":
                async with engine.connect() as conn:
                    conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await conn.execute(text("VACUUM ANALYZE"))
            print(
                f"archive: {counts}, content {loaded:.0f} s, index of {indexed} docs "
                f"{index_s:.0f} s",
                file=sys.stderr,
            )
        today = dt.date(2025, 12, 31)
        timings: dict[str, list[float]] = {q: [] for q in QUERIES}
        for round_ in range(args.rounds + 1):  # the first round warms caches and is not counted
            for query in QUERIES:
                began = time.perf_counter()
                async with session_factory() as session:
                    page = await search(session, query, limit=5, today=today)
                elapsed = (time.perf_counter() - began) * 1000
                if round_:
                    timings[query].append(elapsed)
                elif args.verbose:
                    print(f"{query[:40]!r}: {page.total} found", file=sys.stderr)
        all_ms = sorted(ms for values in timings.values() for ms in values)
        medians = {query: statistics.median(values) for query, values in timings.items()}
        for query, median in medians.items():
            print(f"  {median:8.2f} ms  {query[:60]}", file=sys.stderr)
        worst = max(medians, key=medians.__getitem__)
        return {
            "db": args.db,
            "n": args.entries,
            "p50_ms": round(_percentile(all_ms, 50), 2),
            "p95_ms": round(_percentile(all_ms, 95), 2),
            "max_ms": round(all_ms[-1], 2),
            "worst_query": worst,
            "worst_median_ms": round(medians[worst], 2),
        }
    finally:
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
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the queries")
    parser.add_argument(
        "--path", help="SQLite file to build (or reuse when it exists) instead of a temp file"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--url", help="a PostgreSQL database built by an earlier --keep run")
    parser.add_argument("--verbose", action="store_true", help="print result counts")
    args = parser.parse_args()
    args.reuse = args.path is not None and Path(args.path).exists()
    result = asyncio.run(run(args))
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
