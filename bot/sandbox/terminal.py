"""The terminal side of `digestbot sandbox`: lines from stdin, output to stdout.

stdin is read in a daemon thread, one line at a time when the session asks for one, so the
event loop (the emulator, the bot and its scheduler) keeps running while the user types, and a
read still blocked at exit does not hold the process. On a terminal, input() with readline
gives line editing and history, and output that arrives while the user types is printed above
the prompt, which is then redrawn with what they had typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any, TextIO


class Terminal:
    """stdin and stdout for a session: interactive on a terminal, line by line in a pipe."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = _isatty(self.stdin) and _isatty(self.stdout)
        self.colour = _isatty(self.stdout) and not os.environ.get("NO_COLOR")
        self.prompt = "› "
        self._reading = False
        self._requests: queue.SimpleQueue[tuple[str, asyncio.Future[str | None]]] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._readline: Any = None
        self._saved_tty: Any = None

    # ------------------------------------------------------------------------------ output

    def set_prompt(self, prompt: str) -> None:
        self.prompt = prompt

    def show(self, text: str) -> None:
        if self.interactive and self._reading:
            typed = self._readline.get_line_buffer() if self._readline is not None else ""
            # Clear the prompt line, print above it, then put the prompt and the typing back.
            self.stdout.write(f"\r\033[K{text}\n{self.prompt}{typed}")
        else:
            self.stdout.write(text + "\n")
        self.stdout.flush()

    # ------------------------------------------------------------------------------- input

    def open(self) -> None:
        """Start the reader thread; on a terminal, load readline and remember the tty mode."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self.interactive:
            with contextlib.suppress(ImportError):
                import readline

                self._readline = readline
            with contextlib.suppress(ImportError, OSError, ValueError):
                import termios

                self._saved_tty = termios.tcgetattr(self.stdin.fileno())
        self._thread = threading.Thread(target=self._read_lines, name="sandbox-stdin", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Give the terminal back as it was (a read may still be blocked in the thread)."""
        if self._saved_tty is not None:
            with contextlib.suppress(ImportError, OSError, ValueError):
                import termios

                termios.tcsetattr(self.stdin.fileno(), termios.TCSADRAIN, self._saved_tty)

    def interrupt(self) -> None:
        """Ctrl-C: end the input (the session then shuts down cleanly)."""
        if self.interactive and self._reading:
            self.stdout.write("\n")  # leave the prompt's line
            self.stdout.flush()
        if self._stop is not None:
            self._stop.set()

    def _read_lines(self) -> None:
        while True:
            prompt, future = self._requests.get()
            line: str | None
            try:
                line = self._read_line(prompt)
            except EOFError:
                line = None
            except Exception:  # noqa: BLE001 - a broken stdin ends the session like EOF
                line = None
            assert self._loop is not None
            self._loop.call_soon_threadsafe(_resolve, future, line)
            if line is None:
                return

    def _read_line(self, prompt: str) -> str | None:
        """One line without its newline; None at the end of the input."""
        if self.interactive and self.stdin is sys.stdin and self.stdout is sys.stdout:
            return input(prompt)  # with readline's editing and history, once imported
        if self.interactive:
            self.stdout.write(prompt)
            self.stdout.flush()
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None

    async def lines(self) -> AsyncIterator[str]:
        """Lines as typed (or piped), until EOF, Ctrl-D or Ctrl-C."""
        if self._thread is None:
            self.open()
        assert self._stop is not None and self._loop is not None
        while not self._stop.is_set():
            future: asyncio.Future[str | None] = self._loop.create_future()
            self._requests.put((self.prompt, future))
            stopping: asyncio.Future[Any] = asyncio.ensure_future(self._stop.wait())
            self._reading = True
            try:
                await asyncio.wait((future, stopping), return_when=asyncio.FIRST_COMPLETED)
            finally:
                self._reading = False
                stopping.cancel()
            if not future.done():
                future.cancel()
                return
            line = future.result()
            if line is None:
                if self.interactive:
                    self.stdout.write("\n")  # Ctrl-D leaves the cursor after the prompt
                return
            yield line


def _resolve(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
