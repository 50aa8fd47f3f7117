"""`TelegramEmulator`: a local Telegram for the bot, and the user's side of it for tests.

The bot talks to it over HTTP exactly as to api.telegram.org (`base_url` + `/bot<token>/...`).
Tests and the sandbox act as users through plain method calls (`send_message`, `press_button`,
`send_document`, ...) and read what the bot did (`messages`, `requests`, `stats`), awaiting
conditions with `wait_for_*` instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from bot.emulator.errors import ApiError, bad_request
from bot.emulator.formatting import add_auto_entities
from bot.emulator.limits import RateLimiter, RateLimits
from bot.emulator.methods import BotApi
from bot.emulator.models import (
    JSON,
    CallbackQueryRecord,
    EmuChat,
    EmuMessage,
    EmuUser,
    InlineQueryRecord,
    RequestRecord,
    SendRecord,
    StoredFile,
)
from bot.emulator.spec import load_spec, validate_request

T = TypeVar("T")

DEFAULT_TOKEN = "5555500001:AAEmulatorTokenForLocalUse-digestbot"
# Updates Telegram sends only when asked for them explicitly in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CONFLICT_POLLING = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)


@dataclass(slots=True)
class EmulatorConfig:
    """Everything that can be tuned; also accepted as keyword arguments by the emulator."""

    token: str = DEFAULT_TOKEN
    bot_username: str = "digest_test_bot"
    bot_first_name: str = "Digest Bot"
    # flood limits (see limits.py)
    rate_limits: bool = True
    rate_limit: int = 30
    paid_rate_limit: int = 1000
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    group_period: float = 60.0
    count_edits_per_chat: bool = True
    # network: latency added to every request (concurrently), and faults with a seeded RNG
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0  # share of requests answered 500 without being processed
    timeout_rate: float = 0.0  # share that hang for hang_seconds without being processed
    lost_response_rate: float = 0.0  # share processed, whose answer then hangs
    hang_seconds: float = 30.0
    fault_methods: frozenset[str] | None = None  # None: every method but getUpdates
    seed: int = 0
    # behaviour
    strict_html_ampersand: bool = True
    accept_unknown_chats: bool = False  # positive unknown chat ids become started users
    privacy_mode: bool = True  # in groups the bot sees commands, replies and mentions only
    max_download_size: int = 20 * 1024 * 1024
    request_log_limit: int | None = None

    def limits(self) -> RateLimits:
        return RateLimits(
            enabled=self.rate_limits,
            global_per_second=self.rate_limit,
            paid_per_second=self.paid_rate_limit,
            private_per_second=self.private_per_second,
            private_burst=self.private_burst,
            group_per_minute=self.group_per_minute,
            group_period=self.group_period,
            count_edits_per_chat=self.count_edits_per_chat,
        )


@dataclass(slots=True)
class Counters:
    """What happened, in numbers."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # by "method: description"
    faults: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0
    sends: int = 0
    updates_sent: int = 0

    def to_dict(self) -> JSON:
        return {
            "requests": dict(self.requests),
            "total_requests": sum(self.requests.values()),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "errors": dict(self.errors),
            "faults": dict(self.faults),
            "too_many_requests": self.too_many_requests,
            "sends": self.sends,
            "updates_sent": self.updates_sent,
        }


class TelegramEmulator:
    """A local Telegram Bot API server with a user-side API for tests and the sandbox."""

    def __init__(self, config: EmulatorConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or EmulatorConfig(), **overrides)
        self.spec = load_spec()
        self.token = self.config.token
        self.bot_id = int(self.token.split(":", 1)[0])
        # The bot as it appears in messages and chat members ...
        self.bot_sender: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.config.bot_first_name,
            "username": self.config.bot_username,
        }
        # ... and as getMe describes it, with the capability flags only getMe returns.
        self.bot_user: JSON = {
            **self.bot_sender,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.config.privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.inline_queries: dict[str, InlineQueryRecord] = {}
        self.bot_commands: dict[tuple[str, str], list[JSON]] = {}
        self.chat_actions: list[tuple[int, str, float]] = []
        self.request_log: deque[RequestRecord] = deque(maxlen=self.config.request_log_limit)
        self.send_log: list[SendRecord] = []
        self.counters = Counters()
        self.limiter = RateLimiter(self.config.limits())
        self.api = BotApi(self)
        self._ids = itertools.count(1)
        self._clock_offset = 0.0
        self._updates: deque[JSON] = deque()
        self._next_update_id = 1
        self._allowed_updates: set[str] | None = None
        self._poller: asyncio.Future[str] | None = None
        self._webhook: JSON | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wake = asyncio.Event()
        self._changed: asyncio.Event | None = None
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ---------------------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> TelegramEmulator:
        """Serve on host:port (port 0: any free port); `base_url` then names the server."""
        from bot.emulator.server import create_app

        self._closing.clear()
        self._runner = web.AppRunner(
            create_app(self), access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=4096, reuse_address=True)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        bound_port = sockets[0].getsockname()[1] if sockets else port
        self.base_url = f"http://{host}:{bound_port}"
        return self

    async def stop(self) -> None:
        """Wake every waiting request (long polls, injected hangs) and shut the server down."""
        self._closing.set()
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("stop")
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def bot_base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`: the token is appended by the client."""
        return f"{self.base_url}/bot"

    @property
    def bot_base_file_url(self) -> str:
        return f"{self.base_url}/file/bot"

    def api_url(self, method: str) -> str:
        return f"{self.base_url}/bot{self.token}/{method}"

    def file_url(self, file_path: str) -> str:
        return f"{self.base_url}/file/bot{self.token}/{file_path}"

    def application_builder(self) -> Any:
        """A python-telegram-bot `ApplicationBuilder` already pointed at this emulator."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.bot_base_url)
            .base_file_url(self.bot_base_file_url)
        )

    def configure(self, **changes: Any) -> None:
        """Change settings at run time (latency, fault rates, limits...)."""
        known = {f.name for f in fields(EmulatorConfig)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown emulator settings: {sorted(unknown)}")
        self.config = replace(self.config, **changes)
        self.limiter.limits = self.config.limits()

    # ---------------------------------------------------------------------------------- time

    def now(self) -> float:
        """Monotonic seconds, moved forward by `advance_clock` (used by the flood limits)."""
        return time.monotonic() + self._clock_offset

    def wall(self) -> float:
        """Unix time as the emulated Telegram sees it (message dates)."""
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's time forward: flood windows pass without sleeping."""
        self._clock_offset += seconds

    async def wait_closed(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early when the emulator stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def next_id(self) -> int:
        return next(self._ids)

    # ---------------------------------------------------------------------------- the world

    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
        is_premium: bool | None = None,
        started: bool = True,
    ) -> EmuUser:
        """A user (created, or updated with the fields given); `started=True` (default) means
        they opened a private chat with the bot. New users speak "en" unless told otherwise."""
        user = self.users.get(user_id)
        if user is None:
            user = EmuUser(user_id, first_name or f"User{user_id}", started=started)
            user.language_code = "en" if language_code is None else language_code or None
            self.users[user_id] = user
        else:
            user.first_name = first_name or user.first_name
            if language_code is not None:
                user.language_code = language_code or None
            user.started = user.started or started
        user.username = username or user.username
        user.last_name = last_name or user.last_name
        if is_premium is not None:
            user.is_premium = is_premium
        chat = self.chats.get(user_id)
        if chat is None and user.started:
            chat = self.chats[user_id] = EmuChat(user_id, "private")
        if chat is not None:
            chat.first_name, chat.last_name = user.first_name, user.last_name
            chat.username = user.username
        return user

    def create_group(
        self,
        title: str = "Test group",
        *,
        chat_id: int | None = None,
        supergroup: bool = True,
        forum: bool = False,
        username: str | None = None,
        creator: int | None = None,
        admins: Iterable[int] = (),
        members: Iterable[int] = (),
        bot_admin: bool = False,
        bot_rights: dict[str, bool] | None = None,
        announce: bool = False,
    ) -> EmuChat:
        """A group or supergroup (a forum if `forum`), with the bot in it.

        `announce=True` also sends the my_chat_member update Telegram sends when the bot is added.
        `bot_rights` overrides the bot's default administrator rights (can_manage_topics=False).
        """
        if chat_id is None:
            serial = self.next_id()
            chat_id = -(1_000_000_000_000 + serial) if supergroup or forum else -(10_000 + serial)
        chat_type = "supergroup" if supergroup or forum else "group"
        chat = EmuChat(chat_id, chat_type, title=title, username=username, is_forum=forum)
        chat.bot_rights = dict(bot_rights or {})
        if forum:
            chat.last_message_id = 1  # message_thread_id 1 is the General topic
        chat.bot_status = "administrator" if bot_admin else "member"
        self.chats[chat_id] = chat
        if creator is not None:
            self.add_user(creator, started=False)
            chat.members[creator] = "creator"
        for user_id in admins:
            self.add_user(user_id, started=False)
            chat.members[user_id] = "administrator"
        for user_id in members:
            self.add_user(user_id, started=False)
            chat.members.setdefault(user_id, "member")
        if announce:
            by = creator if creator is not None else next(iter(chat.members), None)
            self._my_chat_member(chat, by, "left", chat.bot_status)
        return chat

    def create_channel(
        self,
        title: str = "Test channel",
        *,
        chat_id: int | None = None,
        username: str | None = None,
        bot_admin: bool = True,
        bot_rights: dict[str, bool] | None = None,
    ) -> EmuChat:
        """A channel the bot administers (or is merely a member of, with bot_admin=False);
        `bot_rights` overrides its administrator rights (can_post_messages=False: it may not
        post)."""
        if chat_id is None:
            chat_id = -(1_000_000_000_000 + self.next_id())
        chat = EmuChat(chat_id, "channel", title=title, username=username)
        chat.bot_rights = dict(bot_rights or {})
        chat.bot_status = "administrator" if bot_admin else "member"
        self.chats[chat_id] = chat
        return chat

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Put a user into a group with a status: creator, administrator, member, left, kicked."""
        self.add_user(user_id, started=False)
        self.chats[chat_id].members[user_id] = status

    def create_topic(self, chat_id: int, name: str, *, by_bot: bool = False) -> int:
        """A forum topic; returns its message_thread_id (the id of its creation message)."""
        chat = self.chats[chat_id]
        if not chat.is_forum:
            raise ValueError(f"chat {chat_id} is not a forum")
        message_id = chat.next_message_id()
        chat.topics[message_id] = name
        message = EmuMessage(
            chat,
            message_id,
            int(self.wall()),
            from_bot=by_bot,
            from_user=self.bot_sender if by_bot else None,
            sender_chat=None if by_bot else chat.to_api(),
            thread_id=message_id,
            extra={"forum_topic_created": {"name": name, "icon_color": 7322096}},
            method="createForumTopic" if by_bot else "user",
        )
        chat.add(message)
        self.notify()
        return message_id

    def migrate_to_supergroup(self, chat_id: int, *, announce: bool = True) -> EmuChat:
        """Upgrade a group: the old id then answers 400 with migrate_to_chat_id.

        With `announce` the bot also gets the two service messages (migrate_to_chat_id in the
        old group, migrate_from_chat_id in the new one), as when it is in the group.
        """
        old = self.chats[chat_id]
        if old.type != "group":
            raise ValueError("only a basic group can migrate")
        new_id = -(1_000_000_000_000 + abs(chat_id))
        new = EmuChat(new_id, "supergroup", title=old.title, members=dict(old.members))
        new.bot_status = old.bot_status
        self.chats[new_id] = new
        old.migrated_to = new_id
        by = next(iter(old.members), None)
        from_user = self.users[by].to_api() if by is not None else None
        for chat, extra in (
            (old, {"migrate_to_chat_id": new_id}),
            (new, {"migrate_from_chat_id": chat_id}),
        ):
            message = EmuMessage(
                chat, chat.next_message_id(), int(self.wall()), False, from_user, extra=extra
            )
            chat.add(message)
            if announce:
                self.push_update("message", message.to_api())
        self.notify()
        return new

    def kick_bot(self, chat_id: int) -> None:
        """Remove the bot from a group or channel: further sends get 403."""
        chat = self.chats[chat_id]
        old = chat.bot_status
        chat.bot_status = "kicked"
        self._my_chat_member(chat, next(iter(chat.members), None), old, "kicked")

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to them get 403, and the bot gets my_chat_member."""
        user = self.add_user(user_id)
        if not user.blocked:
            user.blocked = True
            self._my_chat_member(self.chats[user_id], user_id, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        user = self.add_user(user_id)
        if user.blocked:
            user.blocked = False
            self._my_chat_member(self.chats[user_id], user_id, "kicked", "member")

    def deactivate(self, user_id: int) -> None:
        """The user deleted their account: sends to them get 403 "user is deactivated"."""
        self.add_user(user_id).deactivated = True

    def _my_chat_member(self, chat: EmuChat, by: int | None, old: str, new: str) -> None:
        actor = self.users[by].to_api() if by is not None and by in self.users else self.bot_sender
        update = {
            "chat": chat.to_api(),
            "from": actor,
            "date": int(self.wall()),
            "old_chat_member": self._member_object(self.bot_sender, old, chat, chat.bot_rights),
            "new_chat_member": self._member_object(self.bot_sender, new, chat, chat.bot_rights),
        }
        self.push_update("my_chat_member", update)

    # -------------------------------------------------------------------- user-side actions

    def _user_chat(self, user_id: int, chat_id: int | None) -> tuple[EmuUser, EmuChat]:
        if chat_id is None or chat_id == user_id:
            user = self.add_user(user_id)
            user.started = True
            if user.blocked:  # writing to the bot again (the "Restart" button) unblocks it
                self.unblock(user_id)
            return user, self.chats[user_id]
        user = self.add_user(user_id, started=False)
        chat = self.chats.get(chat_id)
        if chat is None:
            raise KeyError(f"no chat {chat_id}: create it with create_group()")
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} migrated to {chat.migrated_to}")
        if chat.type == "channel":
            raise ValueError("users do not write in channels: use post_to_channel()")
        chat.members.setdefault(user_id, "member")
        return user, chat

    def _user_message(
        self,
        user: EmuUser,
        chat: EmuChat,
        *,
        text: str | None = None,
        entities: list[JSON] | None = None,
        caption: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        media: JSON | None = None,
    ) -> EmuMessage:
        if thread_id is not None and chat.is_forum and thread_id not in chat.topics:
            raise KeyError(f"no topic {thread_id} in chat {chat.id}")
        if text is not None and entities is None:
            entities = add_auto_entities(text, [])
        reply = chat.by_id.get(reply_to) if reply_to is not None else None
        if reply_to is not None and reply is None:
            raise KeyError(f"no message {reply_to} in chat {chat.id}")
        if thread_id is None and reply is not None and chat.is_forum:
            thread_id = reply.thread_id
        message = EmuMessage(
            chat,
            chat.next_message_id(),
            int(self.wall()),
            from_bot=False,
            from_user=user.to_api(),
            text=text,
            entities=entities or [],
            caption=caption,
            caption_entities=add_auto_entities(caption, []) if caption else [],
            thread_id=thread_id,
            reply_to=reply,
            media=media or {},
            sent_at=self.now(),
        )
        chat.add(message)
        if self._bot_sees(chat, message):
            self.push_update("message", message.to_api())
        self.notify()
        return message

    def _bot_sees(self, chat: EmuChat, message: EmuMessage) -> bool:
        if chat.is_private or not self.config.privacy_mode or chat.bot_status == "administrator":
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        text = message.text or message.caption or ""
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            return "@" not in command or command.endswith("@" + self.config.bot_username)
        if f"@{self.config.bot_username}" in text:
            return True
        return message.reply_to is not None and message.reply_to.from_bot

    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        entities: list[JSON] | None = None,
    ) -> EmuMessage:
        """User `user_id` writes `text` in their private chat with the bot or in `chat_id`.

        Commands, @mentions, URLs and #hashtags get entities as Telegram's apps send them.
        """
        user, chat = self._user_chat(user_id, chat_id)
        return self._user_message(
            user, chat, text=text, entities=entities, thread_id=thread_id, reply_to=reply_to
        )

    def send_command(
        self,
        user_id: int,
        command: str,
        args: str = "",
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
        mention: bool = False,
    ) -> EmuMessage:
        """`/command args` (with `@bot_username` when `mention`, as in groups)."""
        text = "/" + command.lstrip("/")
        if mention:
            text += "@" + self.config.bot_username
        if args:
            text += " " + args
        return self.send_message(user_id, text, chat_id=chat_id, thread_id=thread_id)

    def send_document(
        self,
        user_id: int,
        content: bytes | str,
        file_name: str = "document.txt",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> EmuMessage:
        """The user sends a file: the bot gets Message.document and can getFile/download it."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        stored = self.store_file(data, file_name, mime_type or _guess_mime(file_name), "document")
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "file_size": stored.size,
        }
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        user, chat = self._user_chat(user_id, chat_id)
        return self._user_message(
            user, chat, caption=caption, thread_id=thread_id, media={"document": document}
        )

    def edit_user_message(self, chat_id: int, message_id: int, text: str) -> EmuMessage:
        """A user edits their message: the bot gets an edited_message update."""
        message = self.chats[chat_id].by_id[message_id]
        if message.from_bot:
            raise ValueError("that is the bot's message")
        message.edits.append({"date": message.edit_date or message.date, "text": message.text})
        message.text, message.entities = text, add_auto_entities(text, [])
        message.edit_date = int(self.wall())
        if self._bot_sees(message.chat, message):
            self.push_update("edited_message", message.to_api())
        self.notify()
        return message

    def post_to_channel(self, chat_id: int, text: str) -> EmuMessage:
        """A post in a channel the bot is in: the bot gets a channel_post update."""
        chat = self.chats[chat_id]
        if chat.type != "channel":
            raise ValueError(f"chat {chat_id} is not a channel")
        message = EmuMessage(
            chat,
            chat.next_message_id(),
            int(self.wall()),
            from_bot=False,
            sender_chat=chat.to_api(),
            text=text,
            entities=add_auto_entities(text, []),
            sent_at=self.now(),
        )
        chat.add(message)
        self.push_update("channel_post", message.to_api())
        self.notify()
        return message

    def press_button(
        self,
        user_id: int,
        chat_id: int | None = None,
        message_id: int | None = None,
        *,
        text: str | None = None,
        data: str | None = None,
    ) -> CallbackQueryRecord:
        """The user presses an inline button on a bot message (default: the latest with buttons).

        The button is chosen by its text (exact, else substring) or callback_data; with neither,
        the message's only callback button. The bot gets a callback_query update.
        """
        chat_id = user_id if chat_id is None else chat_id
        chat = self.chats[chat_id]
        if message_id is None:
            candidates = [m for m in chat.messages if m.from_bot and not m.deleted and m.buttons]
            if not candidates:
                raise LookupError(f"no bot message with buttons in chat {chat_id}")
            message = candidates[-1]
        else:
            message = chat.by_id[message_id]
        if message.deleted:
            raise LookupError(f"message {message.message_id} was deleted")
        button = message.find_button(text=text, data=data)
        if button is None:
            raise LookupError(
                f"no button text={text!r} data={data!r} on message {message.message_id}: "
                f"{message.button_texts}"
            )
        if "callback_data" not in button:
            raise ValueError(f"button {button['text']!r} is not a callback button: {button}")
        user = self.add_user(user_id, started=chat.is_private)
        query = CallbackQueryRecord(
            str(self.next_id() * 7919 + 1_000_000),
            user_id,
            chat_id,
            message.message_id,
            button["callback_data"],
        )
        self.callback_queries[query.id] = query
        instance = hashlib.blake2b(str(chat_id).encode(), digest_size=8).hexdigest()
        payload = {
            "id": query.id,
            "from": user.to_api(),
            "message": message.to_api(),
            "chat_instance": str(int(instance, 16) >> 1),
            "data": query.data,
        }
        self.push_update("callback_query", payload)
        return query

    def send_inline_query(
        self, user_id: int, query: str, *, offset: str = "", chat_type: str = "sender"
    ) -> InlineQueryRecord:
        """The user types `@bot query`: the bot gets an inline_query update."""
        user = self.add_user(user_id, started=False)
        record = InlineQueryRecord(str(self.next_id() * 7919 + 2_000_000), user_id, query, offset)
        self.inline_queries[record.id] = record
        payload = {
            "id": record.id,
            "from": user.to_api(),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        self.push_update("inline_query", payload)
        return record

    # ------------------------------------------------------------------ reading what happened

    def messages(
        self, chat_id: int, *, thread_id: int | None = None, include_deleted: bool = True
    ) -> list[EmuMessage]:
        """What the bot sent to a chat, oldest first, with edits applied and deletions flagged."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [
            m
            for m in chat.messages
            if m.from_bot
            and (include_deleted or not m.deleted)
            and (thread_id is None or m.thread_id == thread_id)
        ]

    def history(self, chat_id: int) -> list[EmuMessage]:
        """Every message in a chat (users', the bot's, service messages), oldest first."""
        chat = self.chats.get(chat_id)
        return list(chat.messages) if chat else []

    def last_message(self, chat_id: int) -> EmuMessage | None:
        """The bot's latest message in the chat that is not deleted."""
        sent = self.messages(chat_id, include_deleted=False)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> EmuMessage:
        return self.chats[chat_id].by_id[message_id]

    def requests(self, method: str | None = None) -> list[RequestRecord]:
        """Logged requests, oldest first (only `method`'s, matched case-insensitively)."""
        if method is None:
            return list(self.request_log)
        wanted = method.lower()
        return [r for r in self.request_log if r.method.lower() == wanted]

    def commands(self, language_code: str = "", scope: JSON | None = None) -> list[JSON]:
        """The command menu set with setMyCommands for a scope and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.bot_commands.get((key, language_code), [])

    def clear_logs(self) -> None:
        """Forget logged requests, sends and counters (between phases of a benchmark)."""
        self.request_log.clear()
        self.send_log.clear()
        self.chat_actions.clear()
        self.counters = Counters()

    def invalid_requests(self) -> list[tuple[RequestRecord, str]]:
        """Requests that break the api.json contract or Telegram's content rules, with why."""
        found = []
        for record in self.request_log:
            problem = validate_request(record.method, record.params)
            if problem is not None:
                found.append((record, problem))
        return found

    def assert_valid_requests(self) -> None:
        """Fail with the list of every request that broke the Bot API contract."""
        problems = self.invalid_requests()
        if problems:
            lines = [f"{r.method}({r.params}) -> {why}" for r, why in problems]
            raise AssertionError("requests Telegram would refuse:\n" + "\n".join(lines))

    def max_sends_in_window(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The most accepted sends in any `window` seconds (benchmarks check the 30/s limit)."""
        times = [s.monotonic for s in self.send_log if chat_id is None or s.chat_id == chat_id]
        best = 0
        start = 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is waiting right now."""
        return self._poller is not None and not self._poller.done()

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (getUpdates offset) or delivered by webhook."""
        return len(self._updates)

    def stats(self) -> JSON:
        """Counters plus derived figures, JSON-ready."""
        stats = self.counters.to_dict()
        stats.update(
            max_sends_per_second=self.max_sends_in_window(1.0),
            pending_updates=self.pending_updates,
            users=len(self.users),
            chats=len(self.chats),
        )
        return stats

    # ------------------------------------------------------------------------------- waiting

    def notify(self) -> None:
        """Wake everything awaiting a condition (called after every change)."""
        event = self._changed
        if event is not None:
            self._changed = None
            event.set()

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        describe: Callable[[], str] | str = "the condition",
    ) -> T:
        """Await `predicate()` becoming truthy (re-checked on every change); return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = describe() if callable(describe) else describe
                raise TimeoutError(f"emulator: waited {timeout}s for {what}")
            if self._changed is None:
                self._changed = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def _describe_chat(self, chat_id: int) -> str:
        sent = self.messages(chat_id)
        texts = [(m.text or m.caption or m.method)[:80] for m in sent]
        failed = [
            f"{r.method} -> {r.status} {r.description}"
            for r in list(self.request_log)[-20:]
            if r.status != 200 and r.params.get("chat_id") in (chat_id, str(chat_id))
        ]
        return f"; the bot sent {len(sent)}: {texts}" + (f"; failed: {failed}" if failed else "")

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        *,
        thread_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[EmuMessage]:
        """Await at least `count` bot messages in the chat (in total); return all of them."""

        def enough() -> list[EmuMessage]:
            sent = self.messages(chat_id, thread_id=thread_id)
            return sent if len(sent) >= count else []

        return await self.wait_until(
            enough,
            timeout,
            lambda: f"{count} bot message(s) in chat {chat_id}" + self._describe_chat(chat_id),
        )

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        predicate: Callable[[EmuMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> EmuMessage:
        """Await a bot message in the chat whose text/caption contains `contains` (or matches)."""

        def matches(m: EmuMessage) -> bool:
            body = m.text or m.caption or ""
            return (contains is None or contains in body) and (predicate is None or predicate(m))

        def found() -> EmuMessage | None:
            return next((m for m in reversed(self.messages(chat_id)) if matches(m)), None)

        return await self.wait_until(
            found,
            timeout,
            lambda: (
                f"a bot message containing {contains!r} in chat {chat_id}"
                + self._describe_chat(chat_id)
            ),
        )

    async def ask(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
        replies: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[EmuMessage]:
        """Send `text` as the user and await `replies` new bot messages in that chat."""
        target = user_id if chat_id is None else chat_id
        before = len(self.messages(target))
        self.send_message(user_id, text, chat_id=chat_id, thread_id=thread_id)
        sent = await self.wait_for_messages(target, before + replies, timeout=timeout)
        return sent[before:]

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[RequestRecord], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> RequestRecord:
        """Await the `count`-th logged request to `method` (matching `predicate`); return it."""

        def found() -> RequestRecord | None:
            hits = [r for r in self.requests(method) if predicate is None or predicate(r)]
            return hits[count - 1] if len(hits) >= count else None

        return await self.wait_until(
            found, timeout, lambda: f"{count} {method} request(s); log: {self._log_tail()}"
        )

    def _log_tail(self) -> list[str]:
        return [f"{r.method}:{r.status}" for r in list(self.request_log)[-10:]]

    async def wait_for_callback_answer(
        self,
        query: CallbackQueryRecord | str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """Await answerCallbackQuery for a press; return its parameters (text, show_alert...)."""
        record = self.callback_queries[query if isinstance(query, str) else query.id]
        await self.wait_until(
            lambda: record.answered, timeout, f"an answer to callback query {record.id}"
        )
        return record.answer or {}

    async def wait_for_inline_answer(
        self,
        query: InlineQueryRecord | str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[JSON]:
        """Await answerInlineQuery for an inline query; return its results."""
        record = self.inline_queries[query if isinstance(query, str) else query.id]
        await self.wait_until(
            lambda: record.answered, timeout, f"answer to inline query {record.id}"
        )
        return record.results or []

    async def wait_for_updates_fetched(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Await the bot having confirmed (or received by webhook) every update so far."""
        await self.wait_until(
            lambda: not self._updates, timeout, lambda: f"{len(self._updates)} pending updates"
        )

    # ------------------------------------------------------------------ internal: Bot API side

    def resolve_chat(self, chat_ref: Any) -> EmuChat:
        """The chat for a chat_id parameter (an id or "@username"), else 400 chat not found."""
        if isinstance(chat_ref, int):
            chat = self.chats.get(chat_ref)
            if chat is None and chat_ref > 0:
                user = self.users.get(chat_ref)
                if user is not None and not user.started:
                    raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
                if self.config.accept_unknown_chats:
                    self.add_user(chat_ref)
                    return self.chats[chat_ref]
        else:
            name = str(chat_ref).lstrip("@").lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == name), None
            )
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def add_bot_message(
        self,
        chat: EmuChat,
        method: str,
        params: JSON,
        *,
        text: str | None = None,
        entities: list[JSON] | None = None,
        caption: str | None = None,
        caption_entities: list[JSON] | None = None,
        reply_markup: JSON | None = None,
        thread_id: int | None = None,
        reply_to: EmuMessage | None = None,
        media: JSON | None = None,
        extra: JSON | None = None,
        count_send: bool = True,
    ) -> EmuMessage:
        now = self.now()
        wall = self.wall()
        channel = chat.type == "channel"
        message = EmuMessage(
            chat,
            chat.next_message_id(),
            int(wall),
            from_bot=True,
            from_user=None if channel else self.bot_sender,
            sender_chat=chat.to_api() if channel else None,
            text=text,
            entities=entities or [],
            source_text=params.get("text"),
            parse_mode=params.get("parse_mode"),
            caption=caption or None,
            caption_entities=caption_entities or [],
            reply_markup=reply_markup,
            thread_id=thread_id,
            reply_to=reply_to,
            media=media or {},
            extra=extra or {},
            method=method,
            params=params,
            sent_at=now,
        )
        chat.add(message)
        if count_send:
            self.counters.sends += 1
            self.send_log.append(SendRecord(now, wall, chat.id, method, message.message_id))
        self.notify()
        return message

    def store_file(
        self, data: bytes, file_name: str | None, mime_type: str | None, kind: str
    ) -> StoredFile:
        serial = self.next_id()
        unique = hashlib.blake2b(data, digest_size=8).hexdigest()
        folder = {"photo": "photos", "document": "documents"}.get(kind, kind + "s")
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1][:10]
        stored = StoredFile(
            file_id=f"BQACAgIAAxk{kind[:3]}{serial:06d}{unique}",
            file_unique_id=f"AgAD{unique[:12]}",
            file_path=f"{folder}/file_{serial}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def store_url(self, url: str, kind: str) -> StoredFile:
        stored = self.store_file(b"", url.rsplit("/", 1)[-1] or None, None, kind)
        stored.url = url
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    def _member_object(
        self, user: JSON, status: str, chat: EmuChat | None = None, rights: JSON | None = None
    ) -> JSON:
        member: JSON = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
            if chat is not None and chat.type == "channel":
                member.update(can_post_messages=True, can_edit_messages=True)
            else:
                member.update(can_pin_messages=True, can_manage_topics=True)
            member.update(rights or {})
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def chat_member(self, chat: EmuChat, user_id: int) -> JSON:
        if user_id == self.bot_id:
            status = "member" if chat.is_private else chat.bot_status
            return self._member_object(self.bot_sender, status, chat, chat.bot_rights)
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.is_private:
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member_object(user.to_api(), status, chat)

    def record_request(self, record: RequestRecord) -> None:
        self.request_log.append(record)
        self.counters.statuses[record.status] += 1
        if record.fault:
            self.counters.faults[record.fault] += 1
        if record.status != 200:
            self.counters.errors[f"{record.method}: {record.description}"] += 1
        self.notify()

    # ------------------------------------------------------------------------------- updates

    def push_update(self, kind: str, payload: JSON) -> int | None:
        """Queue an update for the bot (long polling or webhook); None if filtered out."""
        allowed = self._allowed_updates
        if (allowed is None and kind in OPT_IN_UPDATES) or (
            allowed is not None and kind not in allowed
        ):
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("update")
        self._webhook_wake.set()
        self.notify()
        return update_id

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        updates = self._updates
        if offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        else:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()
        self.notify()

    async def get_updates(self, p: JSON) -> list[JSON]:
        """getUpdates: confirm by offset, then answer at once or long-poll up to `timeout`."""
        if self._webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")
        if p.get("allowed_updates") is not None:
            self._allowed_updates = set(p["allowed_updates"]) or None
        self._confirm(p.get("offset"))
        limit = min(max(int(p.get("limit", 100)), 1), 100)
        timeout = max(float(p.get("timeout", 0)), 0.0)
        if not self._updates and timeout > 0 and not self._closing.is_set():
            waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._poller = waiter
            self.notify()
            try:
                await asyncio.wait({waiter}, timeout=timeout)
            finally:
                if self._poller is waiter:
                    self._poller = None
            if waiter.done() and waiter.result() == "conflict":
                raise ApiError(409, CONFLICT_POLLING)
        batch = list(itertools.islice(self._updates, limit))
        self.counters.updates_sent += len(batch)
        return batch

    def set_webhook(
        self,
        url: str,
        *,
        secret_token: str | None = None,
        allowed_updates: list[str] | None = None,
        drop_pending: bool = False,
        max_connections: int = 40,
    ) -> None:
        if drop_pending:
            self._updates.clear()
        if allowed_updates is not None:
            self._allowed_updates = set(allowed_updates) or None
        if not url:
            self._webhook = None
            self._webhook_error = None
            if self._webhook_task is not None:
                self._webhook_task.cancel()
                self._webhook_task = None
            return
        self._webhook = {
            "url": url,
            "secret_token": secret_token,
            "max_connections": max_connections,
        }
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        self._webhook_wake.set()

    def webhook_info(self) -> JSON:
        info: JSON = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    async def _deliver_webhook(self) -> None:
        """POST queued updates to the webhook one by one, retrying with back-off."""
        backoff = 0.05
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while self._webhook is not None and not self._closing.is_set():
                if not self._updates:
                    self._webhook_wake.clear()
                    await self._webhook_wake.wait()
                    continue
                hook = self._webhook
                update = self._updates[0]
                headers = {}
                if hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as resp:
                        ok = 200 <= resp.status < 300
                        error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    ok, error = False, f"Connection failed: {exc.__class__.__name__}"
                if ok:
                    if self._updates and self._updates[0] is update:
                        self._updates.popleft()
                        self.counters.updates_sent += 1
                    backoff = 0.05
                    self.notify()
                else:
                    self._webhook_error = (int(self.wall()), error)
                    await self.wait_closed(backoff)
                    backoff = min(backoff * 2, 2.0)


def _guess_mime(file_name: str) -> str | None:
    import mimetypes

    return mimetypes.guess_type(file_name)[0]
