"""The one place that reads the wall clock, so tests and simulations can move time."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime (SQLite hands them back) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
