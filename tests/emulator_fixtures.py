"""pytest fixtures for the local Telegram Bot API emulator (`bot/emulator`).

Loaded by tests/conftest.py (`pytest_plugins`). A test asks for `emulator` and gets a running
`TelegramEmulator` on 127.0.0.1 (a free port), stopped after the test. Settings per test:

    @pytest.mark.emulator(rate_limits=False, latency_ms=50)   # any EmulatorConfig field
    async def test_...(emulator): ...

Point the bot at it with `emulator.base_url` (root URL: requests go to
`<base_url>/bot<token>/<method>`) and `emulator.token`, or use `emulator.application_builder()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from bot.emulator import TelegramEmulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "emulator(**settings): EmulatorConfig overrides for the `emulator` fixture"
    )


@pytest.fixture
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[TelegramEmulator]:
    """A running emulator for one test; `@pytest.mark.emulator(...)` tunes it."""
    marker = request.node.get_closest_marker("emulator")
    settings = dict(marker.kwargs) if marker else {}
    emu = TelegramEmulator(**settings)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def emulator_bot(emulator: TelegramEmulator) -> AsyncIterator[telegram.Bot]:
    """A python-telegram-bot `Bot` talking to the emulator (initialized: getMe done)."""
    bot = telegram.Bot(
        emulator.token,
        base_url=emulator.bot_base_url,
        base_file_url=emulator.bot_base_file_url,
    )
    async with bot:
        yield bot
