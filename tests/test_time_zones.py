"""Lead time zones: CRM spellings read as one name, zones inferred from city and country."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.time_zones import (
    TimeZoneSource,
    ZoneGuess,
    describe_time_zone,
    infer_lead_time_zone,
    infer_time_zone,
    parse_time_zone,
    zone_info,
)

PLACES = Path(__file__).parent / "data" / "time_zones" / "places.csv"


def _places() -> list[dict[str, str]]:
    with PLACES.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _offsets(zone: str) -> list[timedelta | None]:
    info = ZoneInfo(zone)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return [(start + timedelta(days=d)).astimezone(info).utcoffset() for d in range(0, 365, 3)]


@pytest.mark.parametrize("row", _places(), ids=lambda r: f"{r['city'] or '-'}/{r['country']}")
def test_zones_of_real_places(row: dict[str, str]) -> None:
    guess = infer_time_zone(row["city"] or None, row["country"] or None)
    if not row["zone"]:
        assert guess is None
        return
    assert guess is not None
    # A country on one clock may answer with any of its zones (Argentina has twelve).
    assert guess.zone == row["zone"] or _offsets(guess.zone) == _offsets(row["zone"]), guess
    assert (guess.source.value, guess.certain) == (row["source"], row["certain"] == "true")


def test_the_places_file_covers_three_continents_and_many_zones() -> None:
    rows = [r for r in _places() if r["zone"]]
    assert len(rows) >= 50
    assert {r["zone"].split("/")[0] for r in rows} >= {"America", "Europe", "Asia", "Australia"}


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  AMERICA/NEW_YORK ", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("america_slash_los_angeles", "America/Los_Angeles"),  # HubSpot's option value
        ("Asia/Calcutta", "Asia/Kolkata"),  # old names: today's
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Pacific Standard Time", "America/Los_Angeles"),  # Windows names
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("india standard time", "Asia/Kolkata"),
        ("Eastern Standard Time", "America/New_York"),
        ("(GMT-06:00) Central Time (US & Canada)", "America/Chicago"),  # Dynamics 365
        ("(GMT-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Amsterdam"),
        ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
        ("(UTC) Dublin, Edinburgh, Lisbon, London", "Europe/Dublin"),
        ("UTC+05:30", "UTC+05:30"),  # offsets
        ("utc+5:45", "UTC+05:45"),
        ("GMT-5", "UTC-05:00"),
        ("+01:00", "UTC+01:00"),
        ("+0530", "UTC+05:30"),
        ("UTC−03:00", "UTC-03:00"),  # a typographic minus
        ("UTC+14", "UTC+14:00"),
        ("UTC", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        ("Etc/GMT+5", "UTC-05:00"),  # IANA's POSIX sign: five hours behind
        ("Etc/GMT-14", "UTC+14:00"),
        ("UTC-11", "UTC-11:00"),  # a Windows name for an offset
    ],
)
def test_parse_time_zone(text: str, zone: str) -> None:
    assert parse_time_zone(text) == zone
    assert zone_info(zone) is not None


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "Mars/Olympus",
        "Central",
        "4",  # a Dynamics time zone code, not an offset
        "UTC+15",  # beyond the last zone
        "GMT+05:75",
        "GMT+5.5",
        "(GMT-06:00) Nowhere Time",
        "(UTC+01:00) Tokyo",  # the city is not on that offset
    ],
)
def test_parse_time_zone_refuses_what_names_no_zone(text: str | None) -> None:
    assert parse_time_zone(text) is None


@pytest.mark.parametrize(
    ("name", "hours"),
    [("UTC+05:30", 5.5), ("UTC-05:00", -5.0), ("UTC+05:45", 5.75), ("UTC-09:30", -9.5)],
)
def test_offset_zones_keep_their_offset_all_year(name: str, hours: float) -> None:
    zone = zone_info(name)
    assert zone is not None and zone.key == name
    for when in (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)):
        assert when.astimezone(zone).utcoffset() == timedelta(hours=hours)
    local = datetime(2026, 3, 2, 4, 30, tzinfo=UTC).astimezone(zone)
    assert local.tzname() is not None and local.tzname().startswith(("+", "-"))  # type: ignore[union-attr]


def test_zone_info_refuses_unknown_names() -> None:
    assert zone_info("Mars/Olympus") is None
    assert zone_info("UTC+5:30") is None  # stored names are canonical: UTC+05:30
    assert zone_info(None) is None


def test_a_lead_without_an_address_takes_its_account_s_zone() -> None:
    guess = infer_lead_time_zone(None, None, "Chicago", "United States")
    assert guess == ZoneGuess(
        zone="America/Chicago", source=TimeZoneSource.ACCOUNT, place="Chicago, US"
    )


def test_a_lead_s_city_is_looked_up_in_its_account_s_country() -> None:
    # Perth alone could be in Scotland; the account says Australia.
    guess = infer_lead_time_zone("Perth", None, "Sydney", "Australia")
    assert guess is not None
    assert (guess.zone, guess.source, guess.certain) == (
        "Australia/Perth",
        TimeZoneSource.CITY,
        True,
    )
    # A country on one clock decides: that is the account's country speaking.
    guess = infer_lead_time_zone("Lyon", None, None, "France")
    assert guess is not None and (guess.zone, guess.source) == (
        "Europe/Paris",
        TimeZoneSource.ACCOUNT,
    )


def test_the_lead_s_own_address_comes_before_its_account_s() -> None:
    guess = infer_lead_time_zone("Denver", "US", "Boston", "US")
    assert guess is not None and (guess.zone, guess.source) == (
        "America/Denver",
        TimeZoneSource.CITY,
    )
    assert infer_lead_time_zone(None, "US", None, "Brazil") is None


def test_describe_time_zone_says_how_it_was_found() -> None:
    assert (
        describe_time_zone("America/Chicago", "city", place="Chicago, US")
        == "America/Chicago (from the city Chicago, US)"
    )
    assert describe_time_zone("Europe/Berlin", TimeZoneSource.COUNTRY, place="Germany") == (
        "Europe/Berlin (from the country Germany)"
    )
    assert describe_time_zone("UTC+05:30", "crm") == "UTC+05:30 (from the CRM)"
    uncertain = describe_time_zone(
        "America/Chicago", "city", certain=False, place="Springfield, US"
    )
    assert "most populous of several" in uncertain
    assert describe_time_zone("Europe/Paris", None) == "Europe/Paris (as set on the lead)"
    assert describe_time_zone(None, None).startswith("not known")
