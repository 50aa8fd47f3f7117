"""Telling editors what the polls found: each new post as its /post preview (Publish, Discard),
and a source that starts failing or recovers. Sent straight to each editor's private chat."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.editorial import preview
from bot.editorial.permissions import editor_user_ids
from bot.editorial.scheduling import editor_timezone
from bot.render import Keyboard, Rendered
from bot.render import sources as render
from bot.services import Services
from bot.sources.poller import Event
from bot.subscriptions import get_subscriber

log = logging.getLogger(__name__)


def markup(rows: Keyboard) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data, url=b.url) for b in row]
            for row in rows
        ]
    )


class EditorNotifier:
    """The poller's `notify`: renders each event in every editor's language and sends it."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services

    async def __call__(self, events: Sequence[Event]) -> None:
        outgoing = await self.render(events)
        for chat_id, rendered in outgoing:
            await self.send(chat_id, rendered)

    async def render(self, events: Sequence[Event]) -> list[tuple[int, Rendered]]:
        services = self.services
        outgoing: list[tuple[int, Rendered]] = []
        async with services.session_factory() as session:
            for editor in await editor_user_ids(session, services.settings):
                subscriber = await get_subscriber(session, editor)
                language = subscriber.language if subscriber else "en"
                zone = await editor_timezone(session, editor, services.settings.default_timezone)
                for event in events:
                    built = await preview.build(session, event.ref) if event.ref else None
                    if event.kind == "new" and built is not None:
                        outgoing.append((editor, render.new_post(language, event, built, zone)))
                    else:
                        outgoing.append((editor, Rendered(render.event_notice(language, event))))
        return outgoing

    async def send(self, chat_id: int, rendered: Rendered) -> None:
        try:
            await self.bot.send_message(
                chat_id,
                rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(rendered.keyboard),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramError as exc:
            # An editor who never opened a chat with the bot cannot be written to.
            log.info("could not tell editor %s about a source: %s", chat_id, exc)
