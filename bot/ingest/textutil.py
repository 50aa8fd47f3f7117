"""Small text helpers shared by the parsers (line splitting, dates, quotes, CJK detection)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MONTHS: dict[str, int] = {}
for _i, _name in enumerate(
    (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    start=1,
):
    MONTHS[_name] = _i
    MONTHS[_name[:3]] = _i
MONTHS["sept"] = 9

MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)

_NON_ALNUM = re.compile(r"[\W_]+")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ZERO_WIDTH = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")


def normalize(text: str) -> str:
    """Unify line endings and drop invisible characters editors paste in."""
    if any(ch in text for ch in "\ufeff\u200b\u200c\u200d\u2060"):
        text = _ZERO_WIDTH.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u00a0" in text or "\u3000" in text:
        text = text.replace("\u00a0", " ").replace("\u3000", " ")
    return text


def split_lines(text: str) -> list[str]:
    return normalize(text).split("\n")


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def headline_key(text: str) -> str:
    """A loose key for comparing headlines: case, quotes, punctuation and spacing ignored."""
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def month_number(name: str) -> int | None:
    return MONTHS.get(name.strip().rstrip(".").casefold())


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def shorten(text: str, limit: int = 80) -> str:
    """One line, at most ``limit`` characters, cut at a word boundary where possible."""
    text = collapse_spaces(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
