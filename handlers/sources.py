"""/source add|list|pause|resume|remove and the Import button under a new source's newest post.

Editors only: every handler is wrapped in `handlers.editor.editors_only`.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.delivery import notify_published
from bot.editorial import preview
from bot.editorial.permissions import COMMANDS
from bot.editorial.scheduling import editor_timezone
from bot.i18n import t
from bot.render import sources as render
from bot.sources import intake, service
from bot.sources.errors import SourceError
from handlers.editor import editors_only
from handlers.scope import Scope


def _actor(scope: Scope) -> int:
    assert scope.user is not None  # editors_only let a known user through
    return scope.user.id


async def _zone(scope: Scope) -> str:
    async with scope.unit() as session:
        return await editor_timezone(
            session, _actor(scope), scope.services.settings.default_timezone
        )


async def source_command(scope: Scope) -> None:
    parts = scope.args.split()
    action = parts[0].casefold() if parts else ""
    if action == "add" and len(parts) >= 2:
        await _add(scope, parts[1:])
    elif action == "list" and len(parts) == 1:
        async with scope.unit() as session:
            sources = await service.all_sources(session)
        await scope.reply(render.source_list(scope.language, sources, await _zone(scope)))
    elif action in ("pause", "resume", "remove") and len(parts) == 2:
        await _change(scope, action, parts[1])
    else:
        await scope.reply(render.usage(scope.language))


async def _add(scope: Scope, words: list[str]) -> None:
    url, auto, every = None, False, None
    rest = iter(words)
    for word in rest:
        if word.casefold() == "--auto":
            auto = True
        elif word.casefold() == "--every":
            text = next(rest, "")
            every = service.parse_every(text)
            if every is None:
                await scope.reply(render.plain(scope.language, "sources.bad_every", text=text))
                return
        elif url is None:
            url = word
        else:
            await scope.reply(render.usage(scope.language))
            return
    if url is None:
        await scope.reply(render.usage(scope.language))
        return
    try:
        added = await service.add(
            scope.services.session_factory,
            url,
            settings=scope.services.settings,
            actor_id=_actor(scope),
            now=scope.services.clock(),
            auto_publish=auto,
            poll_seconds=every,
        )
    except SourceError as exc:
        await scope.reply(render.add_failed(scope.language, exc))
        return
    await scope.reply(render.added(scope.language, added, await _zone(scope)))


async def _change(scope: Scope, action: str, text: str) -> None:
    source_id = service.parse_source_id(text)
    if source_id is None:
        await scope.reply(render.plain(scope.language, "sources.not_found", text=text[:40]))
        return
    async with scope.unit() as session:
        if action == "remove":
            source = await service.remove(session, source_id, actor_id=_actor(scope))
        else:
            source = await service.set_paused(
                session,
                source_id,
                action == "pause",
                actor_id=_actor(scope),
                now=scope.services.clock(),
            )
    if source is None:
        await scope.reply(render.plain(scope.language, "sources.not_found", text=text[:40]))
        return
    key = {"pause": "sources.paused", "resume": "sources.resumed", "remove": "sources.removed"}
    await scope.reply(render.changed(scope.language, key[action], source))


async def import_button(scope: Scope) -> None:
    action_id = render.parse(scope.query.data if scope.query else None)
    if action_id is None:
        await scope.answer(t(scope.language, "error.stale_button"), alert=True)
        return
    services = scope.services
    async with scope.unit() as session:
        pending = await service.pending_import(session, action_id, services.clock())
    if pending is None:
        await scope.answer(t(scope.language, "sources.import_gone"), alert=True)
        return
    source_id, entry = pending
    taken = await intake.take_in(
        services.session_factory,
        source_id,
        entry,
        settings=services.settings,
        now=services.clock(),
        auto_publish=False,
        actor_id=_actor(scope),
    )
    if taken.problem is not None or taken.ref is None:
        problem = taken.problem
        text = render.problem_text(scope.language, problem) if problem else ""
        await scope.answer(text[:190] or t(scope.language, "error.stale_button"), alert=True)
        return
    zone = await _zone(scope)
    async with scope.unit() as session:
        await service.drop_import(session, action_id)
        built = await preview.build(session, taken.ref)
    if built is None:
        await scope.answer(t(scope.language, "error.stale_button"), alert=True)
        return
    if taken.published:
        notify_published(services)
    rendered = render.imported(scope.language, source_id, built, zone, taken.duplicate)
    await scope.edit(rendered)
    await scope.answer()


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        CommandHandler(
            "source",
            # A source can publish without review: publishers only.
            editors_only(source_command, COMMANDS["source"]),
            filters=filters.UpdateType.MESSAGE,
        )
    )
    application.add_handler(
        CallbackQueryHandler(editors_only(import_button), pattern=rf"^{render.AREA}:")
    )
