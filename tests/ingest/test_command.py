"""`digestbot ingest` end to end: dry runs, real runs, duplicates and unparseable input."""

from __future__ import annotations

import argparse
import io
import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from bot.config import Settings
from bot.ingest.command import run_ingest
from storage.models import Entry, ReportItem
from tests.db_fixtures import Database
from tests.ingest.support import FIXTURES

TODAY = date(2027, 3, 1)
ENTRY_KEYS = {
    "title",
    "title_zh",
    "summary",
    "summary_en",
    "text",
    "url",
    "regions",
    "commentators",
    "outlet",
    "date",
}


def args(source: Path | str, **options: object) -> argparse.Namespace:
    values = {"kind": None, "dry_run": False, "json": False, "publish": False} | options
    return argparse.Namespace(source=str(source), **values)


async def run(settings: Settings, namespace: argparse.Namespace) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_ingest(namespace, settings, today=TODAY, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def entries_in(db: Database) -> int:
    async with db.session_factory() as s:
        return int(await s.scalar(select(func.count(Entry.id))) or 0)


async def test_a_dry_run_prints_the_parse_as_json_and_stores_nothing(tmp_path: Path) -> None:
    database = tmp_path / "never-created.sqlite3"
    settings = Settings(database_url=f"sqlite:///{database}")
    code, out, err = await run(
        settings, args(FIXTURES / "digest_january.txt", dry_run=True, json=True)
    )
    assert (code, err) == (0, "")
    parsed = json.loads(out)
    assert set(parsed) == {"kind", "title", "date", "entries", "skipped"}
    assert (parsed["kind"], parsed["date"], len(parsed["entries"])) == ("digest", "2027-01-01", 6)
    assert all(set(e) == ENTRY_KEYS for e in parsed["entries"])
    assert parsed["entries"][0]["commentators"] == [{"name": "Bai Yutong", "name_zh": "白雨桐"}]
    assert {"what", "why"} == set(parsed["skipped"][0])
    assert not database.exists()


async def test_report_json_carries_each_item_s_english_summary_from_its_article(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    code, out, _ = await run(
        settings, args(FIXTURES / "report_2026-01-14.txt", dry_run=True, json=True)
    )
    assert code == 0
    items = json.loads(out)["entries"]
    assert items[0]["summary_en"].startswith("Japan’s transport ministry announced new berthing")
    # The fourth article opens with a quote: the summary starts at the first plain sentence.
    assert items[3]["summary_en"].startswith("The deal adds storage at two border crossings")
    assert all(item["summary_en"] != item["title"] for item in items)


async def test_a_dry_run_without_json_lists_what_it_found(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    code, out, _ = await run(settings, args(FIXTURES / "report_2026-01-14.txt", dry_run=True))
    assert code == 0
    assert out.startswith(
        "Parsed a report: “英文媒体关于中国的报道汇总 2026-01-14” (2026-01-14), 4 items"
    )
    assert "Nothing stored (dry run)" in out
    assert "[japan] Tokyo and Beijing spar over new port fees" in out


async def test_a_real_run_stores_drafts_and_says_what_it_stored(db: Database) -> None:
    settings = Settings(database_url=db.url)
    code, out, err = await run(settings, args(FIXTURES / "digest_january.txt"))
    assert (code, err) == (0, "")
    assert out.startswith(
        "Stored 6 entries as drafts (digest “January Digest | Part 2 — Foreign Policy”)."
    )
    assert "New commentators (7): Bai Yutong (白雨桐)" in out
    assert "line 12: “N.B. This section" in out
    assert await entries_in(db) == 6


async def test_the_same_document_twice_stores_nothing_new_and_says_so(db: Database) -> None:
    settings = Settings(database_url=db.url)
    await run(settings, args(FIXTURES / "social_post.txt"))
    code, out, _ = await run(settings, args(FIXTURES / "social_post.txt"))
    assert code == 0
    assert out.startswith("Nothing new: article “Steel, Quotas and the Long Game in Brussels”")
    assert await entries_in(db) == 1


async def test_publish_stores_the_report_published(db: Database) -> None:
    settings = Settings(database_url=db.url)
    code, out, _ = await run(settings, args(FIXTURES / "report_2026-01-14.txt", publish=True))
    assert code == 0
    assert out.startswith("Stored and published 4 items (report")
    async with db.session_factory() as s:
        assert set((await s.scalars(select(ReportItem.status))).all()) == {"published"}


async def test_a_real_run_with_json_adds_what_was_stored(db: Database) -> None:
    settings = Settings(database_url=db.url)
    code, out, _ = await run(settings, args(FIXTURES / "think_tank_analysis.txt", json=True))
    payload = json.loads(out)
    assert code == 0 and payload["kind"] == "article"
    assert payload["result"]["duplicate"] is False and len(payload["result"]["entry_ids"]) == 1


async def test_an_unparseable_document_names_the_line_exits_2_and_stores_nothing(
    db: Database, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("March Digest | Part 1\n1. Europe\nJust some prose.\n", encoding="utf-8")
    code, out, err = await run(Settings(database_url=db.url), args(bad, kind="digest"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "line 2" in err and "no commentary paragraphs" in err
    assert await entries_in(db) == 0


async def test_a_missing_file_exits_1_with_a_clear_message(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    code, _, err = await run(settings, args(tmp_path / "nope.txt", dry_run=True))
    assert code == 1 and "no such file" in err
