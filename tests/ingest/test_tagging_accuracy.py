"""Region tags on a labelled set of daily reports: at least 95% of items exactly right."""

from __future__ import annotations

import json
from pathlib import Path

from bot.ingest.daily_report import parse_report
from tests.ingest.support import REPO

LABELLED = REPO / "tests" / "fixtures" / "tagging"


def labelled_items() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(item, regions tagged, regions expected) for every labelled item."""
    labels: dict[str, dict[str, list[str]]] = json.loads(
        (LABELLED / "labels.json").read_text(encoding="utf-8")
    )
    found = []
    for name, expected in labels.items():
        report = parse_report((LABELLED / name).read_text(encoding="utf-8"))
        # Every labelled item is parsed, none twice: accuracy is over the whole set.
        assert sorted(e.section or "" for e in report.entries) == sorted(expected)
        for entry in report.entries:
            found.append(
                (
                    f"{Path(name).stem} #{entry.section} {entry.title}",
                    entry.regions,
                    tuple(expected[entry.section or ""]),
                )
            )
    return found


def test_at_least_95_percent_of_labelled_items_get_exactly_their_regions() -> None:
    items = labelled_items()
    wrong = [(name, got, want) for name, got, want in items if got != want]
    assert len(items) >= 60
    assert 1 - len(wrong) / len(items) >= 0.95, wrong


def test_the_labelled_set_is_varied() -> None:
    wanted = [want for _, _, want in labelled_items()]
    assert sum(1 for w in wanted if not w) >= 20  # items with no region
    assert sum(1 for w in wanted if len(w) > 1) >= 3  # items with several
    for slug in ("us-china", "europe", "japan", "africa", "russia"):
        assert sum(1 for w in wanted if slug in w) >= 6
