"""Who is an editor: the ids in ADMIN_IDS plus the Editor rows other editors added.

`is_editor` is the one check every editor command goes through (handlers/editor.py wraps each
handler in it, so none can forget). An editor added by @username before the bot has seen that
user is stored by name and bound to the user id the first time that user shows up.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.known_users import find_by_username
from storage import audit
from storage.models import Editor, KnownUser

# Telegram usernames are 5-32 characters; a few old ones are shorter, so accept 3.
_USERNAME_RE = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{2,31})\Z")
_USER_ID_RE = re.compile(r"\d{1,15}\Z")


class UserLike(Protocol):
    """What the check needs from a Telegram user (telegram.User fits)."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str | None: ...


class BadEditorName(ValueError):
    """Neither a numeric user id nor an @username."""


class EditorChange(enum.StrEnum):
    ADDED = "added"
    ADDED_BY_NAME = "added_by_name"  # not seen yet: bound to an id when they first write
    ALREADY = "already"
    REMOVED = "removed"
    NOT_AN_EDITOR = "not_an_editor"
    IS_ADMIN = "is_admin"  # listed in ADMIN_IDS: only the configuration can remove them


@dataclass(frozen=True, slots=True)
class EditorTarget:
    user_id: int | None
    username: str | None  # normalised: no "@", lower case


@dataclass(frozen=True, slots=True)
class ChangeResult:
    outcome: EditorChange
    target: EditorTarget


@dataclass(frozen=True, slots=True)
class EditorInfo:
    user_id: int | None
    username: str | None
    first_name: str | None
    from_settings: bool


def normalise_username(name: str) -> str:
    return name.strip().removeprefix("@").lower()


def parse_target(text: str) -> EditorTarget:
    text = text.strip()
    if _USER_ID_RE.match(text):
        return EditorTarget(int(text), None)
    match = _USERNAME_RE.match(text)
    if match:
        return EditorTarget(None, normalise_username(match.group(1)))
    raise BadEditorName(text)


async def is_editor(session: AsyncSession, settings: Settings, user: UserLike | None) -> bool:
    """True for ADMIN_IDS and for added editors (binding a by-name editor to this user's id)."""
    if user is None:
        return False
    if user.id in settings.admin_ids:
        return True
    if await session.scalar(select(Editor.id).where(Editor.user_id == user.id)) is not None:
        return True
    if not user.username:
        return False
    pending = await session.scalar(
        select(Editor).where(
            Editor.user_id.is_(None), Editor.username == normalise_username(user.username)
        )
    )
    if pending is None:
        return False
    pending.user_id = user.id
    await session.flush()
    await audit.record(
        session, user.id, "editor.bind", f"user:{user.id}", {"username": pending.username}
    )
    return True


async def _resolve(session: AsyncSession, target: EditorTarget) -> EditorTarget:
    """Fill in the id of a known @username (and the username of a known id)."""
    if target.user_id is None and target.username:
        known = await find_by_username(session, target.username)
        if known is not None:
            return EditorTarget(known.user_id, target.username)
    if target.user_id is not None and target.username is None:
        known_user = await session.get(KnownUser, target.user_id)
        if known_user is not None and known_user.username:
            return EditorTarget(target.user_id, normalise_username(known_user.username))
    return target


async def _find(session: AsyncSession, target: EditorTarget) -> Editor | None:
    conditions = []
    if target.user_id is not None:
        conditions.append(Editor.user_id == target.user_id)
    if target.username:
        conditions.append(Editor.username == target.username)
    if not conditions:
        return None
    return await session.scalar(select(Editor).where(or_(*conditions)).limit(1))


async def add_editor(
    session: AsyncSession, settings: Settings, target: EditorTarget, *, actor_id: int
) -> ChangeResult:
    target = await _resolve(session, target)
    if target.user_id is not None and target.user_id in settings.admin_ids:
        return ChangeResult(EditorChange.ALREADY, target)
    existing = await _find(session, target)
    if existing is not None:
        if existing.user_id is None and target.user_id is not None:
            existing.user_id = target.user_id
            await session.flush()
        return ChangeResult(EditorChange.ALREADY, target)
    # A username is only kept while it is the way to recognise the user; once the id is known
    # the id decides (usernames can change hands).
    username = target.username if target.user_id is None else None
    session.add(Editor(user_id=target.user_id, username=username, added_by=actor_id))
    await session.flush()
    await audit.record(
        session,
        actor_id,
        "editor.add",
        _describe(target),
        {"user_id": target.user_id, "username": target.username},
    )
    outcome = EditorChange.ADDED if target.user_id is not None else EditorChange.ADDED_BY_NAME
    return ChangeResult(outcome, target)


async def remove_editor(
    session: AsyncSession, settings: Settings, target: EditorTarget, *, actor_id: int
) -> ChangeResult:
    target = await _resolve(session, target)
    if target.user_id is not None and target.user_id in settings.admin_ids:
        return ChangeResult(EditorChange.IS_ADMIN, target)
    existing = await _find(session, target)
    if existing is None:
        return ChangeResult(EditorChange.NOT_AN_EDITOR, target)
    await session.delete(existing)
    await session.flush()
    await audit.record(
        session,
        actor_id,
        "editor.remove",
        _describe(target),
        {"user_id": existing.user_id, "username": existing.username or target.username},
    )
    return ChangeResult(EditorChange.REMOVED, target)


async def list_editors(session: AsyncSession, settings: Settings) -> list[EditorInfo]:
    rows = list(await session.scalars(select(Editor).order_by(Editor.id)))
    ids = {*settings.admin_ids, *(r.user_id for r in rows if r.user_id is not None)}
    known = {
        k.user_id: k
        for k in await session.scalars(select(KnownUser).where(KnownUser.user_id.in_(ids)))
    }

    def info(user_id: int | None, username: str | None, from_settings: bool) -> EditorInfo:
        user = known.get(user_id) if user_id is not None else None
        return EditorInfo(
            user_id,
            (user.username if user and user.username else username),
            user.first_name if user else None,
            from_settings,
        )

    result = [info(uid, None, True) for uid in settings.admin_ids]
    result += [
        info(r.user_id, r.username, False) for r in rows if r.user_id not in settings.admin_ids
    ]
    return result


async def editor_user_ids(session: AsyncSession, settings: Settings) -> list[int]:
    """Every editor whose id is known (for their per-chat command menu)."""
    rows = await session.scalars(select(Editor.user_id).where(Editor.user_id.is_not(None)))
    return sorted({*settings.admin_ids, *(r for r in rows if r is not None)})


def _describe(target: EditorTarget) -> str:
    if target.user_id is not None:
        return f"user:{target.user_id}"
    return f"@{target.username}"
