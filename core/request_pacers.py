"""One request pacer per remote endpoint (a model's, a search provider's) in a process:
leads researched side by side share it, so together they keep to the endpoint's
requests-per-minute limit (LangChain's `InMemoryRateLimiter`, a token bucket waited on
before each request). Worker processes each pace themselves: give each its share."""

from __future__ import annotations

import threading

from langchain_core.rate_limiters import InMemoryRateLimiter

_LIMITERS: dict[tuple[str, float], InMemoryRateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def rate_limiter_for(
    endpoint: str, requests_per_minute: float | None
) -> InMemoryRateLimiter | None:
    """The process's pacer for `endpoint` at this rate (None: no limit)."""
    if requests_per_minute is None:
        return None
    with _LIMITERS_LOCK:
        key = (endpoint, requests_per_minute)
        if key not in _LIMITERS:
            _LIMITERS[key] = InMemoryRateLimiter(
                requests_per_second=requests_per_minute / 60,
                check_every_n_seconds=0.05,
                # A burst no larger than a second's worth (at least one request).
                max_bucket_size=max(1.0, requests_per_minute / 60),
            )
        return _LIMITERS[key]
