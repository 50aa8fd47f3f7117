"""Region tagging against the labelled daily reports in tests/fixtures/tagging.

Prints one line: RESULT {"items": n, "exact": share of items whose regions are exactly the
labelled set, "per_file": ..., "per_region": precision and recall, "mention_baseline_exact":
the same figure for tagging every region named in the title or summary (a reference in the
same run), "seed_us_china": how many of the seed report's items are tagged US-China (null
without the seeds), "ms_per_item": parse-and-tag time}.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest.daily_report import parse_report  # noqa: E402
from bot.ingest.tagging import REGION_SLUGS, count_region_mentions  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "tagging"
SEEDS = next(
    (
        p
        for p in (ROOT.parent / "shared" / "seeds", ROOT.parents[1] / "shared" / "seeds")
        if p.is_dir()
    ),
    None,
)


def main() -> None:
    labels: dict[str, dict[str, list[str]]] = json.loads(
        (LABELLED / "labels.json").read_text(encoding="utf-8")
    )
    exact = baseline = items = 0
    per_file: dict[str, float] = {}
    hits: Counter[str] = Counter()
    tagged: Counter[str] = Counter()
    wanted: Counter[str] = Counter()
    started = time.perf_counter()
    for name, expected in labels.items():
        report = parse_report((LABELLED / name).read_text(encoding="utf-8"))
        right = 0
        for entry in report.entries:
            want = tuple(expected[entry.section or ""])
            named = count_region_mentions(f"{entry.title} {entry.title_zh} {entry.summary}")
            items += 1
            right += entry.regions == want
            baseline += tuple(s for s in REGION_SLUGS if s in named) == want
            tagged.update(entry.regions)
            wanted.update(want)
            hits.update(set(entry.regions) & set(want))
        exact += right
        per_file[name] = round(right / len(report.entries), 3)
    elapsed = time.perf_counter() - started
    seed_us_china = None
    if SEEDS is not None and (found := sorted(SEEDS.glob("001_*.txt"))):
        seed = parse_report(found[0].read_text(encoding="utf-8"))
        seed_us_china = sum("us-china" in e.regions for e in seed.entries)
    result = {
        "items": items,
        "exact": round(exact / items, 3),
        "per_file": per_file,
        "per_region": {
            slug: {
                "precision": round(hits[slug] / tagged[slug], 3) if tagged[slug] else None,
                "recall": round(hits[slug] / wanted[slug], 3) if wanted[slug] else None,
            }
            for slug in REGION_SLUGS
        },
        "mention_baseline_exact": round(baseline / items, 3),
        "seed_us_china": seed_us_china,
        "ms_per_item": round(elapsed * 1000 / items, 2),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
