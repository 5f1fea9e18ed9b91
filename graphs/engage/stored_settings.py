"""The engage settings in force: the admin's stored block, or the shipped defaults."""

from __future__ import annotations

from sqlmodel import Session

from core.clock import utc_now
from graphs.engage.engage_settings import EngageSettings, default_engage
from graphs.engage.handoff_routing import resolve_routing
from store.agent_records import AgentSetting
from store.db import get_db_engine, session_scope

SETTING_NAME = "engage"


# Validated settings by (database, last update): every node reads them, and validating
# the YAML-shaped block each time cost more than the node's own work.
_parsed: dict[tuple[str, object], EngageSettings] = {}


def load_engage_settings(database_url: str) -> EngageSettings:
    """The stored engage settings, else the defaults of graphs/engage/default_engage.yaml.

    Callers get a copy they may change without touching the cached one.
    """
    with Session(get_db_engine(database_url)) as session:
        row = session.get(AgentSetting, SETTING_NAME)
    if row is None:
        return default_engage()
    key = (database_url, row.updated_on)
    # One lookup, kept in a local: another thread may clear the cache between a membership
    # test and a second lookup (a KeyError only under threads, e.g. parallel eval journeys).
    parsed = _parsed.get(key)
    if parsed is None:
        if len(_parsed) > 64:
            _parsed.clear()
        parsed = _parsed[key] = EngageSettings.model_validate(row.value)
    return parsed.model_copy(deep=True)


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


def check_routing_users(database_url: str, settings: EngageSettings) -> None:
    """The users and team the routing names must exist: checked when the settings are
    saved, not at a hand-off (`RoutingSettingsError` names the field)."""
    with Session(get_db_engine(database_url)) as session:
        resolve_routing(session, settings.routing, legacy_supervisor_id=settings.supervisor_id)
