"""Message building blocks shared by every area: escaping, length bounds, pages, buttons.

Messages use HTML parse mode. Every stored or user-supplied string goes through `esc`; templates
come from the i18n catalogs. Keyboards are plain data (`Button` rows) so they can be stored in
the outbox as JSON (`keyboard_json`) or turned into Telegram objects by the handlers.

Callback data is `<area>:<action>[:<arg>...]`, at most 64 bytes (Telegram's limit), and is
parsed back strictly (`parse_callback`): a stale or forged button yields None, never an error.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64
T = TypeVar("T")

_TAG_RE = re.compile(r"<[^>]+>")
_CALLBACK_PART_RE = re.compile(r"[A-Za-z0-9_\-./+]*\Z")


def esc(value: object) -> str:
    """HTML-escape a stored or user-supplied value (None becomes an empty string)."""
    return "" if value is None else html.escape(str(value), quote=False)


def plain_text(html_text: str) -> str:
    """What a reader sees of an HTML catalog text, for places that show plain text only
    (callback answers: alerts and toasts): no tags, entities decoded."""
    return html.unescape(_TAG_RE.sub("", html_text))


def esc_attr(value: object) -> str:
    """Escape a value for an HTML attribute (href="...")."""
    return "" if value is None else html.escape(str(value), quote=True)


def clip(text: str, limit: int) -> str:
    """Plain text (not yet escaped) shortened to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


Keyboard = tuple[tuple["Button", ...], ...]


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: HTML text (within Telegram's limit) and its inline keyboard."""

    text: str
    keyboard: Keyboard = ()

    def __post_init__(self) -> None:
        if len(self.text) > MAX_MESSAGE_CHARS:
            raise ValueError(f"message of {len(self.text)} characters, over {MAX_MESSAGE_CHARS}")


# --- buttons ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """An inline keyboard button: either callback `data` or a `url`."""

    text: str
    data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.url is None):
            raise ValueError("a button has exactly one of data or url")
        if self.data is not None and len(self.data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.data!r}")

    def as_dict(self) -> dict[str, str]:
        if self.url is not None:
            return {"text": self.text, "url": self.url}
        return {"text": self.text, "callback_data": self.data or ""}


def keyboard(*rows: Sequence[Button]) -> Keyboard:
    """Rows of buttons, empty rows dropped."""
    return tuple(tuple(row) for row in rows if row)


def keyboard_json(rows: Keyboard) -> dict[str, Any] | None:
    """The Bot API `InlineKeyboardMarkup` as JSON (None for no keyboard)."""
    if not rows:
        return None
    return {"inline_keyboard": [[b.as_dict() for b in row] for row in rows]}


def callback(area: str, action: str, *args: object) -> str:
    """Callback data for a button; raises if it would not fit Telegram's 64 bytes."""
    parts = [area, action, *(str(a) for a in args)]
    for part in parts:
        if ":" in part or not _CALLBACK_PART_RE.match(part):
            raise ValueError(f"callback part {part!r} has characters we do not parse back")
    data = ":".join(parts)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def parse_callback(
    data: str | None, area: str, spec: Mapping[str, Sequence[type]]
) -> tuple[str, list[Any]] | None:
    """(action, typed args) when `data` is a well-formed button of `area` whose action is in
    `spec` (action → argument types, `int` or `str`); None for anything else."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != area or parts[1] not in spec:
        return None
    types = spec[parts[1]]
    raw = parts[2:]
    if len(raw) != len(types):
        return None
    args: list[Any] = []
    for kind, value in zip(types, raw, strict=True):
        if kind is int:
            if not re.fullmatch(r"-?\d{1,18}", value):
                return None
            args.append(int(value))
        else:
            if not value or not _CALLBACK_PART_RE.match(value):
                return None
            args.append(value)
    return parts[1], args


# --- pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int  # 0-based, clamped into range
    count: int  # at least 1

    @property
    def has_prev(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


def paginate(items: Sequence[T], number: int, per_page: int) -> Page[T]:
    """One page of `items`; a page number out of range (an old button) shows the nearest page."""
    count = max(1, math.ceil(len(items) / per_page))
    number = min(max(number, 0), count - 1)
    return Page(items[number * per_page : (number + 1) * per_page], number, count)


def page_row(page: Page[Any], data_for: Any, label: str = "{n}/{count}") -> tuple[Button, ...]:
    """◀ n/count ▶ navigation, `data_for(page_number)` giving each arrow's callback data;
    empty when everything fits on one page."""
    if page.count <= 1:
        return ()
    row = []
    if page.has_prev:
        row.append(Button("◀", data_for(page.number - 1)))
    row.append(Button(label.format(n=page.number + 1, count=page.count), data_for(page.number)))
    if page.has_next:
        row.append(Button("▶", data_for(page.number + 1)))
    return tuple(row)


def join_within(blocks: Sequence[str], limit: int = MAX_MESSAGE_CHARS, sep: str = "\n") -> str:
    """Blocks joined until the next one would pass `limit`; what does not fit is left out
    (callers paginate so this is a guard, not the plan)."""
    out: list[str] = []
    size = 0
    for block in blocks:
        extra = len(block) + (len(sep) if out else 0)
        if size + extra > limit:
            break
        out.append(block)
        size += extra
    return sep.join(out)
