"""The Bot API methods the emulator implements, and the request pipeline around them.

One request goes: configured latency -> fault injection -> method lookup (404) -> field
validation against api.json (400) -> content checks (text, HTML, keyboards) -> chat checks
(400 chat not found, 403 blocked/kicked) -> flood limits (429) -> the method itself. Methods
not implemented here but present in api.json get a generic answer shaped by their return type,
so the bot can call them and tests can see that it did.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.emulator.content import Content, check_content
from bot.emulator.errors import NOT_FOUND, ApiError, bad_request, forbidden, too_many_requests
from bot.emulator.models import JSON, EmuChat, EmuMessage, RequestRecord, StoredFile
from bot.emulator.spec import MethodSpec, UploadedFile

if TYPE_CHECKING:
    from bot.emulator.emulator import TelegramEmulator

Handler = Callable[[JSON], Any]

MEDIA_FIELDS = (
    "document",
    "photo",
    "audio",
    "video",
    "animation",
    "voice",
    "video_note",
    "sticker",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
EDIT_METHODS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia"}
)
DELETE_WITHIN = 48 * 3600  # seconds
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
# Methods whose failures would only make the client's polling loop spin: never faulted.
UNFAULTED = frozenset({"getUpdates"})


def send_methods(spec_methods: dict[str, MethodSpec]) -> frozenset[str]:
    """Methods that put a new message into a chat: these count towards the flood limits."""
    names = {"forwardMessage", "forwardMessages", "copyMessage", "copyMessages"}
    for name, method in spec_methods.items():
        returns_message = method.returns and method.returns[0] in ("Message", "Array of Message")
        if name.startswith("send") and returns_message and "chat_id" in method.fields:
            names.add(name)
    return frozenset(names)


class BotApi:
    """Answers Bot API calls against a `TelegramEmulator`'s state."""

    def __init__(self, emulator: TelegramEmulator) -> None:
        self.emu = emulator
        self.spec = emulator.spec
        self.sends = send_methods(self.spec.methods)
        self.rng = random.Random(emulator.config.seed)
        self._handlers: dict[str, Handler] = {
            "getMe": lambda p: self.emu.bot_user,
            "logOut": lambda p: True,
            "close": lambda p: True,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": lambda p: self.emu.webhook_info(),
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendMessage": self.send_message,
            "forwardMessage": self.forward_message,
            "copyMessage": self.copy_message,
            "forwardMessages": lambda p: self.forward_messages(p, forward=True),
            "copyMessages": lambda p: self.forward_messages(p, forward=False),
            "sendMediaGroup": self.send_media_group,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": self.answer_inline_query,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "getFile": self.get_file,
            "leaveChat": self.leave_chat,
            "createForumTopic": self.create_forum_topic,
            "getMyName": lambda p: {"name": self.emu.config.bot_first_name},
        }

    # ------------------------------------------------------------------------------ pipeline

    async def handle(self, raw_method: str, params: JSON) -> tuple[int, JSON]:
        """Status and JSON body for one request, after latency and faults; logs the request."""
        emu = self.emu
        cfg = emu.config
        method_spec = self.spec.method(raw_method)
        name = method_spec.name if method_spec else raw_method
        record = RequestRecord(name, params, emu.wall(), emu.now())
        emu.counters.requests[name] += 1
        delay = cfg.latency_ms
        if cfg.latency_jitter_ms:
            delay += self.rng.uniform(0, cfg.latency_jitter_ms)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        fault = self._roll_fault(name) if method_spec is not None else None
        body: JSON
        if fault == "error":
            status, body = (
                500,
                {"ok": False, "error_code": 500, "description": "Internal Server Error"},
            )
        elif fault == "timeout":
            # logged before hanging: the client usually gives up and disconnects
            status, body = 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
        else:
            try:
                if method_spec is None:
                    raise NOT_FOUND
                result = await self.call(method_spec, params)
                status, body = 200, {"ok": True, "result": result}
            except ApiError as exc:
                status, body = exc.error_code, exc.to_json()
        record.fault = fault
        record.status = status
        record.description = body.get("description")
        record.duration = emu.now() - record.monotonic
        emu.record_request(record)
        if fault in ("timeout", "lost"):
            await emu.wait_closed(cfg.hang_seconds)
        return status, body

    def _roll_fault(self, method: str) -> str | None:
        cfg = self.emu.config
        if not (cfg.error_rate or cfg.timeout_rate or cfg.lost_response_rate):
            return None
        if cfg.fault_methods is not None:
            if method not in cfg.fault_methods:
                return None
        elif method in UNFAULTED:
            return None
        roll = self.rng.random()
        if roll < cfg.error_rate:
            return "error"
        roll -= cfg.error_rate
        if roll < cfg.timeout_rate:
            return "timeout"
        roll -= cfg.timeout_rate
        if roll < cfg.lost_response_rate:
            return "lost"
        return None

    async def call(self, method: MethodSpec, params: JSON) -> Any:
        """Validate and run one method (no latency, faults or logging)."""
        p = self.spec.normalize(method, params)
        if method.name == "getUpdates":
            return await self.emu.get_updates(p)
        handler = self._handlers.get(method.name)
        if handler is not None:
            return handler(p)
        return self.generic(method, p)

    # ---------------------------------------------------------------------------- chat checks

    def chat(self, p: JSON, key: str = "chat_id") -> EmuChat:
        return self.emu.resolve_chat(p[key])

    def writable_chat(self, p: JSON, key: str = "chat_id") -> EmuChat:
        """The target chat if the bot may post there: 400 chat not found, 403 blocked, ..."""
        chat = self.chat(p, key)
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.is_private:
            user = self.emu.users[chat.id]
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return chat
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        if chat.type == "channel" and (
            chat.bot_status != "administrator" or not chat.bot_rights.get("can_post_messages", True)
        ):
            raise bad_request("need administrator rights in the channel chat")
        return chat

    def thread(self, chat: EmuChat, p: JSON) -> int | None:
        thread_id = p.get("message_thread_id")
        if thread_id is None or (chat.is_forum and thread_id == 1):
            return None
        if chat.is_forum and thread_id in chat.topics:
            return int(thread_id)
        if not chat.is_forum and not chat.is_private and thread_id in chat.by_id:
            return int(thread_id)
        raise bad_request("message thread not found")

    def reply_target(self, chat: EmuChat, p: JSON) -> EmuMessage | None:
        reply = p.get("reply_parameters")
        if not reply:
            return None
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = chat
        if reply.get("chat_id") is not None:
            target_chat = self.emu.resolve_chat(reply["chat_id"])
        target = target_chat.by_id.get(int(reply["message_id"]))
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target

    def limit(self, chat: EmuChat, p: JSON, *, edit: bool = False) -> None:
        retry_after = self.emu.limiter.acquire(
            chat.id,
            chat.is_private,
            self.emu.now(),
            paid=bool(p.get("allow_paid_broadcast")),
            edit=edit,
        )
        if retry_after is not None:
            self.emu.counters.too_many_requests += 1
            raise too_many_requests(retry_after)

    # -------------------------------------------------------------------------------- sending

    def _content(self, method: str, p: JSON) -> Content:
        return check_content(method, p, strict_ampersand=self.emu.config.strict_html_ampersand)

    def send_message(self, p: JSON) -> JSON:
        content = self._content("sendMessage", p)
        chat = self.writable_chat(p)
        thread_id = self.thread(chat, p)
        reply_to = self.reply_target(chat, p)
        self.limit(chat, p)
        message = self.emu.add_bot_message(
            chat,
            "sendMessage",
            p,
            text=content.text,
            entities=content.entities,
            reply_markup=content.reply_markup,
            thread_id=thread_id,
            reply_to=reply_to,
        )
        return message.to_api()

    def send_generic(self, method: str, p: JSON) -> JSON:
        """sendDocument, sendPhoto, sendLocation...: a message with the media and caption."""
        content = self._content(method, p)
        chat = self.writable_chat(p)
        thread_id = self.thread(chat, p)
        reply_to = self.reply_target(chat, p)
        media = self._media(method, p)
        self.limit(chat, p)
        message = self.emu.add_bot_message(
            chat,
            method,
            p,
            caption=content.caption,
            caption_entities=content.caption_entities,
            reply_markup=content.reply_markup,
            thread_id=thread_id,
            reply_to=reply_to,
            media=media,
        )
        return message.to_api()

    def _media(self, method: str, p: JSON) -> JSON:
        for field in MEDIA_FIELDS:
            value = p.get(field)
            if value is None:
                continue
            stored = self._input_file(value, field)
            base: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
            if stored.data is not None:
                base["file_size"] = stored.size
            if field == "photo":
                return {"photo": [{**base, "width": 1280, "height": 720}]}
            if field == "document":
                if stored.file_name:
                    base["file_name"] = stored.file_name
                if stored.mime_type:
                    base["mime_type"] = stored.mime_type
                return {"document": base}
            if field in ("video", "animation"):
                return {field: {**base, "width": 1280, "height": 720, "duration": 0}}
            if field in ("audio", "voice"):
                return {field: {**base, "duration": 0}}
            if field == "video_note":
                return {field: {**base, "length": 240, "duration": 0}}
            sticker = {"type": "regular", "width": 512, "height": 512}
            return {field: {**base, **sticker, "is_animated": False, "is_video": False}}
        return {}

    def _input_file(self, value: Any, kind: str) -> StoredFile:
        emu = self.emu
        if isinstance(value, UploadedFile):
            return emu.store_file(value.data, value.filename, value.content_type or None, kind)
        if isinstance(value, str) and value.startswith("attach://"):
            raise bad_request(f"file {value!r} not found in the request")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return emu.store_url(value, kind)
        stored = emu.files.get(str(value))
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def send_media_group(self, p: JSON) -> list[JSON]:
        chat = self.writable_chat(p)
        thread_id = self.thread(chat, p)
        items = p["media"]
        if not 2 <= len(items) <= 10:
            raise bad_request("wrong number of media items (2-10)")
        self.limit(chat, p)
        group_id = str(self.emu.next_id())
        sent: list[JSON] = []
        for item in items:
            caption = item.get("caption") if isinstance(item, dict) else None
            message = self.emu.add_bot_message(
                chat,
                "sendMediaGroup",
                p,
                caption=caption,
                thread_id=thread_id,
                extra={"media_group_id": group_id},
                count_send=not sent,
            )
            sent.append(message.to_api())
        return sent

    def forward_message(self, p: JSON) -> JSON:
        source = self._source_message(p, p["message_id"], "forward")
        chat = self.writable_chat(p)
        thread_id = self.thread(chat, p)
        self.limit(chat, p)
        message = self._copy_of(source, chat, "forwardMessage", p, thread_id, forward=True)
        return message.to_api()

    def copy_message(self, p: JSON) -> JSON:
        source = self._source_message(p, p["message_id"], "copy")
        content = self._content("copyMessage", p)
        chat = self.writable_chat(p)
        thread_id = self.thread(chat, p)
        self.limit(chat, p)
        message = self._copy_of(source, chat, "copyMessage", p, thread_id, forward=False)
        if content.caption is not None:
            message.caption = content.caption or None
            message.caption_entities = content.caption_entities or []
        if content.reply_markup is not None:
            message.reply_markup = content.reply_markup
        return {"message_id": message.message_id}

    def forward_messages(self, p: JSON, *, forward: bool) -> list[JSON]:
        ids = p["message_ids"]
        sources = [self._source_message(p, mid, "forward" if forward else "copy") for mid in ids]
        chat = self.writable_chat(p)
        thread_id = self.thread(chat, p)
        self.limit(chat, p)
        result = []
        for index, source in enumerate(sources):
            message = self._copy_of(
                source,
                chat,
                "forwardMessages" if forward else "copyMessages",
                p,
                thread_id,
                forward=forward,
                count=index == 0,
            )
            result.append({"message_id": message.message_id})
        return result

    def _source_message(self, p: JSON, message_id: Any, verb: str) -> EmuMessage:
        source_chat = self.chat(p, "from_chat_id")
        source = source_chat.by_id.get(int(message_id))
        if source is None or source.deleted:
            raise bad_request(f"message to {verb} not found")
        return source

    def _copy_of(
        self,
        source: EmuMessage,
        chat: EmuChat,
        method: str,
        p: JSON,
        thread_id: int | None,
        *,
        forward: bool,
        count: bool = True,
    ) -> EmuMessage:
        extra: JSON = {}
        if forward:
            if source.chat.type == "channel":
                origin: JSON = {
                    "type": "channel",
                    "date": source.date,
                    "chat": source.chat.to_api(),
                    "message_id": source.message_id,
                }
            elif source.from_user is not None:
                origin = {"type": "user", "date": source.date, "sender_user": source.from_user}
            else:
                origin = {"type": "chat", "date": source.date, "sender_chat": source.chat.to_api()}
            extra["forward_origin"] = origin
        return self.emu.add_bot_message(
            chat,
            method,
            p,
            text=source.text,
            entities=list(source.entities),
            caption=source.caption,
            caption_entities=list(source.caption_entities),
            media=dict(source.media),
            thread_id=thread_id,
            extra=extra,
            count_send=count,
        )

    # -------------------------------------------------------------------------------- editing

    def _editable(self, p: JSON) -> EmuMessage | None:
        """The bot's message an edit targets, or None for an inline message."""
        if p.get("inline_message_id"):
            return None
        if p.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if p.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self.writable_chat(p)
        message = chat.by_id.get(int(p["message_id"]))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: EmuMessage, p: JSON, changes: JSON) -> JSON:
        current = {key: getattr(message, key) for key in changes}
        if current == changes:
            raise bad_request(NOT_MODIFIED)
        self.limit(message.chat, p, edit=True)
        message.edits.append(
            {
                "date": message.edit_date or message.date,
                "text": message.text,
                "source_text": message.source_text,
                "parse_mode": message.parse_mode,
                "caption": message.caption,
                "reply_markup": message.reply_markup,
            }
        )
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(self.emu.wall())
        self.emu.notify()
        return message.to_api()

    def edit_message_text(self, p: JSON) -> JSON | bool:
        content = self._content("editMessageText", p)
        message = self._editable(p)
        if message is None:
            return True
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        changes = {
            "text": content.text,
            "entities": content.entities,
            "reply_markup": content.reply_markup,
        }
        result = self._apply_edit(message, p, changes)
        message.source_text = p["text"]
        message.parse_mode = p.get("parse_mode")
        return result

    def edit_message_caption(self, p: JSON) -> JSON | bool:
        content = self._content("editMessageCaption", p)
        message = self._editable(p)
        if message is None:
            return True
        if message.text is not None:
            raise bad_request("there is no caption in the message to edit")
        changes = {
            "caption": content.caption or None,
            "caption_entities": content.caption_entities or [],
            "reply_markup": content.reply_markup,
        }
        return self._apply_edit(message, p, changes)

    def edit_message_reply_markup(self, p: JSON) -> JSON | bool:
        content = self._content("editMessageReplyMarkup", p)
        message = self._editable(p)
        if message is None:
            return True
        markup = content.reply_markup
        if markup is not None and not markup.get("inline_keyboard"):
            markup = None
        return self._apply_edit(message, p, {"reply_markup": markup})

    def delete_message(self, p: JSON) -> bool:
        chat = self.chat(p)
        self._delete(chat, int(p["message_id"]))
        self.emu.notify()
        return True

    def delete_messages(self, p: JSON) -> bool:
        chat = self.chat(p)
        ids = p["message_ids"]
        if not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            message = chat.by_id.get(int(message_id))
            if message is not None and not message.deleted:
                message.deleted = True
        self.emu.notify()
        return True

    def _delete(self, chat: EmuChat, message_id: int) -> None:
        message = chat.by_id.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if not message.from_bot and not chat.is_private and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        # A bot deletes messages for 48 hours after they were sent (api.json: deleteMessage).
        if self.emu.wall() - message.date > DELETE_WITHIN and not (
            chat.type in ("supergroup", "channel") and chat.bot_status == "administrator"
        ):
            raise bad_request("message can't be deleted for everyone")
        message.deleted = True

    # -------------------------------------------------------------------------------- queries

    def answer_callback_query(self, p: JSON) -> bool:
        query = self.emu.callback_queries.get(str(p["callback_query_id"]))
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        if len(p.get("text", "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {k: v for k, v in p.items() if k != "callback_query_id"}
        self.emu.notify()
        return True

    def answer_inline_query(self, p: JSON) -> bool:
        query = self.emu.inline_queries.get(str(p["inline_query_id"]))
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        results = p["results"]
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict) or "type" not in result or "id" not in result:
                raise bad_request("can't parse InlineQueryResult JSON object")
            result_id = str(result["id"])
            if not 1 <= len(result_id.encode()) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            if "reply_markup" in result:
                self._content("answerInlineQuery", {"reply_markup": result["reply_markup"]})
        query.answered = True
        query.results = list(results)
        query.answer = {k: v for k, v in p.items() if k not in ("inline_query_id", "results")}
        self.emu.notify()
        return True

    # ----------------------------------------------------------------------- chats and files

    def send_chat_action(self, p: JSON) -> bool:
        chat = self.writable_chat(p)
        self.thread(chat, p)
        if p["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.emu.chat_actions.append((chat.id, p["action"], self.emu.wall()))
        return True

    def get_chat(self, p: JSON) -> JSON:
        return self.chat(p).to_full_info()

    def get_chat_member(self, p: JSON) -> JSON:
        chat = self.chat(p)
        user_id = int(p["user_id"])
        return self.emu.chat_member(chat, user_id)

    def get_chat_administrators(self, p: JSON) -> list[JSON]:
        chat = self.chat(p)
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        admins = [
            self.emu.chat_member(chat, user_id)
            for user_id, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(self.emu.chat_member(chat, self.emu.bot_id))
        return admins

    def get_chat_member_count(self, p: JSON) -> int:
        chat = self.chat(p)
        if chat.is_private:
            return 2
        present = ("creator", "administrator", "member")
        count = sum(1 for status in chat.members.values() if status in present)
        return count + (1 if chat.bot_status in ("member", "administrator") else 0)

    def leave_chat(self, p: JSON) -> bool:
        chat = self.chat(p)
        if chat.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_status = "left"
        return True

    def create_forum_topic(self, p: JSON) -> JSON:
        chat = self.writable_chat(p)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        thread_id = self.emu.create_topic(chat.id, p["name"], by_bot=True)
        return {
            "message_thread_id": thread_id,
            "name": p["name"],
            "icon_color": p.get("icon_color", 7322096),
        }

    def get_file(self, p: JSON) -> JSON:
        stored = self.emu.files.get(str(p["file_id"]))
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if stored.size > self.emu.config.max_download_size:
            raise bad_request("file is too big")
        return stored.to_api()

    # ----------------------------------------------------------------------------- settings

    def set_webhook(self, p: JSON) -> bool:
        url = p.get("url", "")
        if url and not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.emu.set_webhook(
            url,
            secret_token=p.get("secret_token"),
            allowed_updates=p.get("allowed_updates"),
            drop_pending=bool(p.get("drop_pending_updates")),
            max_connections=int(p.get("max_connections", 40)),
        )
        return True

    def delete_webhook(self, p: JSON) -> bool:
        self.emu.set_webhook("", drop_pending=bool(p.get("drop_pending_updates")))
        return True

    @staticmethod
    def _commands_key(p: JSON) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code", "")

    def set_my_commands(self, p: JSON) -> bool:
        commands = [
            {"command": c["command"].lstrip("/"), "description": c["description"]}
            for c in p["commands"]
        ]
        self.emu.bot_commands[self._commands_key(p)] = commands
        return True

    def get_my_commands(self, p: JSON) -> list[JSON]:
        return self.emu.bot_commands.get(self._commands_key(p), [])

    def delete_my_commands(self, p: JSON) -> bool:
        self.emu.bot_commands.pop(self._commands_key(p), None)
        return True

    # -------------------------------------------------------------------------------- generic

    def generic(self, method: MethodSpec, p: JSON) -> Any:
        """Any other api.json method: checked and recorded, answered by its return type."""
        name = method.name
        if name in self.sends:
            return self.send_generic(name, p)
        self._content(name, p)
        if "chat_id" in p and "Integer" in method.fields["chat_id"].types:
            self.chat(p)
        returns = method.returns[0] if method.returns else "Boolean"
        if returns == "Message" and p.get("chat_id") is not None and p.get("message_id"):
            message = self.chat(p).by_id.get(int(p["message_id"]))
            if message is None or message.deleted:
                raise bad_request("message to edit not found")
            message.edit_date = int(self.emu.wall())
            return message.to_api()
        if returns == "Message" and "Boolean" in method.returns:
            return True
        return self.spec.synthesize(returns, self.emu.bot_sender)
