"""`qualify engage simulate`: the agent's timeline against scripted replies, with nothing
written (database rows, checkpoints, outbox folder, mail server)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import get_settings
from graphs.services import services_for
from graphs.simulation.database_copy import SimulationRefused, database_copy
from graphs.simulation.reply_script import ReplyScriptError, parse_reply_script
from store.db import get_db_engine
from tests.conftest import SampleCrm
from tests.smtp_test_server import SmtpTestServer, smtp_server

runner = CliRunner()
MONDAY = "2027-03-01T09:00:00"


def _fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its rows: equal before and after means no
    row was added, removed or changed."""
    if not path.exists():
        return {}
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        found = {}
        for table in tables:
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{table}"'))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            found[table] = (len(rows), digest)
        return found
    finally:
        connection.close()


def _everything(home: Path) -> dict[str, object]:
    checkpoints = home / "checkpoints.db"
    return {
        "crm": _fingerprint(home / "crm.db"),
        "checkpoints": _fingerprint(checkpoints),
        "checkpoints_size": checkpoints.stat().st_size if checkpoints.exists() else None,
        "outbox": sorted(str(p) for p in (home / "outbox").rglob("*")),
        # No new file in the home (an unsubscribe secret, an inbox); SQLite's own -wal and
        # -shm files come and go with any reader.
        "files": sorted(p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm"))),
    }


@pytest.fixture
def home(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Path, list[str], SmtpTestServer]]:
    """A home holding the researched sample CRM (with its checkpoints), whose mail
    settings point at a real SMTP server that must receive nothing."""
    template, good = researched_world
    root = tmp_path / "home"
    shutil.copytree(template.root, root)
    with smtp_server() as smtp:
        monkeypatch.setenv("QUALIFY_HOME", str(root))
        monkeypatch.setenv("QUALIFY_SMTP_HOST", smtp.host)
        monkeypatch.setenv("QUALIFY_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("QUALIFY_SMTP_STARTTLS", "false")
        get_settings.cache_clear()
        services_for.cache_clear()
        assert (root / "checkpoints.db").exists()
        yield root, good, smtp
    get_db_engine(f"sqlite:///{root / 'crm.db'}").dispose()


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, f"qualify {' '.join(args)}:\n{result.output}"
    return result.output


def test_simulation_shows_the_timeline_and_writes_nothing(
    home: tuple[Path, list[str], SmtpTestServer], tmp_path: Path
) -> None:
    root, good, smtp = home
    keen, silent = good[0], good[1]
    replies = tmp_path / "replies.yaml"
    replies.write_text(
        f"{keen}:\n"
        "  - after_days: 1\n"
        "    body: Thanks, that sounds useful. Can we set up a call next Tuesday at 2pm?\n"
        '"*": []\n',
        encoding="utf-8",
    )
    before = _everything(root)

    out = _run(
        "engage", "simulate", "--leads", f"{keen},{silent}", "--replies", str(replies),
        "--days", "30", "--at", MONDAY, "--json",
    )  # fmt: skip
    report = json.loads(out)
    by_lead = {lead["lead_id"]: lead for lead in report["leads"]}
    assert list(by_lead) == [keen, silent]

    meeting = by_lead[keen]
    kinds = [event["event"] for event in meeting["events"]]
    assert kinds == ["email", "reply", "handoff"], kinds
    outreach, reply, handoff = meeting["events"]
    assert outreach["kind"] == "outreach" and outreach["status"] == "sent"
    assert outreach["subject"] and outreach["body"]
    assert "call next Tuesday" in reply["body"]
    assert reply["reading"]["intent"] == "meeting_request"
    assert set(reply["reading"]["bant"]) == {"budget", "authority", "need", "timing"}
    assert (handoff["target"], handoff["rule_id"]) == ("seller", "meeting_request")
    assert handoff["assignee_id"] and handoff["assignee_name"]
    assert meeting["final_state"] == "handed_off" and meeting["errors"] == []

    quiet = by_lead[silent]
    emails = [event for event in quiet["events"] if event["event"] == "email"]
    assert [e["kind"] for e in emails] == ["outreach", "follow_up", "follow_up"]
    assert all(e["subject"].startswith("Re:") for e in emails[1:])
    [closing] = [event for event in quiet["events"] if event["event"] == "handoff"]
    assert (closing["target"], closing["rule_id"]) == ("supervisor", "no_reply_after_follow_ups")
    assert quiet["final_state"] == "handed_off"

    assert report["summary"] == {
        "leads": 2,
        "emails": 4,
        "follow_ups": 2,
        "replies": 1,
        "handoffs_by_rule": {"meeting_request": 1, "no_reply_after_follow_ups": 1},
    }

    text = _run(
        "engage", "simulate", "--leads", f"{keen},{silent}", "--replies", str(replies),
        "--at", MONDAY, "--full",
    )  # fmt: skip
    assert "nothing was written or sent" in text
    assert "would hand off to seller" in text and "by rule meeting_request" in text
    assert "reading: intent meeting_request" in text
    assert "2 leads, 4 emails (2 follow-ups), 1 replies" in text

    assert _everything(root) == before
    assert smtp.messages == []


def test_limit_simulates_the_leads_assignment_would_pick(
    home: tuple[Path, list[str], SmtpTestServer], tmp_path: Path
) -> None:
    root, _, smtp = home
    silence = tmp_path / "replies.json"
    silence.write_text('{"*": []}', encoding="utf-8")
    before = _everything(root)
    out = _run(
        "engage", "simulate", "--limit", "2", "--replies", str(silence), "--days", "2",
        "--at", MONDAY, "--json",
    )  # fmt: skip
    report = json.loads(out)
    assert report["summary"]["leads"] == 2
    for lead in report["leads"]:
        assert lead["errors"] == []
        first = lead["events"][0]
        assert (first["event"], first["kind"], first["status"]) == ("email", "outreach", "sent")
    assert _everything(root) == before and smtp.messages == []


def test_a_bad_replies_file_is_refused_with_the_field_named(
    home: tuple[Path, list[str], SmtpTestServer], tmp_path: Path
) -> None:
    root, good, smtp = home
    bad = tmp_path / "replies.yaml"
    bad.write_text(f"{good[0]}:\n  - after_days: soon\n    body: Call me\n", encoding="utf-8")
    before = _everything(root)
    out = _run("engage", "simulate", "--leads", good[0], "--replies", str(bad), code=1)
    assert f"{good[0]}[0].after_days" in out and "line 2" in out and "Fix:" in out
    assert _everything(root) == before and smtp.messages == []


def test_reply_script_errors_name_the_entry_and_field() -> None:
    script = parse_reply_script('{"LEAD-1": [{"after_days": 2, "body": "Hi"}], "*": []}')
    assert [r.after_days for r in script.replies_for("LEAD-1")] == [2]
    assert script.replies_for("LEAD-9") == []
    with pytest.raises(ReplyScriptError, match=r"LEAD-1\[0\]\.body: Field required"):
        parse_reply_script("LEAD-1:\n  - after_days: 1\n")
    with pytest.raises(ReplyScriptError, match=r"LEAD-1\[0\]\.colour.*allowed in a reply"):
        parse_reply_script("LEAD-1:\n  - after_days: 1\n    body: x\n    colour: red\n")
    with pytest.raises(ReplyScriptError, match=r"LEAD-1: Input should be a valid list"):
        parse_reply_script("LEAD-1: hello\n")


def test_simulation_refuses_postgresql_with_the_reason() -> None:
    with (
        pytest.raises(SimulationRefused, match="SQLite"),
        database_copy("postgresql://qualify@127.0.0.1/crm"),
    ):
        pass
