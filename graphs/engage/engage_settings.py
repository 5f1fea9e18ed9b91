"""The admin's engage settings as one YAML file: load with errors that point at the line.

Assignment criteria, follow-up policy, hand-off rules, guardrails and sending mailboxes.
Errors name the file, the field path (e.g. `handoff_rules[2].when.intent_in[0]`), its
YAML line and how to fix it, because the reader is an admin editing a text file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from core.admin_yaml import (
    AdminYamlFile,
    Loc,
    Problem,
    common_fix,
    dump_admin_yaml,
    located_message,
)
from core.errors import SettingsFileError
from graphs.engage.assignment import AssignmentCriteria
from graphs.engage.business_calendar import BusinessHours
from graphs.engage.followups import FollowUpPolicy
from graphs.engage.guardrails import GuardrailSettings
from graphs.engage.handoff_routing import HandoffRouting, RoundRobin
from graphs.engage.handoff_rules import HandoffRule, RuleCondition, default_handoff_rules
from graphs.engage.sender_reputation import (
    BounceBreaker,
    EmailFooter,
    SenderReputation,
    SendingMailbox,
    WarmUpRamp,
)
from graphs.knowledge.source_answers import KnowledgeSettings
from graphs.rating.lead_rating import RatingSettings

DEFAULT_ENGAGE_PATH = Path(__file__).with_name("default_engage.yaml")

_HEADER = "# Engage settings. See graphs/engage/default_engage.yaml for what each field means.\n"


AcceptedAs = Literal["opportunity", "qualified_lead"]


class EngageSettings(BaseModel):
    """Everything the engage agent reads from the admin."""

    model_config = ConfigDict(extra="forbid")

    assignment: AssignmentCriteria = Field(default_factory=AssignmentCriteria)
    follow_ups: FollowUpPolicy = Field(default_factory=FollowUpPolicy)
    handoff_rules: list[HandoffRule] = Field(
        default_factory=default_handoff_rules, description="Evaluated in order; first match wins."
    )
    guardrails: GuardrailSettings = Field(default_factory=GuardrailSettings)
    rating: RatingSettings = Field(
        default_factory=RatingSettings,
        description="Weights and thresholds of the agent's lead rating (hot, warm, cold).",
    )
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    mailboxes: list[SendingMailbox] = Field(
        default_factory=lambda: [SendingMailbox(address="alex@northwind.example")],
        description="Each a plain address, or {address, warm_up_from, daily_cap}.",
    )
    sender_reputation: SenderReputation = Field(default_factory=SenderReputation)
    routing: HandoffRouting = Field(
        default_factory=HandoffRouting,
        description="Who hand-offs go to: owner or round robin, away, supervisor, escalation.",
    )
    supervisor_id: str | None = Field(
        default=None,
        description="The older name of routing.supervisor, still read; None = the first "
        "supervisor.",
    )
    accepted_handoffs_become: AcceptedAs = Field(
        default="opportunity",
        description="What a seller's accepted hand-off makes: the lead qualified and an "
        "opportunity opened for its owner (as qualifying a lead does in Dynamics 365), or "
        "only the lead qualified (qualified_lead).",
    )

    @field_validator("handoff_rules")
    @classmethod
    def _some_rules(cls, value: list[HandoffRule]) -> list[HandoffRule]:
        if not value:
            raise ValueError(
                "no hand-off rules, so no lead would ever be handed off; list at least one "
                "rule, or delete `handoff_rules` to use the defaults"
            )
        return value

    @field_validator("mailboxes", mode="before")
    @classmethod
    def _mailboxes(cls, value: object) -> object:
        items = [value] if isinstance(value, str | dict) else value
        if not isinstance(items, list):
            return value
        if not items:
            raise ValueError("no sending mailbox; list at least one address")
        # A plain address is a mailbox warmed up already, at the guardrails' daily cap.
        return [{"address": item} if isinstance(item, str) else item for item in items]

    @field_validator("mailboxes")
    @classmethod
    def _one_entry_per_address(cls, value: list[SendingMailbox]) -> list[SendingMailbox]:
        seen: dict[str, SendingMailbox] = {}
        for mailbox in value:
            first = seen.setdefault(mailbox.address, mailbox)
            if first != mailbox:
                raise ValueError(
                    f"{mailbox.address} is listed twice with different settings; keep one "
                    "entry per sending mailbox"
                )
        return list(seen.values())

    @field_serializer("mailboxes")
    def _plain_when_possible(self, value: list[SendingMailbox]) -> list[object]:
        return [
            m.address
            if m.warm_up_from is None and m.daily_cap is None
            else m.model_dump(mode="json", exclude_none=True)
            for m in value
        ]

    @property
    def mailbox_addresses(self) -> list[str]:
        """The sending addresses, in the admin's order."""
        return [mailbox.address for mailbox in self.mailboxes]

    def sending_mailbox(self, address: str) -> SendingMailbox:
        """The admin's entry for `address` (a mailbox no longer listed: warmed up)."""
        wanted = address.strip().lower()
        found = next((m for m in self.mailboxes if m.address == wanted), None)
        return found or SendingMailbox(address=wanted)


class EngageFileError(SettingsFileError):
    """The engage settings file cannot be used; the message says where and how to fix it."""


# -- messages ----------------------------------------------------------------------------

_MODELS: dict[str, type[BaseModel]] = {
    "assignment": AssignmentCriteria,
    "follow_ups": FollowUpPolicy,
    "guardrails": GuardrailSettings,
    "knowledge": KnowledgeSettings,
    "business_hours": BusinessHours,
    "when": RuleCondition,
    "rating": RatingSettings,
    "sender_reputation": SenderReputation,
    "warm_up": WarmUpRamp,
    "bounce_breaker": BounceBreaker,
    "footer": EmailFooter,
    "routing": HandoffRouting,
    "round_robin": RoundRobin,
}


def _allowed_fields(loc: Loc) -> list[str]:
    parents = [p for p in loc[:-1] if isinstance(p, str)]
    if not parents:
        return list(EngageSettings.model_fields)
    if parents[-1] == "handoff_rules":
        return list(HandoffRule.model_fields)
    if parents[-1] == "mailboxes":
        return list(SendingMailbox.model_fields)
    model = _MODELS.get(parents[-1])
    return list(model.model_fields) if model else []


def _fix(error: dict[str, Any], loc: Loc, msg: str) -> tuple[str, str]:
    """(message, fix) for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in {"extra_forbid", "extra_forbidden"} and loc and loc[-1] == "injection_suspected":
        return msg, (
            "remove it: a suspected prompt injection is recorded but never decides a hand-off"
        )
    if kind == "literal_error" and loc[-1:] == ("sending",):
        return msg, "write auto (send without a person) or review (the owner approves each)"
    if kind == "literal_error":
        return msg, f"use one of: {ctx.get('expected', '')}"
    if kind == "enum":
        return (
            f"{error.get('input')!r} is not a known value",
            f"use one of: {ctx.get('expected', '')}",
        )
    shared = common_fix(error, loc, _allowed_fields(loc))
    if shared is not None:
        return msg, shared
    if kind in {"int_parsing", "int_from_float", "int_type"}:
        return msg, "write a whole number, e.g. 3"
    if kind in {"bool_parsing", "bool_type"}:
        return msg, "write true or false"
    if kind == "string_pattern_mismatch":
        return (
            msg,
            "use letters, digits, _ or - only, starting with a letter or digit (e.g. no_reply)",
        )
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return msg, "write the date as YYYY-MM-DD, e.g. 2025-12-25"
    if kind == "list_type":
        return msg, "give a list, e.g. [one, two]"
    if kind == "value_error" and "; " in msg:
        # Our validators say "problem; how to fix it".
        problem, fix = msg.split("; ", 1)
        return problem, fix
    return msg, "correct the value"


def _message(error: dict[str, Any], _data: Any, root: yaml.Node | None) -> str:
    loc: Loc = tuple(error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ")
    msg, fix = _fix(error, loc, msg)
    return located_message(loc, msg, fix, root)


def _cross_problems(settings: EngageSettings) -> list[Problem]:
    """Problems between fields that no single field's validator can see."""
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for i, rule in enumerate(settings.handoff_rules):
        if rule.id in first_seen:
            problems.append(
                (
                    ("handoff_rules", i, "id"),
                    f"rule id {rule.id!r} is also used by handoff_rules[{first_seen[rule.id]}]",
                    "give each rule its own id: the hand-off records which rule fired",
                )
            )
        else:
            first_seen[rule.id] = i
    older, newer = settings.supervisor_id, settings.routing.supervisor
    if older and newer and older.strip().casefold() != newer.strip().casefold():
        problems.append(
            (
                ("supervisor_id",),
                f"supervisor_id {older!r} and routing.supervisor {newer!r} name different "
                "supervisors",
                "delete supervisor_id (its older name) and keep routing.supervisor",
            )
        )
    needed = 1 + settings.follow_ups.max_follow_ups
    if settings.guardrails.max_messages_per_lead < needed:
        problems.append(
            (
                ("guardrails", "max_messages_per_lead"),
                f"{settings.guardrails.max_messages_per_lead} emails per lead leaves no room for "
                f"the outreach and {settings.follow_ups.max_follow_ups} follow-ups",
                f"raise it to at least {needed}, or lower follow_ups.max_follow_ups",
            )
        )
    return problems


# -- public API --------------------------------------------------------------------------


ENGAGE_FILE = AdminYamlFile(
    model=EngageSettings,
    what="Engage file",
    error=EngageFileError,
    example=DEFAULT_ENGAGE_PATH,
    top_level=", ".join(EngageSettings.model_fields),
    describe_error=_message,
    cross_problems=_cross_problems,
)


def parse_engage_yaml(text: str, source: str = "<engage settings text>") -> EngageSettings:
    """Parse and validate engage settings YAML; `source` names the file in errors."""
    return ENGAGE_FILE.parse(text, source)


def load_engage_file(path: Path) -> EngageSettings:
    """Load the admin's engage YAML file; raise EngageFileError saying where and how to fix."""
    return ENGAGE_FILE.load(path)


def dump_engage(settings: EngageSettings) -> str:
    """The settings as YAML that `load_engage_file` reads back to equal settings."""
    data = settings.model_dump(mode="json", exclude_none=True)
    return dump_admin_yaml(data, _HEADER)


def save_engage_file(settings: EngageSettings, path: Path) -> None:
    """Write the settings to `path` as YAML."""
    Path(path).write_text(dump_engage(settings), encoding="utf-8")


def default_engage() -> EngageSettings:
    """The shipped default engage settings (a fresh copy each call: callers may edit it)."""
    return ENGAGE_FILE.default()
