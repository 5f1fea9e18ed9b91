"""Failures a new user meets are one or two lines and exit 1, never a traceback (issue 13,
item 4); `--debug` shows the traceback. Run through the installed command, as users do."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.fault_trials import qualify_command


def _qualify(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QUALIFY_HOME": str(home), "COLUMNS": "200", **env}
    return subprocess.run(
        [qualify_command(), *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_a_mistyped_home_is_refused_and_not_created(tmp_path: Path) -> None:
    home = tmp_path / "no-such-home"
    done = _qualify(home, "leads")
    assert done.returncode == 1 and "run `qualify init`" in done.stderr
    assert "Traceback" not in done.stderr and not home.exists()


def test_a_bad_setting_names_its_variable(tmp_path: Path) -> None:
    done = _qualify(tmp_path, "leads", QUALIFY_ENGINE="banana")
    assert done.returncode == 1
    assert "QUALIFY_ENGINE='banana'" in done.stderr and "errors.pydantic.dev" not in done.stderr


def test_an_error_is_two_lines_unless_debug(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _qualify(home, "init", "--leads", "20", "--accounts", "5").returncode == 0
    done = _qualify(home, "research", "--engine", "llm", "LEAD-0001")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "needs OPENAI_API_KEY" in done.stderr and len(done.stderr.strip().splitlines()) <= 4
    debug = _qualify(home, "research", "--engine", "llm", "LEAD-0001", "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr
