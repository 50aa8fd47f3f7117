"""A raw HTTP client for the Bot API (the `emulator` fixture comes from tests.emulator_fixtures)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from bot.emulator import TelegramEmulator

Call = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        yield session


@pytest.fixture
def call(emulator: TelegramEmulator, http: aiohttp.ClientSession) -> Call:
    """`await call("sendMessage", chat_id=1, text="hi")` -> (HTTP status, JSON body), as JSON."""

    async def _call(method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        async with http.post(emulator.api_url(method), json=params) as response:
            return response.status, await response.json()

    return _call
