"""Hand-offs, the draft and the conversation in the console, on real engage journeys (a
local SMTP server, replies in the inbox): each decision does what `qualify handoffs`
does, a seller decides only their own hand-offs and never a disqualification, a send
goes out once, an ungrounded edit is refused, and a lead's text is shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from store.crm import LeadStatus, Opportunity
from store.db import get_db_engine, session_scope
from store.engagement import ConversationState, Direction, EmailMessage
from tests.conftest import SampleCrm
from tests.console_handoffs_support import (
    ESCAPED,
    HOSTILE,
    console_journey,
    conversation_row,
    handoff_row,
    lead_row,
    qualified_reply,
    sellers_drafted_lead,
    unsubscribe_reply,
)
from tests.console_support import LOGINS, client_as
from tests.test_engage_journeys import Journey


@pytest.fixture
def trip(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Journey]:
    with console_journey(researched_world, tmp_path, monkeypatch) as opened:
        yield opened


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- hand-offs -----------------------------------------------------------------------------


def test_a_seller_accepts_a_handoff_and_the_lead_is_qualified(trip: Journey) -> None:
    handoff = qualified_reply(trip)
    url = trip.world.database_url
    with client_as(url, LOGINS.seller) as seller:
        queue = seller.get("/handoffs")
        assert queue.status_code == 200 and trip.lead.full_name in queue.text
        page = seller.get(f"/handoffs/{handoff.id}")
        assert page.status_code == 200
        shown = _text(page.text)
        assert handoff.rule_id in shown and "Suggested next step" in shown
        assert "budget approved for a planning tool" in page.text  # BANT in the lead's words
        assert f'action="/handoffs/{handoff.id}/accept"' in page.text
        assert f'action="/handoffs/{handoff.id}/approve"' not in page.text
        done = seller.post(f"/handoffs/{handoff.id}/accept", data={"note": "Calling Tuesday."})
        assert done.status_code == 303, done.text
        again = seller.post(f"/handoffs/{handoff.id}/accept", data={"note": "twice"})
        assert again.status_code == 422 and "already approved" in again.text
    lead = lead_row(trip)
    assert lead.status == LeadStatus.QUALIFIED and LOGINS.seller_user_id in (
        lead.status_reason or ""
    )
    decided = handoff_row(trip, handoff.id)  # type: ignore[arg-type]
    assert (decided.status, decided.action) == ("approved", "accept")
    assert decided.decided_by == LOGINS.seller_user_id
    assert decided.decision_note == "Calling Tuesday."
    assert conversation_row(trip).taken_over_by == LOGINS.seller_user_id
    with Session(get_db_engine(url)) as session:
        opened = session.exec(
            select(Opportunity).where(Opportunity.originating_lead_id == lead.id)
        ).all()
    assert len(opened) == 1 and opened[0].owner_id == lead.owner_id


def test_a_seller_returns_a_handoff_with_a_note_and_the_agent_waits_again(trip: Journey) -> None:
    handoff = qualified_reply(trip)
    with client_as(trip.world.database_url, LOGINS.seller) as seller:
        refused = seller.post(f"/handoffs/{handoff.id}/return", data={"note": "  "})
        assert refused.status_code == 422 and "needs a" in refused.text
        assert conversation_row(trip).state == ConversationState.HANDED_OFF  # nothing written
        note = "Budget is for next year; keep them warm."
        done = seller.post(f"/handoffs/{handoff.id}/return", data={"note": note})
        assert done.status_code == 303, done.text
        shown = seller.get(done.headers["location"])
        assert "Recorded: return" in shown.text and note.replace("'", "&#39;") in shown.text
    returned = handoff_row(trip, handoff.id)  # type: ignore[arg-type]
    assert (returned.status, returned.action) == ("rejected", "return")
    assert returned.decision_note == note
    conversation = conversation_row(trip)
    assert (conversation.state, conversation.next_action) == ("waiting", "follow_up")


def test_another_seller_can_neither_open_nor_decide_a_handoff(trip: Journey) -> None:
    handoff = qualified_reply(trip)
    with client_as(trip.world.database_url, LOGINS.other_seller) as other:
        assert trip.lead.full_name not in other.get("/handoffs").text
        assert other.get(f"/handoffs/{handoff.id}").status_code == 403
        assert other.get(f"/api/handoffs/{handoff.id}").status_code == 403
        assert other.post(f"/handoffs/{handoff.id}/accept", data={}).status_code == 403
        assert other.post(f"/api/handoffs/{handoff.id}/accept", json={}).status_code == 403
        assert [row["id"] for row in other.get("/api/handoffs").json()["items"]] == []
    assert handoff_row(trip, handoff.id).status == "pending"  # type: ignore[arg-type]


def test_only_a_supervisor_approves_a_disqualification(trip: Journey) -> None:
    handoff = unsubscribe_reply(trip)
    assert (handoff.target, handoff.kind) == ("supervisor", "disqualify")
    url = trip.world.database_url
    with client_as(url, LOGINS.seller) as seller:
        page = seller.get(f"/handoffs/{handoff.id}")  # the seller's lead: they may read it
        assert page.status_code == 200 and "/approve" not in page.text
        assert seller.post(f"/handoffs/{handoff.id}/approve", data={}).status_code == 403
        assert seller.post(f"/handoffs/{handoff.id}/reject", data={}).status_code == 403
        assert seller.post(f"/api/handoffs/{handoff.id}/approve", json={}).status_code == 403
    assert lead_row(trip).status == LeadStatus.OPEN
    with client_as(url, LOGINS.supervisor) as supervisor:
        queue = supervisor.get("/api/handoffs", params={"target": "supervisor"}).json()
        assert [row["id"] for row in queue["items"]] == [handoff.id]
        refused = supervisor.post(f"/api/handoffs/{handoff.id}/accept", json={})
        assert refused.status_code == 422
        assert "cannot be accepted; approve or reject" in refused.json()["detail"]
        approved = supervisor.post(f"/api/handoffs/{handoff.id}/approve", json={"note": "ok"})
        assert approved.status_code == 200, approved.text
        assert approved.json()["message"] == f"{trip.lead.id} is disqualified (opted_out)"
    lead = lead_row(trip)
    assert lead.status == LeadStatus.DISQUALIFIED and "opted_out" in (lead.status_reason or "")


def test_the_api_shows_a_handoff_as_qualify_handoffs_show(trip: Journey) -> None:
    handoff = qualified_reply(trip)
    with client_as(trip.world.database_url, LOGINS.seller) as seller:
        listed = seller.get("/api/handoffs").json()
        assert listed["total"] == 1 and listed["items"][0]["id"] == handoff.id
        shown = seller.get(f"/api/handoffs/{handoff.id}").json()
        assert shown["kind"] == "qualified" and shown["rule_id"] == handoff.rule_id
        assert [a["action"] for a in shown["actions"]] == ["accept", "return", "reject"]
        budget = next(line for line in shown["bant"] if line["name"] == "budget")
        assert budget["verdict"] == "met" and "budget approved" in budget["evidence"]
        assert any(s.startswith("intent ") for s in shown["interest_signals"])
        assert seller.get("/api/handoffs/999999").status_code == 404
        assert seller.get("/api/handoffs", params={"limit": 0}).status_code == 422
        assert seller.post(f"/api/handoffs/{handoff.id}/launch", json={}).status_code == 422


# -- the conversation, and hostile text ----------------------------------------------------


def test_the_conversation_shows_each_email_its_reading_and_the_handoff(trip: Journey) -> None:
    handoff = qualified_reply(trip, text=HOSTILE)
    with session_scope(trip.world.database_url) as session:
        lead = session.get(type(trip.lead), trip.lead.id)
        assert lead is not None
        lead.company_name = f"Acme {HOSTILE}"
        session.add(lead)
    with client_as(trip.world.database_url, LOGINS.seller) as seller:
        thread = seller.get(f"/api/leads/{trip.lead.id}/conversation").json()
        kinds = [entry["kind"] for entry in thread["entries"]]
        assert kinds == ["message", "message", "handoff"]
        outreach, reply, made = thread["entries"]
        assert (outreach["direction"], reply["direction"]) == ("outbound", "inbound")
        assert reply["reading"]["intent"] in ("meeting_request", "interested")
        assert f"hand-off {handoff.id}" in made["event"]
        for path in (f"/leads/{trip.lead.id}/conversation", f"/handoffs/{handoff.id}"):
            page = seller.get(path)
            assert page.status_code == 200, path
            assert HOSTILE not in page.text and ESCAPED in page.text, path
        assert seller.get("/handoffs").text.count(ESCAPED) >= 1
    with client_as(trip.world.database_url, LOGINS.other_seller) as other:
        assert other.get(f"/leads/{trip.lead.id}/conversation").status_code == 403


# -- draft → edit → send -------------------------------------------------------------------


def _sent_to(trip: Journey, address: str) -> list:
    return [m for m in trip.smtp.messages if address in m.rcpt_tos]


def test_a_seller_sends_the_edited_draft_once(trip: Journey) -> None:
    lead = sellers_drafted_lead(trip)
    assert lead.email
    with client_as(trip.world.database_url, LOGINS.seller) as seller:
        page = seller.get(f"/leads/{lead.id}/draft")
        assert page.status_code == 200
        draft = seller.get(f"/api/leads/{lead.id}/draft").json()
        assert draft["to"] == lead.email and draft["grounded_on"]
        body = draft["body"].replace("\n", "\r\n") + "\r\nTalk soon.\r\n"
        form = {"subject": draft["subject"], "body": body}
        sent = seller.post(f"/leads/{lead.id}/draft/send", data=form)
        assert sent.status_code == 303, sent.text
        assert sent.headers["location"].endswith("sent=new")
        again = seller.post(f"/leads/{lead.id}/draft/send", data=form)  # resubmitted
        assert again.headers["location"].endswith("sent=again")
        assert "already sent" in seller.get(again.headers["location"]).text
        kept = seller.get(f"/api/leads/{lead.id}/draft").json()
        assert kept["body"].endswith("Talk soon.\n") and "edited by the seller" in kept["engine"]
    delivered = _sent_to(trip, lead.email)
    assert len(delivered) == 1
    assert "Talk soon." in delivered[0].message.get_content()
    with Session(get_db_engine(trip.world.database_url)) as session:
        outbound = session.exec(
            select(EmailMessage).where(
                EmailMessage.lead_id == lead.id, EmailMessage.direction == Direction.OUTBOUND
            )
        ).all()
    assert [m.sent_by for m in outbound] == [LOGINS.seller_user_id]


def test_an_ungrounded_edit_is_refused_with_its_reason_and_kept(trip: Journey) -> None:
    lead = sellers_drafted_lead(trip)
    assert lead.email
    with client_as(trip.world.database_url, LOGINS.seller) as seller:
        draft = seller.get(f"/api/leads/{lead.id}/draft").json()
        claim = "Teams like yours cut planning time by 73% in the first month."
        body = f"{draft['body'].rstrip()}\n\n{claim}\n"
        refused = seller.post(
            f"/leads/{lead.id}/draft/send", data={"subject": draft["subject"], "body": body}
        )
        assert refused.status_code == 422
        assert "Not sent." in refused.text and "73%" in _text(refused.text)
        assert "with no source" in refused.text
        assert claim in refused.text  # the edited text stays in the form
        empty = seller.post(f"/leads/{lead.id}/draft/send", data={"subject": "", "body": "x"})
        assert empty.status_code == 422 and "Subject: write one" in empty.text
        assert seller.get(f"/api/leads/{lead.id}/draft").json() == draft  # nothing saved
    assert _sent_to(trip, lead.email) == []


# -- emails held for the owner's review ----------------------------------------------------


@pytest.fixture
def held(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Journey]:
    """The journey's lead (the console seller's) with its outreach held for review."""
    with console_journey(researched_world, tmp_path, monkeypatch, sending="review") as opened:
        yield opened


def _held_row(trip: Journey) -> EmailMessage:
    with Session(get_db_engine(trip.world.database_url)) as session:
        [row] = session.exec(select(EmailMessage).where(EmailMessage.lead_id == trip.lead.id))
    return row


def test_the_owner_edits_then_approves_a_held_email_and_it_goes_once(held: Journey) -> None:
    row = _held_row(held)
    assert row.status == "held"
    url = held.world.database_url
    with client_as(url, LOGINS.other_seller) as other:
        assert other.get(f"/reviews/{row.id}").status_code == 403
        assert other.post(f"/reviews/{row.id}/approve", data={}).status_code == 403
        assert f"/reviews/{row.id}" not in other.get("/reviews").text
    with client_as(url, LOGINS.seller) as seller:
        assert f"/reviews/{row.id}" in seller.get("/reviews").text
        evil = row.body + "\n\nSign in at https://login.evil.example/verify to see more."
        refused = seller.post(
            f"/reviews/{row.id}/edit", data={"subject": row.subject, "body": evil}
        )
        assert refused.status_code == 422 and "not saved" in refused.text
        assert "login.evil.example/verify" in refused.text  # the typed text is kept
        edited = "Would a short call next week be useful?\n\n" + row.body
        saved = seller.post(
            f"/reviews/{row.id}/edit", data={"subject": "A short call?", "body": edited}
        )
        assert saved.status_code == 303, saved.text
        assert seller.post(f"/reviews/{row.id}/approve", data={}).status_code == 303
        again = seller.post(f"/reviews/{row.id}/approve", data={})
        assert again.status_code == 422 and "already approved" in again.text
    held.tick()
    held.tick()
    [sent] = held.mail_to_lead()
    assert sent["Subject"] == "A short call?"
    after = _held_row(held)
    assert [step["action"] for step in after.review_history or []] == [
        "held",
        "edited",
        "approved",
    ]


def test_the_agent_writes_the_draft_again_on_request(trip: Journey) -> None:
    lead = sellers_drafted_lead(trip)
    with client_as(trip.world.database_url, LOGINS.seller) as seller:
        before = seller.get(f"/api/leads/{lead.id}/draft").json()
        edited = {"subject": before["subject"], "body": "Hello,\n\nA short note.\n"}
        assert seller.post(f"/leads/{lead.id}/draft/send", data=edited).status_code == 303
        redrafted = seller.post(f"/leads/{lead.id}/draft/regenerate", data={})
        assert redrafted.status_code == 303, redrafted.text
        assert "new draft" in seller.get(redrafted.headers["location"]).text
        after = seller.get(f"/api/leads/{lead.id}/draft").json()
    # The seller's sent edit was kept as the draft; the agent's new one replaces it.
    assert after["body"] != "Hello,\n\nA short note.\n" and after["grounded_on"]
    assert "edited by the seller" not in after["engine"]
