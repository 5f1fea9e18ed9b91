"""The one place that reads the wall clock, so tests and simulations can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


def utc_now() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime (SQLite hands them back) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Clock(Protocol):
    """Something that tells the time; the engage runner and its nodes read time only here."""

    def now(self) -> datetime:
        """Now, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Now, from the system."""
        return utc_now()


class ManualClock:
    """A clock tests and simulations move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        """The time it was set to."""
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (never backwards: time in a simulation only moves on)."""
        when = as_utc(when)
        if when < self._now:
            raise ValueError(f"the clock is at {self._now:%Y-%m-%d %H:%M}; it cannot go back")
        self._now = when

    def advance(self, delta: timedelta) -> datetime:
        """Move on by `delta`; returns the new time."""
        self.set(self._now + delta)
        return self._now
