"""The web console under test: accounts for each role on a copy of the sample CRM, a
signed-in TestClient, the console served by uvicorn on a free port, and Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlmodel import Session

from app.web.accounts import add_account
from app.web.server import create_app
from store.console_accounts import ConsoleRole
from store.db import get_db_engine
from tests.conftest import SampleCrm

PASSWORD = "correct horse battery"
CHROMIUM = Path("/usr/bin/chromium")
# Chromium on a closed network: no background fetches, no sandbox (root in CI).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class ConsoleLogins:
    """One account per role on the sample CRM; two sellers, so one can try the other's
    leads."""

    seller: str = "megan.clarke@keelson-analytics.com"  # USR-01
    seller_user_id: str = "USR-01"
    other_seller: str = "daniel.weber@keelson-analytics.com"  # USR-02
    other_seller_user_id: str = "USR-02"
    supervisor: str = "thomas.becker@keelson-analytics.com"
    admin: str = "olivia.hayes@keelson-analytics.com"
    evaluator: str = "eval@example.org"

    def of(self, role: ConsoleRole) -> str:
        return {
            ConsoleRole.SELLER: self.seller,
            ConsoleRole.SUPERVISOR: self.supervisor,
            ConsoleRole.ADMIN: self.admin,
            ConsoleRole.EVALUATOR: self.evaluator,
        }[role]


LOGINS = ConsoleLogins()


def add_console_accounts(database_url: str) -> None:
    """One account per role (and a second seller), all with PASSWORD."""
    with Session(get_db_engine(database_url)) as session:
        for login, role in (
            (LOGINS.seller, ConsoleRole.SELLER),
            (LOGINS.other_seller, ConsoleRole.SELLER),
            (LOGINS.supervisor, ConsoleRole.SUPERVISOR),
            (LOGINS.admin, ConsoleRole.ADMIN),
            (LOGINS.evaluator, ConsoleRole.EVALUATOR),
        ):
            add_account(session, login, PASSWORD, role, full_name=None)
        session.commit()
    get_db_engine(database_url).dispose()


def console_copy(template: SampleCrm, root: Path) -> SampleCrm:
    """A private copy of a console template a test may change."""
    shutil.copytree(template.root, root)
    return SampleCrm(root)


def signed_in(client: TestClient, login: str, password: str = PASSWORD) -> TestClient:
    """Sign the client in through the form, as a browser does; its CSRF token is then in
    `client.headers` so posts carry it."""
    form = client.get("/login")
    assert form.status_code == 200, form.text
    response = client.post(
        "/login",
        data={
            "login": login,
            "password": password,
            "csrf_token": client.cookies.get("qualify_login_csrf", path="/login") or "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    me = client.get("/api/me")
    assert me.status_code == 200, me.text
    client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
    return client


@contextmanager
def client_as(database_url: str, login: str | None) -> Iterator[TestClient]:
    """A TestClient on the console, signed in as `login` (None: nobody)."""
    with TestClient(create_app(database_url), follow_redirects=False) as client:
        yield signed_in(client, login) if login else client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_console(database_url: str) -> Iterator[str]:
    """The console served by uvicorn on a free local port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(database_url), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def chromium_or_skip() -> Path:
    """Debian's chromium; its absence fails under CI (the test command installs it) and
    skips, saying so, elsewhere."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: `apt-get install chromium` (the README test command does)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


SCREENSHOTS_DIR = Path(os.environ.get("QUALIFY_SCREENSHOTS", "test-artifacts/screenshots"))


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (its own browser download is unreachable)."""
    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in_page(browser: Browser, base_url: str, login: str) -> Page:
    """A new browser context signed in as `login` through the sign-in form."""
    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    ).new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact (QUALIFY_SCREENSHOTS)."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
