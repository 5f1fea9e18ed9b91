"""The send gate: permanent blocks, the daily cap per mailbox, quiet hours in the lead's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from graphs.engage.business_calendar import BusinessHours, Weekday
from graphs.engage.guardrails import GuardrailSettings, SendContext, check_send, mailbox_day

PARIS = "Europe/Paris"
SETTINGS = GuardrailSettings()
MONDAY_10_PARIS = datetime(2025, 3, 3, 9, tzinfo=UTC)


def ctx(**fields: Any) -> SendContext:
    base: dict[str, Any] = {
        "lead_id": "LEAD-0001",
        "email": "ana@contoso.example",
        "email_valid": True,
        "mailbox": "alex@northwind.example",
        "now_utc": MONDAY_10_PARIS,
        "time_zone": PARIS,
    }
    base.update(fields)
    return SendContext(**base)


def test_a_clean_send_in_business_hours_is_allowed() -> None:
    decision = check_send(ctx(), SETTINGS)
    assert decision.allowed and not decision.blocked_for_good
    assert decision.reasons == [] and decision.not_before is None and decision.notes == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"do_not_email": True}, "opted out of email"),
        ({"do_not_contact": True}, "do not contact"),
        ({"email": None}, "no email address"),
        ({"email": "  "}, "no email address"),
        ({"email_valid": False}, "ana@contoso.example is invalid"),
        ({"email": "ana at contoso", "email_valid": None}, "is not an email address"),
        ({"taken_over_by": "USR-002"}, "seller USR-002 has taken over"),
        ({"messages_sent_to_lead": 4}, "4 emails already sent to this lead; the limit is 4"),
        ({"messages_sent_to_lead": 9}, "the limit is 4"),
    ],
)
def test_blocked_for_good(fields: dict[str, Any], reason: str) -> None:
    decision = check_send(ctx(**fields), SETTINGS)
    assert not decision.allowed and decision.blocked_for_good
    assert decision.not_before is None
    assert any(reason in r for r in decision.reasons), decision.reasons


def test_every_permanent_reason_is_listed() -> None:
    decision = check_send(ctx(do_not_email=True, do_not_contact=True, taken_over_by="U"), SETTINGS)
    assert len(decision.reasons) == 3


def test_a_permanent_block_wins_over_a_temporary_one() -> None:
    saturday = datetime(2025, 3, 8, 9, tzinfo=UTC)
    decision = check_send(
        ctx(do_not_email=True, now_utc=saturday, mailbox_sent_today=999), SETTINGS
    )
    assert decision.blocked_for_good and decision.not_before is None
    assert len(decision.reasons) == 1


def test_unchecked_email_with_a_plausible_shape_is_allowed() -> None:
    assert check_send(ctx(email_valid=None), SETTINGS).allowed


@pytest.mark.parametrize(("sent", "allowed"), [(0, True), (3, True), (4, False)])
def test_max_messages_per_lead_follows_the_settings(sent: int, allowed: bool) -> None:
    assert check_send(ctx(messages_sent_to_lead=sent), SETTINGS).allowed is allowed


ALWAYS_OPEN = BusinessHours(days=list(Weekday), start="00:00", end="23:59")


@pytest.mark.parametrize(("sent_today", "allowed"), [(49, True), (50, False), (70, False)])
def test_daily_cap_per_mailbox(sent_today: int, allowed: bool) -> None:
    settings = GuardrailSettings(business_hours=ALWAYS_OPEN)
    decision = check_send(ctx(mailbox_sent_today=sent_today, time_zone="UTC"), settings)
    assert decision.allowed is allowed
    assert not decision.blocked_for_good
    if not allowed:
        assert decision.not_before == datetime(2025, 3, 4, tzinfo=UTC)  # next UTC day
        assert "alex@northwind.example has sent" in decision.reasons[0]
        assert "daily cap is 50" in decision.reasons[0]


def test_a_higher_cap_is_honoured() -> None:
    settings = GuardrailSettings(daily_send_cap_per_mailbox=150)
    assert check_send(ctx(mailbox_sent_today=120), settings).allowed


def test_cap_reached_waits_for_the_next_day_and_the_lead_s_opening() -> None:
    # Cap reached Monday; the mailbox day restarts at 00:00 UTC, 01:00 in Paris: quiet hours,
    # so the next try is Tuesday 08:00 Paris (07:00 UTC).
    decision = check_send(ctx(mailbox_sent_today=50), SETTINGS)
    assert not decision.allowed
    assert decision.not_before == datetime(2025, 3, 4, 7, tzinfo=UTC)
    assert any("daily cap" in r for r in decision.reasons)
    assert any("next opening Tuesday 2025-03-04 08:00" in r for r in decision.reasons)


def test_the_mailbox_day_can_follow_the_mailbox_s_zone() -> None:
    settings = GuardrailSettings(mailbox_time_zone="America/New_York", business_hours=ALWAYS_OPEN)
    now = datetime(2025, 3, 3, 15, tzinfo=UTC)  # 10:00 in New York
    start, end = mailbox_day(now, settings)
    assert (start, end) == (
        datetime(2025, 3, 3, 5, tzinfo=UTC),
        datetime(2025, 3, 4, 5, tzinfo=UTC),
    )
    decision = check_send(ctx(now_utc=now, mailbox_sent_today=50, time_zone="UTC"), settings)
    assert decision.not_before == end


@pytest.mark.parametrize(
    ("now", "tz", "not_before", "words"),
    [
        # Saturday in Paris -> Monday 08:00 CET
        (
            datetime(2025, 3, 8, 9, tzinfo=UTC),
            PARIS,
            datetime(2025, 3, 10, 7, tzinfo=UTC),
            "Saturday",
        ),
        # 19:00 on a Monday in Paris -> Tuesday 08:00
        (datetime(2025, 3, 3, 18, tzinfo=UTC), PARIS, datetime(2025, 3, 4, 7, tzinfo=UTC), "19:00"),
        # noon UTC is 07:00 in New York: wait an hour
        (
            datetime(2025, 3, 3, 12, tzinfo=UTC),
            "America/New_York",
            datetime(2025, 3, 3, 13, tzinfo=UTC),
            "America/New_York",
        ),
        # Monday morning in Tokyo is still Sunday in UTC: the lead's zone decides
        (datetime(2025, 3, 2, 23, 30, tzinfo=UTC), "Asia/Tokyo", None, ""),
    ],
)
def test_quiet_hours_in_the_lead_s_time_zone(
    now: datetime, tz: str, not_before: datetime | None, words: str
) -> None:
    decision = check_send(ctx(now_utc=now, time_zone=tz), SETTINGS)
    assert decision.allowed is (not_before is None)
    assert not decision.blocked_for_good
    assert decision.not_before == not_before
    if not_before is not None:
        assert "outside business hours" in decision.reasons[0] and words in decision.reasons[0]


def test_holidays_are_quiet() -> None:
    settings = GuardrailSettings(business_hours=BusinessHours(holidays=["2025-03-03"]))
    decision = check_send(ctx(), settings)
    assert not decision.allowed and decision.not_before == datetime(2025, 3, 4, 7, tzinfo=UTC)


def test_unknown_lead_time_zone_uses_the_default_and_says_so() -> None:
    settings = GuardrailSettings(default_time_zone="America/New_York")
    # 09:00 UTC is 04:00 in New York: quiet under the default zone, though open in Paris.
    decision = check_send(ctx(time_zone="Moon/Base"), settings)
    assert not decision.allowed
    assert decision.not_before == datetime(2025, 3, 3, 13, tzinfo=UTC)
    assert decision.notes and "'Moon/Base' is unknown" in decision.notes[0]
    assert "America/New_York" in decision.notes[0]


def test_missing_time_zone_note_is_given_even_when_allowed() -> None:
    decision = check_send(ctx(time_zone=None), SETTINGS)
    assert decision.allowed and "has no time zone" in decision.notes[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"default_time_zone": "Paris"}, "not an IANA time zone"),
        ({"mailbox_time_zone": "CET+1"}, "not an IANA time zone"),
        ({"daily_send_cap_per_mailbox": 0}, "greater than or equal to 1"),
        ({"max_messages_per_lead": 0}, "greater than or equal to 1"),
        ({"quiet_hours": True}, "Extra inputs"),
    ],
)
def test_settings_validation(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        GuardrailSettings(**fields)
