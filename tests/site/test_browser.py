"""A real browser: Debian's Chromium, headless, loads the home page and a permalink served on
a real port and finds the headline in the rendered page. Skipped, with the reason, where
Chromium is not installed (.ci/run installs it)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import Services
from bot.site import serve
from tests.db_fixtures import Database
from tests.site import archive

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


async def rendered_dom(url: str, profile: Path) -> str:
    """The DOM after Chromium loaded `url` (what a reader's browser would show)."""
    assert CHROMIUM is not None
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={profile}",
        "--dump-dom",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


async def test_chromium_shows_the_headline_on_home_and_permalink(
    sqlite_db: Database, tmp_path: Path
) -> None:
    async with sqlite_db.session_factory() as s, s.begin():
        built = await archive.build(s, entry_title="Tokyo & Beijing <recalibrate>")
    settings = Settings(database_url=sqlite_db.url, _env_file=None)  # type: ignore[call-arg]
    services = Services(settings, sqlite_db.engine, sqlite_db.session_factory)
    address = await serve.start(services, host="127.0.0.1", port=0)
    try:
        home = await rendered_dom(f"{address}/", tmp_path / "profile-home")
        entry = await rendered_dom(f"{address}/entries/{built.entry_ids[0]}", tmp_path / "p2")
    finally:
        await serve.stop(services)
    # The DOM serialises the text escaped: the headline is there as text, not as markup.
    assert "Tokyo &amp; Beijing &lt;recalibrate&gt;" in home
    assert "<recalibrate>" not in home
    assert "Rare earth exports slow again" in home
    assert "<h1><span>Tokyo &amp; Beijing &lt;recalibrate&gt;</span>" in entry
    assert "东京调整对华政策" in entry
