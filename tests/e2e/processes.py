"""Bot processes for tests where a crash is the point: `python -m bot run` in a subprocess,
polling the test's emulator, killed with SIGKILL or stopped with SIGTERM.

Heartbeats are short here (`SENDER_HEARTBEAT_SECONDS`, `SENDER_STALE_SECONDS`) so takeovers
and recoveries happen within a test's few seconds; the process's log is kept in a file for the
failure message.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import IO

from bot.emulator import TelegramEmulator

REPO = Path(__file__).resolve().parents[2]
FAST_HEARTBEAT = {"SENDER_HEARTBEAT_SECONDS": "0.2", "SENDER_STALE_SECONDS": "1"}


class BotProcess:
    def __init__(self, process: asyncio.subprocess.Process, log: Path, out: IO[bytes]) -> None:
        self.process = process
        self.log = log
        self._out = out

    @classmethod
    async def start(
        cls, emulator: TelegramEmulator, database_url: str, log: Path, **settings: object
    ) -> BotProcess:
        env = {
            **os.environ,
            **FAST_HEARTBEAT,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_URL": emulator.base_url,
            "DATABASE_URL": database_url,
            **{name.upper(): str(value) for name, value in settings.items()},
        }
        out = log.open("ab")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stdout=out, stderr=out
        )
        return cls(process, log, out)

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        self.process.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    async def exited(self, timeout: float = 20.0) -> int:  # noqa: ASYNC109
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        finally:
            self._out.close()
        return code

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    async def close(self) -> None:
        """Make sure the process is gone (a failed test must not leave it sending)."""
        if self.process.returncode is None:
            self.kill()
        await self.exited()
