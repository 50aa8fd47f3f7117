"""What "local time" means for a subscriber: the next moment their clock reads a time, the
date a daily summary belongs to, and whether quiet hours hold now.

Every path asks here (settings, daily summaries, the sender's quiet hours), so 08:00 stays
08:00 local across daylight-saving changes wherever it is computed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from storage.models import DeliveryMode, Subscriber


def minutes_of(hhmm: str) -> int:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return hour * 60 + minute


def next_local_time(now: dt.datetime, hhmm: str, timezone: str) -> dt.datetime:
    """The next moment after `now` (aware) when the clock in `timezone` reads `hhmm`, in UTC.

    On a day when `hhmm` does not exist (spring forward) the summary goes out at the first
    valid local moment after it; when it exists twice (fall back), at the first of the two.
    """
    zone = ZoneInfo(timezone)
    hour, minute = (int(p) for p in hhmm.split(":"))
    local_now = now.astimezone(zone)
    for days in range(0, 3):
        day = local_now.date() + dt.timedelta(days=days)
        # fold=0 (PEP 495): in a gap this is the instant after it, when repeated the first one.
        wall = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone, fold=0)
        moment = wall.astimezone(dt.UTC)
        if moment > now:
            return moment
    raise AssertionError("unreachable: a local time recurs within three days")


def quiet_until(now: dt.datetime, timezone: str, start: str, end: str) -> dt.datetime | None:
    """When the subscriber's quiet hours end, if `now` falls inside them (else None).
    Quiet hours may wrap midnight ("22:00"-"07:00")."""
    try:
        zone = ZoneInfo(timezone)
        begin, finish = minutes_of(start), minutes_of(end)
    except (ValueError, KeyError):
        return None
    if begin == finish:
        return None
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    inside = begin <= minute < finish if begin < finish else (minute >= begin or minute < finish)
    return next_local_time(now, end, timezone) if inside else None


def period_of(moment: dt.datetime, timezone: str) -> str:
    """The summary period a due time belongs to: the subscriber's local date."""
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def reschedule(subscriber: Subscriber, now: dt.datetime) -> None:
    """Set `next_summary_at` from the subscriber's mode, daily time and zone."""
    if subscriber.mode == DeliveryMode.DAILY:
        subscriber.next_summary_at = next_local_time(
            now, subscriber.daily_time, subscriber.timezone
        )
    else:
        subscriber.next_summary_at = None
