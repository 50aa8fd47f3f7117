"""Commentator name lists as the newsletter writes them: "A (甲), B (乙) & C (丙)".

Latin names come first with the Chinese name in brackets; either may be missing (a Chinese-only
name is romanised with pypinyin so every commentator has a Latin name to match on).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.ingest.textutil import has_cjk

Name = tuple[str, str | None]

_OPEN = "(（["
_CLOSE = ")）]"
_SEPARATORS = re.compile(r"[,，、&＆]|(?<= )and ")
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_PARTICLES = frozenset(
    [
        "bin",
        "binti",
        "de",
        "da",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "al",
        "el",
        "di",
        "du",
        "dos",
        "das",
        "y",
        "ibn",
    ]
)
_NOT_NAMES = frozenset(
    [
        "n.b.",
        "nb",
        "note",
        "notes",
        "update",
        "editor",
        "source",
        "sources",
        "summary",
        "today",
        "part",
        "briefing",
        "title",
        "disclaimer",
        "correction",
    ]
)
_CJK_NAME = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff·•．.]{0,10}")
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "司徒",
        "东方",
        "皇甫",
        "慕容",
        "夏侯",
        "令狐",
        "公孙",
        "长孙",
        "宇文",
        "端木",
    ]
)


def split_top_level(text: str) -> list[str] | None:
    """Split a name list on , ， 、 & ＆ and "and" outside brackets; None if brackets don't balance."""
    if not any(c in text for c in _OPEN + _CLOSE):
        return [p.strip() for p in _SEPARATORS.split(text)]
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            if ch in ",，、&＆":
                parts.append(text[start:i])
                start = i + 1
            elif ch == "a" and text.startswith("and ", i) and i > 0 and text[i - 1] == " ":
                parts.append(text[start:i])
                start = i + 4
                i += 3
        i += 1
    if depth != 0:
        return None
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_name_list(text: str, *, max_names: int = 8) -> list[Name] | None:
    """``[(latin, chinese or None), ...]`` when ``text`` is a list of names, else None."""
    text = text.strip()
    if not text or len(text) > 240:
        return None
    parts = split_top_level(text)
    if not parts or len(parts) > max_names or any(not p for p in parts):
        return None
    names: list[Name] = []
    for part in parts:
        name = _parse_one(part)
        if name is None:
            return None
        names.append(name)
    return names


def _parse_one(part: str) -> Name | None:
    zh: str | None = None
    latin = part
    if part[-1] in _CLOSE:
        opening = max(part.rfind(c) for c in _OPEN)
        if opening <= 0:
            return None
        zh = part[opening + 1 : -1].strip()
        latin = part[:opening].strip()
        if not zh or not _CJK_NAME.fullmatch(zh):
            return None
    if any(c in latin for c in _OPEN + _CLOSE):
        return None
    if has_cjk(latin):
        # A Chinese-only name ("黄靖") or one written Chinese first.
        if zh is not None or not _CJK_NAME.fullmatch(latin):
            return None
        return romanise(latin), latin
    if not _is_latin_name(latin, single_word_ok=zh is not None):
        return None
    return " ".join(latin.split()), zh


def _is_latin_name(latin: str, *, single_word_ok: bool) -> bool:
    words = latin.split()
    if not words or len(words) > 5 or len(latin) > 60:
        return False
    if len(words) == 1 and not single_word_ok:
        return False
    if latin.casefold().rstrip(":") in _NOT_NAMES or words[0].casefold() in _NOT_NAMES:
        return False
    for index, word in enumerate(words):
        if not _WORD.fullmatch(word):
            return False
        if word[0].isupper():
            continue
        if 0 < index < len(words) - 1 and word in _PARTICLES:
            continue
        return False
    return True


def name_key(names: list[Name] | tuple[Name, ...]) -> tuple[str, ...]:
    """How names are compared across the intro list and the paragraphs."""
    return tuple(" ".join(latin.casefold().split()) for latin, _ in names)


@lru_cache(maxsize=1024)
def romanise(chinese: str) -> str:
    """黄靖 → "Huang Jing"; 欧阳明 → "Ouyang Ming" (surname, then the given name as one word)."""
    from pypinyin import Style, lazy_pinyin  # imported lazily: it loads a large dictionary

    chars = chinese.replace("·", "").replace("•", "")
    surname_len = 2 if chars[:2] in _COMPOUND_SURNAMES and len(chars) > 2 else 1
    surname = "".join(lazy_pinyin(chars[:surname_len], style=Style.NORMAL))
    given = "".join(lazy_pinyin(chars[surname_len:], style=Style.NORMAL))
    return " ".join(p.capitalize() for p in (surname, given) if p)
