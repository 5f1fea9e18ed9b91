"""Checkpointers for the lead graphs, with the types their states hold allowlisted.

LangGraph rebuilds pydantic models and enums from checkpoints only for types it was told
about (unlisted ones warn now and will be refused later), so the allowlist is derived
from the state schemas rather than kept by hand.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from functools import cache

from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import BaseModel

import memory.checkpointer


def _walk(annotation: object, found: set[type], seen: set[int]) -> None:
    if id(annotation) in seen:
        return
    seen.add(id(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        found.add(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.add(annotation)
        for field in annotation.model_fields.values():
            _walk(field.annotation, found, seen)
        return
    if isinstance(annotation, type) and typing.is_typeddict(annotation):
        for hint in typing.get_type_hints(annotation, include_extras=True).values():
            _walk(hint, found, seen)
        return
    for arg in typing.get_args(annotation):
        _walk(arg, found, seen)
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            _walk(arg, found, seen)


@cache
def checkpoint_allowlist() -> tuple[tuple[str, str], ...]:
    """(module, class name) of every model and enum the research and engage states hold."""
    from graphs.engage.state import EngageState
    from graphs.research.state import ResearchState

    found: set[type] = set()
    seen: set[int] = set()
    for schema in (ResearchState, EngageState):
        _walk(schema, found, seen)
    return tuple(sorted((cls.__module__, cls.__qualname__) for cls in found))


@contextmanager
def open_checkpointer(url: str) -> Iterator[BaseCheckpointSaver]:
    """A ready checkpointer for the research and engage threads at `url`."""
    with memory.checkpointer.open_checkpointer(url, allowlist=checkpoint_allowlist()) as saver:
        yield saver
