"""What the emulated Telegram holds: users, chats, messages, files, and its logs.

Each object renders itself as the Bot API object (`to_api`) the way Telegram returns it, and as
a flat `view()` for the sandbox and the HTTP control API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass(eq=False, slots=True)
class EmuUser:
    """A Telegram user. `started`: has a private chat with the bot (pressed Start)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_premium: bool = False
    started: bool = True
    blocked: bool = False
    deactivated: bool = False

    def to_api(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        if self.is_premium:
            user["is_premium"] = True
        return user


@dataclass(eq=False, slots=True)
class EmuChat:
    """A private chat, group, supergroup (optionally a forum) or channel."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    # user id -> "creator" | "administrator" | "member" | "left" | "kicked"
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    # The bot's administrator rights that differ from the defaults (can_post_messages=False...)
    bot_rights: dict[str, bool] = field(default_factory=dict)
    topics: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None
    messages: list[EmuMessage] = field(default_factory=list)
    by_id: dict[int, EmuMessage] = field(default_factory=dict)
    last_message_id: int = 0

    def __repr__(self) -> str:
        return f"EmuChat({self.id}, {self.type!r}, title={self.title!r}, messages={len(self.messages)})"

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def add(self, message: EmuMessage) -> None:
        self.messages.append(message)
        self.by_id[message.message_id] = message

    def to_api(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type}
        if self.title is not None:
            chat["title"] = self.title
        if self.username:
            chat["username"] = self.username
        if self.first_name is not None:
            chat["first_name"] = self.first_name
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def to_full_info(self) -> JSON:
        info = self.to_api()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if not self.is_private:
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_invite_users": True,
            }
        return info


@dataclass(eq=False, slots=True)
class EmuMessage:
    """A message in a chat, sent by the bot or by a user, with its edit history."""

    chat: EmuChat
    message_id: int
    date: int
    from_bot: bool
    from_user: JSON | None = None
    sender_chat: JSON | None = None
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    source_text: str | None = None
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    thread_id: int | None = None
    reply_to: EmuMessage | None = None
    edit_date: int | None = None
    deleted: bool = False
    edits: list[JSON] = field(default_factory=list)
    media: JSON = field(default_factory=dict)
    extra: JSON = field(default_factory=dict)
    method: str = "user"
    params: JSON = field(default_factory=dict)
    sent_at: float = 0.0

    def __repr__(self) -> str:
        body = self.text if self.text is not None else self.caption or self.method
        flags = "".join(
            f", {name}"
            for name, on in (("edited", bool(self.edits)), ("deleted", self.deleted))
            if on
        )
        sender = "bot" if self.from_bot else (self.from_user or {}).get("id")
        return (
            f"EmuMessage(chat={self.chat.id}, id={self.message_id}, from={sender}, "
            f"text={body!r}, buttons={self.button_texts}{flags})"
        )

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def document(self) -> JSON | None:
        return self.media.get("document")

    @property
    def buttons(self) -> list[list[JSON]]:
        """The inline keyboard as rows of button objects ([] when there is none)."""
        if not self.reply_markup:
            return []
        return list(self.reply_markup.get("inline_keyboard", []))

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """The custom reply keyboard as rows of button texts ([] when there is none)."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return []
        return [
            [b if isinstance(b, str) else b["text"] for b in row]
            for row in self.reply_markup["keyboard"]
        ]

    def find_button(self, *, text: str | None = None, data: str | None = None) -> JSON | None:
        """The inline button whose text (exactly, else as a substring) or callback_data matches."""
        buttons = [b for row in self.buttons for b in row]
        if data is not None:
            return next((b for b in buttons if b.get("callback_data") == data), None)
        if text is not None:
            exact = next((b for b in buttons if b["text"] == text), None)
            return exact or next((b for b in buttons if text in b["text"]), None)
        callbacks = [b for b in buttons if "callback_data" in b]
        return callbacks[0] if len(callbacks) == 1 else None

    def to_api(self, *, with_reply: bool = True) -> JSON:
        msg: JSON = {"message_id": self.message_id, "date": self.date, "chat": self.chat.to_api()}
        if self.from_user is not None:
            msg["from"] = self.from_user
        if self.sender_chat is not None:
            msg["sender_chat"] = self.sender_chat
        if self.thread_id is not None:
            msg["message_thread_id"] = self.thread_id
            if self.chat.is_forum:
                msg["is_topic_message"] = True
        if with_reply and self.reply_to is not None:
            msg["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if self.text is not None:
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = self.entities
        if self.media:
            msg.update(self.media)
        if self.caption:
            msg["caption"] = self.caption
            if self.caption_entities:
                msg["caption_entities"] = self.caption_entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            msg["reply_markup"] = {"inline_keyboard": self.reply_markup["inline_keyboard"]}
        if self.extra:
            msg.update(self.extra)
        return msg

    def view(self) -> JSON:
        """A flat description for the sandbox and the control API."""
        return {
            "chat_id": self.chat.id,
            "message_id": self.message_id,
            "thread_id": self.thread_id,
            "from_bot": self.from_bot,
            "from": self.from_user,
            "date": self.date,
            "method": self.method,
            "text": self.text,
            "source_text": self.source_text,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "buttons": self.buttons,
            "media": self.media,
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "edit_date": self.edit_date,
            "edits": len(self.edits),
            "deleted": self.deleted,
            **self.extra,
        }


@dataclass(eq=False, slots=True)
class StoredFile:
    """A file Telegram holds: uploaded by a user or the bot, or known only by URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0

    def to_api(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass(eq=False, slots=True)
class RequestRecord:
    """One Bot API request: method (canonical name), params as received, and the outcome."""

    method: str
    params: JSON
    time: float  # wall clock (emulated), seconds since the epoch
    monotonic: float
    status: int = 0
    description: str | None = None
    duration: float = 0.0
    fault: str | None = None

    def view(self) -> JSON:
        return {
            "method": self.method,
            "params": {
                k: (repr(v) if isinstance(v, bytes | bytearray) else _plain(v))
                for k, v in self.params.items()
            },
            "time": self.time,
            "status": self.status,
            "description": self.description,
            "duration": self.duration,
            "fault": self.fault,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return repr(value)


@dataclass(eq=False, slots=True)
class SendRecord:
    """A send Telegram accepted (counts towards the flood limits)."""

    monotonic: float
    time: float
    chat_id: int
    method: str
    message_id: int


@dataclass(eq=False, slots=True)
class CallbackQueryRecord:
    """A button press; `answer` is filled when the bot calls answerCallbackQuery."""

    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answered: bool = False
    answer: JSON | None = None


@dataclass(eq=False, slots=True)
class InlineQueryRecord:
    """An inline query (`@bot query`); `results` are filled by answerInlineQuery."""

    id: str
    user_id: int
    query: str
    offset: str = ""
    answered: bool = False
    results: list[JSON] | None = None
    answer: JSON | None = None
