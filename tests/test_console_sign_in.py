"""Signing in to the console: passwords, cookies, CSRF, sessions, and the accounts CLI."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.web.accounts import LOCKOUT, MAX_FAILED_SIGN_INS, SESSION_LIFETIME, sign_in, viewer_of
from core.clock import utc_now
from store.console_accounts import ConsoleAccount, ConsoleSession
from store.db import get_db_engine, session_scope
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, PASSWORD, client_as, signed_in


def test_each_role_lands_on_its_main_page(console_crm: SampleCrm) -> None:
    landing = {
        LOGINS.seller: "/leads",
        LOGINS.supervisor: "/monitor",
        LOGINS.admin: "/admin",
        LOGINS.evaluator: "/evals",
    }
    for login, page in landing.items():
        with client_as(console_crm.database_url, login) as client:
            assert client.get("/").headers["location"] == page


def test_wrong_password_and_unknown_login_get_the_same_answer(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, None) as client:
        answers = []
        for login, password in ((LOGINS.seller, "wrong password!"), ("nobody@x.org", PASSWORD)):
            client.get("/login")
            response = client.post(
                "/login",
                data={
                    "login": login,
                    "password": password,
                    "csrf_token": client.cookies.get("qualify_login_csrf", path="/login"),
                },
            )
            answers.append((response.status_code, "Wrong email or password." in response.text))
            assert "qualify_session" not in client.cookies
    assert answers == [(401, True), (401, True)]


def test_session_cookie_is_httponly_and_samesite(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, None) as client:
        client.get("/login")
        response = client.post(
            "/login",
            data={
                "login": LOGINS.admin,
                "password": PASSWORD,
                "csrf_token": client.cookies.get("qualify_login_csrf", path="/login"),
                "next": "https://evil.example/steal",
            },
        )
    cookie = response.headers["set-cookie"].lower()
    assert "qualify_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert response.headers["location"] == "/admin"  # never off-site


def test_sign_in_form_without_its_csrf_cookie_is_refused(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, None) as client:
        response = client.post(
            "/login", data={"login": LOGINS.admin, "password": PASSWORD, "csrf_token": "guess"}
        )
    assert response.status_code == 401 and "qualify_session" not in client.cookies


def test_pages_redirect_to_sign_in_and_back(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, None) as client:
        response = client.get("/?days=7")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/%3Fdays%3D7"
        assert client.get("/api/me").status_code == 401


def test_sign_out_needs_the_csrf_token_and_ends_the_session(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, LOGINS.seller) as client:
        token = client.headers.pop("X-CSRF-Token")
        assert client.post("/logout").status_code == 403
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        client.cookies.clear()
    with Session(get_db_engine(console_crm.database_url)) as session:
        assert session.exec(select(ConsoleSession)).all() == []


def test_security_headers(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, None) as client:
        headers = client.get("/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_users_cli_add_list_passwd(console_crm: SampleCrm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QUALIFY_DATABASE_URL", console_crm.database_url)
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["users", "add", "sofia.lindqvist@keelson-analytics.com", "--role", "seller"],
        input="a long password\na long password\n",
    )
    assert added.exit_code == 0, added.output
    assert "CRM user USR-03" in added.output
    short = runner.invoke(
        cli, ["users", "add", "x@example.org", "--role", "admin", "--password", "short"]
    )
    assert short.exit_code == 1 and "password: at least 10 characters" in short.output
    no_crm_user = runner.invoke(
        cli, ["users", "add", "x@example.org", "--role", "seller", "--password", "long enough!"]
    )
    assert no_crm_user.exit_code == 1 and "pass --user" in no_crm_user.output
    listed = runner.invoke(cli, ["users", "list"])
    assert "sofia.lindqvist@keelson-analytics.com" in listed.output and "seller" in listed.output

    with client_as(console_crm.database_url, LOGINS.admin) as client:
        changed = runner.invoke(
            cli, ["users", "passwd", LOGINS.admin, "--password", "a new password"]
        )
        assert changed.exit_code == 0, changed.output
        assert client.get("/api/me").status_code == 401  # the session ended
        client.cookies.clear()
        signed_in(client, LOGINS.admin, "a new password")
    with Session(get_db_engine(console_crm.database_url)) as session:
        account = session.exec(
            select(ConsoleAccount).where(ConsoleAccount.login == LOGINS.admin)
        ).one()
        assert account.password_hash.startswith("$argon2id$")


def test_five_wrong_passwords_lock_the_account_for_a_while(console_crm: SampleCrm) -> None:
    with session_scope(console_crm.database_url) as session:
        start = utc_now()
        for _ in range(MAX_FAILED_SIGN_INS):
            assert sign_in(session, LOGINS.seller, "a wrong guess", start) is None
        # Locked: even the right password is refused, with the same answer.
        assert sign_in(session, LOGINS.seller, PASSWORD, start + timedelta(minutes=14)) is None
        assert sign_in(session, LOGINS.seller, PASSWORD, start + LOCKOUT) is not None
        # A success starts the count again.
        for _ in range(MAX_FAILED_SIGN_INS - 1):
            sign_in(session, LOGINS.seller, "a wrong guess", start + LOCKOUT)
        assert sign_in(session, LOGINS.seller, PASSWORD, start + LOCKOUT) is not None


def test_a_session_ends_after_its_lifetime_and_is_cleared(console_crm: SampleCrm) -> None:
    start = utc_now()
    with session_scope(console_crm.database_url) as session:
        token = sign_in(session, LOGINS.supervisor, PASSWORD, start)
        assert token is not None
        assert viewer_of(session, token, start + SESSION_LIFETIME - timedelta(minutes=1))
        assert viewer_of(session, token, start + SESSION_LIFETIME) is None
        sign_in(session, LOGINS.supervisor, PASSWORD, start + SESSION_LIFETIME)
        assert len(session.exec(select(ConsoleSession)).all()) == 1
