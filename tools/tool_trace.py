"""`recorded_tool`: a tool call (CRM read, web search, email check) leaves a `ToolCall` in
the step being traced, with its arguments, a summary of its result, duration and error.

Outside a traced node (tests, the CLI) the wrapper costs one context-variable read.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from core.trace_records import ToolCall, current_step, summarize_result

_P = ParamSpec("_P")
_R = TypeVar("_R")

_PLAIN = (str, int, float, bool, type(None))


def _plain(value: object) -> object:
    """A checkpoint-safe form of an argument: plain values as they are, others summarised."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, list | tuple) and all(isinstance(item, _PLAIN) for item in value):
        return list(value)
    return summarize_result(value, 120)


def recorded_tool(name: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorate a tool function or method so each call in a traced step is recorded as `name`.

    Arguments are recorded by parameter name with defaults filled in (`self` left out);
    a call that raises is recorded with its error and the exception propagates unchanged.
    """

    def decorate(fn: Callable[_P, _R]) -> Callable[_P, _R]:
        signature = inspect.signature(fn)
        skip_self = next(iter(signature.parameters), None) == "self"

        def arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                # A bad call: the function itself will raise the real error.
                named = {key: _plain(value) for key, value in kwargs.items()}
                return {"args": [_plain(arg) for arg in args], **named}
            bound.apply_defaults()
            items = list(bound.arguments.items())[1 if skip_self else 0 :]
            return {key: _plain(value) for key, value in items}

        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            step = current_step()
            if step is None:
                return fn(*args, **kwargs)
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:
                step.tool_calls.append(
                    ToolCall(
                        tool=name,
                        arguments=arguments(args, kwargs),
                        duration_ms=(time.perf_counter() - started) * 1000,
                        error=f"{type(exc).__name__}: {exc}",
                    )
                )
                raise
            duration_ms = (time.perf_counter() - started) * 1000
            step.tool_calls.append(
                ToolCall(
                    tool=name,
                    arguments=arguments(args, kwargs),
                    result_summary=summarize_result(result),
                    duration_ms=duration_ms,
                )
            )
            return result

        return wrapper

    return decorate
