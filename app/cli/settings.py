"""`qualify icp ...` and `qualify settings ...`: admins read and replace the ICP and the
selection, refresh and outreach settings as YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from app.cli.run_context import console, database_url, fail
from core.errors import SettingsFileError
from core.icp_profile import IcpProfile, IndustryCriterion
from graphs.icp.industry import listed_industry_lines
from graphs.icp.profile_file import dump_icp, load_icp_file
from graphs.research.agent_settings import (
    load_agent_settings,
    load_settings_file,
    save_setting_block,
)

icp_app = typer.Typer(help="Show or set the ideal customer profile (ICP).")
settings_app = typer.Typer(help="Show or set selection, refresh and outreach settings.")


@icp_app.command("show")
def icp_show() -> None:
    """Print the ICP in force, as YAML an admin can edit."""
    profile = load_agent_settings(database_url()).icp
    console.print(dump_icp(profile), highlight=False)
    _print_industries(profile)


def _print_industries(profile: IcpProfile) -> None:
    # Shown as comments, so the printed text stays YAML an admin can save and edit.
    for criterion in profile.criteria:
        if isinstance(criterion, IndustryCriterion):
            console.print(
                f"# industries of {criterion.id!r} in ISIC Rev. 4:", highlight=False, soft_wrap=True
            )
            for line in listed_industry_lines(criterion.industries):
                console.print(f"#   {line}", highlight=False, markup=False, soft_wrap=True)


@icp_app.command("set")
def icp_set(
    path: Path,
    by: Annotated[str | None, typer.Option(help="Who made the change.")] = None,
) -> None:
    """Replace the ICP from a YAML file; a bad file changes nothing."""
    try:
        profile = load_icp_file(path)
    except SettingsFileError as exc:
        raise fail(str(exc)) from exc
    save_setting_block(database_url(), "icp", profile, updated_by=by)
    console.print(f"ICP {profile.name!r} saved with {len(profile.criteria)} criteria.")
    _print_industries(profile)


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
        blocks = load_settings_file(path).blocks()
    except SettingsFileError as exc:
        raise fail(str(exc)) from exc
    for name, value in blocks.items():
        save_setting_block(database_url(), name, value, updated_by=by)
    console.print(f"Saved: {', '.join(blocks) or 'nothing'}.")
