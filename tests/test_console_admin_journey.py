"""The admin's journey in a real browser: sign in, edit the ICP with a mistake (shown at
its line), fix it and save; edit a prompt and read the diff."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from core.settings import get_settings
from store.crm import Lead
from store.db import get_db_engine
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, chromium, running_console, screenshot, sign_in_page


def test_admin_edits_the_icp_and_a_prompt(
    console_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_CORPUS_DIR", str(console_crm.corpus_dir))
    monkeypatch.setenv("QUALIFY_CHROMA_DIR", str(console_crm.chroma_dir))
    monkeypatch.setenv("QUALIFY_ENGINE", "offline")
    get_settings.cache_clear()
    with Session(get_db_engine(console_crm.database_url)) as session:
        lead_id = session.exec(select(Lead.id).order_by(Lead.id)).first()
    with running_console(console_crm.database_url) as base_url, chromium() as browser:
        page = sign_in_page(browser, base_url, LOGINS.admin)
        assert page.url == f"{base_url}/admin"
        expect(page.get_by_role("heading", name="Agent settings")).to_be_visible()
        page.get_by_role("link", name="Ideal customer profile").click()
        editor = page.get_by_label("YAML")
        original = editor.input_value()
        assert "min: 200\n" in original
        screenshot(page, "admin-settings")

        editor.fill(original.replace("min: 200\n", "min: lots\n", 1))
        page.get_by_role("button", name="Save").click()
        alert = page.get_by_role("alert").first
        expect(alert).to_contain_text("Not saved")
        expect(page.locator(".problems")).to_contain_text("criteria[1].min")
        bad_line = page.locator("li.bad-line")
        expect(bad_line).to_have_count(1)
        expect(bad_line).to_contain_text("min: lots")
        expect(bad_line.locator(".field-error")).to_contain_text("write a plain number")
        assert "min: lots" in page.get_by_label("YAML").input_value()  # kept to fix
        screenshot(page, "admin-settings-error")

        fixed = page.get_by_label("YAML").input_value().replace("min: lots\n", "min: 300\n")
        page.get_by_label("YAML").fill(fixed)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Saved.")
        assert "min: 300\n" in page.get_by_label("YAML").input_value()

        page.get_by_role("link", name="Prompts", exact=True).first.click()
        page.get_by_role("link", name="offline_outreach_email").click()
        prompt = page.get_by_label("Prompt file (front matter and template)")
        prompt.fill(prompt.input_value().rstrip("\n") + "\nKeep it under 120 words.\n")
        page.get_by_label("Note (why)").fill("shorter emails")
        page.get_by_role("button", name="Save version").click()
        expect(page.get_by_role("status")).to_contain_text("New version saved.")
        added = page.locator("#diff .diff-add")
        expect(added).to_have_count(1)
        expect(added).to_have_text("+Keep it under 120 words.")
        expect(page.locator("table").first).to_contain_text("shorter emails")
        screenshot(page, "admin-prompt-diff")

        # Test the edited ICP and prompt on a lead: shown, not stored.
        page.goto("/admin/sandbox")
        page.get_by_label("Lead id").fill(str(lead_id))
        page.get_by_role("button", name="Run in sandbox").click()
        expect(page.locator(".banner")).to_contain_text("nothing was stored")
        expect(page.locator(".timeline")).to_contain_text("icp_judge")
        screenshot(page, "admin-sandbox")

        # Disabling oneself is refused, at the account's row.
        page.get_by_role("link", name="Users").click()
        page.once("dialog", lambda dialog: dialog.accept())
        own_row = page.locator("tr", has_text=LOGINS.admin)
        own_row.get_by_role("button", name="Disable").click()
        expect(page.locator("tr", has_text=LOGINS.admin).get_by_role("alert")).to_contain_text(
            "you cannot disable your own account"
        )
        screenshot(page, "admin-users")
