"""With PORT set, `digestbot run` serves the website from the same HTTP server as the webhook
(and `/healthz`), in polling and in webhook mode."""

from __future__ import annotations

import aiohttp
import pytest

from tests.e2e.test_webhook import BotFactory, start_webhook_bot  # noqa: F401 - the fixture
from tests.site import archive


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_bot_serves_the_site_on_its_http_server(
    start_webhook_bot: BotFactory,  # noqa: F811 - the fixture imported above
    mode: str,
) -> None:
    overrides = {"public_url": "https://news.example.org"}
    if mode == "polling":
        overrides |= {"webhook_url": None, "webhook_secret": None}
    bot = await start_webhook_bot(**overrides)
    async with bot.runner.services.session_factory() as s, s.begin():
        built = await archive.build(s)
    async with aiohttp.ClientSession() as http:
        async with http.get(bot.http_url("/")) as home:
            assert home.status == 200
            assert "Press review 5 November" in await home.text()
        async with http.get(bot.http_url("/feed.atom")) as feed:
            text = await feed.text()
        async with http.get(bot.http_url("/healthz")) as health:
            assert health.status == 200
    assert f"https://news.example.org/items/{built.item_ids[0]}" in text
