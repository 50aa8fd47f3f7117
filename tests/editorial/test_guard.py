"""Every editor handler goes through the editors-only check; editor commands stay out of the
public command menu."""

from __future__ import annotations

import pytest
from telegram.ext import CommandHandler, MessageHandler

import handlers
from bot.app import build_application
from bot.config import Settings
from handlers import editor


def test_every_editor_handler_is_wrapped_in_the_check() -> None:
    app = build_application(Settings(_env_file=None, telegram_bot_token="1:x"))  # type: ignore[call-arg]
    ours = [
        h
        for group in app.handlers.values()
        for h in group
        if getattr(h.callback, "__module__", "")
        in ("handlers.editor", "handlers.sources", "handlers.channels")
    ]
    commands = {c for h in ours if isinstance(h, CommandHandler) for c in h.commands}
    assert commands == set(editor.EDITOR_MENU)
    assert any(isinstance(h, MessageHandler) for h in ours)
    assert all(getattr(h.callback, "editors_only", False) for h in ours)


def test_an_unwrapped_handler_cannot_be_registered() -> None:
    async def unguarded(update: object, context: object) -> None:
        return None

    with pytest.raises(TypeError):
        editor._checked(CommandHandler("post", unguarded))


def test_editor_commands_are_only_in_the_editors_menu() -> None:
    public = {c.command for c in handlers.command_menu("en")}
    assert public.isdisjoint(editor.EDITOR_MENU)
    for language in ("en", "zh"):
        menu = [c.command for c in editor.editor_menu(language)]
        assert set(editor.EDITOR_MENU) <= set(menu) and public <= set(menu)


def test_every_editor_button_without_a_ref_says_what_it_does() -> None:
    from bot.render import editor as render

    numbered = {action for action, types in render.CALLBACKS.items() if types[:1] == (int,)}
    assert numbered == set(editor._NUMBERED_BUTTONS)
