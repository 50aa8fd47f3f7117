"""A local Telegram Bot API: the bot's Telegram in tests, benchmarks and the sandbox.

    async with TelegramEmulator() as emu:            # or the `emulator` pytest fixture
        app = emu.application_builder().build()       # python-telegram-bot, pointed at it
        emu.send_command(42, "start")                 # user 42 writes /start
        [reply] = await emu.wait_for_messages(42)     # what the bot answered

It follows `data/api.json` (the published Bot API) and Telegram's limits; see `emulator.py` for
the user-side API, `limits.py` for the flood limits, `server.py` for the HTTP endpoints.
"""

from bot.emulator.emulator import DEFAULT_TOKEN, EmulatorConfig, TelegramEmulator
from bot.emulator.errors import ApiError
from bot.emulator.formatting import ParseError, parse_html, parse_markdown_v2, utf16_len
from bot.emulator.models import (
    CallbackQueryRecord,
    EmuChat,
    EmuMessage,
    EmuUser,
    InlineQueryRecord,
    RequestRecord,
    SendRecord,
)
from bot.emulator.server import run_standalone, serve
from bot.emulator.spec import load_spec, validate_request

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallbackQueryRecord",
    "EmuChat",
    "EmuMessage",
    "EmuUser",
    "EmulatorConfig",
    "InlineQueryRecord",
    "ParseError",
    "RequestRecord",
    "SendRecord",
    "TelegramEmulator",
    "load_spec",
    "parse_html",
    "parse_markdown_v2",
    "run_standalone",
    "serve",
    "utf16_len",
    "validate_request",
]
