"""A sandbox session: lines of input in, what the user sees out.

`sandbox_session(settings, lines, out)` starts the stack (`stack.py`), then acts on each line
as the current user (or as a sandbox command, `commands.py`), waits until the bot has handled
it, and shows the bot's answers (`screen.py`). The terminal (`terminal.py`) and the tests
drive this same function with their own input and output.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.config import Settings
from bot.emulator import EmuMessage
from bot.sandbox import commands, display, identities
from bot.sandbox.display import Style
from bot.sandbox.screen import Output, Screen
from bot.sandbox.stack import ForeignDatabase, Stack, describe_database

T = TypeVar("T")
# When a group is created the bot hears it was added; it may say hello, or not.
GREETING_TIMEOUT = 1.0


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str


def sample_report() -> Path | None:
    """A daily report among the test fixtures to suggest uploading, in a checkout."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        found = sorted((root / "tests" / "fixtures" / "ingest").glob("report_*"))
        if found:
            with contextlib.suppress(ValueError):
                return found[0].relative_to(Path.cwd())
            return found[0]
    return None


def banner(settings: Settings, style: Style) -> str:
    report = sample_report()
    upload = f"  :upload {report}\n                         post a daily report file\n"
    return (
        f"{style.strong('digestbot sandbox')}: the bot, a local Telegram and the scheduler in "
        "one process.\n"
        f"Database: {describe_database(settings.database_url)} (kept between sessions). "
        "Telegram's flood limits are on.\n"
        f'You are "{identities.FIRST_USER}" (id {identities.FIRST_USER_ID}) in a private chat '
        "with the bot: type what a user would type. Lines starting with : are for the sandbox.\n"
        "Try:\n"
        "  /start                 the welcome\n"
        "  /subscribe             region buttons: type 1, 2... to press one\n"
        "  :editor                become an editor, then /post <article text> for a preview\n"
        f"{upload if report else ''}"
        "  :user bob              become someone else;  :group newsroom  talk in a group\n"
        "  :help                  every sandbox command;  :quit (or Ctrl-D) to leave"
    )


def describe_duration(delta: dt.timedelta) -> str:
    """1 d 2 h 5 min, for the user (timedelta's own str reads "1 day, 2:05:00")."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount} {unit}")
    return " ".join(parts) or "0 s"


class Sandbox:
    """Who the user is, where they are, and what each command does."""

    def __init__(
        self,
        settings: Settings,
        out: Output,
        *,
        style: Style | None = None,
        port: int = 0,
        reply_timeout: float = 10.0,
    ) -> None:
        self.style = style or Style()
        self.stack = Stack(settings, port=port)
        self.emulator = self.stack.emulator
        self.screen = Screen(self.emulator, out, self.style)
        self.reply_timeout = reply_timeout
        self.user = Person(identities.FIRST_USER_ID, identities.FIRST_USER)
        self._paste: list[str] | None = None
        self._answered_prompts: set[tuple[int, int]] = set()
        self._watcher: asyncio.Task[None] | None = None

    @property
    def chat_id(self) -> int:
        return self.screen.chat_id

    @chat_id.setter
    def chat_id(self, chat_id: int) -> None:
        self.screen.chat_id = chat_id

    def note(self, text: str) -> None:
        self.screen.note(text)

    async def start(self) -> None:
        await self.stack.start(ready_timeout=self.reply_timeout)
        if self.stack.site_url:
            self.note(f"Website: {self.stack.site_url}")
        for user in self.emulator.users.values():  # restored from earlier sessions
            self.screen.names[user.id] = user.first_name
        self._become(identities.FIRST_USER)
        self._watcher = asyncio.create_task(self.screen.watch(), name="sandbox-screen")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await self.stack.stop()

    # ------------------------------------------------------------------------ where we are

    @property
    def in_group(self) -> bool:
        return self.chat_id != self.user.id

    def prompt(self) -> str:
        if not self.in_group:
            return f"{self.user.name} › "
        return f"{self.user.name} in {self.emulator.chats[self.chat_id].title} › "

    def where(self) -> str:
        who = f"{self.user.name} (id {self.user.id})"
        if not self.in_group:
            return f"{who}, in the private chat with the bot"
        chat = self.emulator.chats[self.chat_id]
        role = "an admin" if chat.members.get(self.user.id) == "administrator" else "a member"
        return f"{who}, {role} of the group «{chat.title}»"

    def _become(self, name: str) -> bool:
        """Be `name`, in their private chat; True if they are new to this Telegram."""
        user_id = identities.user_id(name)
        new = user_id not in self.emulator.users
        self.emulator.add_user(user_id, name, username=identities.username(name))
        self.user = Person(user_id, name)
        self.screen.names[user_id] = name
        self.chat_id = user_id
        return new

    # ------------------------------------------------------------------------------ input

    async def handle_line(self, line: str) -> bool:
        """Act on one line of input; False when the session should end."""
        if self._paste is not None:
            if line.strip() != ".":
                self._paste.append(line.rstrip("\r\n"))
                return True
            await self._send_paste()
            return True
        command = commands.parse(line)
        return True if command is None else await self.handle(command)

    async def finish(self, *, drain: bool) -> None:
        """The input ended: send a paste in progress; with `drain`, let the outbox empty."""
        await self._send_paste()
        if drain:
            await self.stack.drain(self.reply_timeout)
        self.screen.flush()
        # The emulator checks every request against the Bot API's contract: say so if the bot
        # broke it (a newcomer's change that real Telegram would refuse).
        problems = self.emulator.invalid_requests()
        if problems:
            record, why = problems[0]
            self.note(
                f"the bot sent {len(problems)} request(s) Telegram would refuse, "
                f"such as {record.method}: {why}"
            )

    async def handle(self, command: commands.Command) -> bool:
        match command:
            case commands.Quit():
                return False
            case commands.Help():
                self.screen.out(commands.HELP)
            case commands.Invalid(reason):
                self.note(reason)
            case commands.Send(text):
                await self._send(text)
            case commands.Reply(text):
                await self._reply(text)
            case commands.Press(choice):
                await self._press(choice)
            case commands.SwitchUser(name):
                new = name is not None and self._become(" ".join(name.split()))
                self.note(f"you are {self.where()}" + (": new here, try /start" if new else ""))
                self.screen.flush()
            case commands.MakeEditor(on):
                await self._make_editor(on)
            case commands.EnterGroup(name, admin):
                await self._enter_group(" ".join(name.split()), admin)
            case commands.EnterPrivate():
                self.chat_id = self.user.id
                self.note(f"you are {self.where()}")
                self.screen.flush()
            case commands.Upload(path, caption):
                await self._upload(path, caption)
            case commands.Paste():
                self._paste = []
                self.note('paste mode: the lines that follow are one message; end with "."')
            case commands.Language(code):
                self.emulator.add_user(self.user.id, language_code=code)
                self.note(
                    f"{self.user.name}'s Telegram speaks {code!r} now: the bot goes by it for "
                    "chats it has not met (in a chat it knows, /language changes it)"
                )
            case commands.MoveTime(by):
                await self._move_time(by)
            case commands.WaitForDeliveries():
                await self._wait_for_deliveries()
        return True

    # ------------------------------------------------------------------- acting as the user

    async def _settle(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait for the bot to handle what the user did, then show its answers."""
        done = await self.stack.settle(self.reply_timeout if timeout is None else timeout)
        if not done and timeout is None:
            self.note("the bot is still busy: its answer will show when it comes")
        self.screen.flush()

    async def _send(self, text: str, *, reply_to: int | None = None) -> None:
        if reply_to is None and not text.startswith("/"):
            reply_to = self._pending_prompt()
        group = self.chat_id if self.in_group else None
        self.emulator.send_message(self.user.id, text, chat_id=group, reply_to=reply_to)
        if reply_to is not None:
            self._answered_prompts.add((self.chat_id, reply_to))
        elif group is not None and not text.startswith("/") and "@" not in text:
            self.note(
                "in groups the bot sees only commands, mentions and replies to it (privacy "
                "mode): use a /command, or :reply TEXT"
            )
            return
        await self._settle()

    async def _send_paste(self) -> None:
        text, self._paste = "\n".join(self._paste or ()).strip(), None
        if text:
            await self._send(text)

    def _pending_prompt(self) -> int | None:
        """The bot's latest request for a reply (ForceReply), if not answered yet: what the
        user types next answers it, as in Telegram's apps."""
        for message in reversed(self.emulator.messages(self.chat_id, include_deleted=False)):
            if (message.reply_markup or {}).get("force_reply"):
                key = (self.chat_id, message.message_id)
                return None if key in self._answered_prompts else message.message_id
        return None

    async def _reply(self, text: str) -> None:
        last = self.emulator.last_message(self.chat_id)
        if last is None:
            self.note("the bot has not written here yet: nothing to reply to")
            return
        await self._send(text, reply_to=last.message_id)

    def _keyboard_message(self) -> EmuMessage | None:
        for message in reversed(self.emulator.messages(self.chat_id, include_deleted=False)):
            if message.buttons or message.reply_keyboard:
                return message
        return None

    async def _press(self, choice: int | str) -> None:
        message = self._keyboard_message()
        if message is None:
            self.note("no message with buttons here")
            return
        if not message.buttons:  # a reply keyboard: a key sends its text
            keys = [key for row in message.reply_keyboard for key in row]
            key = _pick(keys, choice, lambda k: k)
            if key is None:
                self.note(f"no key {choice!r}: the keyboard has {len(keys)}")
            else:
                await self._send(key)
            return
        flat = [button for row in message.buttons for button in row]
        button = _pick(flat, choice, lambda b: str(b.get("text", "")))
        if button is None:
            self.note(f"no button {choice!r}: the latest message with buttons has {len(flat)}")
            return
        if "callback_data" not in button:
            url = button.get("url")
            self.note(f"that button opens {url}" if url else "that button does nothing here")
            return
        query = self.emulator.press_button(
            self.user.id, self.chat_id, message.message_id, data=button["callback_data"]
        )
        await self._settle()
        if not query.answered:
            self.note("the bot has not answered the button press (yet)")
            return
        answer = display.callback_answer(query.answer, self.style)
        if answer:
            self.screen.out(answer)

    async def _make_editor(self, on: bool) -> None:
        from bot.editorial.permissions import (
            EditorChange,
            EditorTarget,
            Role,
            add_editor,
            remove_editor,
        )

        services = self.stack.services
        target = EditorTarget(self.user.id, None)
        await services.known_users.flush()
        async with services.session_factory() as session, session.begin():
            # A publisher: the sandbox is for trying everything, publishing included.
            if on:
                result = await add_editor(
                    session, services.settings, target, actor_id=self.user.id, role=Role.PUBLISHER
                )
            else:
                result = await remove_editor(
                    session, services.settings, target, actor_id=self.user.id
                )
        name = self.user.name
        said = {
            EditorChange.ADDED: (
                f"{name} is an editor now: try /post <article text>, :upload FILE, /stats "
                "(/help lists the editor commands)"
            ),
            EditorChange.ALREADY: f"{name} is an editor already",
            EditorChange.REMOVED: f"{name} is no longer an editor",
            EditorChange.NOT_AN_EDITOR: f"{name} was not an editor",
            EditorChange.IS_ADMIN: f"{name} is in ADMIN_IDS, which only the configuration changes",
        }
        self.note(said.get(result.outcome, str(result.outcome)))

    async def _enter_group(self, name: str, admin: bool) -> None:
        chat_id = identities.group_id(name)
        role = "administrator" if admin else "member"
        new = chat_id not in self.emulator.chats
        if new:
            self.emulator.create_group(
                name,
                chat_id=chat_id,
                admins=[self.user.id] if admin else (),
                members=() if admin else [self.user.id],
                announce=True,  # the bot is told it was added, as on Telegram
            )
        else:
            self.emulator.add_member(chat_id, self.user.id, role)
        self.chat_id = chat_id
        self.note(
            f"you are {self.where()}"
            + ("; the bot was just added to it" if new else "")
            + ". The bot sees commands here: try /subscribe"
        )
        if new:
            await self._settle(GREETING_TIMEOUT)
        self.screen.flush()

    async def _upload(self, path: str, caption: str | None) -> None:
        file = Path(path)
        try:
            data = await asyncio.to_thread(lambda: file.expanduser().read_bytes())
        except OSError as exc:
            self.note(f"cannot read {path}: {exc.strerror or exc}")
            return
        group = self.chat_id if self.in_group else None
        self.emulator.send_document(self.user.id, data, file.name, caption=caption, chat_id=group)
        await self._settle()

    # ------------------------------------------------------------------------ time, outbox

    async def _move_time(self, by: dt.timedelta | None) -> None:
        if by is not None:
            summaries, published = await self.stack.advance(by)
            if summaries:
                self.note(f"daily summaries queued: {summaries}")
            if published:
                self.note(f"published on schedule: {', '.join(published)}")
        clock = self.stack.clock
        now = clock().replace(microsecond=0)
        ahead = f" ({describe_duration(clock.offset)} ahead)" if clock.offset else ""
        self.note(f"the bot's time is {now:%Y-%m-%d %H:%M} UTC{ahead}")
        if by is not None:
            await self._wait_for_deliveries(quiet=True)

    async def _wait_for_deliveries(self, *, quiet: bool = False) -> None:
        left = await self.stack.drain(self.reply_timeout)
        self.screen.flush()
        if left:
            self.note(f"{left} still queued (the flood limits pace sends): they show as they go")
        elif not quiet:
            self.note("nothing is waiting to be delivered")


def _pick(items: list[T], choice: int | str, label: Callable[[T], str]) -> T | None:
    """Item number `choice` (from 1), or the first whose label is, else contains, `choice`."""
    if isinstance(choice, int):
        return items[choice - 1] if 1 <= choice <= len(items) else None
    wanted = choice.casefold()
    exact = next((item for item in items if label(item).casefold() == wanted), None)
    return exact or next((item for item in items if wanted in label(item).casefold()), None)


async def sandbox_session(
    settings: Settings,
    lines: AsyncIterator[str],
    out: Output,
    *,
    port: int = 0,
    style: Style | None = None,
    echo: bool = True,
    reply_timeout: float = 10.0,
    drain_at_eof: bool = True,
    on_prompt: Callable[[str], None] | None = None,
) -> int:
    """Run a sandbox until `lines` ends or says :quit; returns the exit code.

    `echo` repeats each line after the prompt (piped input, transcripts); `on_prompt` is told
    the prompt before each line is read (the terminal shows it); `drain_at_eof` waits (up to
    `reply_timeout`) for queued deliveries when the input ends without :quit.
    """
    style = style or Style()
    sandbox = Sandbox(settings, out, style=style, port=port, reply_timeout=reply_timeout)
    try:
        try:
            await sandbox.start()
        except ForeignDatabase as exc:
            out(f"digestbot sandbox: {exc}")
            return 2
        except OSError as exc:  # the port is taken, the database server is unreachable...
            out(f"digestbot sandbox: could not start: {exc}")
            return 1
        out(banner(settings, style))
        quit_asked = False
        try:
            if on_prompt is not None:
                on_prompt(sandbox.prompt())
            async for line in lines:
                if echo:
                    out(style.dim(sandbox.prompt()) + line.rstrip("\r\n"))
                if not await sandbox.handle_line(line):
                    quit_asked = True
                    break
                if on_prompt is not None:
                    on_prompt(sandbox.prompt())
        finally:
            close = getattr(lines, "aclose", None)
            if close is not None:
                await close()
        await sandbox.finish(drain=drain_at_eof and not quit_asked)
        return 0
    finally:
        await sandbox.stop()
