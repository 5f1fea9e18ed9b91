"""`qualify engage` and `qualify handoffs` on the embedded defaults (.eml outbox)."""

from __future__ import annotations

import email
import os
from email import policy
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import get_settings
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import Handoff
from store.seller_inbox import SellerNotice

runner = CliRunner()
MONDAY = "2027-03-01T09:00:00"
TUESDAY = "2027-03-02T09:00:00"


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, f"qualify {' '.join(args)}:\n{result.output}"
    return result.output


def _first_outreach(home: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(
        sorted((home / "outbox").rglob("*.eml"))[0].read_bytes(), policy=policy.default
    )  # type: ignore[return-value]


def _reply_to(outreach: email.message.EmailMessage, message_id: str) -> email.message.EmailMessage:
    """The lead's answer to the agent's email, dated the Tuesday of the first tick's week."""
    reply = email.message.EmailMessage()
    reply["From"], reply["To"] = outreach["To"], outreach["From"]
    reply["Subject"] = "Re: " + outreach["Subject"]
    reply["Message-ID"], reply["In-Reply-To"] = message_id, outreach["Message-ID"]
    reply["Date"] = "Tue, 02 Mar 2027 08:30:00 +0000"
    return reply


def _deliver(home: Path, reply: email.message.EmailMessage, name: str = "reply.eml") -> None:
    (home / "inbox").mkdir(exist_ok=True)
    (home / "inbox" / name).write_bytes(bytes(reply))


def test_engage_tick_reply_handoff_and_review(tmp_path: Path) -> None:
    home = Path(os.environ["QUALIFY_HOME"])
    _run("init", "--leads", "80", "--accounts", "20")
    assert "handoff_rules" in _run("engage", "settings")

    out = _run("engage", "tick", "--at", MONDAY)
    assert "started" in out and "sent" in out
    sent = sorted((home / "outbox").rglob("*.eml"))
    assert sent, "the embedded default writes outgoing mail as .eml files"
    outreach = email.message_from_bytes(sent[0].read_bytes(), policy=policy.default)
    assert outreach["List-Unsubscribe"] and outreach["Message-ID"]

    reply = _reply_to(outreach, "<reply-1@lead.example>")
    reply.set_content("Please remove me from your mailing list.")
    _deliver(home, reply)

    out = _run("engage", "tick", "--at", TUESDAY)
    assert "opted_out: 1" in out
    assert (home / "inbox" / "processed" / "reply.eml").exists()

    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        handoff = session.exec(select(Handoff).where(Handoff.rule_id == "opted_out")).one()
        lead_id = handoff.lead_id
    listed = _run("handoffs", "list", "--target", "supervisor")
    assert "opted_out" in listed and "disqualify" in listed and "approve, reject" in listed
    conversation = _run("engage", "conversation", lead_id)
    assert "remove me" in conversation
    assert "Agent's reading: intent unsubscribe" in conversation
    assert "[sent]" in conversation and "[received]" in conversation  # not taken for markup
    shown = _run("handoffs", "show", str(handoff.id))
    assert f"Hand-off {handoff.id}" in shown and "opted_out" in shown
    assert "BANT (the lead's own words)" in shown and "Suggested next step" in shown
    assert f"qualify handoffs approve {handoff.id}" in shown
    assert f"qualify handoffs accept {handoff.id}" not in shown
    refused = _run("handoffs", "accept", str(handoff.id), code=1)
    assert "cannot be accepted; approve or reject it instead" in refused
    assert "no hand-off 999" in _run("handoffs", "show", "999", code=1)
    queue = _run("inbox", "--user", handoff.assignee_id or "")
    assert "handoff" in queue and lead_id in queue
    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        mine = session.exec(
            select(SellerNotice).where(SellerNotice.user_id == handoff.assignee_id)
        ).all()
    _run("inbox", *[arg for notice in mine for arg in ("--read", str(notice.id))])
    assert "0 unread notices" in _run("inbox", "--user", handoff.assignee_id or "")
    _run("handoffs", "approve", str(handoff.id), "--by", "USR-08")
    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.status == "disqualified" and lead.do_not_email
    again = _run("handoffs", "approve", str(handoff.id), code=1)
    assert "already approved" in again


def test_bad_engage_file_changes_nothing(tmp_path: Path) -> None:
    _run("init", "--leads", "60", "--accounts", "20")
    before = _run("engage", "settings")
    bad = tmp_path / "engage.yaml"
    bad.write_text(
        "handoff_rules:\n  - id: x\n    description: y\n    target: seller\n"
        "    when:\n      intent_in: [sounds_great]\n",
        encoding="utf-8",
    )
    out = _run("engage", "settings", "--set", str(bad), code=1)
    assert "sounds_great" in out and "engage.yaml" in out
    assert _run("engage", "settings") == before


def test_outbox_decisions_name_what_they_need() -> None:
    _run("init", "--leads", "40", "--accounts", "10")
    assert "No email is waiting for a decision" in _run("outbox", "list")
    refused = _run("outbox", "sent", "<nope@northwind.example>", code=1)
    assert "no outbound message with Message-ID" in refused


def test_checkpoints_hold_the_text_read_never_attachments_or_the_unread_rest() -> None:
    """A reply with an attachment and a body past the size limit: the lead's thread keeps
    the text read, with a note, and none of the attachment or the cut tail (issue 13, item 5)."""
    home = Path(os.environ["QUALIFY_HOME"])
    _run("init", "--leads", "40", "--accounts", "10")
    _run("engage", "tick", "--at", MONDAY)
    outreach = _first_outreach(home)
    reply = _reply_to(outreach, "<big-1@lead.example>")
    limit = get_settings().max_reply_chars
    reply.set_content(
        "Budget is approved; send pricing.\n\n" + "Our full supplier list. " * (limit // 20)
        + "UNREAD-TAIL-MARKER"
    )  # fmt: skip
    reply.add_attachment(
        ("ATTACHED-ROW-MARKER,1,2\n" * 40_000).encode(), "text", "csv", filename="suppliers.csv"
    )
    _deliver(home, reply, "big.eml")
    _run("engage", "tick", "--at", TUESDAY)

    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        lead = session.exec(select(Lead).where(Lead.email == outreach["To"].addresses[0].addr_spec))
        lead_id = lead.one().id
    conversation = " ".join(_run("engage", "conversation", lead_id).split())
    assert "Budget is approved" in conversation and "was not read" in conversation
    stored = Path(get_settings().resolved_checkpoint_url.removeprefix("sqlite:///")).read_bytes()
    assert b"Budget is approved" in stored  # the text read is in the thread
    assert b"ATTACHED-ROW-MARKER" not in stored and b"UNREAD-TAIL-MARKER" not in stored


def test_a_seller_returns_a_handoff_to_the_agent_with_a_note() -> None:
    home = Path(os.environ["QUALIFY_HOME"])
    _run("init", "--leads", "80", "--accounts", "20")
    _run("engage", "tick", "--at", MONDAY)
    reply = _reply_to(_first_outreach(home), "<reply-2@lead.example>")
    reply.set_content("Sounds good. Can we set up a call next Tuesday at 2pm?")
    _deliver(home, reply)
    _run("engage", "tick", "--at", TUESDAY)
    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        handoff = session.exec(select(Handoff).where(Handoff.rule_id == "meeting_request")).one()
    assert handoff.kind == "qualified"
    assert f"qualify handoffs return {handoff.id}" in _run("handoffs", "show", str(handoff.id))
    assert "needs a note" in _run("handoffs", "return", str(handoff.id), code=1)
    out = _run(
        "handoffs", "return", str(handoff.id), "--note", "Call held; they decide in June.",
        "--by", "USR-02",
    )  # fmt: skip
    assert "is back with the agent" in out
    trace = _run("trace", handoff.lead_id, "--mode", "engage")
    assert "seller_return" in trace
    conversation = " ".join(_run("engage", "conversation", handoff.lead_id).split())
    assert "by rule meeting_request" in conversation
    assert "return by USR-02 — Call held; they decide in June." in conversation
    again = _run("handoffs", "return", str(handoff.id), "--note", "again", code=1)
    assert "already rejected (return)" in again
