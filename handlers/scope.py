"""What every subscriber handler needs: the chat (or forum topic) it speaks for, the language
to answer in, a unit of work, the group-admin rule, and sending rendered messages.

A subscriber is a (chat_id, thread_id) pair: thread_id is the forum topic a message was sent
in (`is_topic_message`), else 0, so subscriptions made inside a topic deliver to that topic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.render import Keyboard, Rendered, plain_text
from bot.services import Services, get_services
from bot.subscriptions import get_or_create_subscriber, get_subscriber, interface_language
from storage.models import Subscriber

log = logging.getLogger(__name__)

# Telegram sends messages of anonymous group admins from this user, with sender_chat = the group.
ANONYMOUS_ADMIN_ID = 1087968824
# Admin rights change rarely; a minute of caching spares a getChatMember per button press.
ADMIN_CACHE_SECONDS = 60.0
_ADMIN_CACHE_KEY = "sub.admin_cache"
_ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup(rows: Keyboard) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data, url=b.url) for b in row]
            for row in rows
        ]
    )


def thread_id_of(message: Any) -> int:
    """The forum topic a message belongs to, 0 outside topics (a reply chain is no topic)."""
    if isinstance(message, Message) and message.is_topic_message and message.message_thread_id:
        return message.message_thread_id
    return 0


class Scope:
    """One update's view of the chat it came from."""

    def __init__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.update = update
        self.context = context
        self.services: Services = get_services(context.application)
        self.query = update.callback_query
        self.message = self.query.message if self.query else update.effective_message
        chat = update.effective_chat
        assert chat is not None, "subscriber handlers only see updates from chats"
        self.chat: Chat = chat
        self.user = update.effective_user
        self.thread_id = thread_id_of(self.message)
        self.language = interface_language(self.user.language_code if self.user else None)

    @property
    def in_group(self) -> bool:
        return self.chat.type in (Chat.GROUP, Chat.SUPERGROUP)

    @property
    def args(self) -> str:
        """The command's argument text as typed (spaces inside kept), or ""."""
        message = self.update.effective_message
        text = (message.text or "") if message else ""
        parts = text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 and parts[0].startswith("/") else ""

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One transaction; send replies after it, so no lock is held across network calls."""
        async with self.services.session_factory() as session, session.begin():
            yield session

    async def subscriber(self, session: AsyncSession, *, create: bool = False) -> Subscriber | None:
        """This chat's subscriber (created with defaults when `create`); sets the language."""
        if create:
            found: Subscriber | None = await get_or_create_subscriber(
                session,
                self.chat,
                self.thread_id,
                self.user,
                default_timezone=self.services.settings.default_timezone,
            )
            await session.flush()
        else:
            found = await get_subscriber(session, self.chat.id, self.thread_id)
        if found is not None:
            self.language = found.language
        return found

    async def load_language(self) -> str:
        """The chat's interface language (a read only when the chat has a subscriber row)."""
        async with self.unit() as session:
            await self.subscriber(session)
        return self.language

    # --- groups ---

    async def is_admin(self) -> bool:
        """True outside groups; in a group, whether the sender administers it."""
        if not self.in_group:
            return True
        message = self.update.effective_message
        if self.query is None and message is not None and message.sender_chat is not None:
            return message.sender_chat.id == self.chat.id  # an anonymous admin
        if self.user is None or self.user.id == ANONYMOUS_ADMIN_ID:
            return False
        cache: dict[tuple[int, int], tuple[bool, float]] = (
            self.context.application.bot_data.setdefault(_ADMIN_CACHE_KEY, {})
        )
        key = (self.chat.id, self.user.id)
        cached = cache.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            member = await self.context.bot.get_chat_member(self.chat.id, self.user.id)
            admin = member.status in _ADMIN_STATUSES
        except TelegramError:
            log.warning("getChatMember failed for chat %s", self.chat.id, exc_info=True)
            return False
        cache[key] = (admin, time.monotonic() + ADMIN_CACHE_SECONDS)
        return admin

    async def can_change(self) -> bool:
        """The group-admin rule: True, or tell the sender why not and return False."""
        if await self.is_admin():
            return True
        await self.load_language()
        text = t(self.language, "sub.group.admins_only")
        if self.query is not None:
            await self.answer(text, alert=True)
        else:
            await self.reply(Rendered(text))
        return False

    # --- sending ---

    async def reply(self, rendered: Rendered) -> Message:
        """A new message in this chat (and topic); in groups it quotes the command."""
        reply_to = None
        message = self.update.effective_message
        if self.in_group and self.query is None and message is not None:
            reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
        return await self.context.bot.send_message(
            self.chat.id,
            rendered.text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(rendered.keyboard),
            message_thread_id=self.thread_id or None,
            link_preview_options=_NO_PREVIEW,
            reply_parameters=reply_to,
        )

    async def edit(self, rendered: Rendered) -> None:
        """Replace the text and buttons of the message whose button was pressed."""
        assert self.query is not None
        try:
            await self.query.edit_message_text(
                rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(rendered.keyboard),
                link_preview_options=_NO_PREVIEW,
            )
        except BadRequest as exc:
            # A double tap renders the same thing twice; Telegram refuses the no-op edit.
            if "not modified" not in exc.message.lower():
                raise

    @property
    def button_message(self) -> Message | None:
        """The message a pressed button is on; None when Telegram no longer shows it to the
        bot (InaccessibleMessage: older than 48 hours or deleted)."""
        message = self.query.message if self.query else None
        return message if isinstance(message, Message) else None

    async def stale(self) -> None:
        """The polite answer to a button we cannot honour (expired, edited away, forged)."""
        await self.load_language()
        await self.answer(t(self.language, "error.stale_button"), alert=True)

    async def drop_keyboard(self) -> None:
        """Remove the buttons of the message whose button was pressed (best effort)."""
        assert self.query is not None
        try:
            await self.query.edit_message_reply_markup(None)
        except BadRequest:
            log.debug("could not remove a keyboard", exc_info=True)

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the pressed button; `text` is HTML like every catalog text (values escaped)
        and shown as the plain text Telegram displays in alerts and toasts."""
        if self.query is None:
            return
        try:
            await self.query.answer(
                plain_text(text) if text is not None else None, show_alert=alert
            )
        except BadRequest:
            # An answer after Telegram's ~15 s window ("query is too old") changes nothing.
            log.debug("late callback answer", exc_info=True)
