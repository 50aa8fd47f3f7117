"""One process owns the outbox sender and the scheduler: the owner lock.

PostgreSQL: a session-level advisory lock held on a connection kept open for the process's
life. The server releases it the moment that connection ends (the process died, or the
connection was cut), so a standby takes over at its next try, within a heartbeat. The owner
checks its connection at every heartbeat (`still_held`) and steps down when it is gone, as the
lock then is too.
SQLite: an exclusive `flock` on a file next to the database (released by the OS when the
process dies); an in-memory database has no other process to share with.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

ADVISORY_KEY = 0x6469676573  # "diges"


class OwnerLock:
    """`key` and `name` tell locks apart (the owner of the sender and schedules, the getUpdates
    poller): the advisory lock key on PostgreSQL, the lock file `<database>.<name>.lock` on
    SQLite."""

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
            # A standby keeps its connection between tries: one every heartbeat.
            if self._connection is None:
                connection = await self.engine.connect()
                try:
                    await connection.execution_options(isolation_level="AUTOCOMMIT")
                except BaseException:
                    await connection.close()
                    raise
                self._connection = connection
            try:
                got = await self._connection.scalar(select(func.pg_try_advisory_lock(self.key)))
            except BaseException:
                await self._close()
                raise
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

    async def still_held(self) -> bool:
        """False when the lock was lost: its PostgreSQL connection is gone."""
        if not self.held:
            return False
        if self._connection is None:
            return True  # a file lock lasts as long as the process
        try:
            await self._connection.scalar(select(1))
        except Exception:  # noqa: BLE001 - any failure means the session, and its lock, is gone
            await self._close()
            self.held = False
            return False
        return True

    async def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None

    async def release(self) -> None:
        if self._connection is not None and self.held:
            with contextlib.suppress(Exception):
                await self._connection.scalar(select(func.pg_advisory_unlock(self.key)))
        await self._close()
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self.held = False

    def describe(self) -> dict[str, Any]:
        return {"held": self.held, "kind": self.engine.dialect.name}
