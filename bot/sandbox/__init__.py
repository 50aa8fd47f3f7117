"""`digestbot sandbox`: the bot, a local Telegram (the emulator) and the scheduler in one
process, with a terminal chat, so anyone can try every feature without a Telegram token.

    $ digestbot sandbox                 # or `digestbot run` with TELEGRAM_BOT_TOKEN unset
    you › /start
    bot › Welcome to the China-watching digest. ...
    you › /subscribe
    bot › Regions — tap to follow or unfollow. ...
          [1] ▫️ US-China   [2] ▫️ Europe
          [3] ▫️ Japan   ...
    you › 3                             # press button 3
    bot › (edited) Regions — ... [3] ✅ Japan ...
    you › :editor                       # act as an editor: /post, uploads, /stats ...

Lines starting with ":" are sandbox commands (`:help` lists them, see `commands.py`); the rest
is what the current user types. Piped input works too: each line waits for the bot's answer.

- `session.py`: a session, line by line (`sandbox_session`, which the tests drive too);
- `stack.py`: the database, the emulator and the bot, started and stopped in one event loop;
- `screen.py` and `display.py`: what is shown and how; `terminal.py`: stdin and stdout;
- `commands.py`: the colon commands; `identities.py`: stable ids for names.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.config import Settings
from bot.sandbox.display import Style
from bot.sandbox.session import sandbox_session
from bot.sandbox.terminal import Terminal

__all__ = ["run_sandbox", "sandbox_session"]

# An interactive user waits this long for an answer before getting the prompt back (a later
# answer still shows); piped input waits longer, so a transcript keeps its order.
INTERACTIVE_REPLY_TIMEOUT = 3.0
PIPED_REPLY_TIMEOUT = 10.0


def run_sandbox(settings: Settings, port: int = 0) -> int:
    """The `digestbot sandbox` command; returns the exit code."""
    if settings.log_level.upper() == "INFO":
        # Routine INFO logs (polling, the scheduler) would bury the chat; warnings still show.
        logging.getLogger().setLevel(logging.WARNING)
    terminal = Terminal()
    return asyncio.run(_main(settings, port, terminal))


async def _main(settings: Settings, port: int, terminal: Terminal) -> int:
    loop = asyncio.get_running_loop()

    def on_interrupt() -> None:
        terminal.interrupt()
        # A second Ctrl-C interrupts for real (if shutting down itself hangs).
        loop.remove_signal_handler(signal.SIGINT)

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, on_interrupt)
    terminal.open()
    try:
        return await sandbox_session(
            settings,
            terminal.lines(),
            terminal.show,
            port=port,
            style=Style(ansi=terminal.colour),
            echo=not terminal.interactive,
            reply_timeout=(
                INTERACTIVE_REPLY_TIMEOUT if terminal.interactive else PIPED_REPLY_TIMEOUT
            ),
            drain_at_eof=not terminal.interactive,
            on_prompt=terminal.set_prompt,
        )
    finally:
        terminal.close()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
