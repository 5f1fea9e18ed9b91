"""The admin's settings as the console edits them: one block of YAML per page (ICP,
selection, outreach, assignment, hand-off rules, guardrails, mailboxes, the product), each
read, validated and stored by the same functions the CLI uses (`qualify icp set`,
`qualify settings set`, `qualify engage settings --set`, `qualify product set`).

A refused text stores nothing; its problems come back one per field, with the line of
the submitted text they point at, so a page can show each one beside its line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import yaml
from sqlmodel import Session

from core.admin_yaml import Loc, dump_admin_yaml, line_of, load_settings_yaml
from core.errors import SettingsFileError
from core.settings import get_settings
from graphs.engage.engage_settings import EngageSettings, default_engage, parse_engage_yaml
from graphs.engage.stored_settings import SETTING_NAME as ENGAGE_SETTING
from graphs.engage.stored_settings import (
    check_routing_users,
    load_engage_settings,
    save_engage_settings,
)
from graphs.icp.profile_file import DEFAULT_ICP_PATH, dump_icp, parse_icp_yaml
from graphs.knowledge.product_catalog import ProductDocumentError, shipped_document
from graphs.knowledge.product_versions import save_document, show_document
from graphs.research.agent_settings import (
    AgentSettings,
    load_agent_settings,
    parse_settings_yaml,
    save_setting_block,
)
from store.agent_records import AgentSetting
from store.db import get_db_engine

BlockName = Literal[
    "icp", "selection", "outreach", "assignment", "handoff_rules", "guardrails", "mailboxes",
    "product",
]  # fmt: skip


@dataclass(frozen=True)
class SettingsBlock:
    """One page of settings: where its YAML is kept and which top-level keys it holds."""

    name: BlockName
    title: str
    about: str
    store: Literal["icp", "agent", "engage", "product"]
    keys: tuple[str, ...] = ()


BLOCKS: dict[str, SettingsBlock] = {
    block.name: block
    for block in (
        SettingsBlock(
            "icp", "Ideal customer profile", "Who fits: the criteria each lead is judged by.",
            "icp",
        ),
        SettingsBlock(
            "selection", "Selection rules", "Which leads are researched, and when again.",
            "agent", ("selection", "refresh"),
        ),
        SettingsBlock(
            "outreach", "Outreach sender", "Who drafts come from; which fits get one ahead.",
            "agent", ("outreach",),
        ),
        SettingsBlock(
            "assignment", "Assignment", "Which leads the engage agent takes; follow-ups.",
            "engage", ("assignment", "follow_ups"),
        ),
        SettingsBlock(
            "handoff_rules", "Hand-off rules", "When a lead goes to a seller or a supervisor, "
            "and who receives it.", "engage", ("handoff_rules", "routing"),
        ),
        SettingsBlock(
            "guardrails", "Guardrails", "What the agent may send, how often and when.",
            "engage", ("guardrails",),
        ),
        SettingsBlock(
            "mailboxes", "Mailboxes", "Sending mailboxes, warm-up, bounce breaker, footer.",
            "engage", ("mailboxes", "sender_reputation"),
        ),
        SettingsBlock(
            "product", "Product profile", "What the agent sells, the problems it solves, "
            "its FAQ.", "product",
        ),
    )
}  # fmt: skip

MAX_TEXT = 200_000


@dataclass(frozen=True)
class FieldProblem:
    """One problem of a refused text: the field (None: the whole text), its line in the
    submitted text if known, and the message with its fix."""

    field: str | None
    line: int | None
    message: str


class SettingsBlockError(ValueError):
    """A block's text that cannot be saved; `problems` says where, one per field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("\n".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class BlockText:
    """A block as the page shows it: the text in force and the shipped default."""

    block: SettingsBlock
    text: str
    default_text: str
    updated_on: datetime | None
    updated_by: str | None


def _yaml(data: dict) -> str:
    return dump_admin_yaml(data, header="")


def _engage_part(settings: EngageSettings, keys: tuple[str, ...]) -> dict:
    dumped = settings.model_dump(mode="json", exclude_none=True)
    return {key: dumped[key] for key in keys if key in dumped}


def _agent_part(settings: AgentSettings, keys: tuple[str, ...]) -> dict:
    return {key: getattr(settings, key).model_dump(mode="json") for key in keys}


def block_text(database_url: str, name: str) -> BlockText:
    """The block's text in force (stored, else the defaults) and the shipped default."""
    block = BLOCKS[name]
    updated_on = updated_by = None
    if block.store == "icp":
        text = dump_icp(load_agent_settings(database_url).icp)
        default = DEFAULT_ICP_PATH.read_text(encoding="utf-8")
        updated_on, updated_by = _last_change(database_url, "icp")
    elif block.store == "agent":
        text = _yaml(_agent_part(load_agent_settings(database_url), block.keys))
        default = _yaml(_agent_part(AgentSettings(), block.keys))
        updated_on, updated_by = _last_change(database_url, block.keys[0])
    elif block.store == "engage":
        text = _yaml(_engage_part(load_engage_settings(database_url), block.keys))
        default = _yaml(_engage_part(default_engage(), block.keys))
        updated_on, updated_by = _last_change(database_url, ENGAGE_SETTING)
    else:
        product = get_settings().product
        default = shipped_document(product) or ""
        try:
            document = show_document(database_url, product)
        except ProductDocumentError:  # a product that ships no files and has no version yet
            text = ""
        else:
            text = document.text
            updated_on, updated_by = document.created_on, document.author
    return BlockText(block, text, default, updated_on, updated_by)


def _last_change(database_url: str, setting: str) -> tuple[datetime | None, str | None]:
    with Session(get_db_engine(database_url)) as session:
        row = session.get(AgentSetting, setting)
    return (row.updated_on, row.updated_by) if row else (None, None)


def save_block(database_url: str, name: str, text: str, *, by: str, note: str = "") -> None:
    """Validate `text` as the block's YAML and store it as the CLI does; a refused text
    stores nothing and raises `SettingsBlockError` with each problem at its line."""
    block = BLOCKS[name]
    if len(text) > MAX_TEXT:
        raise SettingsBlockError(
            [FieldProblem(None, None, f"the text is over {MAX_TEXT:,} characters; shorten it")]
        )
    try:
        if block.store == "icp":
            save_setting_block(database_url, "icp", parse_icp_yaml(text, "(ICP)"), updated_by=by)
        elif block.store == "agent":
            _only_keys(text, block)
            parsed = parse_settings_yaml(text, f"({block.title})")
            for key, value in parsed.blocks().items():
                save_setting_block(database_url, key, value, updated_by=by)
        elif block.store == "engage":
            settings = _merged_engage(database_url, block, text)
            check_routing_users(database_url, settings)
            save_engage_settings(database_url, settings, updated_by=by)
        else:
            save_document(database_url, get_settings().product, text, author=by, note=note)
    except (SettingsFileError, ProductDocumentError) as exc:
        raise SettingsBlockError(located_problems(str(exc), text)) from exc


def _only_keys(text: str, block: SettingsBlock) -> None:
    """The page holds only its own keys: another page's key here would be saved twice."""
    data, root = load_settings_yaml(
        text, what=block.title, source="(submitted text)", error=SettingsFileError
    )
    if not isinstance(data, dict):
        return  # the file's own parser says what the top level must be
    owners = {key: other.title for other in BLOCKS.values() for key in other.keys}
    problems = [
        f"  - {key}: belongs on another page{f' ({owners[key]})' if key in owners else ''}"
        f" (line {line_of(root, (key,))}). Fix: keep only {', '.join(block.keys)} here."
        for key in data
        if key not in block.keys
    ]
    if problems:
        raise SettingsFileError(f"{block.title} is invalid:\n" + "\n".join(problems))


def _merged_engage(database_url: str, block: SettingsBlock, text: str) -> EngageSettings:
    """The stored engage settings with this block's keys replaced by `text`, validated as
    one engage file (so checks between blocks run). The submitted text comes first, so
    the lines in errors are its own lines."""
    _only_keys(text, block)
    data, _root = load_settings_yaml(
        text, what=block.title, source="(submitted text)", error=SettingsFileError
    )
    rest = _engage_part(
        load_engage_settings(database_url),
        tuple(k for k in EngageSettings.model_fields if k not in block.keys),
    )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SettingsFileError(
            f"{block.title}: the top level must be a mapping with {', '.join(block.keys)}. "
            "Fix: start from the shipped default below."
        )
    merged = text.rstrip("\n") + "\n" + (yaml.safe_dump(rest, sort_keys=False) if rest else "")
    return parse_engage_yaml(merged, f"({block.title})")


# -- problems at their lines -------------------------------------------------------------

_ITEM = re.compile(r"^\s+-?\s*(?P<field>[\w\[\].-]+|\(top level\)|\(document\)): (?P<rest>.*)$")
# The routing check names its field after this prefix.
_ROUTING = re.compile(r"^engage settings (?P<field>[\w\[\].-]+): ")
_LINE = re.compile(r"\(line (\d+)\)|at line (\d+), column \d+")


def _loc(field: str) -> Loc:
    """'criteria[2].min' or 'faq.2.answer' → ('criteria', 2, 'min')."""
    parts: list[str | int] = []
    for token in re.findall(r"[^.\[\]]+", field):
        parts.append(int(token) if token.isdigit() else token)
    return tuple(parts)


def located_problems(message: str, text: str) -> list[FieldProblem]:
    """A validation message of the admin YAML loader or the product catalog, split into
    one problem per field with its line in `text` (lines past `text` belong to the other
    blocks merged after it, and are not shown as lines of it)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None
    last_line = len(text.splitlines())
    problems: list[FieldProblem] = []
    for raw in message.splitlines():
        item = _ITEM.match(raw)
        if item is None:
            continue
        field = item["field"]
        found = _LINE.search(raw)
        line = int(found[1] or found[2]) if found else None
        if line is None and root is not None and not field.startswith("("):
            line = line_of(root, _loc(field))
        if line is not None and line > last_line:
            line = None
        named = None if field.startswith("(") else field
        # The field and line are shown beside the message: not repeated inside it.
        said = _LINE.sub("", item["rest"]).replace(" .", ".").strip()
        problems.append(FieldProblem(named, line, said))
    if problems:
        return problems
    routing = _ROUTING.match(message)
    if routing is not None:
        field = routing["field"]
        line = line_of(root, _loc(field)) if root is not None else None
        return [FieldProblem(field, line if line and line <= last_line else None, message)]
    found = _LINE.search(message)
    line = int(found[1] or found[2]) if found else None
    return [FieldProblem(None, line, message.strip())]
