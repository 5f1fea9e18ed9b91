"""The scripted replies a simulation plays to the agent: a YAML (or JSON) file mapping a
lead id (or `*` for any lead) to the replies that lead sends, in order.

    LEAD-0042:
      - after_days: 1
        body: Can we set up a call next Tuesday at 2pm?
    "*": []          # every other lead never replies

`after_days` counts from the agent's email the reply answers: the first one the agent
sent since the lead's previous reply (follow-ups in between do not move it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel

from core.admin_yaml import AdminYamlFile, common_fix, located_message
from core.errors import SettingsFileError

ANY_LEAD = "*"

EXAMPLE = '{LEAD-0042: [{after_days: 1, body: "Can we talk on Tuesday?"}], "*": []}'


class ReplyScriptError(SettingsFileError):
    """The replies file cannot be used; the message names the entry, the field and the fix."""


class ScriptedReply(BaseModel):
    """One reply a lead sends in the simulation."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    after_days: float = Field(ge=0, description="Days after the agent's email it answers.")
    body: str = Field(min_length=1, description="The reply's text.")
    subject: str | None = Field(default=None, description="Default: Re: the agent's subject.")
    from_address: str | None = Field(
        default=None, alias="from", description="Default: the lead's own address."
    )


class ReplyScript(RootModel[dict[str, list[ScriptedReply]]]):
    """Replies by lead id; `*` for every lead not named."""

    def replies_for(self, lead_id: str) -> list[ScriptedReply]:
        """The replies `lead_id` sends, oldest first (its own, else those of `*`)."""
        if lead_id in self.root:
            return list(self.root[lead_id])
        return list(self.root.get(ANY_LEAD, []))

    def named_leads(self) -> list[str]:
        """The lead ids the file names (not `*`)."""
        return [lead_id for lead_id in self.root if lead_id != ANY_LEAD]


_FIELDS = ["after_days", "body", "subject", "from"]


def _fix(error: dict[str, Any], loc: tuple[str | int, ...]) -> str:
    kind = error["type"]
    field = loc[-1] if loc else ""
    if kind in {"extra_forbid", "extra_forbidden"}:
        return f"remove `{field}` or correct its spelling; allowed in a reply: {', '.join(_FIELDS)}"
    if field == "after_days" and kind in {"float_parsing", "float_type", "greater_than_equal"}:
        return "write the days after the agent's email as a number of at least 0, e.g. 2 or 0.5"
    if field == "body":
        return "write the reply's text, e.g. body: Can we talk on Tuesday?"
    if kind == "list_type":
        return (
            "give the lead a list of replies, each `- after_days: N` with a `body:` "
            "(an empty list [] for a lead who never replies)"
        )
    if kind in {"model_type", "dict_type"}:
        return "write each reply as a mapping with after_days and body"
    return common_fix(error, loc, _FIELDS) or "correct the value"


def _message(error: dict[str, Any], _data: Any, root: yaml.Node | None) -> str:
    # RootModel errors start with the dict key: the lead id is the entry named.
    loc: tuple[str | int, ...] = tuple(part for part in error["loc"] if part != "root")
    msg = str(error["msg"]).removeprefix("Value error, ")
    return located_message(loc, msg, _fix(error, loc), root)


REPLY_SCRIPT_FILE = AdminYamlFile(
    model=ReplyScript,
    what="Replies file",
    error=ReplyScriptError,
    example=EXAMPLE,
    top_level="lead ids (or * for any lead) mapped to lists of replies",
    describe_error=_message,
    empty_fix="map lead ids (or *) to their replies",
)


def parse_reply_script(text: str, source: str = "<replies>") -> ReplyScript:
    """The validated script in YAML or JSON `text`; ReplyScriptError names entry and field."""
    return REPLY_SCRIPT_FILE.parse(text, source)


def load_reply_script(path: Path) -> ReplyScript:
    """Read and validate the replies file at `path`."""
    return REPLY_SCRIPT_FILE.load(path)
