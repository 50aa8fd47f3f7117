"""Telegram's text formatting: HTML, MarkdownV2 and Markdown into plain text plus entities.

The parsers follow TDLib's (td/telegram/MessageEntity.cpp) closely enough to refuse what
Telegram refuses, with the same error wording ("Unsupported start tag "br" at byte offset 10").
Offsets and lengths are in UTF-16 code units, as the Bot API counts them. One deliberate
difference: a bare `&` that does not start an entity is an error here (Telegram lets it through);
a bot that forgets to escape `&` forgets `<` too, and we want the test to say so.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]


class ParseError(Exception):
    """Text Telegram would refuse: the message is what follows "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (astral characters such as most emoji count twice)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


# ---------------------------------------------------------------------------------------- HTML

_HTML_SPECIAL = re.compile(r"[<&]")
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\f"
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}


def _decode_entity(match: re.Match[str]) -> str:
    named, dec, hexa = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def _decode_attribute(value: str) -> str:
    return _HTML_ENTITY.sub(_decode_entity, value) if "&" in value else value


class _OpenTag:
    __slots__ = ("tag", "offset", "attrs", "language", "seq")

    def __init__(self, tag: str, offset: int, attrs: dict[str, str], seq: int) -> None:
        self.tag = tag
        self.offset = offset
        self.attrs = attrs
        self.language: str | None = None
        self.seq = seq


def parse_html(source: str, *, strict_ampersand: bool = True) -> tuple[str, list[Entity]]:
    """Plain text and entities of an HTML-formatted message, or `ParseError`."""
    out: list[str] = []
    u16 = 0
    pos = 0
    n = len(source)
    stack: list[_OpenTag] = []
    entities: list[tuple[int, Entity]] = []  # (position of the start tag, entity)
    search = _HTML_SPECIAL.search
    while True:
        match = search(source, pos)
        if match is None:
            chunk = source[pos:]
            out.append(chunk)
            u16 += utf16_len(chunk)
            break
        i = match.start()
        if i > pos:
            chunk = source[pos:i]
            out.append(chunk)
            u16 += utf16_len(chunk)
        if source[i] == "&":
            entity = _HTML_ENTITY.match(source, i)
            if entity is not None:
                char = _decode_entity(entity)
                out.append(char)
                u16 += utf16_len(char)
                pos = entity.end()
                continue
            if strict_ampersand:
                raise ParseError(
                    f'Unescaped "&" at byte offset {_byte_offset(source, i)}: '
                    "use &amp; (supported entities: &lt; &gt; &amp; &quot; &#N;)"
                )
            out.append("&")
            u16 += 1
            pos = i + 1
            continue
        if i + 1 < n and source[i + 1] == "/":
            end = source.find(">", i)
            if end < 0:
                raise ParseError(f"Unclosed end tag at byte offset {_byte_offset(source, i)}")
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(source, i)}")
            name = source[i + 2 : end].strip().lower()
            top = stack[-1]
            if name and name != top.tag:
                raise ParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                    f'expected "</{top.tag}>", found "</{name}>"'
                )
            stack.pop()
            _close_html(top, stack, u16, entities)
            pos = end + 1
            continue
        pos = _open_html(source, i, u16, stack)
    if stack:
        raise ParseError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    entities.sort(key=lambda pair: (pair[1]["offset"], -pair[1]["length"], pair[0]))
    return "".join(out), [entity for _, entity in entities]


def _open_html(source: str, begin: int, u16: int, stack: list[_OpenTag]) -> int:
    n = len(source)
    k = begin + 1
    while k < n and source[k] not in _SPACES and source[k] != ">":
        k += 1
    if k >= n:
        raise ParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    name = source[begin + 1 : k].lower()
    if name not in _HTML_TAGS:
        raise ParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, begin)}'
        )
    attrs: dict[str, str] = {}
    while True:
        while k < n and source[k] in _SPACES:
            k += 1
        if k >= n:
            raise ParseError(
                f'Unclosed start tag "{name}" at byte offset {_byte_offset(source, begin)}'
            )
        if source[k] == ">":
            k += 1
            break
        attr_begin = k
        while k < n and source[k] not in _SPACES and source[k] not in "=>":
            k += 1
        attr = source[attr_begin:k].lower()
        if not attr:
            raise ParseError(
                f'Empty attribute name in the tag "{name}" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        while k < n and source[k] in _SPACES:
            k += 1
        if k >= n or source[k] != "=":
            if name == "blockquote" and attr == "expandable":
                attrs[attr] = ""
                continue
            raise ParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {_byte_offset(source, begin)}"
            )
        k += 1
        while k < n and source[k] in _SPACES:
            k += 1
        if k >= n:
            raise ParseError(
                f'Unclosed start tag "{name}" at byte offset {_byte_offset(source, begin)}'
            )
        quote = source[k]
        if quote in "\"'":
            end = source.find(quote, k + 1)
            if end < 0:
                raise ParseError(
                    f'Unclosed start tag "{name}" at byte offset {_byte_offset(source, begin)}'
                )
            value = _decode_attribute(source[k + 1 : end])
            k = end + 1
        else:
            value_begin = k
            while k < n and (source[k].isalnum() or source[k] in ".-_"):
                k += 1
            if k == value_begin:
                raise ParseError(f"Expected quote at byte offset {_byte_offset(source, k)}")
            value = source[value_begin:k]
        attrs[attr] = value
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise ParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, begin)}'
        )
    stack.append(_OpenTag(name, u16, attrs, begin))
    return k


def _close_html(
    tag: _OpenTag, stack: list[_OpenTag], u16: int, entities: list[tuple[int, Entity]]
) -> None:
    length = u16 - tag.offset
    kind = _HTML_TAGS[tag.tag]
    if kind == "code" and stack and stack[-1].tag == "pre":
        css = tag.attrs.get("class", "")
        if css.startswith("language-") and stack[-1].offset == tag.offset:
            stack[-1].language = css[len("language-") :]
        return
    if length <= 0:
        return
    entity: Entity = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        href = tag.attrs.get("href", "")
        if not href:
            return
        user = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user:
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(user.group(1)), "is_bot": False, "first_name": ""}
        else:
            entity["url"] = href
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        emoji_id = tag.attrs.get("emoji-id")
        if not emoji_id:
            return
        entity["custom_emoji_id"] = emoji_id
    elif kind == "date_time":
        unix = tag.attrs.get("unix", "")
        if not unix.isdigit():
            return
        entity["unix_time"] = int(unix)
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    entities.append((tag.seq, entity))


def _entity_order(entity: Entity) -> tuple[int, int]:
    return entity["offset"], -entity["length"]


# ----------------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a MarkdownV2 message, or `ParseError`."""
    out: list[str] = []
    u16 = 0
    n = len(source)
    # (type, utf16 offset, byte offset, index into `out`, language)
    stack: list[tuple[str, int, int, int, str | None]] = []
    entities: list[Entity] = []
    quote: tuple[int, bool] | None = None  # (utf16 offset, expandable)
    i = 0
    while i < n:
        c = source[i]
        nxt = source[i + 1] if i + 1 < n else ""
        if c == "\\" and nxt and 0 < ord(nxt) <= 126:
            out.append(nxt)
            u16 += 1
            i += 2
            continue
        top = stack[-1][0] if stack else None
        in_code = top in ("code", "pre")
        at_line_start = i == 0 or source[i - 1] == "\n"
        if not in_code and at_line_start and (c == ">" or source.startswith("**>", i)):
            if quote is None:
                quote = (u16, c == "*")
            i += 1 if c == ">" else 3
            continue
        if c == "\n" and quote is not None and not source.startswith((">", "**>"), i + 1):
            entities.append(_quote_entity(quote, u16))
            quote = None
        if quote is not None and quote[1] and source.startswith("||", i):
            after = source[i + 2 : i + 3]
            if after in ("", "\n"):
                i += 2
                continue
        plain = c != "`" if in_code else c not in _MDV2_RESERVED
        if plain:
            out.append(c)
            u16 += 1 if ord(c) < 0x10000 else 2
            i += 1
            continue
        closes = False
        if top is not None:
            closes = {
                "bold": c == "*",
                "italic": c == "_" and nxt != "_",
                "underline": c == "_" and nxt == "_",
                "strikethrough": c == "~",
                "spoiler": c == "|" and nxt == "|",
                "code": c == "`",
                "pre": source.startswith("```", i),
                "text_link": c == "]",
                "custom_emoji": c == "]",
            }[top]
        if not closes:
            i = _open_markdown_v2(source, i, u16, len(out), stack)
            continue
        kind, offset, _, out_index, language = stack.pop()
        entity: Entity = {"type": kind, "offset": offset, "length": u16 - offset}
        if kind in ("underline", "spoiler"):
            i += 2
        elif kind == "pre":
            i += 3
            if language:
                entity["language"] = language
        elif kind in ("text_link", "custom_emoji"):
            url, i = _markdown_v2_url(source, i + 1, "".join(out[out_index:]))
            if kind == "custom_emoji":
                match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if match is None:
                    raise ParseError("Custom emoji entity must contain a tg://emoji URL")
                entity["custom_emoji_id"] = match.group(1)
            else:
                entity["url"] = url
        else:
            i += 1
        if entity["length"] > 0:
            entities.append(entity)
    if stack:
        kind, _, byte_offset, _, _ = stack[-1]
        raise ParseError(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {byte_offset}"
        )
    if quote is not None:
        entities.append(_quote_entity(quote, u16))
    entities = [e for e in entities if e["length"] > 0]
    entities.sort(key=_entity_order)
    return "".join(out), entities


def _quote_entity(quote: tuple[int, bool], end: int) -> Entity:
    kind = "expandable_blockquote" if quote[1] else "blockquote"
    return {"type": kind, "offset": quote[0], "length": end - quote[0]}


def _reserved(char: str) -> ParseError:
    return ParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")


def _open_markdown_v2(
    source: str, i: int, u16: int, out_index: int, stack: list[tuple[str, int, int, int, Any]]
) -> int:
    c = source[i]
    nxt = source[i + 1] if i + 1 < len(source) else ""
    byte_offset = _byte_offset(source, i)
    language = None
    if c == "_" and nxt == "_":
        kind, i = "underline", i + 2
    elif c == "_":
        kind, i = "italic", i + 1
    elif c == "*":
        kind, i = "bold", i + 1
    elif c == "~":
        kind, i = "strikethrough", i + 1
    elif c == "|" and nxt == "|":
        kind, i = "spoiler", i + 2
    elif c == "[":
        kind, i = "text_link", i + 1
    elif c == "!" and nxt == "[":
        kind, i = "custom_emoji", i + 2
    elif c == "`" and source.startswith("```", i):
        kind, i = "pre", i + 3
        end = i
        while end < len(source) and source[end] not in _SPACES and source[end] != "`":
            end += 1
        if end != i and end < len(source) and source[end] != "`":
            language, i = source[i:end], end
        if source[i : i + 1] in ("\n", "\r"):
            i += 2 if source[i : i + 2] in ("\r\n", "\n\r") else 1
    elif c == "`":
        kind, i = "code", i + 1
    else:
        raise _reserved(c)
    stack.append((kind, u16, byte_offset, out_index, language))
    return i


def _markdown_v2_url(source: str, i: int, inner_text: str) -> tuple[str, int]:
    if source[i : i + 1] != "(":
        return inner_text, i
    i += 1
    begin = i
    url: list[str] = []
    n = len(source)
    while i < n and source[i] != ")":
        if source[i] == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            url.append(source[i + 1])
            i += 2
            continue
        url.append(source[i])
        i += 1
    if i >= n:
        raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(source, begin)}")
    return "".join(url), i + 1


# ------------------------------------------------------------------------------ Markdown (v1)


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a legacy Markdown message, or `ParseError`."""
    out: list[str] = []
    u16 = 0
    n = len(source)
    entities: list[Entity] = []
    i = 0
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += 1 if ord(c) < 0x10000 else 2
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = source.startswith("```", i)
        i += 3 if is_pre else 1
        language = None
        if is_pre:
            end = i
            while end < n and source[end] not in _SPACES and source[end] != "`":
                end += 1
            if end != i and end < n and source[end] != "`":
                language, i = source[i:end], end
            if source[i : i + 1] in ("\n", "\r"):
                i += 1
        offset = u16
        inner_start = len(out)
        while i < n and (source[i] != end_char if not is_pre else not source.startswith("```", i)):
            out.append(source[i])
            u16 += 1 if ord(source[i]) < 0x10000 else 2
            i += 1
        if i >= n:
            raise ParseError(
                "Can't find end of the entity starting at byte offset "
                f"{_byte_offset(source, begin)}"
            )
        entity: Entity = {"type": "", "offset": offset, "length": u16 - offset}
        if c == "_":
            entity["type"] = "italic"
        elif c == "*":
            entity["type"] = "bold"
        elif c == "[":
            entity["type"] = "text_link"
            url = "".join(out[inner_start:])
            if source[i + 1 : i + 2] == "(":
                close = source.find(")", i + 2)
                if close < 0:
                    close = n
                url = source[i + 2 : close]
                i = close
            entity["url"] = url
        elif is_pre:
            entity["type"] = "pre"
            if language:
                entity["language"] = language
            i += 2
        else:
            entity["type"] = "code"
        i += 1
        if entity["length"] > 0:
            entities.append(entity)
    entities.sort(key=_entity_order)
    return "".join(out), entities


# ------------------------------------------------------------------------- whole-text helpers

# One pattern per kind, each starting with a literal so that `re` can skip ahead quickly
# (a single alternation with look-behinds costs ~0.3 us per character of text).
_AUTO_PATTERNS = (
    ("url", re.compile(r"https?://[^\s<>\"]+")),
    ("url", re.compile(r"www\.[^\s<>\"]+")),
    ("mention", re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}\b")),
    ("hashtag", re.compile(r"#\w*[^\W\d]\w*")),
    ("cashtag", re.compile(r"\$[A-Z]{1,8}\b")),
    ("bot_command", re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z][A-Za-z0-9_]{2,31})?")),
)
_TRIGGERS = {"url": ("http", "www."), "mention": ("@",), "hashtag": ("#",), "cashtag": ("$",)}
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")
_NO_AUTO_INSIDE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


def _auto_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _AUTO_PATTERNS:
        triggers = _TRIGGERS.get(kind, ("/",))
        if not any(t in text for t in triggers):
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            before = text[start - 1] if start else " "
            if kind == "url":
                if before.isalnum():
                    continue
                while end > start and text[end - 1] in ".,;:!?)'\"":
                    end -= 1
            elif kind == "mention" and before in _EMAIL_LOCAL:
                local = start
                while local > 0 and text[local - 1] in _EMAIL_LOCAL:
                    local -= 1
                domain = _EMAIL_DOMAIN.match(text, start + 1)
                if domain is None:
                    continue
                start, end, kind = local, domain.end(), "email"
            elif kind != "mention" and (before.isalnum() or before in "_" + text[start]):
                continue
            spans.append((start, end, kind))
    spans.sort()
    kept: list[tuple[int, int, str]] = []
    for span in spans:  # the earliest (then longest) wins: a URL swallows its "/path"
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def add_auto_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """Entities Telegram detects by itself: URLs, e-mails, @mentions, #hashtags, /commands."""
    spans = _auto_spans(text)
    if not spans:
        return entities
    found: list[Entity] = []
    ascii_only = text.isascii()
    blocked = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _NO_AUTO_INSIDE
    ]
    for start, end, kind in spans:
        if ascii_only:
            offset, length = start, end - start
        else:
            offset, length = utf16_len(text[:start]), utf16_len(text[start:end])
        if any(a < offset + length and offset < b for a, b in blocked):
            continue
        found.append({"type": kind, "offset": offset, "length": length})
    if not found:
        return entities
    merged = entities + found
    merged.sort(key=_entity_order)
    return merged


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Drop leading and trailing whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if len(stripped) == len(text):
        return text, entities
    if not stripped:
        return "", []
    lead = len(text) - len(text.lstrip())  # whitespace is in the BMP: chars == UTF-16 units
    new_len = utf16_len(stripped)
    fixed: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_len)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


def parse_text(
    text: str, parse_mode: str | None, *, strict_ampersand: bool = True
) -> tuple[str, list[Entity]]:
    """Visible text and entities for `parse_mode` (None, HTML, MarkdownV2 or Markdown)."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text, strict_ampersand=strict_ampersand)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(parse_mode)
