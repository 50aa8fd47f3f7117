"""`digestbot search QUERY [--json]` from the shell."""

from __future__ import annotations

import argparse
import json

import pytest

from bot.config import Settings
from bot.search.command import run_search
from tests.db_fixtures import Database
from tests.search.archive import Archive


def args(*query: str, as_json: bool = False, limit: int = 10) -> argparse.Namespace:
    return argparse.Namespace(query=list(query), json=as_json, limit=limit)


async def test_json_is_a_list_best_first(
    db: Database, archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=db.url)

    # Quoted: the exact term only, not its English equivalents.
    assert await run_search(args('"稀土"', as_json=True), settings) == 0

    printed = json.loads(capsys.readouterr().out)
    assert [(r["type"], r["id"]) for r in printed] == [
        ("item", archive.items["rare_earth_curbs"]),
        ("entry", archive.entries["shan_rare_earths"]),
    ]
    assert set(printed[0]) == {
        "type",
        "id",
        "title",
        "title_zh",
        "summary",
        "commentators",
        "regions",
        "date",
        "url",
    }
    assert printed[1]["commentators"] == [{"name": "Shan Liping", "name_zh": "单丽萍"}]
    assert printed[1]["regions"] == ["europe"]
    assert printed[1]["date"] == "2025-10-20"


async def test_text_output_and_hints_on_stderr(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.search import archive as fixtures

    async with sqlite_db.session_factory() as session, session.begin():
        await fixtures.build(session)
    settings = Settings(database_url=sqlite_db.url)

    assert await run_search(args("since:2025-13-01", "huang", "jing"), settings) == 0
    out, err = capsys.readouterr()
    assert out.startswith("1 results:\n1. [entry ")
    assert "A grand bargain over chips?" in out and "https://example.org/" in out
    assert "since:2025-13-01" in err and "<" not in err

    assert await run_search(args('"', "OR(qwertz*", as_json=True), settings) == 0
    assert json.loads(capsys.readouterr().out) == []


async def test_rebuild_from_the_shell(
    db: Database, archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    rebuild = argparse.Namespace(query=[], json=False, limit=10, rebuild=True)
    assert await run_search(rebuild, Settings(database_url=db.url)) == 0
    assert "Search index rebuilt: 10 documents." in capsys.readouterr().err
