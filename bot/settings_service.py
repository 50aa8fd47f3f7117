"""A subscriber's delivery settings: mode, daily time, time zone, languages, quiet hours.

Parsers are pure and raise `SettingError` (an i18n key and values) for input we cannot use;
the setters change the row in the caller's session.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process
from sqlalchemy.ext.asyncio import AsyncSession

from bot.localtime import reschedule
from bot.lookup import fold
from storage.models import DeliveryMode, Subscriber, SubscriberStatus

MODES = tuple(m.value for m in DeliveryMode)
LANGUAGES = ("en", "zh")
CONTENT_LANGUAGES = ("en", "zh", "both")

_CLOCK_RE = re.compile(r"(\d{1,2})(?:[:.h]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\Z", re.IGNORECASE)
_OFFSET_RE = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?\Z", re.IGNORECASE)
_OFF_WORDS = {"off", "none", "no", "0", "关", "关闭", "无"}

# City and country names people type that are not the last part of an IANA name.
_ZONE_ALIASES = {
    "beijing": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "中国": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "深圳": "Asia/Shanghai",
    "广州": "Asia/Shanghai",
    "香港": "Asia/Hong_Kong",
    "台北": "Asia/Taipei",
    "taiwan": "Asia/Taipei",
    "澳门": "Asia/Macau",
    "东京": "Asia/Tokyo",
    "japan": "Asia/Tokyo",
    "首尔": "Asia/Seoul",
    "korea": "Asia/Seoul",
    "新加坡": "Asia/Singapore",
    "伦敦": "Europe/London",
    "uk": "Europe/London",
    "巴黎": "Europe/Paris",
    "柏林": "Europe/Berlin",
    "莫斯科": "Europe/Moscow",
    "brussels": "Europe/Brussels",
    "布鲁塞尔": "Europe/Brussels",
    "纽约": "America/New_York",
    "华盛顿": "America/New_York",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "boston": "America/New_York",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "旧金山": "America/Los_Angeles",
    "洛杉矶": "America/Los_Angeles",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "india": "Asia/Kolkata",
    "悉尼": "Australia/Sydney",
    "canberra": "Australia/Sydney",
    "nairobi": "Africa/Nairobi",
    "utc": "UTC",
    "gmt": "UTC",
}


class SettingError(Exception):
    """Input that is not a setting we can use; `reason` is an i18n key, `values` fill it in."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class QuietHours:
    start: str  # "HH:MM" local
    end: str


def parse_clock(text: str) -> str:
    """ "8", "08:00", "8.30", "20h15", "8pm" → "HH:MM"; SettingError("sub.time.invalid")."""
    match = _CLOCK_RE.match(text.strip())
    if not match:
        raise SettingError("sub.time.invalid")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise SettingError("sub.time.invalid")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SettingError("sub.time.invalid")
    return f"{hour:02d}:{minute:02d}"


def parse_quiet(text: str) -> QuietHours | None:
    """ "23:00-07:00" → QuietHours; "off" → None; SettingError("sub.quiet.invalid")."""
    text = text.strip()
    if text.casefold() in _OFF_WORDS:
        return None
    parts = re.split(r"\s*(?:-|–|—|~|to|到|至)\s*", text, maxsplit=1)
    if len(parts) != 2:
        raise SettingError("sub.quiet.invalid")
    try:
        start, end = parse_clock(parts[0]), parse_clock(parts[1])
    except SettingError:
        raise SettingError("sub.quiet.invalid") from None
    if start == end:
        raise SettingError("sub.quiet.invalid")
    return QuietHours(start, end)


def parse_choice(text: str, choices: tuple[str, ...], reason: str) -> str:
    """One of `choices`, with the common spellings of each ("english", "中文", "instantly")."""
    word = text.strip().casefold()
    synonyms = {
        "english": "en",
        "英文": "en",
        "英语": "en",
        "chinese": "zh",
        "中文": "zh",
        "汉语": "zh",
        "cn": "zh",
        "zh-cn": "zh",
        "zh-hans": "zh",
        "all": "both",
        "两者": "both",
        "双语": "both",
        "bilingual": "both",
        "instantly": "instant",
        "realtime": "instant",
        "即时": "instant",
        "实时": "instant",
        "每日": "daily",
        "每天": "daily",
        "summary": "daily",
        "关闭": "off",
        "关": "off",
    }
    word = synonyms.get(word, word)
    if word not in choices:
        raise SettingError(reason, choices="|".join(choices))
    return word


@cache
def _zone_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in name:
            continue
        index.setdefault(fold(name.rsplit("/", 1)[-1]), name)
    for name in available_timezones():
        index[fold(name)] = name
    index.update({fold(k): v for k, v in _ZONE_ALIASES.items()})
    return index


def resolve_timezone(text: str) -> str:
    """An IANA zone from an IANA name (any case), a city or country name people commonly use,
    or a whole-hour offset ("UTC+8"). SettingError("sub.timezone.unknown", suggestion=...)."""
    text = text.strip()
    if not text:
        raise SettingError("sub.timezone.unknown", suggestion="Asia/Shanghai")
    offset = _OFFSET_RE.match(text.replace(" ", ""))
    if offset:
        hours = int(offset.group(2))
        if hours > 14:
            raise SettingError("sub.timezone.unknown", suggestion="UTC+8")
        if hours == 0:
            return "UTC"
        # The Etc zones' signs are inverted by POSIX convention: UTC+8 is Etc/GMT-8.
        return f"Etc/GMT{'-' if offset.group(1) == '+' else '+'}{hours}"
    try:
        ZoneInfo(text)
        if text in available_timezones():
            return text
    except (ZoneInfoNotFoundError, ValueError):
        pass
    index = _zone_index()
    key = fold(text)
    if key in index:
        return index[key]
    best = process.extractOne(key, list(index), scorer=fuzz.ratio, score_cutoff=60)
    raise SettingError(
        "sub.timezone.unknown", suggestion=index[best[0]] if best else "Asia/Shanghai"
    )


async def set_mode(
    session: AsyncSession, subscriber: Subscriber, mode: str, now: dt.datetime
) -> None:
    subscriber.mode = parse_choice(mode, MODES, "sub.mode.invalid")
    reschedule(subscriber, now)
    await session.flush()


async def set_daily_time(
    session: AsyncSession, subscriber: Subscriber, text: str, now: dt.datetime
) -> None:
    subscriber.daily_time = parse_clock(text)
    reschedule(subscriber, now)
    await session.flush()


async def set_timezone(
    session: AsyncSession, subscriber: Subscriber, text: str, now: dt.datetime
) -> None:
    subscriber.timezone = resolve_timezone(text)
    reschedule(subscriber, now)
    await session.flush()


async def set_language(session: AsyncSession, subscriber: Subscriber, text: str) -> None:
    subscriber.language = parse_choice(text, LANGUAGES, "sub.language.invalid")
    await session.flush()


async def set_content_language(session: AsyncSession, subscriber: Subscriber, text: str) -> None:
    subscriber.content_language = parse_choice(text, CONTENT_LANGUAGES, "sub.content.invalid")
    await session.flush()


async def set_quiet_hours(session: AsyncSession, subscriber: Subscriber, text: str) -> None:
    quiet = parse_quiet(text)
    subscriber.quiet_start = quiet.start if quiet else None
    subscriber.quiet_end = quiet.end if quiet else None
    await session.flush()


async def pause(session: AsyncSession, subscriber: Subscriber) -> bool:
    """/stop: send nothing, keep everything; True when it was not paused already."""
    if subscriber.status == SubscriberStatus.PAUSED:
        return False
    subscriber.status = SubscriberStatus.PAUSED
    await session.flush()
    return True


async def resume(session: AsyncSession, subscriber: Subscriber, now: dt.datetime) -> bool:
    """Undo /stop (or a block); True when it was not active."""
    if subscriber.status == SubscriberStatus.ACTIVE:
        return False
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.blocked_at = None
    reschedule(subscriber, now)
    await session.flush()
    return True
