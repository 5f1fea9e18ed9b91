"""A time budget for the model per lead run: past it, the lead's remaining calls go to the
fallback engine, so one slow endpoint cannot hold a lead (or a batch) for hours.

The runner opens the budget around a lead's run; the fallback engine asks whether it is
spent before each call. A context variable carries it into the graph's nodes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("lead_deadline", default=None)


@contextmanager
def lead_time_budget(seconds: float | None) -> Iterator[None]:
    """Give the model `seconds` of wall time for the calls made inside (None: no limit)."""
    token = _DEADLINE.set(None if seconds is None else (time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def budget_spent() -> float | None:
    """The budget in seconds when it is spent, else None."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() >= deadline[0]:
        return deadline[1]
    return None
