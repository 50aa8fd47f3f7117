"""Stable ids for the sandbox's people and groups.

The database outlives a sandbox session (subscriptions, editors, the outbox), so "bob" must be
the same Telegram user id every time, and so must the group "newsroom". Ids come from the name
itself instead of a counter: nothing to store, and the same in every session.

They also fall in ranges of their own (`is_sandbox_chat`), which is how the sandbox recognises a
database that holds real subscribers and refuses to deliver their messages to a fake Telegram.
"""

from __future__ import annotations

import re
import zlib

FIRST_USER = "you"
FIRST_USER_ID = 1001
# Far from FIRST_USER_ID and from each other; 7-digit ids read like real ones in logs.
_USER_BASE = 1_000_000
_USER_SPAN = 9_000_000
# Supergroup ids look like -100xxxxxxxxxx on Telegram.
_GROUP_BASE = 1_000_000_000_000
_GROUP_SPAN = 1_000_000_000
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,31}\Z")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _hash(name: str) -> int:
    return zlib.crc32(_key(name).encode("utf-8"))


def user_id(name: str) -> int:
    """`you` is 1001; any other name maps to the same id every time."""
    if _key(name) == FIRST_USER:
        return FIRST_USER_ID
    return _USER_BASE + _hash(name) % _USER_SPAN


def username(name: str) -> str | None:
    """The @username a user called `name` has (so `/editor add @bob` works), if it can be one."""
    name = name.strip()
    return name.lower() if _USERNAME.match(name) else None


def group_id(name: str) -> int:
    """A supergroup id for a group name, the same in every session."""
    return -(_GROUP_BASE + _hash(name) % _GROUP_SPAN)


def is_sandbox_chat(chat_id: int) -> bool:
    """Whether a chat id is one the sandbox hands out (a user's private chat or a group)."""
    if chat_id > 0:
        return chat_id == FIRST_USER_ID or _USER_BASE <= chat_id < _USER_BASE + _USER_SPAN
    return _GROUP_BASE <= -chat_id < _GROUP_BASE + _GROUP_SPAN
