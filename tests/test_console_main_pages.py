"""Each role's main page in Chromium on the researched sample CRM: where signing in lands,
the page renders with no browser error (a script refused by the Content-Security-Policy
would be one), and a screenshot of it is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from store.console_accounts import ConsoleRole
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, chromium, running_console, screenshot, sign_in_page

MAIN_PAGES = {
    ConsoleRole.SELLER: ("/leads", "My open leads"),
    ConsoleRole.SUPERVISOR: ("/monitor", "Agent monitor"),
    ConsoleRole.ADMIN: ("/admin", "Settings"),
    ConsoleRole.EVALUATOR: ("/evals", "Eval runs"),
}


def test_each_role_lands_on_its_main_page_in_a_browser(
    researched_console_template: tuple[SampleCrm, list[str]], tmp_path: Path
) -> None:
    template, _ = researched_console_template
    root = tmp_path / "crm"
    shutil.copytree(template.root, root)
    problems: list[str] = []
    with running_console(SampleCrm(root).database_url) as base_url, chromium() as browser:
        for role, (path, heading) in MAIN_PAGES.items():
            page = sign_in_page(browser, base_url, LOGINS.of(role))
            page.on(
                "console",
                lambda message, role=role: (
                    problems.append(f"{role.value}: {message.text}")
                    if message.type == "error"
                    else None
                ),
            )
            page.on("pageerror", lambda error, role=role: problems.append(f"{role}: {error}"))
            page.reload()
            assert page.url == f"{base_url}{path}", role
            assert page.get_by_role("link", name=heading).get_attribute("aria-current") == "page"
            screenshot(page, f"main-page-{role.value}")
            page.context.close()
    assert not problems, problems
