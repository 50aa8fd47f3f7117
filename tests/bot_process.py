"""`python -m bot ...` as a real subprocess of this checkout, its log lines read as they come.

    proc = await BotProcess.start(["run"], cwd=tmp_path, TELEGRAM_BOT_TOKEN=..., ...)
    await proc.wait_for_line("polls Telegram")
    proc.kill()

The environment is this process's without any digestbot setting, plus the ones given; the
checkout's root comes first on PYTHONPATH so the code under test is this tree's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTING_NAMES = {
    "DATABASE_URL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "ADMIN_IDS",
    "DEFAULT_TIMEZONE",
    "SEND_RATE_LIMIT",
    "LOG_LEVEL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "WEB_HOST",
}


def free_port() -> int:
    """A local TCP port nothing listens on (for a server to bind, or a closed port to dial)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(settings)
    return env


class BotProcess:
    """A running `python -m bot` whose stdout and stderr lines are collected in `lines`."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._readers = [
            asyncio.create_task(self._read(stream))
            for stream in (process.stdout, process.stderr)
            if stream is not None
        ]

    @classmethod
    async def start(cls, args: Sequence[str], *, cwd: Path, **settings: str) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=cwd,
            env=bot_environment(**settings),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._changed.set()

    def has_line(self, fragment: str) -> bool:
        return any(fragment in line for line in self.lines)

    async def wait_for_line(self, fragment: str, timeout: float = 60.0) -> str:  # noqa: ASYNC109
        """Await a line containing `fragment`; fails with what was printed so far."""

        async def found() -> str:
            while True:
                line = next((x for x in self.lines if fragment in x), None)
                if line is not None:
                    return line
                if self.process.returncode is not None and all(r.done() for r in self._readers):
                    raise AssertionError(f"exited without {fragment!r}: {self.output()}")
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.5)

        try:
            return await asyncio.wait_for(found(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"no line with {fragment!r} in {timeout}s: {self.output()}"
            ) from None

    async def finish(self, timeout: float = 60.0) -> int:  # noqa: ASYNC109
        """Await the exit and the last output; returns the exit code."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.gather(*self._readers)
        return code

    def output(self) -> str:
        return "\n".join(self.lines)

    def kill(self) -> None:
        """kill -9: no clean-up, the way a crash or an OOM kill ends a process."""
        if self.process.returncode is None:
            self.process.kill()

    def terminate(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)

    async def close(self) -> None:
        """Stop it if still running (SIGTERM, then SIGKILL) and collect it."""
        self.terminate()
        try:
            await self.finish(timeout=20)
        except TimeoutError:
            self.kill()
            await self.finish()
