"""A seller's hand-off and draft journey in a real browser (Playwright on Debian's
Chromium, the console on uvicorn): open My hand-offs, open one, return it with a note;
read the conversation; edit the draft of another lead and send it."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.engagement import ConversationState
from tests.conftest import SampleCrm
from tests.console_handoffs_support import (
    console_journey,
    conversation_row,
    handoff_row,
    qualified_reply,
    sellers_drafted_lead,
)
from tests.console_support import LOGINS, chromium, running_console, screenshot, sign_in_page


def test_a_seller_returns_a_handoff_and_sends_an_edited_draft(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with console_journey(researched_world, tmp_path, monkeypatch) as trip:
        handoff = qualified_reply(trip)
        drafted = sellers_drafted_lead(trip)
        url = trip.world.database_url
        with running_console(url) as base_url, chromium() as browser:
            page = sign_in_page(browser, base_url, LOGINS.seller)
            page.goto("/handoffs")  # (the seller lands on My open leads, another page's)
            nav = page.get_by_role("navigation", name="Main")
            assert nav.get_by_role("link", name="My hand-offs").get_attribute("aria-current")
            assert page.get_by_role("heading", name="My hand-offs").is_visible()
            screenshot(page, "seller-handoffs")
            page.get_by_role("link", name=trip.lead.full_name).click()
            page.wait_for_load_state()
            returning = page.get_by_role("form", name="Return")
            returning.get_by_label("Note").fill("Budget is for next year; keep them warm.")
            returning.get_by_role("button", name="Return").click()
            page.wait_for_load_state()
            assert page.get_by_role("status").inner_text().startswith("Recorded: return")
            page.get_by_role("link", name="Conversation").click()
            page.wait_for_load_state()
            assert page.get_by_text("return by USR-01").is_visible()
            screenshot(page, "seller-conversation")

            page.goto(f"/leads/{drafted.id}/draft")
            body = page.get_by_label("Email")
            body.fill(body.input_value().rstrip() + "\n\nTalk soon.")
            screenshot(page, "seller-draft")
            page.get_by_role("button", name="Send").dblclick()  # a double click sends once
            page.wait_for_load_state()
            assert page.get_by_role("status").inner_text().startswith(f"Sent to {drafted.email}")
        returned = handoff_row(trip, handoff.id)  # type: ignore[arg-type]
        assert (returned.status, returned.action) == ("rejected", "return")
        assert conversation_row(trip).state == ConversationState.WAITING
        sent = [m for m in trip.smtp.messages if drafted.email in m.rcpt_tos]
        assert len(sent) == 1 and "Talk soon." in sent[0].message.get_content()
