"""Reading /schedule times in the editor's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.editorial.when import BadTime, parse_when

NOW = dt.datetime(2025, 11, 5, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2025-11-05 12:00", "Asia/Shanghai", dt.datetime(2025, 11, 5, 4, 0, tzinfo=dt.UTC)),
        ("2025-11-06 09:00", "UTC", dt.datetime(2025, 11, 6, 9, 0, tzinfo=dt.UTC)),
        ("11-06 09:00", "UTC", dt.datetime(2025, 11, 6, 9, 0, tzinfo=dt.UTC)),
        ("+2h", "UTC", NOW + dt.timedelta(hours=2)),
        ("+90m", "UTC", NOW + dt.timedelta(minutes=90)),
        ("+1h30m", "UTC", NOW + dt.timedelta(minutes=90)),
        ("+1d", "UTC", NOW + dt.timedelta(days=1)),
        ("tomorrow 08:00", "Asia/Shanghai", dt.datetime(2025, 11, 6, 0, 0, tzinfo=dt.UTC)),
        ("Today 18:00", "Asia/Shanghai", dt.datetime(2025, 11, 5, 10, 0, tzinfo=dt.UTC)),
        # A bare clock time is the next time the editor's clock shows it.
        ("08:00", "Asia/Shanghai", dt.datetime(2025, 11, 6, 0, 0, tzinfo=dt.UTC)),
        ("10:00", "Asia/Shanghai", dt.datetime(2025, 11, 5, 2, 0, tzinfo=dt.UTC)),
    ],
)
def test_times_editors_type(text: str, zone: str, expected: dt.datetime) -> None:
    assert parse_when(text, NOW, zone) == expected


def test_local_time_follows_daylight_saving() -> None:
    summer_now = dt.datetime(2025, 3, 29, 12, 0, tzinfo=dt.UTC)
    # Europe/Berlin moves to UTC+2 on 30 March 2025.
    assert parse_when("tomorrow 09:00", summer_now, "Europe/Berlin") == dt.datetime(
        2025, 3, 30, 7, 0, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("soon", "format"),
        ("+", "format"),
        ("2025-13-01 09:00", "format"),
        ("25:00", "format"),
        ("2025-11-04 09:00", "past"),
        ("today 08:00", "past"),
        ("2027-01-01 09:00", "too_far"),
    ],
)
def test_times_refused(text: str, reason: str) -> None:
    with pytest.raises(BadTime) as caught:
        parse_when(text, NOW, "Asia/Shanghai")
    assert caught.value.reason == reason
