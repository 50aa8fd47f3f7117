"""Who may run editor commands, and /editor add|remove."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.editorial.permissions import (
    Action,
    BadEditorName,
    EditorChange,
    Role,
    add_editor,
    commands_for,
    discard_action,
    edit_action,
    is_editor,
    list_editors,
    may,
    parse_role,
    parse_target,
    remove_editor,
    role_of,
)
from storage.models import AuditLog, ContentStatus, Editor, KnownUser
from tests.db_fixtures import Database

ADMIN = 1000


@dataclass
class User:
    id: int
    username: str | None = None


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, admin_ids=[ADMIN])  # type: ignore[call-arg]


async def test_an_added_id_becomes_an_editor_and_removal_revokes(
    db: Database, settings: Settings
) -> None:
    async with db.session_factory() as s, s.begin():
        result = await add_editor(s, settings, parse_target("2000"), actor_id=ADMIN)
        assert result.outcome is EditorChange.ADDED
        assert await is_editor(s, settings, User(2000))
        again = await add_editor(s, settings, parse_target("2000"), actor_id=ADMIN)
        assert again.outcome is EditorChange.ALREADY
        removed = await remove_editor(s, settings, parse_target("2000"), actor_id=ADMIN)
        assert removed.outcome is EditorChange.REMOVED
        assert not await is_editor(s, settings, User(2000))
    async with db.session_factory() as s:
        actions = (await s.scalars(select(AuditLog.action).order_by(AuditLog.id))).all()
    assert actions == ["editor.add", "editor.remove"]


async def test_a_known_username_resolves_to_its_id_and_editors_are_listed(
    db: Database, settings: Settings
) -> None:
    async with db.session_factory() as s, s.begin():
        s.add(KnownUser(user_id=3000, username="Li_Wei", first_name="Li"))
        await s.flush()
        result = await add_editor(s, settings, parse_target("@li_wei"), actor_id=ADMIN)
        assert result.outcome is EditorChange.ADDED
        assert result.target.user_id == 3000
        # Recognised by id even after changing their username.
        assert await is_editor(s, settings, User(3000, "new_name"))
    async with db.session_factory() as s, s.begin():
        s.add(KnownUser(user_id=ADMIN, username="chief", first_name="Chief"))
        await add_editor(s, settings, parse_target("2000"), actor_id=ADMIN)
        await add_editor(s, settings, parse_target("@pending_one"), actor_id=ADMIN)
        editors = await list_editors(s, settings)
    assert [(e.user_id, e.username, e.from_settings) for e in editors] == [
        (ADMIN, "chief", True),
        (3000, "Li_Wei", False),  # as Telegram spells it
        (2000, None, False),
        (None, "pending_one", False),
    ]


async def test_an_unknown_username_is_bound_when_that_user_shows_up(
    db: Database, settings: Settings
) -> None:
    async with db.session_factory() as s, s.begin():
        result = await add_editor(s, settings, parse_target("@Zhang_San"), actor_id=ADMIN)
        assert result.outcome is EditorChange.ADDED_BY_NAME
        assert not await is_editor(s, settings, User(4001, "someone_else"))
        assert await is_editor(s, settings, User(4000, "zhang_san"))
    async with db.session_factory() as s:
        row = (await s.scalars(select(Editor))).one()
        assert row.user_id == 4000
        # Bound to the id: another account that takes the name later is not an editor.
        assert not await is_editor(s, settings, User(4002, "zhang_san"))


async def test_admin_ids_are_editors_who_cannot_be_removed_and_strangers_are_not(
    db: Database, settings: Settings
) -> None:
    async with db.session_factory() as s:
        assert await is_editor(s, settings, User(ADMIN))
        assert not await is_editor(s, settings, User(2000, "someone"))
        assert not await is_editor(s, settings, None)
    async with db.session_factory() as s, s.begin():
        result = await remove_editor(s, settings, parse_target(str(ADMIN)), actor_id=ADMIN)
        assert result.outcome is EditorChange.IS_ADMIN
        missing = await remove_editor(s, settings, parse_target("@nobody_here"), actor_id=ADMIN)
        assert missing.outcome is EditorChange.NOT_AN_EDITOR
        assert await is_editor(s, settings, User(ADMIN))
        assert await s.scalar(select(func.count(AuditLog.id))) == 0


@pytest.mark.parametrize("text", ["", "@", "abc def", "-5", "@a", "12x", "@名字"])
def test_malformed_editor_names_are_refused(text: str) -> None:
    with pytest.raises(BadEditorName):
        parse_target(text)


async def test_an_editor_added_without_a_role_is_an_author_and_can_be_made_publisher(
    db: Database, settings: Settings
) -> None:
    async with db.session_factory() as s, s.begin():
        added = await add_editor(s, settings, parse_target("2000"), actor_id=ADMIN)
        assert (added.outcome, added.role) == (EditorChange.ADDED, Role.AUTHOR)
        assert await role_of(s, settings, User(2000)) is Role.AUTHOR
        again = await add_editor(s, settings, parse_target("2000"), actor_id=ADMIN)
        assert again.outcome is EditorChange.ALREADY
        promoted = await add_editor(
            s, settings, parse_target("2000"), actor_id=ADMIN, role=Role.PUBLISHER
        )
        assert (promoted.outcome, promoted.role) == (EditorChange.ROLE_CHANGED, Role.PUBLISHER)
        assert await role_of(s, settings, User(2000)) is Role.PUBLISHER
        # ADMIN_IDS are publishers; a by-name editor gets the role they were given when bound.
        assert await role_of(s, settings, User(ADMIN)) is Role.PUBLISHER
        await add_editor(s, settings, parse_target("@li_na"), actor_id=ADMIN, role=Role.AUTHOR)
        assert await role_of(s, settings, User(4000, "Li_Na")) is Role.AUTHOR
        assert await role_of(s, settings, User(4001, "someone")) is None
        editors = await list_editors(s, settings)
    assert [(e.user_id, e.role) for e in editors] == [
        (ADMIN, Role.PUBLISHER),
        (2000, Role.PUBLISHER),
        (4000, Role.AUTHOR),
    ]
    async with db.session_factory() as s:
        actions = (await s.scalars(select(AuditLog.action).order_by(AuditLog.id))).all()
    assert actions == ["editor.add", "editor.role", "editor.add", "editor.bind"]


def test_authors_prepare_and_review_and_publishers_may_do_everything() -> None:
    author_may = {a for a in Action if may(Role.AUTHOR, a)}
    assert author_may == {Action.PREPARE, Action.REVIEW}
    assert all(may(Role.PUBLISHER, a) for a in Action)
    assert not any(may(None, a) for a in Action)
    assert set(commands_for(Role.AUTHOR)) == {
        "post",
        "drafts",
        "digest",
        "edit",
        "stats",
        "editor",
        "audit",
        "channel",  # /channel list; adding or removing one is MANAGE_CHANNELS
    }
    # A draft is the author's to change; what a publisher scheduled or readers got is not.
    assert edit_action(ContentStatus.DRAFT) is Action.PREPARE
    for status in (ContentStatus.SCHEDULED, ContentStatus.PUBLISHED, ContentStatus.RETRACTED):
        assert edit_action(status) is Action.EDIT_PUBLISHED
    assert discard_action(ContentStatus.SCHEDULED) is Action.PUBLISH
    assert parse_role("Publisher") is Role.PUBLISHER and parse_role("作者") is Role.AUTHOR
    assert parse_role("admin") is None
