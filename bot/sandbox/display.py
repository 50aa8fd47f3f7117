"""How the bot's messages look in the terminal: plain readable text (bold and italics as ANSI
styles on a terminal), numbered inline buttons, reply keyboards, and edit marks.

Works on the emulator's messages, which already hold the text as Telegram shows it (HTML parsed
into text plus entities), so nothing here parses HTML.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bot.emulator import EmuMessage

PREFIX = "bot › "
INDENT = " " * len(PREFIX)

_ANSI = {
    "bold": ("\033[1m", "\033[22m"),
    "italic": ("\033[3m", "\033[23m"),
    "underline": ("\033[4m", "\033[24m"),
    "strikethrough": ("\033[9m", "\033[29m"),
    "code": ("\033[36m", "\033[39m"),
    "pre": ("\033[36m", "\033[39m"),
    "text_link": ("\033[4m", "\033[24m"),
    "spoiler": ("\033[2m", "\033[22m"),
}


@dataclass(frozen=True, slots=True)
class Style:
    """ANSI styles on a terminal, plain text in a pipe or a test."""

    ansi: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.ansi else text

    def strong(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def accent(self, text: str) -> str:
        return self._wrap("36", text)

    def warn(self, text: str) -> str:
        return self._wrap("33", text)


def styled(text: str, entities: list[dict[str, Any]], style: Style) -> str:
    """`text` with its entities shown: ANSI styles on a terminal, and each text link's URL
    after its text (a reader of the terminal cannot tap it)."""
    if not entities:
        return text
    # Entity offsets count UTF-16 code units; map them to string indices.
    index: dict[int, int] = {}
    units = 0
    for position, char in enumerate(text):
        index[units] = position
        units += 2 if ord(char) > 0xFFFF else 1
    index[units] = len(text)
    opening: dict[int, list[str]] = defaultdict(list)
    closing: dict[int, list[str]] = defaultdict(list)
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        start = index.get(entity["offset"])
        end = index.get(entity["offset"] + entity["length"])
        if start is None or end is None:
            continue
        kind = entity.get("type", "")
        if style.ansi and kind in _ANSI:
            on, off = _ANSI[kind]
            opening[start].append(on)
            closing[end].insert(0, off)
        if kind == "text_link" and entity.get("url"):
            closing[end].append(style.dim(f" ({entity['url']})"))
    out: list[str] = []
    for position in range(len(text) + 1):
        out += closing.get(position, ())
        out += opening.get(position, ())
        if position < len(text):
            out.append(text[position])
    return "".join(out)


def body(message: EmuMessage, style: Style) -> str:
    """The message's text or caption, with a line for any file or media it carries."""
    parts: list[str] = []
    media = message.media
    if "document" in media:
        doc = media["document"]
        name = doc.get("file_name") or "file"
        parts.append(style.dim(f"[document: {name}, {_size(doc.get('file_size', 0))}]"))
    elif "photo" in media:
        parts.append(style.dim("[photo]"))
    elif media:
        parts.append(style.dim(f"[{', '.join(sorted(media))}]"))
    if message.text is not None:
        parts.append(styled(message.text, message.entities, style))
    elif message.caption:
        parts.append(styled(message.caption, message.caption_entities, style))
    return "\n".join(parts)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def buttons(message: EmuMessage, style: Style) -> list[str]:
    """One line per keyboard row, buttons numbered from 1 across the whole keyboard."""
    lines = []
    number = 0
    for row in message.buttons:
        cells = []
        for button in row:
            number += 1
            label = f"{style.accent(f'[{number}]')} {button.get('text', '')}"
            if button.get("url"):
                label += style.dim(f" ↗ {button['url']}")
            elif "callback_data" not in button:
                label += style.dim(" (not a callback button)")
            cells.append(label)
        lines.append("   ".join(cells))
    keyboard = message.reply_keyboard
    if keyboard:
        lines.append(style.dim("keyboard (type the text, or its number):"))
        number = 0
        for keys in keyboard:
            labels = []
            for text in keys:
                number += 1
                labels.append(f"{style.accent(f'[{number}]')} {text}")
            lines.append("   ".join(labels))
    if message.reply_markup and message.reply_markup.get("force_reply"):
        lines.append(style.dim("(the bot asks for a reply: your next message answers this one)"))
    return lines


def render(message: EmuMessage, style: Style, *, edited: bool = False) -> str:
    """A bot message as a block of terminal lines."""
    if message.deleted:
        first = (body(message, Style()).splitlines() or [""])[0]
        return style.dim(f"{PREFIX}(deleted) {first[:60]}")
    mark = style.dim("(edited) ") if edited else ""
    lines = (body(message, style) or style.dim("(empty)")).split("\n")
    lines += buttons(message, style)
    head = f"{style.strong(PREFIX)}{mark}{lines[0]}"
    rest = [f"{INDENT}{line}" if line else "" for line in lines[1:]]
    return "\n".join([head, *rest])


def callback_answer(answer: dict[str, Any] | None, style: Style) -> str | None:
    """The toast or alert the bot answered a button press with, if it said anything."""
    text = (answer or {}).get("text")
    if not text:
        return None
    if (answer or {}).get("show_alert"):
        return style.warn(f"{INDENT}[alert] {text}")
    return style.dim(f"{INDENT}[toast] {text}")
