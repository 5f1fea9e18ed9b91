"""A circuit breaker per model endpoint: a down endpoint costs three timeouts, not three per lead.

Closed: calls go to the model. After `failures_to_trip` failures in a row it opens: every
call goes straight to the fallback engine. Once `cool_down_s` has passed, one call probes
the model (half-open): success closes the breaker, failure opens it for another cool-down.
Breakers are shared by every engine on the same endpoint and model in the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

BreakerState = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Whether to ask the model now, from the failures seen so far."""

    def __init__(
        self,
        failures_to_trip: int = 3,
        cool_down_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures_to_trip = failures_to_trip
        self.cool_down_s = cool_down_s
        self.clock = clock
        self.failures_in_a_row = 0
        self._opened_at: float | None = None
        self._probing = False
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        """closed, open, or half-open (cool-down over: the next call probes)."""
        if self._opened_at is None:
            return "closed"
        if self._probing or self.clock() - self._opened_at >= self.cool_down_s:
            return "half-open"
        return "open"

    def allows(self) -> bool:
        """True when this call may go to the model (in half-open state, one probe at a time)."""
        with self._lock:
            state = self.state
            if state == "closed":
                return True
            if state == "half-open" and not self._probing:
                self._probing = True
                return True
            return False

    def succeeded(self) -> None:
        """The model answered: close the breaker."""
        with self._lock:
            self.failures_in_a_row, self._opened_at, self._probing = 0, None, False

    def failed(self) -> None:
        """The model failed: count it; open (again) at the threshold or after a probe."""
        with self._lock:
            self.failures_in_a_row += 1
            if self._probing or self.failures_in_a_row >= self.failures_to_trip:
                self._opened_at, self._probing = self.clock(), False


_BREAKERS: dict[tuple[str, str], CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(
    endpoint: str, model: str, failures_to_trip: int, cool_down_s: float
) -> CircuitBreaker:
    """The process's breaker for this endpoint and model."""
    with _BREAKERS_LOCK:
        key = (endpoint, model)
        if key not in _BREAKERS:
            _BREAKERS[key] = CircuitBreaker(failures_to_trip, cool_down_s)
        return _BREAKERS[key]
