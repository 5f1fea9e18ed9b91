"""A seller's journey in a real browser: sign in, filter My open leads, open a lead, mark
its email personal, correct it. Screenshots are kept (seller-leads, seller-lead-page)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import Session

from store.agent_records import EmailOverride
from store.crm import Lead
from store.db import get_db_engine
from tests.conftest import SampleCrm
from tests.console_support import (
    LOGINS,
    chromium,
    console_copy,
    running_console,
    screenshot,
    sign_in_page,
)

NEW_ADDRESS = "megan.lead@gmail.com"


def test_a_seller_filters_opens_a_lead_and_corrects_its_email(
    researched_console_template: tuple[SampleCrm, list[str]], tmp_path: Path
) -> None:
    crm = console_copy(researched_console_template[0], tmp_path / "crm")
    with running_console(crm.database_url) as base_url, chromium() as browser:
        page = sign_in_page(browser, base_url, LOGINS.seller)
        assert page.url == f"{base_url}/leads"
        expect(page.get_by_role("heading", name="My open leads")).to_be_visible()

        page.get_by_label("Fit").select_option("exact")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state()
        assert "fit=exact" in page.url  # bookmarkable
        rows = page.locator(".lead-table tbody tr")
        assert rows.count() > 0
        expect(rows.first.locator(".badge.exact")).to_be_visible()
        screenshot(page, "seller-leads")

        rows.first.get_by_role("link").click()
        page.wait_for_load_state()
        lead_id = page.url.rsplit("/", 1)[-1]
        expect(page.get_by_role("heading", name="Key insights")).to_be_visible()
        expect(page.get_by_role("heading", name="Email validation")).to_be_visible()

        page.get_by_role("button", name="Personal", exact=True).click()
        page.wait_for_load_state()
        expect(page.get_by_role("status")).to_contain_text("Email saved")
        expect(page.locator("[data-email-type]")).to_have_text("personal")

        page.get_by_label("Correct the email").fill(NEW_ADDRESS)
        page.get_by_role("button", name="Save email").click()
        page.wait_for_load_state()
        expect(page.get_by_role("status")).to_contain_text("queued for research again")
        expect(page.locator("#email-validation")).to_contain_text(NEW_ADDRESS)
        screenshot(page, "seller-lead-page")

    with Session(get_db_engine(crm.database_url)) as session:
        lead = session.get(Lead, lead_id)
        override = session.get(EmailOverride, lead_id)
    assert lead is not None and lead.email == NEW_ADDRESS
    assert override is not None and override.email_type == "personal"
