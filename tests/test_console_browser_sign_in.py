"""Signing in with a real browser: Playwright driving Debian's Chromium against the
console served by uvicorn."""

from __future__ import annotations

from tests.conftest import SampleCrm
from tests.console_support import LOGINS, chromium, running_console, screenshot


def test_sign_in_form_in_a_browser(console_crm: SampleCrm) -> None:
    with running_console(console_crm.database_url) as base_url, chromium() as browser:
        page = browser.new_page(base_url=base_url)
        page.goto("/")
        assert page.url.startswith(f"{base_url}/login")
        page.get_by_label("Email").fill(LOGINS.admin)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").inner_text() == "Wrong email or password."
        screenshot(page, "sign-in-refused")
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        assert "qualify_session" not in cookies
        assert page.evaluate("document.cookie") == ""  # every cookie is HttpOnly
