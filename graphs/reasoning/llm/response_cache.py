"""The LLM response cache: a LangChain `BaseCache` in a SQLite file, used by eval runs
and, with QUALIFY_LLM_CACHE on, by the agents (`cached_model_answers`).

LangChain asks the cache before every chat-model call with the serialized prompt and a
string describing the model and its call options (model name, temperature, and for
structured output the JSON schema or tool). The key is a SHA-256 of both, so the same
model, prompt text and schema answer from the file: a re-run costs nothing. Failed
calls are never stored (LangChain only stores answers).

Hits and misses are counted per case through `CacheStats` (a context variable the
runner sets), so the results can say which calls were free.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.globals import get_llm_cache, set_llm_cache
from langchain_core.load import dumps, loads
from pydantic import BaseModel


@dataclass
class CacheStats:
    """Cache hits and misses seen while one case ran."""

    hits: int = 0
    misses: int = 0


_stats: ContextVar[CacheStats | None] = ContextVar("qualify_eval_cache_stats", default=None)


@contextmanager
def counting_cache_use() -> Iterator[CacheStats]:
    """Count the cache hits and misses of the calls made inside the block."""
    stats = CacheStats()
    token = _stats.set(stats)
    try:
        yield stats
    finally:
        _stats.reset(token)


def cache_key(prompt: str, llm_string: str) -> str:
    """SHA-256 of the prompt and the model/options string (which holds the schema)."""
    digest = hashlib.sha256()
    digest.update(llm_string.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(prompt.encode("utf-8"))
    return digest.hexdigest()


def storable(generations: RETURN_VAL_TYPE) -> list[Any]:
    """Generations with pydantic objects in `additional_kwargs` turned into plain data.

    Structured output (json_schema) puts the parsed pydantic object in the message's
    `additional_kwargs["parsed"]`, which LangChain cannot serialize; the parser accepts
    the same data as a dict, so that is what is stored.
    """
    kept: list[Any] = []
    for generation in generations:
        message = getattr(generation, "message", None)
        extra = getattr(message, "additional_kwargs", None)
        if message is not None and extra and any(isinstance(v, BaseModel) for v in extra.values()):
            plain = {
                k: v.model_dump(mode="json") if isinstance(v, BaseModel) else v
                for k, v in extra.items()
            }
            generation = generation.model_copy(
                update={"message": message.model_copy(update={"additional_kwargs": plain})}
            )
        kept.append(generation)
    return kept


class SqliteLlmCache(BaseCache):
    """LLM answers by (model and options, prompt), in one SQLite file shared by threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS llm_cache ("
                " key TEXT PRIMARY KEY, llm_string TEXT NOT NULL, generations TEXT NOT NULL)"
            )

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        """The stored generations for this call, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT generations FROM llm_cache WHERE key = ?",
                (cache_key(prompt, llm_string),),
            ).fetchone()
        stats = _stats.get()
        if stats is not None:
            if row is None:
                stats.misses += 1
            else:
                stats.hits += 1
        if row is None:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # `loads` is marked beta; we only read our own file
            return loads(row[0], allowed_objects="core")

    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        """Store the generations the model answered."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO llm_cache (key, llm_string, generations) VALUES (?, ?, ?)",
                (cache_key(prompt, llm_string), llm_string, dumps(storable(return_val))),
            )

    def clear(self, **kwargs: Any) -> None:
        """Forget every stored answer."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM llm_cache")

    def count(self) -> int:
        """How many answers are stored."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM llm_cache").fetchone()[0])

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()


@contextmanager
def llm_cache_at(path: Path | None) -> Iterator[SqliteLlmCache | None]:
    """Use the cache file at `path` (None: no cache) for every chat model in the block."""
    if path is None:
        yield None
        return
    with _in_use(SqliteLlmCache(path)) as cache:
        yield cache


@contextmanager
def _in_use(cache: SqliteLlmCache) -> Iterator[SqliteLlmCache]:
    previous = get_llm_cache()
    set_llm_cache(cache)
    try:
        yield cache
    finally:
        set_llm_cache(previous)
        cache.close()


def cached_model_answers(engine: str, home: Path, enabled: bool) -> AbstractContextManager:
    """For a run on the LLM engine with the cache `enabled`: identical model calls (same
    model, options, prompt and schema) answered from `home`/llm_cache.db for the block, so
    the same criterion, digest or reply asked twice costs one call."""
    if engine != "llm" or not enabled:
        return nullcontext()
    try:
        cache = SqliteLlmCache(home / "llm_cache.db")
    except (OSError, sqlite3.Error):
        return nullcontext()  # a home this process cannot write: every call asks the model
    return _in_use(cache)
