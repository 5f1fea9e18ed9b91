"""Replay from the console: the form's choices (a step, a prompt version, a state value),
checked field by field, then `graphs.tracing.replay` run as `qualify replay` runs it, and
the original and the replay laid side by side."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, ValidationError, computed_field
from sqlmodel import Session

from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.tracing.replay import ReplayError, ReplayResult, replay
from graphs.tracing.trace_history import TraceMode, load_thread_history
from graphs.tracing.trace_view import LeadTrace, TimelineStep, build_trace
from prompts.registry import PromptError
from prompts.versioning import PROMPTS_BY_NODE, expand_prompt_pins, history
from store.db import get_db_engine
from store.replays import Replay


class PromptChoice(BaseModel):
    """A prompt version a replay may pin: `value` is PROMPT=VERSION."""

    value: str
    label: str


def prompt_choices(trace: LeadTrace, database_url: str) -> list[PromptChoice]:
    """The versions of every prompt the trace's nodes may load."""
    names = dict.fromkeys(
        prompt for step in trace.steps for prompt in PROMPTS_BY_NODE.get(step.node, ())
    )
    choices = []
    for name in names:
        for version in history(database_url, name):
            active = " (active)" if version.active else ""
            choices.append(
                PromptChoice(
                    value=f"{name}={version.version}", label=f"{name}@{version.version}{active}"
                )
            )
    return choices


PromptOrNode = Annotated[str, StringConstraints(min_length=1, max_length=100)]
PinnedVersion = Annotated[str, StringConstraints(pattern=r"^(default|[1-9][0-9]{0,8})$")]
StatePath = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ReplayRequest(BaseModel):
    """What to replay: from a step, with prompt versions pinned and state values edited."""

    mode: TraceMode = "research"
    from_step: int = Field(ge=1, le=100_000, description="Trace step to rerun from (1 = first).")
    prompt_versions: dict[PromptOrNode, PinnedVersion] = Field(
        default_factory=dict,
        max_length=20,
        description="NODE or PROMPT → version ('default' or a number).",
    )
    edits: dict[StatePath, Any] = Field(
        default_factory=dict,
        max_length=20,
        description="Dotted state path → its new value, e.g. icp.fit_level → 'none'.",
    )


@dataclass
class FieldErrors:
    """A form's problems, each at its field."""

    by_field: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_field)


class ReplayRefused(ValueError):
    """The replay cannot run as asked; `field` names the form field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def read_form(
    mode: str, from_step: str, prompt_pin: str, edit_key: str, edit_value: str
) -> tuple[ReplayRequest | None, FieldErrors]:
    """The form's fields as a request, or the problems at each field."""
    errors = FieldErrors()
    if mode not in ("research", "engage"):
        errors.by_field["mode"] = "Choose research or engage."
    step = None
    try:
        step = int(from_step)
        if step < 1:
            raise ValueError
    except ValueError:
        errors.by_field["from_step"] = "Choose the step to replay from (1 or more)."
    pins: dict[str, str] = {}
    if prompt_pin.strip():
        name, sep, version = prompt_pin.partition("=")
        if not sep or not name.strip() or not version.strip():
            errors.by_field["prompt_pin"] = "Choose a prompt version from the list."
        else:
            pins[name.strip()] = version.strip()
    edits: dict[str, Any] = {}
    key, raw = edit_key.strip(), edit_value.strip()
    if key and not raw:
        errors.by_field["edit_value"] = f'Give the new value of {key} as JSON, e.g. "none" or 150.'
    elif raw and not key:
        errors.by_field["edit_key"] = "Name the state value to edit, e.g. icp.fit_level."
    elif key:
        try:
            edits[key] = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.by_field["edit_value"] = (
                f"Not JSON ({exc.msg} at character {exc.pos + 1}): write text in double "
                'quotes ("none"), numbers as they are (150), true/false or null.'
            )
    if errors or step is None:
        return None, errors
    return (
        ReplayRequest(mode=mode, from_step=step, prompt_versions=pins, edits=edits),  # type: ignore[arg-type]
        errors,
    )


def run_replay(
    lead_id: str, request: ReplayRequest, *, database_url: str, checkpoint_url: str, by: str
) -> ReplayResult:
    """Fork the lead's thread before the step and run it on in a sandbox (nothing is sent
    or written to the CRM); `ReplayRefused` names the field at fault."""
    try:
        pins = expand_prompt_pins(request.prompt_versions, database_url=database_url)
    except PromptError as exc:
        raise ReplayRefused("prompt_pin", str(exc).removeprefix("--prompt ")) from exc
    try:
        with open_checkpointer(checkpoint_url) as saver:
            return replay(
                saver,
                Context(database_url=database_url),
                lead_id=lead_id,
                mode=request.mode,
                from_step=request.from_step,
                prompt_versions=pins,
                edits=request.edits,
                created_by=by,
            )
    except ReplayError as exc:
        message = str(exc)
        where = "edit_key" if message.startswith("edit ") else "from_step"
        if "has no" in message and "thread yet" in message:
            where = "mode"
        raise ReplayRefused(where, message) from exc
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ReplayRefused(
            "edit_value",
            f"the value does not fit {'.'.join(str(p) for p in problem['loc']) or 'the state'}: "
            f"{problem['msg']}",
        ) from exc
    except PromptError as exc:
        raise ReplayRefused("prompt_pin", str(exc)) from exc
    except Exception as exc:
        if not request.edits:
            raise  # a faithful rerun that fails is a bug to see, not a bad request
        # An edited state the graph cannot run on: the edit is at fault, say how.
        raise ReplayRefused(
            "edit_value", f"the replay stopped on the edited state: {type(exc).__name__}: {exc}"
        ) from exc


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def _untimed(outcome: str) -> str:
    """An outcome without its time stamps: a replay runs later by construction."""
    return _TIMESTAMP.sub("<time>", outcome)


class StepPair(BaseModel):
    """One step of the original and the replay at the same place."""

    number: int
    original: TimelineStep | None
    replayed: TimelineStep | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def differs(self) -> bool:
        """Another node, outcome or error."""
        a, b = self.original, self.replayed
        if a is None or b is None:
            return True
        return (a.node, _untimed(a.outcome), a.error) != (b.node, _untimed(b.outcome), b.error)


class ReplayComparison(BaseModel):
    """A replay beside the original: the outcomes, and each step from the replayed one."""

    replay_id: int
    lead_id: str
    mode: TraceMode
    replay_thread_id: str
    from_step: int
    from_node: str
    engine: str
    prompt_versions: dict[str, str]
    edits: dict[str, Any]
    original: dict[str, str]
    replayed: dict[str, str]
    changed: list[str] = Field(description="Outcome lines that differ.")
    steps: list[StepPair]


def comparison(
    replay_id: int, lead_id: str, *, database_url: str, checkpoint_url: str
) -> ReplayComparison | None:
    """A kept replay of the lead beside its original thread (None: no such replay)."""
    with Session(get_db_engine(database_url)) as session:
        row = session.get(Replay, replay_id)
    if row is None or row.lead_id != lead_id or row.mode not in ("research", "engage"):
        return None
    mode: TraceMode = row.mode  # type: ignore[assignment]
    original = _trace(row.original_thread_id, mode, lead_id, database_url, checkpoint_url)
    replayed = _trace(row.replay_thread_id, mode, lead_id, database_url, checkpoint_url)
    start = row.from_step - 1
    before, after = original.steps[start:], replayed.steps[start:]
    pairs = [
        StepPair(
            number=start + index + 1,
            original=before[index] if index < len(before) else None,
            replayed=after[index] if index < len(after) else None,
        )
        for index in range(max(len(before), len(after)))
    ]
    keys = list(dict.fromkeys([*row.original, *row.replayed]))
    return ReplayComparison(
        replay_id=replay_id,
        lead_id=lead_id,
        mode=mode,
        replay_thread_id=row.replay_thread_id,
        from_step=row.from_step,
        from_node=row.from_node,
        engine=row.engine + (f":{row.model}" if row.model else ""),
        prompt_versions=dict(row.prompt_versions),
        edits=dict(row.edits),
        original={k: str(v) for k, v in row.original.items()},
        replayed={k: str(v) for k, v in row.replayed.items()},
        changed=[k for k in keys if row.original.get(k) != row.replayed.get(k)],
        steps=pairs,
    )


def _trace(
    thread_id: str, mode: TraceMode, lead_id: str, database_url: str, checkpoint_url: str
) -> LeadTrace:
    found = load_thread_history(
        thread_id, mode, checkpoint_url=checkpoint_url, database_url=database_url
    )
    return build_trace(found, lead_id=lead_id, mode=mode, thread_id=thread_id)
