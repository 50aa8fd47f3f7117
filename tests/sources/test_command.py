"""`digestbot source ...`: follow a feed, list what each source did, poll by hand, pause,
resume and remove, against the local site."""

from __future__ import annotations

import argparse
import datetime as dt
import io
from collections.abc import AsyncIterator

import pytest

from bot.cli import _parser
from bot.config import Settings
from bot.sources.command import run_source
from bot.sources.poller import FAILING_AFTER
from tests.db_fixtures import Database
from tests.sources.site import NEW_DIGEST, OLD_ARTICLE, OLD_DIGEST, FeedSite, running_site

NOW = dt.datetime(2026, 3, 21, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with running_site(OLD_DIGEST, OLD_ARTICLE) as running:
        yield running


async def run(db: Database, *argv: str) -> tuple[int, str, str]:
    args: argparse.Namespace = _parser().parse_args(["source", *argv])
    settings = Settings(database_url=db.url, fetch_allow_hosts=["127.0.0.1"])
    out, err = io.StringIO(), io.StringIO()
    code = await run_source(args, settings, out=out, err=err, clock=lambda: NOW)
    return code, out.getvalue(), err.getvalue()


async def test_the_cli_follows_a_feed_polls_it_and_lists_what_each_source_did(
    db: Database, site: FeedSite
) -> None:
    code, out, _ = await run(db, "add", site.url("/rss.xml"), "--every", "30m")
    assert code == 0
    assert "Following s1: China Watch Newsletter" in out
    assert "2 posts already in the feed were recorded as seen; none was sent." in out
    assert f"Newest post: {OLD_ARTICLE.title} (article)" in out

    code, out, _ = await run(db, "list")
    assert code == 0
    assert "s1 China Watch Newsletter [active, every 1800s]" in out
    assert "last poll: 2026-03-21 08:00 UTC" in out
    assert "last new post: never" in out and "last error: none" in out

    site.publish(NEW_DIGEST)
    code, out, _ = await run(db, "poll")
    assert code == 0
    assert "s1: 1 new" in out and f"(draft): {NEW_DIGEST.title}" in out
    code, out, _ = await run(db, "list")
    assert f"last new post: 2026-03-21 08:00 UTC ({NEW_DIGEST.title})" in out

    site.broken = True
    code, out, _ = await run(db, "poll", "s1")
    assert code == 2 and "s1: failed:" in out and "HTTP 500" in out
    code, out, _ = await run(db, "list")
    assert "last error: 2026-03-21 08:00 UTC —" in out and "500" in out
    assert "failing" not in out  # one failed poll is a blip, not yet a failing source
    for _ in range(FAILING_AFTER - 1):
        await run(db, "poll", "s1")
    code, out, _ = await run(db, "list")
    assert "failing" in out


async def test_the_cli_pauses_resumes_and_removes_and_refuses_what_it_cannot_follow(
    db: Database, site: FeedSite
) -> None:
    code, _, err = await run(db, "add", site.url("/"))
    assert code == 1 and "not an RSS or Atom feed" in err and site.url("/rss.xml") in err
    await run(db, "add", site.url("/atom.xml"), "--auto")
    code, out, _ = await run(db, "pause", "s1")
    assert (code, out.strip()) == (0, "Paused s1 (China Watch (Atom)).")
    code, out, _ = await run(db, "poll")
    assert out.strip() == "No active sources."
    assert (await run(db, "resume", "1"))[0] == 0
    assert "[active, auto]" in (await run(db, "list"))[1]
    assert (await run(db, "remove", "s1"))[0] == 0
    code, _, err = await run(db, "remove", "s1")
    assert code == 1 and "no source 's1'" in err
    assert (await run(db, "list"))[1].strip() == "No sources."
