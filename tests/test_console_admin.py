"""The admin's console pages: settings blocks edited as the CLI edits them, prompt
versions, the sandbox that writes nothing, users and roles, hostile text escaped."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.settings_blocks import BLOCKS
from app.web.accounts import AccountError, set_disabled, set_role, viewer_of
from app.web.lead_visibility import visible_owner_ids
from app.web.templating import NAVIGATION, current_page
from core.settings import get_settings
from store.agent_records import AgentSetting
from store.console_accounts import ConsoleAccount, ConsoleRole
from store.db import get_db_engine
from store.prompt_versions import PromptVersion
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, PASSWORD, client_as

SCRIPT = "<script>alert(1)</script>"


def _cli(monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str) -> str:
    monkeypatch.setenv("QUALIFY_DATABASE_URL", database_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _stored(database_url: str, name: str) -> AgentSetting | None:
    with Session(get_db_engine(database_url)) as session:
        return session.get(AgentSetting, name)


def _textarea(page: str) -> str:
    found = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert found, "no textarea on the page"
    return html.unescape(found[1])


# -- settings ----------------------------------------------------------------------------


def test_an_invalid_icp_edit_shows_the_error_at_its_field_and_saves_nothing(
    console_crm: SampleCrm,
) -> None:
    url = console_crm.database_url
    with client_as(url, LOGINS.admin) as client:
        current = client.get("/api/settings/icp").json()["text"]
        bad = current.replace("min: 200\n", "min: lots\n", 1)
        assert bad != current
        line = bad.splitlines().index(next(x for x in bad.splitlines() if "min: lots" in x)) + 1
        page = client.post("/admin/settings/icp", data={"text": bad})
        assert page.status_code == 422
        assert "Not saved" in page.text
        # The problem at its field and line, in the list and beside the line itself.
        assert f'<a href="#line-{line}">line {line}</a> · <code>criteria[1].min</code>' in page.text
        assert re.search(rf'<li id="line-{line}" class="bad-line"><code>\s*min: lots', page.text)
        assert _textarea(page.text) == bad  # the submitted text is kept
        assert _stored(url, "icp") is None  # nothing saved
        assert client.get("/api/settings/icp").json()["text"] == current


def test_a_valid_icp_edit_is_what_the_cli_then_shows(
    console_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = console_crm.database_url
    with client_as(url, LOGINS.admin) as client:
        current = client.get("/api/settings/icp").json()["text"]
        edited = current.replace("min: 200\n", "min: 250\n", 1)
        saved = client.post("/admin/settings/icp", data={"text": edited})
        assert saved.status_code == 303
        page = client.get(saved.headers["location"])
        assert "Saved." in page.text and f"by {LOGINS.admin}" in page.text
    row = _stored(url, "icp")
    assert row is not None and row.updated_by == LOGINS.admin
    shown = _cli(monkeypatch, url, "icp", "show")
    assert "min: 250" in shown and "min: 200\n" not in shown


def test_an_engage_block_is_checked_with_the_other_blocks_and_its_own_keys_only(
    console_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = console_crm.database_url
    with client_as(url, LOGINS.admin) as client:
        # Too few emails for the follow-ups of the assignment page: a check across blocks.
        few = "guardrails:\n  max_messages_per_lead: 1\n"
        page = client.post("/admin/settings/guardrails", data={"text": few})
        assert page.status_code == 422
        assert "<code>guardrails.max_messages_per_lead</code>" in page.text
        assert "line 2" in page.text
        # Another page's key is refused here, at its line.
        stray = "guardrails:\n  max_messages_per_lead: 5\nfollow_ups:\n  max_follow_ups: 1\n"
        page = client.post("/admin/settings/guardrails", data={"text": stray})
        assert page.status_code == 422 and "belongs on another page (Assignment)" in page.text
        assert _stored(url, "engage") is None
        # A valid mailbox list is saved and is what `qualify engage settings` prints.
        mailboxes = client.get("/api/settings/mailboxes").json()["text"]
        assert "alex@northwind.example" in mailboxes
        statuses = client.get("/admin/settings/mailboxes").text
        assert "Sending mailboxes today" in statuses
        assert "<td>alex@northwind.example</td>" in statuses
        edited = mailboxes.replace("alex@northwind.example", "sales@northwind.example")
        assert client.post("/admin/settings/mailboxes", data={"text": edited}).status_code == 303
    assert "sales@northwind.example" in _cli(monkeypatch, url, "engage", "settings")


def test_the_settings_api_answers_422_naming_the_field(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    with client_as(url, LOGINS.admin) as client:
        refused = client.put(
            "/api/settings/selection", json={"text": "selection:\n  nonsense: 3\n"}
        )
        assert refused.status_code == 422
        problem = refused.json()["detail"][0]
        assert problem["field"] == "selection.nonsense" and problem["line"] == 2
        assert _stored(url, "selection") is None
        shown = client.get("/api/settings/outreach").json()
        assert shown["block"] == "outreach" and "sender_name" in shown["default_text"]
        text = shown["text"].replace("Alex Morgan", "Sam Reyes", 1)
        saved = client.put("/api/settings/outreach", json={"text": text})
        assert saved.status_code == 200 and saved.json()["updated_by"] == LOGINS.admin
        assert client.get("/api/settings/nope").status_code == 422
        assert client.get("/admin/settings/nope").status_code == 404
    assert _stored(url, "outreach").value["sender_name"] == "Sam Reyes"  # type: ignore[union-attr]


def test_the_product_profile_is_a_new_version_with_its_note(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    with client_as(url, LOGINS.admin) as client:
        current = client.get("/api/settings/product").json()["text"]
        refused = client.post("/admin/settings/product", data={"text": "name: x\n"})
        assert refused.status_code == 422 and "faq" in refused.text
        saved = client.post(
            "/admin/settings/product", data={"text": current + "\n# edited\n", "note": "why"}
        )
        assert saved.status_code == 303
        assert client.get("/api/settings/product").json()["updated_by"] == LOGINS.admin


def test_hostile_setting_values_are_shown_escaped(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, LOGINS.admin) as client:
        current = client.get("/api/settings/icp").json()["text"]
        hostile = re.sub(r"^name: .*$", f"name: '{SCRIPT}'", current, count=1, flags=re.M)
        assert client.post("/admin/settings/icp", data={"text": hostile}).status_code == 303
        for page in (client.get("/admin/settings/icp"), client.get("/admin")):
            assert SCRIPT not in page.text
        assert html.escape(SCRIPT, quote=False) in client.get("/admin/settings/icp").text
        # A refused text holding it is shown back escaped too.
        refused = client.post(
            "/admin/settings/icp", data={"text": f"name: {SCRIPT}\ncriteria: 3\n"}
        )
        assert refused.status_code == 422 and SCRIPT not in refused.text


# -- prompts -----------------------------------------------------------------------------

PROMPT = "offline_outreach_email"


def _versions(database_url: str) -> int:
    with Session(get_db_engine(database_url)) as session:
        return len(session.exec(select(PromptVersion).where(PromptVersion.name == PROMPT)).all())


def test_prompt_edit_new_version_diff_activate_and_rollback(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    with client_as(url, LOGINS.admin) as client:
        default = client.get(f"/api/prompts/{PROMPT}").json()["versions"][0]["text"]
        # An undeclared variable is refused, with nothing saved.
        refused = client.post(
            f"/admin/prompts/{PROMPT}",
            data={"text": default + "\n{budget}\n", "make_active": "true"},
        )
        assert refused.status_code == 422 and "Nothing saved" in refused.text
        assert _textarea(refused.text) == default + "\n{budget}\n"
        assert _versions(url) == 0
        # A new version: saved, active, shown against the default it was edited from.
        edited = default.rstrip("\n") + "\nOne more line of guidance.\n"
        saved = client.post(
            f"/admin/prompts/{PROMPT}",
            data={"text": edited, "note": "clearer ask", "make_active": "true"},
        )
        assert saved.status_code == 303
        assert saved.headers["location"].endswith("from=default&to=1")
        page = client.get(saved.headers["location"]).text
        assert '<div class="diff-add">+One more line of guidance.</div>' in page
        detail = client.get(f"/api/prompts/{PROMPT}").json()
        assert detail["active_version"] == "1"
        assert detail["versions"][0]["author"] == LOGINS.admin
        assert detail["versions"][0]["note"] == "clearer ask"
        # Activate the default, then roll that back: version 1 is active again.
        assert (
            client.post(
                f"/admin/prompts/{PROMPT}/activate", data={"version": "default"}
            ).status_code
            == 303
        )
        assert client.get(f"/api/prompts/{PROMPT}").json()["active_version"] == "default"
        assert client.post(f"/admin/prompts/{PROMPT}/rollback").status_code == 303
        assert client.get(f"/api/prompts/{PROMPT}").json()["active_version"] == "1"
        listed = {p["name"]: p for p in client.get("/api/prompts").json()}
        assert listed[PROMPT]["active_version"] == "1" and listed[PROMPT]["versions"] == 1
        assert client.get("/admin/prompts/no_such_prompt").status_code == 404


def test_hostile_prompt_note_is_shown_escaped(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, LOGINS.admin) as client:
        default = client.get(f"/api/prompts/{PROMPT}").json()["versions"][0]["text"]
        saved = client.post(
            f"/admin/prompts/{PROMPT}",
            data={"text": default + f"\n{SCRIPT}\n", "note": SCRIPT, "make_active": "true"},
        )
        # Braces-free markup is valid template text: saved, then shown as text.
        assert saved.status_code == 303
        page = client.get(saved.headers["location"]).text
        assert SCRIPT not in page and html.escape(SCRIPT, quote=False) in page


# -- sandbox -----------------------------------------------------------------------------


def _row_counts(database_url: str) -> dict[str, int]:
    engine = get_db_engine(database_url)
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            for table in inspect(engine).get_table_names()
        }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def test_test_on_a_lead_shows_the_result_and_writes_nothing(
    researched_console_template: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template, good = researched_console_template
    shutil.copytree(template.root, tmp_path / "crm")
    crm = SampleCrm(tmp_path / "crm")
    monkeypatch.setenv("QUALIFY_CORPUS_DIR", str(crm.corpus_dir))
    monkeypatch.setenv("QUALIFY_CHROMA_DIR", str(crm.chroma_dir))
    monkeypatch.setenv("QUALIFY_ENGINE", "offline")
    get_settings.cache_clear()
    checkpoints = Path(crm.checkpoint_path)
    with client_as(crm.database_url, LOGINS.admin) as client:
        before = _row_counts(crm.database_url)
        checkpoint_before = _digest(checkpoints)
        crm_db_before = _digest(tmp_path / "crm" / "crm.db")
        page = client.post(
            "/admin/sandbox",
            data={"lead_id": good[0], "prompt": "offline_outreach_email", "version": "default"},
        )
        assert page.status_code == 200, page.text
        assert "nothing was stored" in page.text
        assert '<span class="badge exact">exact</span>' in page.text
        for node in ("researcher", "icp_judge", "lead_summarizer", "outreach_writer"):
            assert f"<strong>{node}</strong>" in page.text
        assert "offline_outreach_email@default" in page.text
        assert re.search(r'Stored now: <span class="badge exact">exact</span>', page.text)
        assert _row_counts(crm.database_url) == before
        assert _digest(checkpoints) == checkpoint_before
        assert _digest(tmp_path / "crm" / "crm.db") == crm_db_before
        missing = client.post("/admin/sandbox", data={"lead_id": "LEAD-NOPE"})
        assert missing.status_code == 422 and "no such lead" in missing.text
        half = client.post("/admin/sandbox", data={"lead_id": good[0], "prompt": PROMPT})
        assert half.status_code == 422 and "version: choose both" in half.text


# -- users -------------------------------------------------------------------------------


def _account(database_url: str, login: str) -> ConsoleAccount:
    with Session(get_db_engine(database_url)) as session:
        found = session.exec(select(ConsoleAccount).where(ConsoleAccount.login == login)).one()
        session.expunge(found)
        return found


def test_an_added_seller_signs_in_and_sees_only_their_leads(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    login = "new.seller@example.org"
    with client_as(url, LOGINS.admin) as client:
        short = client.post(
            "/admin/users",
            data={"login": login, "password": "short", "role": "seller", "user_id": "USR-03"},
        )
        assert short.status_code == 422 and "password: at least 10 characters" in short.text
        assert 'value="new.seller@example.org"' in short.text  # the form keeps its values
        added = client.post(
            "/admin/users",
            data={"login": login, "password": PASSWORD, "role": "seller", "user_id": "USR-03"},
        )
        assert added.status_code == 303
        users = {u["login"]: u for u in client.get("/api/users").json()}
        assert users[login]["role"] == "seller" and users[login]["user_id"] == "USR-03"
        assert "password_hash" not in users[login]
    with client_as(url, login) as seller:
        assert seller.get("/api/me").json()["role"] == "seller"
        assert seller.get("/admin").status_code == 403
        token = seller.cookies.get("qualify_session")
    with Session(get_db_engine(url)) as session:
        viewer = viewer_of(session, token or "")
        assert viewer is not None
        owners = visible_owner_ids(session, viewer)
    assert owners is not None and "USR-03" in owners and LOGINS.seller_user_id not in owners


def test_disable_enable_and_the_last_admin_rule(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    admin = _account(url, LOGINS.admin)
    seller = _account(url, LOGINS.seller)
    with client_as(url, LOGINS.seller) as seller_client, client_as(url, LOGINS.admin) as client:
        own = client.post(f"/admin/users/{admin.id}/disabled", data={"disabled": "true"})
        assert own.status_code == 422
        assert "disabled: you cannot disable your own account" in own.text
        last = client.post(f"/admin/users/{admin.id}/role", data={"role": "supervisor"})
        assert last.status_code == 422 and "is the last admin" in last.text
        assert _account(url, LOGINS.admin).role is ConsoleRole.ADMIN
        # Disabling ends the seller's session; enabling lets them sign in again.
        off = client.post(f"/admin/users/{seller.id}/disabled", data={"disabled": "true"})
        assert off.status_code == 303 and _account(url, LOGINS.seller).disabled
        assert seller_client.get("/api/me").status_code == 401
        on = client.post(f"/admin/users/{seller.id}/disabled", data={"disabled": "false"})
        assert on.status_code == 303 and not _account(url, LOGINS.seller).disabled
        # With a second admin, the first may hand over the role.
        supervisor = _account(url, LOGINS.supervisor)
        assert (
            client.post(f"/admin/users/{supervisor.id}/role", data={"role": "admin"}).status_code
            == 303
        )
        assert (
            client.post(f"/admin/users/{admin.id}/role", data={"role": "supervisor"}).status_code
            == 303
        )
    with client_as(url, LOGINS.seller):
        pass  # signs in again
    reset = _account(url, LOGINS.supervisor)
    with client_as(url, LOGINS.supervisor) as new_admin:
        assert (
            new_admin.post(
                f"/admin/users/{reset.id}/password", data={"password": "a new long password"}
            ).status_code
            == 303
        )
        # Their own sessions ended with the reset.
        assert new_admin.get("/api/me").status_code == 401


MALFORMED = (
    "",
    "- a list\n- not a mapping\n",
    "just text",
    "key: [unclosed\n",
    "\tkey: tab\n",
    "? [a, b]\n: complex key\n",
    "1: number key\n",
    "&a [*a]\n",
    "criteria: {kind: nope}\nhandoff_rules: 3\nguardrails: []\nmailboxes: {}\nselection: 1\n",
    "name: x\nfaq: [1, {id: 2}]\n",
    "...\n---\nsecond: document\n",
    "\x00\x07 control characters",
)


def test_malformed_texts_are_refused_with_422_for_every_block(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, LOGINS.admin) as client:
        for block in BLOCKS:
            for text_ in MALFORMED:
                response = client.put(f"/api/settings/{block}", json={"text": text_})
                if text_ == "" and block not in ("icp", "product"):
                    # As the CLI's files read: a settings file may be empty, an engage
                    # block left out takes its defaults; an ICP or a product may not.
                    assert response.status_code == 200, response.text
                    continue
                assert response.status_code == 422, (block, text_, response.text)
                assert response.json()["detail"], (block, text_)


def test_malformed_prompt_texts_are_refused_and_nothing_saved(console_crm: SampleCrm) -> None:
    texts = (*MALFORMED, "---\n[: x\n---\nbody\n", "---\nengine: [1]\n---\n{x\n", "---\n- 1\n---\n")
    with client_as(console_crm.database_url, LOGINS.admin) as client:
        for text_ in texts:
            response = client.post(f"/admin/prompts/{PROMPT}", data={"text": text_})
            assert response.status_code == 422, (text_, response.text)
        bad_version = client.post(f"/admin/prompts/{PROMPT}/activate", data={"version": "x1"})
        assert bad_version.status_code == 422 and "is neither" in bad_version.text
        assert client.get(f"/admin/prompts/{PROMPT}?from=default&to=7").status_code == 200
        assert client.get(f"/admin/prompts/{PROMPT}?from=../x&to=1").status_code == 422
    assert _versions(console_crm.database_url) == 0


def test_the_navigation_marks_the_admin_page_one_is_on() -> None:
    admin = NAVIGATION[ConsoleRole.ADMIN]
    assert current_page("/admin", admin) == "/admin"
    assert current_page("/admin/settings/icp", admin) == "/admin"
    assert current_page("/admin/prompts/offline_answer", admin) == "/admin/prompts"
    assert current_page("/admin/users", admin) == "/admin/users"
    assert current_page("/administrator", admin) is None


def test_account_rules_keep_an_admin_and_give_sellers_a_crm_user(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    admin, evaluator = _account(url, LOGINS.admin), _account(url, LOGINS.evaluator)
    assert admin.id is not None and evaluator.id is not None
    with Session(get_db_engine(url)) as session:
        with pytest.raises(AccountError) as no_user:
            set_role(session, evaluator.id, ConsoleRole.SELLER)
        assert no_user.value.field == "role" and "tied to no CRM user" in str(no_user.value)
        with pytest.raises(AccountError) as unknown:
            set_role(session, 999_999, ConsoleRole.ADMIN)
        assert unknown.value.field == "account"
        # A second admin, disabled, does not count: the first is still the last.
        set_role(session, evaluator.id, ConsoleRole.ADMIN)
        set_disabled(session, evaluator.id, True, by_account_id=admin.id)
        with pytest.raises(AccountError, match="is the last admin"):
            set_role(session, admin.id, ConsoleRole.SUPERVISOR)
        set_disabled(session, evaluator.id, False, by_account_id=admin.id)
        set_role(session, admin.id, ConsoleRole.SUPERVISOR)
        # Now the evaluator is the last admin: the other may not disable them.
        with pytest.raises(AccountError, match="is the last admin") as last:
            set_disabled(session, evaluator.id, True, by_account_id=admin.id)
        assert last.value.field == "disabled"


def test_a_product_with_no_files_and_no_version_opens_empty(
    console_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_PRODUCT", "acme-new")
    get_settings.cache_clear()
    with client_as(console_crm.database_url, LOGINS.admin) as client:
        page = client.get("/admin/settings/product")
        assert page.status_code == 200 and _textarea(page.text) == ""
