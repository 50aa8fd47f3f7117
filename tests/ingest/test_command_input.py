"""`digestbot ingest` follows /post's rules: text only, links checked at every hop, parsing in a
worker thread. Links point at a local aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.config import Settings
from bot.ingest import detect
from storage.models import DailyReport, Entry
from tests.db_fixtures import Database
from tests.ingest.support import FIXTURES, fixture
from tests.ingest.test_command import args, entries_in, run
from tests.loop_probe import OffLoopProbe


@pytest.fixture
async def site() -> AsyncIterator[TestServer]:
    async def page(_: web.Request) -> web.Response:
        return web.Response(text=fixture("article_page.html"), content_type="text/html")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_get("/page", page)
    app.router.add_get("/redirect", redirect)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


async def test_a_binary_file_exits_2_says_why_and_stores_nothing(
    db: Database, tmp_path: Path
) -> None:
    program = tmp_path / "notes.txt"
    program.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 16)
    code, out, err = await run(Settings(database_url=db.url), args(program))
    assert (code, out) == (2, "")
    assert err == (
        f"digestbot ingest: {program} is not a text document: it holds binary data (ELF)\n"
    )
    assert await entries_in(db) == 0


async def test_a_report_saved_as_gbk_is_stored(db: Database, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_bytes(fixture("report_2026-01-14.txt").encode("gbk"))
    code, out, err = await run(Settings(database_url=db.url), args(report))
    assert (code, err) == (0, "")
    assert out.startswith(
        "Stored 4 items as drafts (report “英文媒体关于中国的报道汇总 2026-01-14”)"
    )
    async with db.session_factory() as s:
        assert await s.scalar(select(func.count(DailyReport.id))) == 1


async def test_links_are_refused_or_fetched_by_the_same_rules_as_chat(
    db: Database, site: TestServer
) -> None:
    port = site.port
    plain = Settings(database_url=db.url)
    code, _, err = await run(plain, args(f"http://localhost:{port}/page"))
    assert code == 1
    assert err.startswith(
        f"digestbot ingest: could not fetch http://localhost:{port}/page: localhost is this"
        " machine (localhost); private and local addresses are not fetched"
    )

    allowed = Settings(database_url=db.url, fetch_allow_hosts="127.0.0.1")
    inward = f"http://127.0.0.1:{port}/redirect?to=http://169.254.169.254/latest/meta-data/"
    code, _, err = await run(allowed, args(inward))
    assert code == 1 and "after a redirect, 169.254.169.254 is a link-local address" in err
    assert await entries_in(db) == 0

    code, out, err = await run(allowed, args(f"http://127.0.0.1:{port}/page"))
    assert (code, err) == (0, "")
    async with db.session_factory() as s:
        entry = (await s.scalars(select(Entry))).one()
    assert entry.title == "Grain Trains Across the Amur"


async def test_a_file_is_parsed_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = OffLoopProbe(detect.parse_digest)
    monkeypatch.setattr(detect, "parse_digest", probe)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")

    async def meanwhile() -> None:
        await probe.started()
        probe.loop_answered()  # this coroutine ran while the parse was held

    other = asyncio.create_task(meanwhile())
    code, out, _ = await run(settings, args(FIXTURES / "digest_january.txt", dry_run=True))
    await other
    assert code == 0 and out.startswith("Parsed a digest")
    assert probe.answered_during_call == [True]
