"""With PORT set, the running bot serves the website too; tracked links in its messages lead
through it."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from tests.e2e.conftest import RunningBot
from tests.site import archive


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = free_port()


@pytest.mark.bot(port=PORT, public_url="https://news.example.org")
async def test_the_bot_serves_the_site_on_port(running_bot: RunningBot) -> None:
    async with running_bot.session_factory() as s, s.begin():
        built = await archive.build(s)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{PORT}/") as home:
            assert home.status == 200
            assert "Press review 5 November" in await home.text()
        async with http.get(f"http://127.0.0.1:{PORT}/feed.atom") as feed:
            text = await feed.text()
    assert f"https://news.example.org/items/{built.item_ids[0]}" in text
