"""Asking Telegram whether the bot can post in a chat before it is connected.

`/channel add` must fail with the reason an editor can act on (the bot is not in the chat, is
not an administrator, may not post) rather than succeed and then have every post refused. The
checks use getChat and getChatMember (the bot's own membership); a forum topic is checked with
sendChatAction in that topic, the one cheap call that says whether the bot may write there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Bot, ChatMemberAdministrator, ChatMemberRestricted
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.errors import ChannelError

_USERNAME = re.compile(
    r"(?:@|(?:https?://)?(?:t\.me|telegram\.me)/)([A-Za-z][A-Za-z0-9_]{3,31})/?\Z"
)
_CHAT_ID = re.compile(r"-\d{1,16}\Z")


@dataclass(frozen=True, slots=True)
class ChatFacts:
    """What Telegram says about a chat the bot may post in."""

    chat_id: int
    type: str  # channel | supergroup
    title: str | None
    username: str | None
    is_forum: bool


def parse_chat_ref(text: str) -> int | str:
    """A chat as the Bot API takes it: "@name" (also from a t.me link) or a negative chat id.
    Raises ChannelError("bad_ref") for anything else."""
    text = text.strip()
    if _CHAT_ID.match(text):
        return int(text)
    match = _USERNAME.match(text)
    if match:
        return "@" + match.group(1)
    raise ChannelError("bad_ref", ref=text[:64])


async def inspect_chat(bot: Bot, ref: int | str) -> ChatFacts:
    """The chat behind `ref` if the bot is an administrator who can post there; otherwise
    ChannelError saying what is missing."""
    try:
        chat = await bot.get_chat(ref)
    except Forbidden as exc:
        raise ChannelError("not_member", ref=str(ref)) from exc
    except BadRequest as exc:
        # Telegram answers "chat not found" for a private channel the bot is not in, too.
        raise ChannelError("not_found", ref=str(ref)) from exc
    except TelegramError as exc:
        raise ChannelError("telegram", detail=str(exc)) from exc
    name = chat.title or (f"@{chat.username}" if chat.username else str(chat.id))
    if chat.type == "group":
        raise ChannelError("basic_group", name=name)
    if chat.type not in ("channel", "supergroup"):
        raise ChannelError("not_a_channel", ref=str(ref))
    try:
        member = await bot.get_chat_member(chat.id, bot.id)
    except Forbidden as exc:
        raise ChannelError("not_member", ref=name) from exc
    except TelegramError as exc:
        raise ChannelError("telegram", detail=str(exc)) from exc
    if member.status in ("left", "kicked"):
        raise ChannelError("not_member", ref=name)
    if isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
        raise ChannelError("restricted", name=name)
    if not isinstance(member, ChatMemberAdministrator):
        raise ChannelError("not_admin", name=name)
    if chat.type == "channel" and not member.can_post_messages:
        raise ChannelError("cannot_post", name=name)
    return ChatFacts(chat.id, chat.type, chat.title, chat.username, bool(chat.is_forum))


async def check_topic(bot: Bot, chat_id: int, thread_id: int) -> None:
    """ChannelError("bad_topic") unless the bot can write in forum topic `thread_id`."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
    except TelegramError as exc:
        raise ChannelError("bad_topic", topic=thread_id, detail=str(exc)) from exc
