"""The admin's agent settings (ICP, selection, refresh, sender), stored as JSON blocks,
and the YAML file `qualify settings set` reads (any of the blocks but the ICP)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from core.admin_yaml import AdminYamlFile, error_describer
from core.clock import utc_now
from core.errors import SettingsFileError
from core.icp_profile import IcpProfile
from core.icp_verdicts import FitLevel
from graphs.icp.profile_file import default_icp
from graphs.research.selection import RefreshSchedule, SelectionRules
from store.agent_records import AgentSetting
from store.db import session_scope

if TYPE_CHECKING:
    from graphs.context import Context


class OutreachSettings(BaseModel):
    """Who outreach drafts come from, and which leads research drafts one for ahead."""

    model_config = ConfigDict(extra="forbid")

    sender_name: str = "Alex Morgan"
    sender_company: str = "Northwind Analytics"
    signature: str = "Alex Morgan\nAccount Executive, Northwind Analytics"
    draft_ahead_for: list[FitLevel] = Field(
        default_factory=lambda: [FitLevel.EXACT],
        description=(
            "ICP fits whose leads get an outreach draft during research, ready for the "
            "seller; the others are drafted on request (`qualify draft`), as the seeds' "
            "Draft email button does, so no model call is spent on drafts nobody opens."
        ),
    )


class AgentSettings(BaseModel):
    """All admin settings the research agent reads."""

    icp: IcpProfile = Field(default_factory=default_icp)
    selection: SelectionRules = Field(default_factory=SelectionRules)
    refresh: RefreshSchedule = Field(default_factory=RefreshSchedule)
    outreach: OutreachSettings = Field(default_factory=OutreachSettings)


_BLOCKS = tuple(AgentSettings.model_fields)


def load_agent_settings(database_url: str) -> AgentSettings:
    """The stored settings, with defaults for blocks never set."""
    with session_scope(database_url) as session:
        rows = session.exec(select(AgentSetting).where(AgentSetting.name.in_(_BLOCKS))).all()  # type: ignore[attr-defined]
        stored: dict[str, Any] = {row.name: row.value for row in rows}
    return AgentSettings.model_validate(stored)


def settings_in_force(context: Context) -> AgentSettings:
    """The settings a run uses: its batch's snapshot when the runner took one, else the
    stored ones now."""
    return context.agent_settings or load_agent_settings(context.database_url)


def save_setting_block(
    database_url: str, name: str, value: BaseModel, *, updated_by: str | None = None
) -> None:
    """Replace one settings block (already validated by its model)."""
    if name not in _BLOCKS:
        raise ValueError(f"unknown settings block {name!r}; one of {', '.join(_BLOCKS)}")
    with session_scope(database_url) as session:
        row = session.get(AgentSetting, name) or AgentSetting(name=name, value={})
        row.value = value.model_dump(mode="json")
        row.updated_on = utc_now()
        row.updated_by = updated_by
        session.add(row)


class SettingsFile(BaseModel):
    """What `qualify settings set` reads: the blocks to replace; absent ones stay."""

    model_config = ConfigDict(extra="forbid")

    selection: SelectionRules | None = None
    refresh: RefreshSchedule | None = None
    outreach: OutreachSettings | None = None

    def blocks(self) -> dict[str, BaseModel]:
        """The blocks the file sets, by name."""
        return {
            name: value
            for name in type(self).model_fields
            if (value := getattr(self, name)) is not None
        }


class AgentSettingsFileError(SettingsFileError):
    """The settings file cannot be used; the message says where and how to fix it."""


SETTINGS_FILE = AdminYamlFile(
    model=SettingsFile,
    what="Settings file",
    error=AgentSettingsFileError,
    example="the output of `qualify settings show`",
    top_level=", ".join(SettingsFile.model_fields),
    describe_error=error_describer(SettingsFile),
)


def parse_settings_yaml(text: str, source: str = "<settings text>") -> SettingsFile:
    """Parse and validate a settings file's YAML; an empty file sets nothing."""
    return SETTINGS_FILE.parse(text, source)


def load_settings_file(path: Path) -> SettingsFile:
    """Load an admin's settings YAML file; raise AgentSettingsFileError saying where."""
    return SETTINGS_FILE.load(path)
