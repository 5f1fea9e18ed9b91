"""Business days and hours in the lead's time zone: weekends, holidays, DST, year end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from graphs.engage.business_calendar import (
    BusinessHours,
    Weekday,
    add_business_days,
    describe_local,
    is_sendable,
    local_now,
    next_send_time,
    resolve_time_zone,
)

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
HOURS = BusinessHours()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# 2025-03-03 is a Monday; Paris is UTC+1 until 2025-03-30, UTC+2 after.
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2025, 3, 3, 6, 59), False),  # Monday 07:59 Paris
        (utc(2025, 3, 3, 7, 0), True),  # Monday 08:00 Paris: opening is inclusive
        (utc(2025, 3, 3, 16, 59), True),  # 17:59
        (utc(2025, 3, 3, 17, 0), False),  # 18:00: closing is exclusive
        (utc(2025, 3, 8, 9, 0), False),  # Saturday 10:00
        (utc(2025, 3, 9, 9, 0), False),  # Sunday 10:00
        (utc(2025, 3, 31, 6, 30), True),  # Monday after DST: 08:30 CEST
        (utc(2025, 3, 31, 5, 30), False),  # 07:30 CEST, though 06:30 would be CET
    ],
)
def test_is_sendable_in_paris(now: datetime, expected: bool) -> None:
    assert is_sendable(now, PARIS, HOURS) is expected


def test_holiday_is_not_sendable() -> None:
    hours = BusinessHours(holidays=[date(2025, 3, 3)])
    assert not is_sendable(utc(2025, 3, 3, 10), PARIS, hours)
    assert is_sendable(utc(2025, 3, 4, 10), PARIS, hours)


def test_business_hours_are_the_lead_s_not_utc() -> None:
    # 12:00 UTC on a Monday is 07:00 in New York (EST): quiet hours there.
    assert is_sendable(utc(2025, 3, 3, 12), "UTC", HOURS)
    assert not is_sendable(utc(2025, 3, 3, 12), NEW_YORK, HOURS)
    assert next_send_time(utc(2025, 3, 3, 12), NEW_YORK, HOURS) == utc(2025, 3, 3, 13)


@pytest.mark.parametrize(
    ("now", "hours", "expected"),
    [
        # inside hours: now
        (utc(2025, 3, 4, 10, 15), HOURS, utc(2025, 3, 4, 10, 15)),
        # early morning: today's opening (08:00 CET = 07:00 UTC)
        (utc(2025, 3, 4, 5, 0), HOURS, utc(2025, 3, 4, 7, 0)),
        # Friday evening: Monday's opening
        (utc(2025, 3, 7, 18, 30), HOURS, utc(2025, 3, 10, 7, 0)),
        # Saturday: Monday
        (utc(2025, 3, 8, 12, 0), HOURS, utc(2025, 3, 10, 7, 0)),
        # Monday a holiday: Tuesday
        (utc(2025, 3, 8, 12, 0), BusinessHours(holidays=[date(2025, 3, 10)]), utc(2025, 3, 11, 7)),
        # weekend across DST: Monday 08:00 CEST is 06:00 UTC, not 07:00
        (utc(2025, 3, 29, 12, 0), HOURS, utc(2025, 3, 31, 6, 0)),
        # year end: New Year's Eve evening, 1 January a holiday -> Friday 2 January
        (
            utc(2025, 12, 31, 19, 0),
            BusinessHours(holidays=[date(2026, 1, 1)]),
            utc(2026, 1, 2, 7, 0),
        ),
        # year end with both holidays and the weekend: Monday 5 January
        (
            utc(2025, 12, 31, 19, 0),
            BusinessHours(holidays=[date(2026, 1, 1), date(2026, 1, 2)]),
            utc(2026, 1, 5, 7, 0),
        ),
    ],
)
def test_next_send_time(now: datetime, hours: BusinessHours, expected: datetime) -> None:
    assert next_send_time(now, PARIS, hours) == expected


def test_next_send_time_is_in_utc_and_sendable() -> None:
    result = next_send_time(utc(2025, 3, 29, 12, 0), PARIS, HOURS)
    assert result.utcoffset() is not None and result.utcoffset().total_seconds() == 0
    assert is_sendable(result, PARIS, HOURS)


def test_naive_now_is_taken_as_utc() -> None:
    assert next_send_time(datetime(2025, 3, 8, 12), PARIS, HOURS) == utc(2025, 3, 10, 7)


def test_a_work_week_of_sunday_to_thursday() -> None:
    hours = BusinessHours(days=["sun", "mon", "tue", "wed", "thu"])
    dubai = "Asia/Dubai"  # UTC+4, no DST
    assert not is_sendable(utc(2025, 3, 7, 8), dubai, hours)  # Friday 12:00
    assert is_sendable(utc(2025, 3, 9, 8), dubai, hours)  # Sunday 12:00
    assert next_send_time(utc(2025, 3, 7, 8), dubai, hours) == utc(2025, 3, 9, 4)


def test_an_opening_inside_the_dst_gap_lands_just_after_it() -> None:
    # 02:30 does not exist in Paris on 2025-03-30 (clocks jump from 02:00 to 03:00).
    hours = BusinessHours(days=list(Weekday), start="02:30", end="18:00")
    opening = next_send_time(utc(2025, 3, 29, 20), PARIS, hours)
    assert opening == utc(2025, 3, 30, 1, 30)  # 03:30 CEST
    assert is_sendable(opening, PARIS, hours)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Monday 10:00 CET + 3 -> Thursday 10:00 CET
        (utc(2025, 3, 3, 9), 3, utc(2025, 3, 6, 9)),
        # Thursday + 2 -> Monday (weekend skipped)
        (utc(2025, 3, 6, 9), 2, utc(2025, 3, 10, 9)),
        # across the March DST change: Friday 10:00 CET + 3 -> Wednesday 10:00 CEST (08:00 UTC)
        (utc(2025, 3, 28, 9), 3, utc(2025, 4, 2, 8)),
        # across the October change: Friday 10:00 CEST + 1 -> Monday 10:00 CET (09:00 UTC)
        (utc(2025, 10, 24, 8), 1, utc(2025, 10, 27, 9)),
        # n = 0: now if sendable
        (utc(2025, 3, 3, 9), 0, utc(2025, 3, 3, 9)),
        # n = 0 on a Saturday: the next opening
        (utc(2025, 3, 8, 9), 0, utc(2025, 3, 10, 7)),
        # started on a Saturday: business days counted from Monday
        (utc(2025, 3, 8, 9), 1, utc(2025, 3, 10, 9)),
        # same local time is after hours (19:00) -> the next opening after it
        (utc(2025, 3, 3, 18), 1, utc(2025, 3, 5, 7)),
    ],
)
def test_add_business_days(start: datetime, n: int, expected: datetime) -> None:
    assert add_business_days(start, n, PARIS, HOURS) == expected


def test_add_business_days_over_the_year_end_with_holidays() -> None:
    hours = BusinessHours(holidays=[date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)])
    # Wednesday 24 December 16:00 CET + 3: 29, 30, 31 December -> Wednesday 31 December
    assert add_business_days(utc(2025, 12, 24, 15), 3, PARIS, hours) == utc(2025, 12, 31, 15)
    # + 4: 1 January is a holiday -> Friday 2 January
    assert add_business_days(utc(2025, 12, 24, 15), 4, PARIS, hours) == utc(2026, 1, 2, 15)


def test_add_business_days_in_new_york_across_us_dst() -> None:
    # US clocks change on 2025-03-09. Friday 7 March 10:00 EST (15:00 UTC) + 1 -> Monday
    # 10:00 EDT (14:00 UTC).
    assert add_business_days(utc(2025, 3, 7, 15), 1, NEW_YORK, HOURS) == utc(2025, 3, 10, 14)


def test_negative_business_days_are_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        add_business_days(utc(2025, 3, 3, 9), -1, PARIS, HOURS)


def test_a_calendar_without_any_business_day_is_an_error_not_a_hang() -> None:
    mondays = [date.fromordinal(date(2025, 3, 3).toordinal() + 7 * k) for k in range(200)]
    hours = BusinessHours(days=["mon"], holidays=mondays)
    with pytest.raises(ValueError, match="no business day"):
        next_send_time(utc(2025, 3, 4, 9), PARIS, hours)


@pytest.mark.parametrize(
    ("tz_name", "zone", "note"),
    [
        (PARIS, PARIS, None),
        (None, "UTC", "has no time zone"),
        ("", "UTC", "has no time zone"),
        ("Mars/Olympus_Mons", "UTC", "'Mars/Olympus_Mons' is unknown"),
        ("../etc/passwd", "UTC", "is unknown"),
    ],
)
def test_resolve_time_zone_falls_back_and_says_so(
    tz_name: str | None, zone: str, note: str | None
) -> None:
    resolved, why = resolve_time_zone(tz_name, "UTC")
    assert resolved.key == zone
    if note is None:
        assert why is None
    else:
        assert why is not None and note in why and "default time zone UTC" in why


def test_unknown_time_zone_uses_the_given_default() -> None:
    # Saturday 12:00 UTC; with a Tokyo default the Monday opening is 08:00 JST = 23:00 UTC Sunday.
    assert next_send_time(utc(2025, 3, 8, 12), "Nowhere/City", HOURS, "Asia/Tokyo") == utc(
        2025, 3, 9, 23
    )
    assert local_now(utc(2025, 3, 8, 12), None, "Asia/Tokyo").hour == 21


def test_a_bad_default_time_zone_is_an_error() -> None:
    with pytest.raises(ValueError, match="IANA"):
        resolve_time_zone(None, "Paris")


def test_describe_local_names_the_day_and_zone() -> None:
    assert describe_local(utc(2025, 3, 8, 9), PARIS) == "Saturday 2025-03-08 10:00 Europe/Paris"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("08:30", time(8, 30)), ("8:30", time(8, 30)), (510, time(8, 30)), ("07:15:00", time(7, 15))],
)
def test_times_accept_yaml_spellings(value: object, expected: time) -> None:
    assert BusinessHours(start=value, end="18:00").start == expected


def test_days_accept_full_names_and_are_ordered() -> None:
    hours = BusinessHours(days=["Friday", "MONDAY", "wed", "mon"])
    assert hours.days == [Weekday.MON, Weekday.WED, Weekday.FRI]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "18:00", "end": "08:00"}, "not before end"),
        ({"start": "8h"}, "HH:MM"),
        ({"days": []}, "at least one business day"),
        ({"days": ["funday"]}, "not a day of the week"),
    ],
)
def test_business_hours_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BusinessHours(**kwargs)
