"""Admin operations on prompt versions: list, show, save, history, diff, activate, rollback.

A saved version is the whole prompt file (front matter and template). It is validated
before it is stored: it must parse, declare exactly the variables the code passes (those of
the default file), use every one of them and nothing else, and render with placeholder
values. A refused version is not stored, and the active version stays.
"""

from __future__ import annotations

import difflib
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import utc_now
from prompts.registry import (
    PROMPTS_DIR,
    Prompt,
    PromptError,
    default_prompt,
    parse_prompt,
    parse_version,
)
from store.db import session_scope
from store.prompt_versions import (
    DEFAULT_VERSION,
    PromptActivation,
    PromptVersion,
    active_version,
    bump_revision,
    latest_activation,
    stored_version,
)

# Which prompts each graph node may load, for `replay --prompt NODE=VERSION`.
PROMPTS_BY_NODE: dict[str, tuple[str, ...]] = {
    "researcher": ("llm_digest_account",),
    "lead_summarizer": ("llm_summarize_lead", "offline_lead_summary"),
    "icp_judge": ("llm_judge_free_text", "llm_judge_label"),
    "outreach_writer": ("llm_write_outreach", "offline_outreach_email"),
    "message_writer": (
        "llm_write_outreach",
        "llm_write_message",
        "offline_outreach_email",
        "offline_follow_up",
        "offline_answer",
        "offline_check_in",
    ),
    "reply_reader": ("llm_read_reply",),
}


class PromptSummary(BaseModel):
    """One prompt in `qualify prompts list`."""

    name: str
    engine: str = Field(description="llm or offline.")
    active_version: str = Field(description="'default' or the version number.")
    versions: int = Field(description="Stored admin versions (the file not counted).")
    description: str


class PromptVersionInfo(BaseModel):
    """One version of a prompt: the file ('default') or a stored admin version."""

    name: str
    version: str
    text: str = Field(description="The whole prompt file, front matter included.")
    author: str | None = None
    created_on: datetime | None = None
    note: str = ""
    active: bool = False


class ActivationInfo(BaseModel):
    """One activation in a prompt's log (rolled back ones included)."""

    version: str
    activated_on: datetime
    activated_by: str | None
    rolled_back: bool


def prompt_names() -> list[str]:
    """Every prompt there is a file for."""
    return sorted(path.stem for path in PROMPTS_DIR.glob("*.md"))


def default_text(name: str) -> str:
    """The default file's text, exactly as on disk."""
    default_prompt(name)  # an unknown name fails here, listing the known ones
    return (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8")


def validate_version(name: str, text: str) -> Prompt:
    """Refuse (with `PromptError`) a text that cannot replace the default file `name`."""
    default = default_prompt(name)
    prompt = parse_prompt(text, name=name, version="new")
    expected, declared = set(default.input_variables), set(prompt.input_variables)
    if declared != expected:
        missing, extra = sorted(expected - declared), sorted(declared - expected)
        problems = [f"missing {missing}"] if missing else []
        problems += [f"unknown {extra}"] if extra else []
        raise PromptError(
            f"prompt {name!r}: input_variables must be exactly {sorted(expected)} "
            f"(the values the code passes); {' and '.join(problems)}"
        )
    if prompt.engine != default.engine:
        raise PromptError(
            f"prompt {name!r}: engine must stay {default.engine!r} (the {default.engine} "
            f"engine is what loads it), not {prompt.engine!r}"
        )
    placeholders = {variable: f"<{variable}>" for variable in prompt.input_variables}
    try:
        prompt.render(**placeholders)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        raise PromptError(
            f"prompt {name!r}: template does not render with sample values: {exc}; "
            "use {variable} for a value and {{ }} for a literal brace"
        ) from exc
    return prompt


def list_prompts(database_url: str) -> list[PromptSummary]:
    """Every prompt with its engine, active version and number of stored versions."""
    with session_scope(database_url) as session:
        counts = dict(
            session.exec(
                select(PromptVersion.name, func.count()).group_by(PromptVersion.name)
            ).all()
        )
        actives = {name: active_version(session, name) for name in prompt_names()}
    return [
        PromptSummary(
            name=name,
            engine=default_prompt(name).engine,
            active_version=actives[name],
            versions=counts.get(name, 0),
            description=default_prompt(name).description,
        )
        for name in prompt_names()
    ]


def _info(row: PromptVersion, active: str) -> PromptVersionInfo:
    return PromptVersionInfo(
        name=row.name,
        version=str(row.version),
        text=row.template,
        author=row.author,
        created_on=row.created_on,
        note=row.note,
        active=active == str(row.version),
    )


def _default_info(name: str, active: str) -> PromptVersionInfo:
    return PromptVersionInfo(
        name=name,
        version=DEFAULT_VERSION,
        text=default_text(name),
        note="the file in prompts/",
        active=active == DEFAULT_VERSION,
    )


def _version_in(session: Session, name: str, version: str | int | None) -> PromptVersionInfo:
    active = active_version(session, name)
    wanted = parse_version(name, active if version is None else version)
    if wanted is None:
        return _default_info(name, active)
    row = stored_version(session, name, wanted)
    if row is None:
        raise PromptError(
            f"prompt {name!r} has no version {wanted}; see `qualify prompts history {name}`"
        )
    return _info(row, active)


def show(database_url: str, name: str, version: str | int | None = None) -> PromptVersionInfo:
    """One version of `name` (default: the active one)."""
    default_prompt(name)
    with session_scope(database_url) as session:
        return _version_in(session, name, version)


def save_version(
    database_url: str,
    name: str,
    text: str,
    author: str,
    note: str = "",
    *,
    activate: bool = True,
) -> PromptVersionInfo:
    """Validate and store a new version of `name` (activated unless `activate=False`)."""
    validate_version(name, text)
    if not author.strip():
        raise PromptError(f"prompt {name!r}: a new version needs an author")
    try:
        with session_scope(database_url) as session:
            latest = session.exec(
                select(func.max(PromptVersion.version)).where(PromptVersion.name == name)
            ).one()
            row = PromptVersion(
                name=name,
                version=(latest or 0) + 1,
                template=text,
                author=author,
                note=note,
                created_on=utc_now(),
            )
            session.add(row)
            session.flush()
            if activate:
                session.add(
                    PromptActivation(name=name, version=str(row.version), activated_by=author)
                )
            bump_revision(session)
            active = str(row.version) if activate else active_version(session, name)
            return _info(row, active)
    except IntegrityError as exc:
        raise PromptError(
            f"prompt {name!r}: another admin saved a version at the same moment; save again"
        ) from exc


def history(database_url: str, name: str) -> list[PromptVersionInfo]:
    """Every version of `name`, newest first, ending with the default file."""
    default_prompt(name)
    with session_scope(database_url) as session:
        active = active_version(session, name)
        rows = session.exec(
            select(PromptVersion)
            .where(PromptVersion.name == name)
            .order_by(col(PromptVersion.version).desc())
        ).all()
    return [_info(row, active) for row in rows] + [_default_info(name, active)]


def activation_log(database_url: str, name: str) -> list[ActivationInfo]:
    """Which versions were activated, when and by whom, newest first."""
    default_prompt(name)
    with session_scope(database_url) as session:
        rows = session.exec(
            select(PromptActivation)
            .where(PromptActivation.name == name)
            .order_by(col(PromptActivation.id).desc())
        ).all()
    return [
        ActivationInfo(
            version=row.version,
            activated_on=row.activated_on,
            activated_by=row.activated_by,
            rolled_back=row.rolled_back,
        )
        for row in rows
    ]


def diff(database_url: str, name: str, v1: str | int, v2: str | int) -> str:
    """A unified diff from version `v1` to version `v2` of `name` ('' when equal)."""
    default_prompt(name)
    with session_scope(database_url) as session:
        old, new = _version_in(session, name, v1), _version_in(session, name, v2)
    return "".join(
        difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"{name}@{old.version}",
            tofile=f"{name}@{new.version}",
        )
    )


def activate(
    database_url: str, name: str, version: str | int, by: str | None = None
) -> PromptVersionInfo:
    """Make `version` (a number or 'default') the one every new run uses."""
    default_prompt(name)
    with session_scope(database_url) as session:
        target = _version_in(session, name, version)
        if not target.active:
            session.add(PromptActivation(name=name, version=target.version, activated_by=by))
            bump_revision(session)
            target.active = True
    return target


def rollback(database_url: str, name: str) -> PromptVersionInfo:
    """Undo the latest activation of `name`; returns the version now active again.

    Repeated rollbacks walk back through earlier activations down to the default file.
    """
    default_prompt(name)
    with session_scope(database_url) as session:
        latest = latest_activation(session, name)
        if latest is None:
            raise PromptError(
                f"prompt {name!r} is at the default file already; nothing to roll back"
            )
        latest.rolled_back, latest.rolled_back_on = True, utc_now()
        session.add(latest)
        session.flush()
        bump_revision(session)
        return _version_in(session, name, None)


def expand_prompt_pins(
    pins: dict[str, str], database_url: str | None = None
) -> tuple[tuple[str, str], ...]:
    """Turn `NODE=VERSION` / `PROMPT=VERSION` pins into `Context.prompt_versions`.

    A node pins every prompt it may load; a prompt pin wins over its node's pin. Given a
    database, a numbered node pin covers those of the node's prompts that have the
    version (at least one must), and a numbered prompt pin must exist.
    """
    names = set(prompt_names())
    node_pins: dict[str, str] = {}
    prompt_pins: dict[str, str] = {}
    for key, version in pins.items():
        if key not in PROMPTS_BY_NODE and key not in names:
            raise PromptError(
                f"--prompt {key}={version}: {key!r} is neither a node "
                f"({', '.join(sorted(PROMPTS_BY_NODE))}) nor a prompt ({', '.join(sorted(names))})"
            )
        number = parse_version(key, version)
        pinned = DEFAULT_VERSION if number is None else str(number)
        (node_pins if key in PROMPTS_BY_NODE else prompt_pins)[key] = pinned

    def exists(prompt: str, version: str) -> bool:
        if version == DEFAULT_VERSION or database_url is None:
            return True
        with session_scope(database_url) as session:
            return stored_version(session, prompt, int(version)) is not None

    resolved: dict[str, str] = {}
    for node, version in node_pins.items():
        covered = [p for p in PROMPTS_BY_NODE[node] if exists(p, version)]
        if not covered:
            raise PromptError(
                f"--prompt {node}={version}: none of its prompts "
                f"({', '.join(PROMPTS_BY_NODE[node])}) has version {version}"
            )
        resolved.update(dict.fromkeys(covered, version))
    for prompt, version in prompt_pins.items():
        if not exists(prompt, version):
            raise PromptError(
                f"prompt {prompt!r} has no version {version}; "
                f"see `qualify prompts history {prompt}`"
            )
        resolved[prompt] = version
    return tuple(sorted(resolved.items()))
