"""Prompt files: one per prompt, with front matter declaring its input variables.

A prompt file is `prompts/<name>.md`:

    ---
    description: what the prompt is for
    engine: llm | offline
    input_variables: [company_name, pages]
    ---
    Template text with {company_name} and {pages} (Python format fields).

The registry validates the declared variables against the template, so a prompt
that names an unknown variable or forgets a declared one is refused when loaded.
"""

from __future__ import annotations

import logging
import string
import threading
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from core.trace_records import record_prompt_use
from store.db import session_scope
from store.prompt_versions import (
    DEFAULT_VERSION,
    PromptVersion,
    active_version,
    registry_stamp,
    stored_version,
)

PROMPTS_DIR = Path(__file__).parent
logger = logging.getLogger(__name__)


class PromptError(ValueError):
    """A prompt that cannot be used; the message names the prompt and the fix."""


class Prompt(BaseModel):
    """A loaded prompt template."""

    name: str
    version: str = Field(default="default", description="'default' for the file in prompts/.")
    description: str = ""
    engine: Literal["llm", "offline"] = "llm"
    input_variables: list[str]
    template: str

    def render(self, **values: object) -> str:
        """Fill the template; a missing variable raises `PromptError`."""
        missing = sorted(set(self.input_variables) - set(values))
        if missing:
            raise PromptError(f"prompt {self.name!r}: no value for {', '.join(missing)}")
        return self.template.format(**{k: values[k] for k in self.input_variables})


def template_fields(template: str, *, name: str = "?") -> set[str]:
    """The format fields a template uses; raises `PromptError` if it does not parse."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}
    except ValueError as exc:
        raise PromptError(f"prompt {name!r}: template does not parse: {exc}") from exc


def parse_prompt(text: str, *, name: str, version: str = "default") -> Prompt:
    """Parse and validate a prompt file's text."""
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise PromptError(f"prompt {name!r}: start with a '---' front matter block")
    front, body = text[4:].split("\n---\n", 1)
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        raise PromptError(f"prompt {name!r}: front matter is not YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise PromptError(
            f"prompt {name!r}: front matter must be 'key: value' lines "
            "(description, engine, input_variables)"
        )
    declared = meta.get("input_variables") or []
    if not isinstance(declared, list) or not all(isinstance(v, str) for v in declared):
        raise PromptError(
            f"prompt {name!r}: input_variables must be a list of names, e.g. [lead, company]"
        )
    engine = meta.get("engine", "llm")
    if engine not in ("llm", "offline"):
        raise PromptError(f"prompt {name!r}: engine {engine!r} must be 'llm' or 'offline'")
    used = template_fields(body, name=name)
    for field in used:
        if not field.isidentifier():
            raise PromptError(
                f"prompt {name!r}: field {{{field}}} is not a plain variable name; "
                "use {name} only (double braces for a literal brace)"
            )
    unknown = sorted(used - set(declared))
    if unknown:
        raise PromptError(
            f"prompt {name!r}: template uses undeclared variables {unknown}; "
            "add them to input_variables"
        )
    unused = sorted(set(declared) - used)
    if unused:
        raise PromptError(
            f"prompt {name!r}: declared variables {unused} are not used by the template"
        )
    return Prompt(
        name=name,
        version=version,
        description=str(meta.get("description", "")),
        engine=engine,
        input_variables=declared,
        template=body.strip() + "\n",
    )


def parse_version(name: str, value: str | int) -> int | None:
    """A version as given by an admin or a pin: None for "default", else the number."""
    text = str(value).strip()
    if text == DEFAULT_VERSION:
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise PromptError(
        f"prompt {name!r}: version {value!r} is neither 'default' nor a version number (1, 2, ...)"
    )


def parse_stored(row: PromptVersion) -> Prompt:
    """A stored version as a `Prompt` carrying its version number."""
    return parse_prompt(row.template, name=row.name, version=str(row.version))


class _Snapshot:
    """The prompts in force in one database at one registry revision, filled lazily."""

    def __init__(self, database_url: str, stamp: tuple[str, int]) -> None:
        self.database_url = database_url
        self.stamp = stamp
        self._active: dict[str, Prompt] = {}
        self._stored: dict[tuple[str, int], Prompt] = {}

    def active(self, name: str) -> Prompt:
        prompt = self._active.get(name)
        if prompt is None:
            with session_scope(self.database_url) as session:
                version = active_version(session, name)
                row = (
                    None
                    if version == DEFAULT_VERSION
                    else stored_version(session, name, int(version))
                )
            prompt = default_prompt(name) if row is None else _usable(parse_stored(row))
            self._active[name] = prompt
        return prompt

    def stored(self, name: str, version: int) -> Prompt:
        prompt = self._stored.get((name, version))
        if prompt is None:
            with session_scope(self.database_url) as session:
                row = stored_version(session, name, version)
            if row is None:
                default_prompt(name)  # an unknown name is the clearer error
                raise PromptError(
                    f"prompt {name!r} has no version {version}; "
                    f"see `qualify prompts history {name}`"
                )
            prompt = self._stored[(name, version)] = parse_stored(row)
        return prompt


def _usable(prompt: Prompt) -> Prompt:
    """The stored active version, or the file when the code now passes other variables."""
    default = default_prompt(prompt.name)
    if set(prompt.input_variables) == set(default.input_variables):
        return prompt
    # After an upgrade changed a prompt's inputs, an old version would render without the
    # new ones; the file is right for this code, and the trace shows "default" was used.
    logger.warning(
        "prompt %r version %s declares %s but the code passes %s; using the default file",
        prompt.name,
        prompt.version,
        sorted(prompt.input_variables),
        sorted(default.input_variables),
    )
    return default


_snapshots: dict[str, _Snapshot] = {}
_snapshots_lock = threading.Lock()


def _snapshot_for(database_url: str, stamp: tuple[str, int]) -> _Snapshot:
    with _snapshots_lock:
        snapshot = _snapshots.get(database_url)
        if snapshot is None or snapshot.stamp != stamp:
            snapshot = _snapshots[database_url] = _Snapshot(database_url, stamp)
        return snapshot


class PromptSource:
    """Where a run takes its prompts: pinned versions, else the active admin version in the
    store, else the file.

    One source lives for one node call: it reads the registry revision once (a primary-key
    lookup) and serves every prompt from a process-wide cache kept for that revision.
    """

    def __init__(self, database_url: str | None, versions: dict[str, str]) -> None:
        self.database_url = database_url
        self.versions = versions
        self._snapshot: _Snapshot | None = None
        self._looked = False

    def get(self, name: str) -> Prompt:
        """The prompt in force for this run."""
        pinned = self.versions.get(name)
        number = None if pinned is None else parse_version(name, pinned)
        if pinned is not None and number is None:
            return default_prompt(name)
        snapshot = self._current()
        if snapshot is None:
            if number is not None:
                raise PromptError(
                    f"prompt {name!r} has no version {number}: no versions are stored; "
                    "pin 'default' or save one with `qualify prompts edit`"
                )
            return default_prompt(name)
        return snapshot.active(name) if number is None else snapshot.stored(name, number)

    def _current(self) -> _Snapshot | None:
        if not self._looked:
            self._looked = True
            if self.database_url is not None:
                with session_scope(self.database_url) as session:
                    stamp = registry_stamp(session)
                if stamp is not None:
                    self._snapshot = _snapshot_for(self.database_url, stamp)
        return self._snapshot


_active_source: ContextVar[PromptSource | None] = ContextVar("qualify_prompts", default=None)


def use_prompt_versions(
    database_url: str | None, versions: tuple[tuple[str, str], ...] = ()
) -> Callable[[], None]:
    """Resolve prompts for the current node from the store, with pinned versions; returns
    a function that restores the previous source."""
    token = _active_source.set(PromptSource(database_url, dict(versions)))
    return lambda: _active_source.reset(token)


def load_prompt(name: str) -> Prompt:
    """The prompt `name` in force: the run's source if a node set one, else the file.

    Every load is recorded in the current step's trace with its version.
    """
    source = _active_source.get()
    prompt = source.get(name) if source is not None else default_prompt(name)
    record_prompt_use(prompt.name, prompt.version)
    return prompt


@lru_cache(maxsize=64)
def default_prompt(name: str) -> Prompt:
    """The default prompt `name` from `prompts/<name>.md`."""
    path = PROMPTS_DIR / f"{name}.md"
    if not path.exists():
        available = ", ".join(sorted(p.stem for p in PROMPTS_DIR.glob("*.md")))
        raise PromptError(f"no prompt named {name!r}; available: {available}")
    return parse_prompt(path.read_text(encoding="utf-8"), name=name)
