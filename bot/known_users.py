"""Users the bot has seen (id and @username), so an editor can be added by @username.

Every update carries its sender, but writing a row per update would double the database work of
the busiest handlers; `SeenUsers` remembers what it already wrote and skips unchanged users for
an hour, and `KnownUsersWriter` writes the rest behind the updates: sightings are buffered and
written together, one statement for everyone seen in the last `FLUSH_SECONDS`. A reply then
never waits for this bookkeeping (it was four database round trips of every first reply, each
one a turn of a busy event loop), and hundreds of users writing at once cost one transaction.
A crash loses at most the last second of sightings; the next message records them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import KnownUser, utcnow

log = logging.getLogger(__name__)

REFRESH_SECONDS = 3600.0
FLUSH_SECONDS = 1.0
_MAX_REMEMBERED = 100_000


@dataclass
class SeenUsers:
    """In-process memory of the last write per user: (username, first_name, when)."""

    written: dict[int, tuple[str | None, str | None, float]] = field(default_factory=dict)

    def needs_write(self, user_id: int, username: str | None, first_name: str | None) -> bool:
        seen = self.written.get(user_id)
        return (
            seen is None
            or seen[:2] != (username, first_name)
            or time.monotonic() - seen[2] > REFRESH_SECONDS
        )

    def mark(self, user_id: int, username: str | None, first_name: str | None) -> None:
        if len(self.written) >= _MAX_REMEMBERED:
            self.written.clear()
        self.written[user_id] = (username, first_name, time.monotonic())

    def forget(self, user_id: int) -> None:
        self.written.pop(user_id, None)


@dataclass(frozen=True, slots=True)
class Sighting:
    user_id: int
    username: str | None
    first_name: str | None
    seen_at: dt.datetime


async def remember_all(session: AsyncSession, sightings: list[Sighting]) -> None:
    """Insert or refresh these users' rows (one statement, executed for each)."""
    if not sightings:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(KnownUser)
    statement = statement.on_conflict_do_update(
        index_elements=[KnownUser.user_id],
        set_={k: statement.excluded[k] for k in ("username", "first_name", "last_seen_at")},
    )
    await session.execute(
        statement,
        [
            {
                "user_id": s.user_id,
                "username": s.username,
                "first_name": s.first_name,
                "last_seen_at": s.seen_at,
            }
            for s in sightings
        ],
    )


class KnownUsersWriter:
    """Records sightings behind the updates (see the module docstring).

    `saw` never waits; a background task writes what is pending every `interval` seconds.
    Before anything reads the table (`/editor add @name`) or deletes from it (`/forget`), call
    `flush` or `forget`: both wait for a write under way, so a deleted row cannot come back
    from a sighting buffered before the deletion.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        interval: float = FLUSH_SECONDS,
    ) -> None:
        self.session_factory = session_factory
        self.interval = interval
        self.seen = SeenUsers()
        self._pending: dict[int, Sighting] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._pending)

    def saw(self, user_id: int, username: str | None, first_name: str | None) -> None:
        if not self.seen.needs_write(user_id, username, first_name):
            return
        self.seen.mark(user_id, username, first_name)
        self._closed = False  # an application started again on the same services
        self._pending[user_id] = Sighting(user_id, username, first_name, utcnow())
        self._schedule()

    def _schedule(self) -> None:
        task = self._task
        if self._closed or (
            task is not None and not task.done() and task is not asyncio.current_task()
        ):
            return
        self._task = asyncio.create_task(self._write_soon(), name="known-users")

    async def _write_soon(self) -> None:
        await asyncio.sleep(self.interval)
        await self.flush()

    async def flush(self) -> None:
        """Write every pending sighting now. A failed write keeps them for the next one."""
        async with self._lock:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                async with self.session_factory() as session, session.begin():
                    await remember_all(session, list(batch.values()))
            except Exception:  # noqa: BLE001 - bookkeeping must never stop the bot
                log.warning("could not record %d users; retrying later", len(batch), exc_info=True)
                for user_id, sighting in batch.items():
                    self._pending.setdefault(user_id, sighting)
                self._schedule()

    async def forget(self, session: AsyncSession, user_id: int) -> None:
        """Delete the user's row in `session`'s transaction and drop what is pending."""
        async with self._lock:
            self._pending.pop(user_id, None)
            self.seen.forget(user_id)
            await forget_user(session, user_id)

    async def close(self) -> None:
        """Write what is pending and stop (the application is shutting down)."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.flush()


async def find_by_username(session: AsyncSession, username: str) -> KnownUser | None:
    """The user last seen with @username (case-insensitive, with or without the @)."""
    name = username.strip().lstrip("@").lower()
    # Usernames are ASCII (Telegram's rule), so SQL lower() compares them on every database.
    return await session.scalar(
        select(KnownUser)
        .where(func.lower(KnownUser.username) == name)
        .order_by(KnownUser.last_seen_at.desc())
        .limit(1)
    )


async def forget_user(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(KnownUser).where(KnownUser.user_id == user_id))
