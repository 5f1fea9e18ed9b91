"""The engage settings in force: the admin's stored block, or the shipped defaults."""

from __future__ import annotations

from sqlmodel import Session

from graphs.engage.engage_settings import EngageSettings, default_engage
from store.agent_records import AgentSetting
from store.clock import utc_now
from store.db import get_engine, session_scope

SETTING_NAME = "engage"


def load_engage_settings(database_url: str) -> EngageSettings:
    """The stored engage settings, else the defaults of graphs/engage/default_engage.yaml."""
    with Session(get_engine(database_url)) as session:
        row = session.get(AgentSetting, SETTING_NAME)
    return EngageSettings.model_validate(row.value) if row is not None else default_engage()


def save_engage_settings(
    database_url: str, settings: EngageSettings, *, updated_by: str | None = None
) -> None:
    """Replace the stored engage settings (already validated)."""
    with session_scope(database_url) as session:
        row = session.get(AgentSetting, SETTING_NAME) or AgentSetting(name=SETTING_NAME, value={})
        row.value = settings.model_dump(mode="json")
        row.updated_on = utc_now()
        row.updated_by = updated_by
        session.add(row)
