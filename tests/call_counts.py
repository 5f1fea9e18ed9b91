"""Count calls to an object's methods, for tests and benchmarks that assert work not done."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def counted(target: Any, *names: str) -> Iterator[Counter[str]]:
    """Count calls to the methods `names` of `target` for the block."""
    counts: Counter[str] = Counter()
    originals = {name: getattr(target, name) for name in names}

    def counting(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return originals[name](*args, **kwargs)

        return call

    for name in names:
        setattr(target, name, counting(name))
    try:
        yield counts
    finally:
        for name, original in originals.items():
            setattr(target, name, original)
