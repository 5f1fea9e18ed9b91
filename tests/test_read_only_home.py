"""A home this process may only read (issue 13, item 4): views work, writes say in one
line what cannot be written and how to fix it, and nothing stored changes.

The home is bind-mounted read-only in a private mount namespace (`unshare`), so the file
system refuses writes even to root, as a read-only volume or another user's home does.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fault_trials import qualify_command


def _in_read_only_mount(home: Path, command: list[str]) -> list[str]:
    """`command` run where `home` is mounted read-only."""
    namespace = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "-rm"]
    where = shlex.quote(str(home))
    script = (
        f"mount --bind {where} {where} && mount -o remount,ro,bind {where} {where} && "
        f"exec {shlex.join(command)}"
    )
    return [*namespace, "sh", "-c", script]


@pytest.fixture(scope="module")
def read_only_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A researched home, if this machine can mount it read-only (else the tests skip,
    saying why)."""
    home = tmp_path_factory.mktemp("read-only") / "home"
    home.mkdir()
    probe = subprocess.run(
        _in_read_only_mount(home, ["touch", str(home / "probe")]), capture_output=True, text=True
    ) if shutil.which("unshare") else None  # fmt: skip
    if probe is None or "Read-only file system" not in probe.stderr:
        pytest.skip(
            "this machine cannot mount a folder read-only in a private namespace "
            f"(unshare: {probe.stderr.strip() if probe else 'not installed'})"
        )
    for args in (["init", "--leads", "20", "--accounts", "5"], ["research"]):
        done = _qualify(home, *args)
        assert done.returncode == 0, done.stderr
    return home


def _qualify(home: Path, *args: str, read_only: bool = False) -> subprocess.CompletedProcess[str]:
    command = [qualify_command(), *args]
    environment = {**os.environ, "QUALIFY_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run(
        _in_read_only_mount(home, command) if read_only else command,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _fingerprint(home: Path) -> dict[str, str]:
    return {
        str(path.relative_to(home)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(
    ("view", "shows"),
    [
        (["leads"], "LEAD-0001"),
        (["show", "LEAD-0001"], "Key insights"),
        (["trace", "LEAD-0001"], "researcher"),
        (["monitor"], "Leads processed"),
        (["handoffs", "list"], "Rule"),
        (["outbox", "list"], "No email is waiting"),
        (["prompts", "list"], "research"),
    ],
)
def test_views_read_a_read_only_home(read_only_home: Path, view: list[str], shows: str) -> None:
    before = _fingerprint(read_only_home)
    done = _qualify(read_only_home, *view, read_only=True)
    assert done.returncode == 0, done.stderr
    assert shows in done.stdout
    assert _fingerprint(read_only_home) == before


@pytest.mark.parametrize(
    "write",
    [["research", "--force"], ["engage", "tick"], ["email", "LEAD-0001", "--valid"]],
)
def test_writes_to_a_read_only_home_say_what_and_how_to_fix(
    read_only_home: Path, write: list[str]
) -> None:
    before = _fingerprint(read_only_home)
    done = _qualify(read_only_home, *write, read_only=True)
    assert done.returncode == 1
    message = " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) <= 5
    assert f"the home {read_only_home}, which is read-only" in message
    assert "crm.db" in message and "set QUALIFY_HOME to a writable copy" in message
    assert _fingerprint(read_only_home) == before
