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

import string
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from graphs.tracing import record_prompt_use

PROMPTS_DIR = Path(__file__).parent


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
    declared = list(meta.get("input_variables") or [])
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
        description=meta.get("description", ""),
        engine=meta.get("engine", "llm"),
        input_variables=declared,
        template=body.strip() + "\n",
    )


class PromptSource:
    """Where a run takes its prompts: admin versions in the store, pinned versions, files."""

    def __init__(self, database_url: str | None, versions: dict[str, str]) -> None:
        self.database_url = database_url
        self.versions = versions

    def get(self, name: str) -> Prompt:
        """The prompt in force for this run (file default until versions are stored)."""
        return default_prompt(name)


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
