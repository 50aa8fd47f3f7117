"""Users the bot has seen (id and @username), so an editor can be added by @username.

Every update carries its sender, but writing a row per update would double the database work of
the busiest handlers; `SeenUsers` remembers what it already wrote and skips unchanged users for
an hour.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KnownUser, utcnow

REFRESH_SECONDS = 3600.0
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


async def remember(
    session: AsyncSession, user_id: int, username: str | None, first_name: str | None
) -> None:
    """Insert or refresh the user's row (one statement on SQLite and PostgreSQL)."""
    values = {
        "user_id": user_id,
        "username": username,
        "first_name": first_name,
        "last_seen_at": utcnow(),
    }
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(KnownUser).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[KnownUser.user_id],
        set_={k: statement.excluded[k] for k in ("username", "first_name", "last_seen_at")},
    )
    await session.execute(statement)


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
