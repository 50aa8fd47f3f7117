"""Reading the time an editor types after /schedule, in the editor's own time zone.

Accepted: "2025-11-05 09:00", "11-05 09:00" (this year), "+2h", "+90m", "+1d", "+1h30m",
"today 18:00", "tomorrow 08:00", and a bare "09:00" (the next time the clock shows it).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

_RELATIVE_RE = re.compile(r"\+\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\Z")
_CLOCK_RE = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)\Z")
_DATE_RE = re.compile(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})\Z")
MAX_AHEAD = dt.timedelta(days=366)


class BadTime(ValueError):
    """The text is not a time we understand, or not one in the future; `reason` is a catalog
    key suffix ("format", "past", "too_far")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_when(text: str, now: dt.datetime, timezone: str) -> dt.datetime:
    """The aware UTC moment `text` means for someone in `timezone` at `now`."""
    zone = ZoneInfo(timezone)
    text = " ".join(text.strip().lower().split())
    local_now = now.astimezone(zone)
    when: dt.datetime
    relative = _RELATIVE_RE.match(text)
    if relative and any(relative.groups()):
        days, hours, minutes = (int(g or 0) for g in relative.groups())
        when = now + dt.timedelta(days=days, hours=hours, minutes=minutes)
    else:
        day_word, _, clock = text.rpartition(" ")
        clock_match = _CLOCK_RE.match(clock)
        if not clock_match:
            raise BadTime("format")
        hour, minute = int(clock_match.group(1)), int(clock_match.group(2))
        if day_word in ("", "today"):
            day = local_now.date()
        elif day_word == "tomorrow":
            day = local_now.date() + dt.timedelta(days=1)
        else:
            day = _parse_day(day_word, local_now.date())
        when = _local(day, hour, minute, zone)
        if day_word == "" and when <= now:
            when = _local(day + dt.timedelta(days=1), hour, minute, zone)
    when = when.astimezone(dt.UTC)
    if when <= now:
        raise BadTime("past")
    if when - now > MAX_AHEAD:
        raise BadTime("too_far")
    return when


def _parse_day(text: str, today: dt.date) -> dt.date:
    match = _DATE_RE.match(text)
    if not match:
        raise BadTime("format")
    year = int(match.group(1)) if match.group(1) else today.year
    try:
        return dt.date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise BadTime("format") from None


def _local(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> dt.datetime:
    # fold=0: in the repeated hour of a DST change, the first occurrence.
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
