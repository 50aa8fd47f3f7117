"""Settings typed in chat: times, quiet hours, time zones, choices; and the next daily time."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.localtime import next_local_time
from bot.settings_service import (
    QuietHours,
    SettingError,
    parse_choice,
    parse_clock,
    parse_quiet,
    resolve_timezone,
)


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("8", "08:00"),
        ("08:00", "08:00"),
        ("7.30", "07:30"),
        ("20h15", "20:15"),
        ("8pm", "20:00"),
        ("12am", "00:00"),
        ("23:59", "23:59"),
    ],
)
def test_clock_times(typed: str, clock: str) -> None:
    assert parse_clock(typed) == clock


@pytest.mark.parametrize("typed", ["25:00", "8:61", "noon", "", "13pm"])
def test_bad_clock_times(typed: str) -> None:
    with pytest.raises(SettingError) as info:
        parse_clock(typed)
    assert info.value.reason == "sub.time.invalid"


def test_quiet_hours() -> None:
    assert parse_quiet("23:00-07:00") == QuietHours("23:00", "07:00")
    quiet = parse_quiet("23 to 7")
    assert quiet is not None and (quiet.start, quiet.end) == ("23:00", "07:00")
    assert parse_quiet("off") is None
    for bad in ("23:00", "7-7", "night"):
        with pytest.raises(SettingError):
            parse_quiet(bad)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("asia/shanghai", "Asia/Shanghai"),
        ("Shanghai", "Asia/Shanghai"),
        ("Beijing", "Asia/Shanghai"),
        ("北京", "Asia/Shanghai"),
        ("new york", "America/New_York"),
        ("Washington", "America/New_York"),
        ("London", "Europe/London"),
        ("UTC+8", "Etc/GMT-8"),
        ("GMT-5", "Etc/GMT+5"),
        ("utc", "UTC"),
    ],
)
def test_time_zones_by_iana_name_city_or_offset(typed: str, zone: str) -> None:
    assert resolve_timezone(typed) == zone


def test_unknown_time_zone_suggests_one() -> None:
    with pytest.raises(SettingError) as info:
        resolve_timezone("Tokio")
    assert info.value.values == {"suggestion": "Asia/Tokyo"}


def test_choices_accept_common_spellings() -> None:
    assert parse_choice("中文", ("en", "zh"), "x") == "zh"
    assert parse_choice("English", ("en", "zh"), "x") == "en"
    assert parse_choice("每日", ("instant", "daily", "off"), "x") == "daily"
    with pytest.raises(SettingError):
        parse_choice("weekly", ("instant", "daily", "off"), "sub.mode.invalid")


def test_next_daily_time_respects_zones_and_daylight_saving() -> None:
    now = dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC)
    assert next_local_time(now, "08:00", "Asia/Shanghai") == dt.datetime(
        2026, 3, 8, 0, 0, tzinfo=dt.UTC
    )
    assert next_local_time(now, "13:00", "UTC") == dt.datetime(2026, 3, 7, 13, 0, tzinfo=dt.UTC)
    # 2026-03-08 02:30 does not exist in New York: the summary goes at 03:30 EDT (07:30 UTC).
    assert next_local_time(now, "02:30", "America/New_York") == dt.datetime(
        2026, 3, 8, 7, 30, tzinfo=dt.UTC
    )
    # After the change, 08:00 New York is 12:00 UTC.
    later = dt.datetime(2026, 3, 9, 13, 0, tzinfo=dt.UTC)
    assert next_local_time(later, "08:00", "America/New_York") == dt.datetime(
        2026, 3, 10, 12, 0, tzinfo=dt.UTC
    )
