"""The inbound-email webhook: a signed post is recorded once and read by the engage pass;
an unsigned, wrongly signed, stale or oversized one stores nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.web.pages.inbound_webhook import MAX_BODY_BYTES, WEBHOOK_PATH, signature_of
from app.web.server import create_app
from core.settings import get_settings
from store.db import get_db_engine
from store.engagement import Direction, EmailMessage
from tests.conftest import SampleCrm
from tests.test_engage_journeys import MAILBOX, Journey, _open_journey

SECRET = "provider-shared-secret"


@pytest.fixture
def webhook_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("QUALIFY_INBOUND_WEBHOOK_SECRET", SECRET)
    get_settings.cache_clear()
    return SECRET


def _signed(body: bytes, *, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    return {
        "X-Qualify-Timestamp": timestamp,
        "X-Qualify-Signature": signature_of(secret.encode(), timestamp, body),
    }


def _inbound(database_url: str) -> list[EmailMessage]:
    with Session(get_db_engine(database_url)) as session:
        return list(
            session.exec(select(EmailMessage).where(EmailMessage.direction == Direction.INBOUND))
        )


def _a_reply(sender: str, body: str = "Sounds interesting, tell me more.") -> bytes:
    message = MimeMessage()
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = "Re: hello"
    message["Message-ID"] = make_msgid(domain="lead.example")
    message.set_content(body)
    return bytes(message)


@pytest.fixture
def webhook(console_crm: SampleCrm, webhook_secret: str) -> Iterator[TestClient]:
    with TestClient(create_app(console_crm.database_url)) as client:
        yield client


def _post(client: TestClient, body: bytes, headers: dict[str, str], kind: str = "message/rfc822"):
    return client.post(WEBHOOK_PATH, content=body, headers={"Content-Type": kind, **headers})


def test_without_a_secret_the_webhook_is_off(console_crm: SampleCrm) -> None:
    with TestClient(create_app(console_crm.database_url)) as client:
        body = _a_reply("someone@example.org")
        response = _post(client, body, _signed(body))
    assert response.status_code == 503
    assert "QUALIFY_INBOUND_WEBHOOK_SECRET" in response.json()["detail"]
    assert _inbound(console_crm.database_url) == []


def test_a_wrong_or_missing_signature_stores_nothing(
    webhook: TestClient, console_crm: SampleCrm
) -> None:
    body = _a_reply("someone@example.org")
    forged = _post(webhook, body, _signed(body, secret="guessed"))
    unsigned = _post(webhook, body, {})
    edited = _post(webhook, body + b"\nP.S. wire the money", _signed(body))
    assert [r.status_code for r in (forged, unsigned, edited)] == [401, 401, 401]
    assert "does not match" in forged.json()["detail"]
    assert _inbound(console_crm.database_url) == []


def test_a_stale_timestamp_is_refused_even_correctly_signed(
    webhook: TestClient, console_crm: SampleCrm
) -> None:
    body = _a_reply("someone@example.org")
    response = _post(webhook, body, _signed(body, at=time.time() - 6 * 60))
    assert response.status_code == 401 and "5 minutes" in response.json()["detail"]
    assert _inbound(console_crm.database_url) == []


def test_a_message_over_two_megabytes_is_refused(
    webhook: TestClient, console_crm: SampleCrm
) -> None:
    body = _a_reply("someone@example.org", "x" * (MAX_BODY_BYTES + 10))
    response = _post(webhook, body, _signed(body))
    assert response.status_code == 413
    assert _inbound(console_crm.database_url) == []


def test_a_json_body_with_the_raw_message_is_recorded(
    webhook: TestClient, console_crm: SampleCrm
) -> None:
    raw = _a_reply("nobody-we-know@example.org")
    body = json.dumps({"raw": raw.decode()}).encode()
    response = _post(webhook, body, _signed(body), kind="application/json")
    empty = json.dumps({"mail": "?"}).encode()
    refused = _post(webhook, empty, _signed(empty), kind="application/json")
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "unmatched"  # stored, for a person to attach
    assert refused.status_code == 422 and '"raw"' in refused.json()["detail"]
    assert len(_inbound(console_crm.database_url)) == 1


@pytest.fixture
def journey(
    researched_world: tuple[SampleCrm, list[str]], tmp_path: Path, webhook_secret: str
) -> Iterator[Journey]:
    with _open_journey(researched_world, tmp_path) as opened:
        yield opened


def test_a_posted_reply_is_recorded_once_and_read_by_the_engage_pass(journey: Journey) -> None:
    journey.tick()
    [outreach] = journey.mail_to_lead()
    journey.days(1)
    reply = MimeMessage()
    reply["From"] = f"{journey.lead.full_name} <{journey.lead.email}>"
    reply["To"] = MAILBOX
    reply["Subject"] = f"Re: {outreach['Subject']}"
    reply["Date"] = format_datetime(journey.clock.now())
    reply["Message-ID"] = make_msgid(domain="lead.example")
    reply["In-Reply-To"] = outreach["Message-ID"]
    reply["References"] = outreach["Message-ID"]
    reply.set_content(
        "This is timely. We struggle with stock-outs across our warehouses and have budget "
        "approved for a planning tool this quarter. I run operations and the decision is mine."
    )
    body = bytes(reply)
    with TestClient(create_app(journey.world.database_url)) as client:
        first = _post(client, body, _signed(body))
        again = _post(client, body, _signed(body))
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "matched" and first.json()["lead_id"] == journey.lead.id
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert len(_inbound(journey.world.database_url)) == 1
    journey.tick()
    [handoff] = journey.handoffs()
    assert handoff.target == "seller"
    assert handoff.bant["budget"]["verdict"] == "met"
