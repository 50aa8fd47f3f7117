"""Who is an editor, with which role, and who may do what.

Editors are the ids in ADMIN_IDS (publishers) plus the Editor rows publishers added, each an
author or a publisher. Authors prepare drafts; publishers also publish, schedule, retract,
broadcast, change what readers already got, and manage editors (like listmonk's separate
`campaigns:manage` and `campaigns:send`). `NEEDS` is the one table of who may do what; the
wrapper every editor handler goes through (handlers/editor.py `editors_only`) asks `may`.

An editor added by @username before the bot has seen that user is stored by name and bound to
the user id the first time that user shows up.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.editorial.refs import ContentRef
from bot.known_users import find_by_username
from storage import audit
from storage.models import (
    ContentStatus,
    DailyReport,
    Digest,
    Editor,
    EditorRole,
    Entry,
    KnownUser,
    ReportItem,
)

# Telegram usernames are 5-32 characters; a few old ones are shorter, so accept 3.
_USERNAME_RE = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{2,31})\Z")
_USER_ID_RE = re.compile(r"\d{1,15}\Z")


Role = EditorRole
# Least privilege: an editor added without a role can prepare drafts and nothing more.
DEFAULT_ROLE = Role.AUTHOR
_RANK = {Role.AUTHOR: 0, Role.PUBLISHER: 1}


class Action(enum.StrEnum):
    """What an editor command or button does, for the permission check."""

    PREPARE = "prepare"  # /post, uploads, /digest, /drafts, editing or discarding a draft
    REVIEW = "review"  # /stats, /audit, /editor list
    PUBLISH = "publish"  # the Publish button, /schedule, discarding a scheduled draft
    RETRACT = "retract"
    BROADCAST = "broadcast"
    EDIT_PUBLISHED = "edit_published"  # content readers got, or a publisher scheduled
    MANAGE_EDITORS = "manage_editors"  # /editor add|remove
    MANAGE_SOURCES = "manage_sources"  # /source: a source may publish without review
    MANAGE_CHANNELS = "manage_channels"  # /channel add|remove|...: posts reach every reader


NEEDS: dict[Action, Role] = {
    Action.PREPARE: Role.AUTHOR,
    Action.REVIEW: Role.AUTHOR,
    Action.PUBLISH: Role.PUBLISHER,
    Action.RETRACT: Role.PUBLISHER,
    Action.BROADCAST: Role.PUBLISHER,
    Action.EDIT_PUBLISHED: Role.PUBLISHER,
    Action.MANAGE_EDITORS: Role.PUBLISHER,
    Action.MANAGE_SOURCES: Role.PUBLISHER,
    Action.MANAGE_CHANNELS: Role.PUBLISHER,
}


# Each editor command and what it does; /edit, /digest <link> d<id> and /editor depend on
# their arguments too (see handlers/editor.py), this is what the command needs at least.
COMMANDS: dict[str, Action] = {
    "post": Action.PREPARE,
    "drafts": Action.PREPARE,
    "digest": Action.PREPARE,
    "edit": Action.PREPARE,
    "schedule": Action.PUBLISH,
    "retract": Action.RETRACT,
    "stats": Action.REVIEW,
    "broadcast": Action.BROADCAST,
    "editor": Action.REVIEW,
    "audit": Action.REVIEW,
    "source": Action.MANAGE_SOURCES,
    "channel": Action.REVIEW,  # /channel list; changing channels is MANAGE_CHANNELS
}


def commands_for(role: Role) -> list[str]:
    """The editor commands `role` may run, in menu order."""
    return [name for name, action in COMMANDS.items() if may(role, action)]


def may(role: Role | None, action: Action) -> bool:
    """Whether an editor with `role` (None: not an editor) may do `action`."""
    return role is not None and _RANK[role] >= _RANK[NEEDS[action]]


def parse_role(text: str) -> Role | None:
    """ "author" or "publisher" (and their Chinese names), else None."""
    word = text.strip().casefold()
    return _ROLE_WORDS.get(word)


_ROLE_WORDS = {
    "author": Role.AUTHOR,
    "作者": Role.AUTHOR,
    "publisher": Role.PUBLISHER,
    "发布者": Role.PUBLISHER,
}


def edit_action(status: str | None) -> Action:
    """Changing a draft is preparing it; changing what a publisher scheduled or readers got is
    the publisher's call."""
    return Action.PREPARE if status in (None, ContentStatus.DRAFT) else Action.EDIT_PUBLISHED


def discard_action(status: str | None) -> Action:
    return Action.PREPARE if status in (None, ContentStatus.DRAFT) else Action.PUBLISH


async def status_of(session: AsyncSession, ref: ContentRef) -> str | None:
    """The status of the content `ref` names (None when there is none)."""
    model = {"e": Entry, "i": ReportItem, "r": DailyReport, "d": Digest}[ref.kind]
    return await session.scalar(
        select(model.status).where(model.id == ref.id)  # type: ignore[attr-defined]
    )


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
    ROLE_CHANGED = "role_changed"
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
    role: Role = DEFAULT_ROLE


@dataclass(frozen=True, slots=True)
class EditorInfo:
    user_id: int | None
    username: str | None
    first_name: str | None
    from_settings: bool
    role: Role = Role.PUBLISHER


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


async def role_of(session: AsyncSession, settings: Settings, user: UserLike | None) -> Role | None:
    """The user's role (ADMIN_IDS are publishers), None for non-editors; binds a by-name
    editor to this user's id."""
    if user is None:
        return None
    if user.id in settings.admin_ids:
        return Role.PUBLISHER
    role = await session.scalar(select(Editor.role).where(Editor.user_id == user.id))
    if role is not None:
        return Role(role)
    if not user.username:
        return None
    pending = await session.scalar(
        select(Editor).where(
            Editor.user_id.is_(None), Editor.username == normalise_username(user.username)
        )
    )
    if pending is None:
        return None
    pending.user_id = user.id
    await session.flush()
    await audit.record(
        session, user.id, "editor.bind", f"user:{user.id}", {"username": pending.username}
    )
    return Role(pending.role)


async def is_editor(session: AsyncSession, settings: Settings, user: UserLike | None) -> bool:
    """True for ADMIN_IDS and for added editors, whatever their role."""
    return await role_of(session, settings, user) is not None


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
    session: AsyncSession,
    settings: Settings,
    target: EditorTarget,
    *,
    actor_id: int,
    role: Role = DEFAULT_ROLE,
) -> ChangeResult:
    """Add `target` with `role`, or give an editor already there that role."""
    target = await _resolve(session, target)
    if target.user_id is not None and target.user_id in settings.admin_ids:
        return ChangeResult(EditorChange.ALREADY, target, Role.PUBLISHER)
    existing = await _find(session, target)
    if existing is not None:
        if existing.user_id is None and target.user_id is not None:
            existing.user_id = target.user_id
        if existing.role == role:
            await session.flush()
            return ChangeResult(EditorChange.ALREADY, target, role)
        old, existing.role = existing.role, role
        await session.flush()
        await audit.record(
            session, actor_id, "editor.role", _describe(target), {"from": old, "to": str(role)}
        )
        return ChangeResult(EditorChange.ROLE_CHANGED, target, role)
    # A username is only kept while it is the way to recognise the user; once the id is known
    # the id decides (usernames can change hands).
    username = target.username if target.user_id is None else None
    session.add(Editor(user_id=target.user_id, username=username, added_by=actor_id, role=role))
    await session.flush()
    await audit.record(
        session,
        actor_id,
        "editor.add",
        _describe(target),
        {"user_id": target.user_id, "username": target.username, "role": str(role)},
    )
    outcome = EditorChange.ADDED if target.user_id is not None else EditorChange.ADDED_BY_NAME
    return ChangeResult(outcome, target, role)


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

    def info(user_id: int | None, username: str | None, role: Role | None) -> EditorInfo:
        user = known.get(user_id) if user_id is not None else None
        return EditorInfo(
            user_id,
            (user.username if user and user.username else username),
            user.first_name if user else None,
            role is None,
            role or Role.PUBLISHER,
        )

    result = [info(uid, None, None) for uid in settings.admin_ids]
    result += [
        info(r.user_id, r.username, Role(r.role))
        for r in rows
        if r.user_id not in settings.admin_ids
    ]
    return result


async def editor_roles(session: AsyncSession, settings: Settings) -> dict[int, Role]:
    """Every editor whose id is known, with their role (for their per-chat command menu)."""
    rows = await session.execute(
        select(Editor.user_id, Editor.role).where(Editor.user_id.is_not(None))
    )
    roles = {user_id: Role(role) for user_id, role in rows if user_id is not None}
    roles.update(dict.fromkeys(settings.admin_ids, Role.PUBLISHER))
    return dict(sorted(roles.items()))


async def editor_user_ids(session: AsyncSession, settings: Settings) -> list[int]:
    """Every editor whose id is known."""
    return list(await editor_roles(session, settings))


def _describe(target: EditorTarget) -> str:
    if target.user_id is not None:
        return f"user:{target.user_id}"
    return f"@{target.username}"
