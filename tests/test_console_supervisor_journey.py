"""The supervisor's journey in a real browser: sign in, land on the agent monitor, open a
lead's trace from it, read one step in full, replay from it with an edited state value,
and read the original and the replay side by side."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.settings import get_settings
from tests.conftest import SampleCrm
from tests.console_support import (
    LOGINS,
    chromium,
    running_console,
    screenshot,
    sign_in_page,
)


def test_supervisor_monitors_traces_and_replays(
    researched_console_template: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template, good = researched_console_template
    root = tmp_path / "world"
    shutil.copytree(template.root, root)
    monkeypatch.setenv("QUALIFY_HOME", str(root))  # the console reads its checkpoints
    get_settings.cache_clear()
    crm, lead_id = SampleCrm(root), good[0]
    errors: list[str] = []
    with running_console(crm.database_url) as base_url, chromium() as browser:
        page = sign_in_page(browser, base_url, LOGINS.supervisor)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.url == f"{base_url}/monitor"
        assert page.get_by_role("heading", name="Agent monitor").is_visible()
        assert page.get_by_role("img", name="Funnel (leads)").is_visible()
        screenshot(page, "supervisor-monitor")

        page.get_by_label("Lead id").fill(lead_id)
        page.get_by_role("button", name="Open trace").click()
        page.wait_for_url(f"{base_url}/traces/{lead_id}")
        page.get_by_role("link", name="3. lead_summarizer").click()
        page.wait_for_url(f"**/traces/{lead_id}?mode=research&step=3")
        step = page.get_by_role("region", name="Step 3")
        assert "offline_lead_summary@default" in step.inner_text()
        screenshot(page, "supervisor-trace")

        page.get_by_label("From step").select_option("4")
        page.get_by_label("State key (dotted path)").fill("icp.fit_level")
        page.get_by_label("New value (JSON)").fill('"none"')
        page.get_by_role("button", name="Replay").click()
        page.wait_for_url(f"**/traces/{lead_id}/replays/*")
        changed = page.locator("tr.changed").first
        assert changed.locator("th").inner_text() == "fit"
        cells = changed.locator("td")
        assert cells.nth(0).inner_text().startswith("exact")
        assert cells.nth(1).inner_text().startswith("none")
        screenshot(page, "supervisor-replay")
    assert not errors, errors  # no script or CSP error in the console
