"""Business days and hours in the lead's time zone: when the agent may send an email.

Everything takes and returns timezone-aware UTC datetimes; the lead's local wall clock is
only used to decide. Business days are counted on the lead's local calendar, so a
follow-up "3 business days later" lands at the same local time even across a DST change.
Hours outside business hours are the quiet hours: nothing is sent then.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from core.clock import as_utc
from core.time_zones import parse_time_zone, zone_info

# A calendar whose holidays cover every business day for this long is a configuration
# error, not a reason to loop for ever.
_MAX_SEARCH_DAYS = 3 * 366


class Weekday(StrEnum):
    """A day of the week, as admins write it in YAML."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


_WEEKDAYS = list(Weekday)  # index = date.weekday()
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _weekday(value: object) -> Weekday:
    if isinstance(value, Weekday):
        return value
    text = str(value).strip().lower()[:3]
    for day in Weekday:
        if text == day.value:
            return day
    raise ValueError(f"{value!r} is not a day of the week; use mon, tue, wed, thu, fri, sat or sun")


def _clock_time(value: object) -> object:
    """Accept "08:00", "8:30" and the integers YAML 1.1 makes of unquoted 8:30 (minutes)."""
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int):
        # PyYAML reads an unquoted 18:00 as sexagesimal 1080 (minutes since midnight).
        if 0 <= value < 24 * 60:
            return time(value // 60, value % 60)
        raise ValueError(f"{value} is not a time of day; write it as HH:MM, e.g. '08:00'")
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%H:%M", "%H:%M:%S"):
            try:
                return datetime.strptime(text, fmt).time()
            except ValueError:
                continue
        raise ValueError(f"{value!r} is not a time of day; write it as HH:MM, e.g. '08:00'")
    return value


class BusinessHours(BaseModel):
    """The days and hours the agent may send, in the lead's local time."""

    model_config = ConfigDict(extra="forbid")

    days: list[Weekday] = Field(
        default_factory=lambda: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI],
        description="Business days.",
    )
    start: time = Field(default=time(8, 0), description="Opening, local time (inclusive).")
    end: time = Field(default=time(18, 0), description="Closing, local time (exclusive).")
    holidays: list[date] = Field(
        default_factory=list, description="Days without sending, on the lead's local calendar."
    )

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: object) -> list[Weekday]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("days: give a list such as [mon, tue, wed, thu, fri]")
        days: list[Weekday] = []
        for item in items:
            day = _weekday(item)
            if day not in days:
                days.append(day)
        if not days:
            raise ValueError("days: list at least one business day, e.g. [mon, tue, wed, thu, fri]")
        return sorted(days, key=_WEEKDAYS.index)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _times(cls, value: object) -> object:
        return _clock_time(value)

    @field_validator("holidays")
    @classmethod
    def _sorted_holidays(cls, value: list[date]) -> list[date]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _opening_before_closing(self) -> BusinessHours:
        if self.start >= self.end:
            raise ValueError(
                f"start {self.start:%H:%M} is not before end {self.end:%H:%M}; the opening must "
                "come before the closing on the same day"
            )
        return self

    @field_serializer("start", "end")
    def _hhmm(self, value: time) -> str:
        return value.strftime("%H:%M")

    def is_business_day(self, day: date) -> bool:
        """Whether `day` (a local calendar date) is a business day."""
        return _WEEKDAYS[day.weekday()] in self.days and day not in self.holidays


# -- time zones ----------------------------------------------------------------------------


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The zone `name` names (IANA, Windows, a UTC offset: see `core.time_zones`), or None
    when it is empty or unknown."""
    return zone_info(parse_time_zone(name))


def resolve_time_zone(tz_name: str | None, default_tz: str = "UTC") -> tuple[ZoneInfo, str | None]:
    """The lead's zone, or the default with a note saying why the default was used."""
    zone = zone_or_none(tz_name)
    if zone is not None:
        return zone, None
    fallback = zone_or_none(default_tz)
    if fallback is None:
        raise ValueError(
            f"default time zone {default_tz!r} is not an IANA time zone; use a name such as "
            "UTC or Europe/Paris"
        )
    why = (
        "has no time zone"
        if not (tz_name and tz_name.strip())
        else f"time zone {tz_name!r} is unknown"
    )
    return fallback, f"the lead {why}; business hours use the default time zone {default_tz}"


# -- checks --------------------------------------------------------------------------------


def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on `day` in `zone`, as UTC.

    A time inside a DST gap (02:30 on the spring-forward night) maps to the instant just
    after the gap; a repeated time (autumn) maps to its first occurrence.
    """
    return datetime.combine(day, clock.replace(tzinfo=None, fold=0), tzinfo=zone).astimezone(UTC)


def local_now(now_utc: datetime, tz_name: str | None, default_tz: str = "UTC") -> datetime:
    """`now_utc` on the lead's wall clock (aware, in the lead's zone)."""
    zone, _ = resolve_time_zone(tz_name, default_tz)
    return as_utc(now_utc).astimezone(zone)


def _open_at(local: datetime, hours: BusinessHours) -> bool:
    return hours.is_business_day(local.date()) and hours.start <= local.time() < hours.end


def is_sendable(
    now_utc: datetime, tz_name: str | None, hours: BusinessHours, default_tz: str = "UTC"
) -> bool:
    """Whether `now_utc` falls in business hours on a business day in the lead's zone."""
    return _open_at(local_now(now_utc, tz_name, default_tz), hours)


def next_send_time(
    now_utc: datetime, tz_name: str | None, hours: BusinessHours, default_tz: str = "UTC"
) -> datetime:
    """`now_utc` if sending is allowed then, else the next opening (UTC)."""
    zone, _ = resolve_time_zone(tz_name, default_tz)
    now = as_utc(now_utc)
    local = now.astimezone(zone)
    if _open_at(local, hours):
        return now
    day = local.date()
    if hours.is_business_day(day) and local.time() < hours.start:
        return at_local(day, hours.start, zone)
    for _ in range(_MAX_SEARCH_DAYS):
        day += timedelta(days=1)
        if hours.is_business_day(day):
            return at_local(day, hours.start, zone)
    raise ValueError(
        f"no business day in the {_MAX_SEARCH_DAYS} days after {day:%Y-%m-%d}; check "
        "business_hours.days and holidays"
    )


def add_business_days(
    start_utc: datetime,
    n: int,
    tz_name: str | None,
    hours: BusinessHours,
    default_tz: str = "UTC",
) -> datetime:
    """`n` business days after `start_utc` at the same local time, or the next opening (UTC)."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    zone, _ = resolve_time_zone(tz_name, default_tz)
    local = as_utc(start_utc).astimezone(zone)
    day = local.date()
    counted = 0
    for _ in range(_MAX_SEARCH_DAYS * max(1, n)):
        if counted == n:
            break
        day += timedelta(days=1)
        counted += hours.is_business_day(day)
    else:
        raise ValueError("no business days found; check business_hours.days and holidays")
    wall = time(local.hour, local.minute, local.second, local.microsecond)
    return next_send_time(at_local(day, wall, zone), tz_name, hours, default_tz)


def describe_local(at_utc: datetime, tz_name: str | None, default_tz: str = "UTC") -> str:
    """E.g. 'Saturday 2025-03-29 10:00 Europe/Paris', for reasons shown to people."""
    zone, _ = resolve_time_zone(tz_name, default_tz)
    local = as_utc(at_utc).astimezone(zone)
    return f"{_DAY_NAMES[local.weekday()]} {local:%Y-%m-%d %H:%M} {zone.key}"
