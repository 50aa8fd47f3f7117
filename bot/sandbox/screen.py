"""What the terminal shows of the emulated Telegram: the bot's messages in the chat the user
is in (new ones, and again with "(edited)" when the bot edits one), and a one-line notice for
messages to other chats, which are shown when the user goes there (as opening a chat does).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from bot.emulator import EmuMessage, TelegramEmulator
from bot.sandbox import display
from bot.sandbox.display import Style

log = logging.getLogger(__name__)

Output = Callable[[str], None]
State = tuple[int, bool]  # (number of edits, deleted)


def _state(message: EmuMessage) -> State:
    return (len(message.edits), message.deleted)


class Screen:
    def __init__(self, emulator: TelegramEmulator, out: Output, style: Style) -> None:
        self.emulator = emulator
        self.out = out
        self.style = style
        self.chat_id = 0  # the chat the user is looking at
        self.names: dict[int, str] = {}  # user id -> the name to switch to them
        # (chat id, message id) -> state when last shown / announced
        self._shown: dict[tuple[int, int], State] = {}
        self._announced: dict[tuple[int, int], State] = {}

    def note(self, text: str) -> None:
        """A line from the sandbox itself, not from the bot."""
        self.out(self.style.dim(f"· {text}"))

    def has_news(self) -> bool:
        for chat in self.emulator.chats.values():
            seen = self._shown if chat.id == self.chat_id else self._announced
            for message in chat.messages:
                key = (chat.id, message.message_id)
                if message.from_bot and seen.get(key) != _state(message):
                    return True
        return False

    def flush(self) -> None:
        """Show what changed in the current chat; announce what changed elsewhere."""
        elsewhere: Counter[int] = Counter()
        for chat in list(self.emulator.chats.values()):
            for message in chat.messages:
                if not message.from_bot:
                    continue
                key, state = (chat.id, message.message_id), _state(message)
                if chat.id == self.chat_id:
                    before = self._shown.get(key)
                    if before == state:
                        continue
                    self._shown[key] = self._announced[key] = state
                    if before is None and message.deleted:
                        continue  # came and went while the user looked elsewhere
                    self.out(display.render(message, self.style, edited=before is not None))
                elif self._announced.get(key) != state:
                    self._announced[key] = state
                    if not message.deleted:
                        elsewhere[chat.id] += 1
        for chat_id, count in elsewhere.items():
            self.note(self._elsewhere(chat_id, count))

    def _elsewhere(self, chat_id: int, count: int) -> str:
        what = "1 new message" if count == 1 else f"{count} new messages"
        if chat_id > 0:
            user = self.emulator.users.get(chat_id)
            name = self.names.get(chat_id) or (user.first_name if user else str(chat_id))
            return f"{what} for {name} (:user {name} to read)"
        title = self.emulator.chats[chat_id].title or str(chat_id)
        return f"{what} in the group «{title}» (:group {title} to read)"

    async def watch(self) -> None:
        """Show the bot's messages as they come: the outbox, summaries, late replies."""
        while True:
            try:
                await self.emulator.wait_until(self.has_news, 3600.0)
            except TimeoutError:
                continue
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - showing one message must not end the session
                log.exception("sandbox: could not show a message")
