"""The sandbox's own commands: a line starting with a colon (or a bare number) is for the
sandbox, everything else is something the current user types to the bot.

Parsing is a pure function from a line to a command object, so the terminal session only
dispatches.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass

HELP = """\
Sandbox commands (everything else is sent to the bot as the current user):
  N  or  :press N       press button N of the latest message with buttons (:press Publish
                        picks a button by its text); with a reply keyboard, send button N
  :user NAME            become NAME, in their private chat with the bot (created on first
                        use, the same id every session); :user alone says who and where
  :editor [off]         make the current user an editor (or not): /post, /digest, /stats...
  :group NAME [member]  talk in group NAME as an admin (or as a plain member)
  :private              back to the current user's private chat with the bot
  :upload PATH [TEXT]   send a file (TEXT as its caption), e.g. a daily report to post
  :reply TEXT           answer the bot's latest message (a reply, as Telegram's Reply)
  :paste                several lines as one message; end with a line holding only "."
  :send TEXT            send TEXT as it is (for text that starts with ":" or is a number)
  :lang en|zh           the current user's Telegram language (for users new to the bot)
  :time [+1h]           move the bot's clock forward (daily summaries, scheduled posts)
  :wait                 wait until everything queued for delivery has gone out
  :help                 this list
  :quit                 leave (Ctrl-D or Ctrl-C too); the database keeps everything"""


@dataclass(frozen=True, slots=True)
class Send:
    text: str


@dataclass(frozen=True, slots=True)
class Press:
    choice: int | str  # a 1-based button number, or (part of) a button's text


@dataclass(frozen=True, slots=True)
class SwitchUser:
    name: str | None  # None: only say who and where the user is


@dataclass(frozen=True, slots=True)
class MakeEditor:
    on: bool = True


@dataclass(frozen=True, slots=True)
class EnterGroup:
    name: str
    admin: bool = True


@dataclass(frozen=True, slots=True)
class EnterPrivate:
    pass


@dataclass(frozen=True, slots=True)
class Upload:
    path: str
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    text: str


@dataclass(frozen=True, slots=True)
class Paste:
    pass


@dataclass(frozen=True, slots=True)
class Language:
    code: str


@dataclass(frozen=True, slots=True)
class MoveTime:
    by: dt.timedelta | None  # None: only show the bot's time


@dataclass(frozen=True, slots=True)
class WaitForDeliveries:
    pass


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Quit:
    pass


@dataclass(frozen=True, slots=True)
class Invalid:
    reason: str


Command = (
    Send
    | Press
    | SwitchUser
    | MakeEditor
    | EnterGroup
    | EnterPrivate
    | Upload
    | Reply
    | Paste
    | Language
    | MoveTime
    | WaitForDeliveries
    | Help
    | Quit
    | Invalid
)

_DURATION_PART = re.compile(r"(\d+)\s*(d|h|m|min|s)", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "min": "minutes", "s": "seconds"}
_LANGUAGES = ("en", "zh")


def parse_duration(text: str) -> dt.timedelta | None:
    """ "+1h", "90m", "+1d2h", "1h 30m" -> a positive timedelta; None if it is not one."""
    body = text.strip().removeprefix("+").strip()
    if not body or _DURATION_PART.sub("", body).strip():
        return None
    delta = dt.timedelta()
    for amount, unit in _DURATION_PART.findall(body):
        delta += dt.timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return delta if delta > dt.timedelta() else None


def parse(line: str) -> Command | None:
    """The command a line of input means; None for a blank line."""
    text = line.rstrip("\r\n")
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.isdigit():
        return Press(int(stripped))
    if not stripped.startswith(":"):
        return Send(text.strip())
    name, _, rest = stripped[1:].partition(" ")
    name, rest = name.lower(), rest.strip()
    match name:
        case "help" | "h" | "?":
            return Help()
        case "quit" | "q" | "exit":
            return Quit()
        case "press" | "p":
            if not rest:
                return Invalid("which button? :press 1, or :press Publish")
            return Press(int(rest) if rest.isdigit() else rest)
        case "user" | "u":
            return SwitchUser(rest or None)
        case "editor":
            if rest.lower() in ("", "on"):
                return MakeEditor(True)
            if rest.lower() == "off":
                return MakeEditor(False)
            return Invalid(":editor or :editor off")
        case "group" | "g":
            return _group(rest)
        case "private":
            return EnterPrivate()
        case "upload":
            return _upload(rest)
        case "reply":
            return Reply(rest) if rest else Invalid(":reply TEXT")
        case "paste":
            return Paste()
        case "send":
            return Send(rest) if rest else Invalid(":send TEXT")
        case "lang" | "language":
            if rest.lower() in _LANGUAGES:
                return Language(rest.lower())
            return Invalid(":lang en or :lang zh")
        case "time":
            if not rest:
                return MoveTime(None)
            delta = parse_duration(rest)
            return MoveTime(delta) if delta else Invalid("a duration such as :time +1h or +30m")
        case "wait":
            return WaitForDeliveries()
    return Invalid(f"unknown sandbox command :{name} (type :help)")


def _group(rest: str) -> Command:
    words = rest.split()
    if not words:
        return Invalid(":group NAME, or :group NAME member")
    if len(words) > 1 and words[-1].lower() in ("member", "admin"):
        return EnterGroup(" ".join(words[:-1]), admin=words[-1].lower() == "admin")
    return EnterGroup(" ".join(words))


def _upload(rest: str) -> Command:
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        return Invalid(f":upload PATH [caption]: {exc}")
    if not words:
        return Invalid(":upload PATH [caption]")
    return Upload(words[0], " ".join(words[1:]) or None)
