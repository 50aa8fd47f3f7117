"""One process owns the scheduler (and, on SQLite, the outbox sender).

PostgreSQL: a session-level advisory lock held on a connection kept open for the process's
life; it is released by the server if the process dies, so another instance takes over.
SQLite: an exclusive `flock` on a file next to the database (released by the OS when the
process dies); an in-memory database has no other process to share with.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

ADVISORY_KEY = 0x6469676573  # "diges"


class OwnerLock:
    """`key` and `name` tell locks apart (the scheduler owner, the getUpdates poller): the
    advisory lock key on PostgreSQL, the lock file `<database>.<name>.lock` on SQLite."""

    def __init__(
        self,
        engine: AsyncEngine,
        database_url: str,
        *,
        key: int = ADVISORY_KEY,
        name: str = "owner",
    ) -> None:
        self.engine = engine
        self.database_url = database_url
        self.key = key
        self.name = name
        self.held = False
        self._connection: AsyncConnection | None = None
        self._fd: int | None = None

    def _lock_path(self) -> str | None:
        database = make_url(self.database_url).database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return f"{database}.{self.name}.lock"

    async def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            connection = await self.engine.connect()
            try:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                got = await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                )
            except BaseException:
                await connection.close()
                raise
            if got:
                self._connection = connection
            else:
                await connection.close()
            self.held = bool(got)
            return self.held
        path = self._lock_path()
        if path is None:
            self.held = True
            return True
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        self.held = True
        return True

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self.held = False

    async def still_held(self) -> bool:
        """False once the lock's connection is gone (a PostgreSQL restart or network cut
        released it on the server); the lock is then released here too."""
        if self._connection is None:
            return self.held
        try:
            await self._connection.scalar(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means the session, and the lock, is gone
            await self.release()
            return False
        return True

    def describe(self) -> dict[str, Any]:
        return {"held": self.held, "kind": self.engine.dialect.name}
