"""`qualify icp ...` and `qualify settings ...`: admins read and replace the ICP and the
selection, refresh and outreach settings as YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml
from pydantic import ValidationError

from app.cli.run_context import console, database_url, fail
from graphs.icp.profile_file import IcpFileError, dump_icp, load_icp_file
from graphs.research.agent_settings import (
    OutreachSettings,
    load_agent_settings,
    save_setting_block,
)
from graphs.research.selection import RefreshSchedule, SelectionRules

icp_app = typer.Typer(help="Show or set the ideal customer profile (ICP).")
settings_app = typer.Typer(help="Show or set selection, refresh and outreach settings.")


@icp_app.command("show")
def icp_show() -> None:
    """Print the ICP in force, as YAML an admin can edit."""
    console.print(dump_icp(load_agent_settings(database_url()).icp), highlight=False)


@icp_app.command("set")
def icp_set(
    path: Path,
    by: Annotated[str | None, typer.Option(help="Who made the change.")] = None,
) -> None:
    """Replace the ICP from a YAML file; a bad file changes nothing."""
    try:
        profile = load_icp_file(path)
    except IcpFileError as exc:
        raise fail(str(exc)) from exc
    save_setting_block(database_url(), "icp", profile, updated_by=by)
    console.print(f"ICP {profile.name!r} saved with {len(profile.criteria)} criteria.")


_SETTING_MODELS = {
    "selection": SelectionRules,
    "refresh": RefreshSchedule,
    "outreach": OutreachSettings,
}


@settings_app.command("show")
def settings_show() -> None:
    """Print selection, refresh and outreach settings as YAML."""
    current = load_agent_settings(database_url()).model_dump(mode="json", exclude={"icp"})
    console.print(yaml.safe_dump(current, sort_keys=False), highlight=False)


@settings_app.command("set")
def settings_set(
    path: Path,
    by: Annotated[str | None, typer.Option(help="Who made the change.")] = None,
) -> None:
    """Replace settings blocks (selection, refresh, outreach) from a YAML file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise fail(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not set(raw) <= set(_SETTING_MODELS):
        raise fail(f"{path}: top-level keys must be among {', '.join(_SETTING_MODELS)}")
    try:
        blocks = {name: _SETTING_MODELS[name].model_validate(raw[name]) for name in raw}
    except ValidationError as exc:
        raise fail(f"{path}: {exc}") from exc
    for name, value in blocks.items():
        save_setting_block(database_url(), name, value, updated_by=by)
    console.print(f"Saved: {', '.join(blocks) or 'nothing'}.")
