"""/channel add|remove|list|language|topic: the chats the whole edition is posted to.

Editors only (every handler is wrapped in `handlers.editor.editors_only`); changing the channels
(add, remove, language, topic) is the publisher's call (`Action.MANAGE_CHANNELS`), listing
any editor's, decided by the permission check like every editor command.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, CommandHandler, filters

from bot.channels import checks, service
from bot.channels.errors import ChannelError
from bot.editorial.permissions import Action
from bot.lookup import list_regions
from bot.render import channels as render
from handlers.editor import editors_only
from handlers.scope import Scope

_CHANGES = ("add", "remove", "language", "topic")


def _actor(scope: Scope) -> int:
    assert scope.user is not None  # editors_only let a known user through
    return scope.user.id


async def _channel_rule(scope: Scope, session: AsyncSession) -> Action:
    words = scope.args.split()
    return Action.MANAGE_CHANNELS if words and words[0].casefold() in _CHANGES else Action.REVIEW


async def channel_command(scope: Scope) -> None:
    words = scope.args.split()
    action = words[0].casefold() if words else ""
    shapes = {"add": 2, "remove": 2, "list": 1, "language": 3, "topic": 4}
    if shapes.get(action) != len(words):
        await scope.reply(render.usage(scope.language))
        return
    try:
        if action == "list":
            async with scope.unit() as session:
                channels = await service.active(session)
                regions = await list_regions(session)
                failures = await service.last_failures(session, channels)
            await scope.reply(render.channel_list(scope.language, channels, regions, failures))
        elif action == "add":
            await _add(scope, words[1])
        elif action == "remove":
            await _remove(scope, words[1])
        elif action == "language":
            await _language(scope, words[1], words[2])
        else:
            await _topic(scope, words[1], words[2], words[3])
    except ChannelError as exc:
        await scope.reply(render.error(scope.language, exc))


async def _add(scope: Scope, text: str) -> None:
    facts = await checks.inspect_chat(scope.context.bot, checks.parse_chat_ref(text))
    async with scope.unit() as session:
        added = await service.add(
            session, facts, actor_id=_actor(scope), now=scope.services.clock()
        )
        reply = render.added(scope.language, added.channel, added.outcome)
    await scope.reply(reply)


async def _remove(scope: Scope, text: str) -> None:
    ref = checks.parse_chat_ref(text)
    async with scope.unit() as session:
        channel = await service.require(session, ref)
        cancelled = await service.remove(session, channel, actor_id=_actor(scope))
        reply = render.removed(scope.language, channel, cancelled)
    await scope.reply(reply)


async def _language(scope: Scope, text: str, language: str) -> None:
    ref = checks.parse_chat_ref(text)
    async with scope.unit() as session:
        channel = await service.require(session, ref)
        await service.set_language(session, channel, language, actor_id=_actor(scope))
        reply = render.language_set(scope.language, channel)
    await scope.reply(reply)


async def _topic(scope: Scope, text: str, target: str, topic_text: str) -> None:
    ref = checks.parse_chat_ref(text)
    topic = service.parse_topic_id(topic_text)
    async with scope.unit() as session:
        channel = await service.require(session, ref)
        service.require_forum(channel)
        chat_id = channel.chat_id
    if topic is not None and topic != service.GENERAL_TOPIC:
        await checks.check_topic(scope.context.bot, chat_id, topic)
    async with scope.unit() as session:
        channel = await service.require(session, ref)
        region = await service.set_topic(session, channel, target, topic, actor_id=_actor(scope))
        reply = render.topic_set(scope.language, channel, region, topic)
    await scope.reply(reply)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        CommandHandler(
            "channel",
            editors_only(channel_command, _channel_rule),
            filters=filters.UpdateType.MESSAGE,
        )
    )
