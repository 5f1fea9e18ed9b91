"""`qualify settings set`: the selection, refresh and outreach file goes through the one
admin YAML loader, so a bad file names the field, its line and the fix, and saves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from core.errors import SettingsFileError
from core.settings import get_settings
from graphs.research.agent_settings import (
    AgentSettingsFileError,
    load_agent_settings,
    parse_settings_yaml,
)

runner = CliRunner()


def test_a_file_sets_only_the_blocks_it_names() -> None:
    parsed = parse_settings_yaml("selection:\n  max_age_days: 30\n")
    assert set(parsed.blocks()) == {"selection"}
    assert parsed.blocks()["selection"].max_age_days == 30  # type: ignore[attr-defined]
    assert parse_settings_yaml("").blocks() == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "selection:\n  max_age_days: 30\n  max_age_dayz: 3\n",
            "selection.max_age_dayz: Extra inputs are not permitted (line 3). Fix: remove "
            "`max_age_dayz` or correct its spelling; allowed here: statuses, max_age_days",
        ),
        ("outreach:\n  sender_nam: Kim\n", "allowed here: sender_name, sender_company"),
        ("refresh: 3\nbogus: 1\n", "bogus: Extra inputs are not permitted (line 2)"),
        ("- selection\n", "the top level must be a mapping with selection, refresh, outreach"),
        ("selection:\n  statuses: [open\n", "YAML syntax error at line"),
    ],
)
def test_a_bad_file_says_where_and_how_to_fix_it(text: str, expected: str) -> None:
    with pytest.raises(AgentSettingsFileError) as caught:
        parse_settings_yaml(text, source="team.yaml")
    assert isinstance(caught.value, SettingsFileError)
    assert "team.yaml" in str(caught.value)
    assert expected in str(caught.value)


def test_cli_saves_a_good_file_and_refuses_a_bad_one_keeping_what_was_stored(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("selection:\n  max_age_days: 30\noutreach:\n  sender_name: Kim Lee\n")
    result = runner.invoke(app, ["settings", "set", str(good)])
    assert result.exit_code == 0, result.output
    assert "Saved: selection, outreach." in result.output

    bad = tmp_path / "bad.yaml"
    bad.write_text("selection:\n  max_age_days: 7\nrefresh:\n  every_dayz: 2\n")
    result = runner.invoke(app, ["settings", "set", str(bad)])
    assert result.exit_code == 1
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "refresh.every_dayz" in said and "(line 4)" in said
    stored = load_agent_settings(get_settings().resolved_database_url)
    assert stored.selection.max_age_days == 30  # the bad file changed nothing
    assert stored.outreach.sender_name == "Kim Lee"

    result = runner.invoke(app, ["settings", "set", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    assert "does not exist" in " ".join(result.output.split())
