"""Median parse time of the daily report and of the monthly digest.

Reads the seed documents from ../shared/seeds when present, otherwise generates documents of
the same shape and size. Prints one line: RESULT {"report_ms": ..., "digest_ms": ...}
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest.daily_report import parse_report  # noqa: E402
from bot.ingest.digest import parse_digest  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
RUNS = 30
TODAY = date(2026, 1, 15)


def seed(prefix: str) -> str | None:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    return found[0].read_text(encoding="utf-8") if found else None


def generated_report(items: int = 33, paragraphs: int = 20) -> str:
    lines = ["英文媒体关于中国的报道汇总 2026-01-14", "January 15, 2026 100 min 24000 words"]
    lines.append("以下是媒体报道的主要内容: 1. 测试:这是一段概述。")
    headlines = [f"Story {i} about Tokyo port fees and the EU steel quota" for i in range(items)]
    lines += [f"- {h}" for h in headlines]
    lines.append("摘要")
    for i, h in enumerate(headlines, start=1):
        lines += [
            f"{i}. {h}",
            f"中文标题:第{i}条新闻",
            "内容摘要:" + "日本与欧盟讨论港口费用。" * 12,
        ]
    for i, h in enumerate(headlines):
        lines.append(h)
        first = "Officials in Brussels and Tokyo met on Monday to discuss quotas."
        lines.append(f"https://news.example.com/a/{i}/story?utm_source=rss_feed{first}")
        lines += ["A longer paragraph follows, with details on quotas and fees. " * 4] * paragraphs
    return "\n".join(lines)


def generated_digest(per_section: int = 4) -> str:
    lines = ["March Digest | Part 2 — International Relations", "US-China | Europe | Japan"]
    lines.append("Today’s post rounds up commentary from March.")
    sections = ["US-China Relations", "Europe", "Japan"]
    for s in range(len(sections)):
        for i in range(per_section):
            lines.append(f"Person{s}x{i} Name on a subject of some importance.")
    for s, heading in enumerate(sections, start=1):
        lines.append(f"{s}. {heading}")
        for i in range(per_section):
            lines.append(
                f"Person{s - 1}x{i} Name (测试): A commentary of several sentences. "
                "It goes on for a while — with asides. "
                "— Director, Institute of Examples (示例网, 12 March)"
            )
    return "\n".join(lines)


def median_ms(parse: Callable[[], object]) -> float:
    parse()  # warm caches (compiled keyword tables)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        parse()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def main() -> None:
    report = seed("001") or generated_report()
    digest = seed("000") or generated_digest()
    source = "seeds" if seed("001") and seed("000") else "generated documents"
    kb = f"report {len(report.encode()) / 1024:.0f} KB, digest {len(digest.encode()) / 1024:.0f} KB"
    print(f"# {source}: {kb}, median of {RUNS} runs", file=sys.stderr)
    result = {
        "report_ms": median_ms(lambda: parse_report(report)),
        "digest_ms": median_ms(lambda: parse_digest(digest, today=TODAY)),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
