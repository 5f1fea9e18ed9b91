"""Follow-up timing: waits in business days, out-of-office returns, check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from graphs.engage.business_calendar import BusinessHours
from graphs.engage.followups import (
    FollowUpPolicy,
    after_out_of_office,
    check_in_at,
    follow_ups_exhausted,
    next_follow_up_at,
)

PARIS = "Europe/Paris"
HOURS = BusinessHours()
POLICY = FollowUpPolicy()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_outbound", "hours", "expected"),
    [
        # Monday 10:00 CET -> Thursday 10:00
        (utc(2025, 3, 3, 9), HOURS, utc(2025, 3, 6, 9)),
        # Wednesday -> Monday (weekend skipped)
        (utc(2025, 3, 5, 9), HOURS, utc(2025, 3, 10, 9)),
        # Friday 28 March 10:00 CET, DST on Sunday 30 -> Wednesday 2 April 10:00 CEST
        (utc(2025, 3, 28, 9), HOURS, utc(2025, 4, 2, 8)),
        # a holiday on the way adds a day
        (utc(2025, 3, 3, 9), BusinessHours(holidays=[date(2025, 3, 5)]), utc(2025, 3, 7, 9)),
    ],
)
def test_next_follow_up_waits_business_days(
    last_outbound: datetime, hours: BusinessHours, expected: datetime
) -> None:
    assert next_follow_up_at(last_outbound, POLICY, PARIS, hours) == expected


def test_a_naive_24_hour_step_would_miss_the_dst_change() -> None:
    due = next_follow_up_at(utc(2025, 3, 28, 9), POLICY, PARIS, HOURS)
    assert due != utc(2025, 4, 2, 9)  # 11:00 CEST would be an hour late
    assert due.hour == 8  # 10:00 CEST


def test_wait_follows_the_policy() -> None:
    policy = FollowUpPolicy(wait_business_days=5)
    assert next_follow_up_at(utc(2025, 3, 3, 9), policy, PARIS, HOURS) == utc(2025, 3, 10, 9)


# 2025-03-07 is a Friday.
@pytest.mark.parametrize(
    ("return_date", "grace", "expected"),
    [
        # back on Friday, one grace day: not on the first day back -> Monday 08:00
        (date(2025, 3, 7), 1, utc(2025, 3, 10, 7)),
        # back on Friday, no grace: Friday's opening
        (date(2025, 3, 7), 0, utc(2025, 3, 7, 7)),
        # back Friday evening (19:00 local): Monday's opening plus one grace day -> Tuesday
        (datetime(2025, 3, 7, 19, 0), 1, utc(2025, 3, 11, 7)),
        # back Friday evening, no grace: Monday's opening
        (datetime(2025, 3, 7, 19, 0), 0, utc(2025, 3, 10, 7)),
        # back on a Saturday: Monday is the first day back, grace 1 -> Tuesday
        (date(2025, 3, 8), 1, utc(2025, 3, 11, 7)),
        # an aware datetime is taken as it is: 18:00 UTC Friday = 19:00 Paris
        (utc(2025, 3, 7, 18), 0, utc(2025, 3, 10, 7)),
    ],
)
def test_after_out_of_office(return_date: date | datetime, grace: int, expected: datetime) -> None:
    policy = FollowUpPolicy(ooo_grace_business_days=grace)
    received = utc(2025, 3, 3, 9)
    assert (
        after_out_of_office(return_date, PARIS, HOURS, policy, received_on_utc=received) == expected
    )


def test_out_of_office_without_a_return_date_waits_as_usual() -> None:
    received = utc(2025, 3, 3, 9)
    assert after_out_of_office(None, PARIS, HOURS, POLICY, received_on_utc=received) == utc(
        2025, 3, 6, 9
    )


def test_out_of_office_with_a_past_return_date_waits_as_usual() -> None:
    received = utc(2025, 3, 10, 9)  # the auto-reply says "back on 7 March" on 10 March
    assert after_out_of_office(
        date(2025, 3, 7), PARIS, HOURS, POLICY, received_on_utc=received
    ) == utc(2025, 3, 13, 9)


def test_out_of_office_needs_a_date_or_a_received_time() -> None:
    with pytest.raises(ValueError, match="return date"):
        after_out_of_office(None, PARIS, HOURS, POLICY)


def test_out_of_office_across_the_year_end() -> None:
    hours = BusinessHours(holidays=[date(2026, 1, 1)])
    # back 1 January (a holiday): first day back Friday 2, grace 1 -> Monday 5 January
    assert after_out_of_office(date(2026, 1, 1), PARIS, hours, POLICY) == utc(2026, 1, 5, 7)


@pytest.mark.parametrize(
    ("check_in_date", "received", "expected"),
    [
        # "try me in April": the first opening on 1 April (a Tuesday, CEST)
        (date(2025, 4, 1), utc(2025, 3, 3, 9), utc(2025, 4, 1, 6)),
        # a Saturday check-in date moves to Monday
        (date(2025, 4, 5), utc(2025, 3, 3, 9), utc(2025, 4, 7, 6)),
        # no date: 30 calendar days later at the same local time (Wednesday 2 April 10:00 CEST)
        (None, utc(2025, 3, 3, 9), utc(2025, 4, 2, 8)),
        # no date, lands on a Sunday: Monday's opening
        (None, utc(2025, 3, 7, 9), utc(2025, 4, 7, 6)),
        # a date not after the reply is ignored: the default applies
        (date(2025, 3, 1), utc(2025, 3, 3, 9), utc(2025, 4, 2, 8)),
    ],
)
def test_check_in_at(check_in_date: date | None, received: datetime, expected: datetime) -> None:
    assert check_in_at(check_in_date, received, POLICY, PARIS, HOURS) == expected


def test_check_in_default_days_follow_the_policy() -> None:
    policy = FollowUpPolicy(check_in_default_days=7)
    assert check_in_at(None, utc(2025, 3, 3, 9), policy, PARIS, HOURS) == utc(2025, 3, 10, 9)


@pytest.mark.parametrize(
    ("sent", "max_follow_ups", "expected"),
    [(0, 2, False), (1, 2, False), (2, 2, True), (3, 2, True), (0, 0, True)],
)
def test_follow_ups_exhausted(sent: int, max_follow_ups: int, expected: bool) -> None:
    assert follow_ups_exhausted(sent, FollowUpPolicy(max_follow_ups=max_follow_ups)) is expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"wait_business_days": 0},
        {"max_follow_ups": -1},
        {"check_in_default_days": 0},
        {"ooo_grace_business_days": -1},
        {"wait_days": 3},
    ],
)
def test_policy_validation(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        FollowUpPolicy(**kwargs)
