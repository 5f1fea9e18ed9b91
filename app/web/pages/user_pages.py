"""The admin's users page (`/admin/users`) and `/api/users`: console accounts with their
role, add one, change a role, disable or enable, reset a password. The rules are those of
`app.web.accounts` (the CLI's `qualify users`); a refusal is shown at its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session, select

from app.web.accounts import (
    AccountError,
    account_by_id,
    accounts,
    add_account,
    change_password,
    set_disabled,
    set_role,
)
from app.web.console_access import AdminViewer, database_url_of
from app.web.templating import render
from store.console_accounts import ConsoleRole
from store.crm import User
from store.db import get_db_engine, session_scope

router = APIRouter()

_NOTICES = {
    "added": "Account added: they can sign in now.",
    "role": "Role changed; their open sessions ended.",
    "disabled": "Account disabled; their sessions ended.",
    "enabled": "Account enabled.",
    "password": "Password reset; their sessions ended.",
}


def _users_page(
    request: Request,
    *,
    error: AccountError | None = None,
    error_account: int | None = None,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    with Session(get_db_engine(database_url_of(request))) as session:
        rows = accounts(session)
        crm_users = list(session.exec(select(User).order_by(User.full_name)))
    return render(
        request,
        "admin_users.html",
        status_code=422 if error else 200,
        accounts=rows,
        crm_users=crm_users,
        roles=list(ConsoleRole),
        error=error,
        error_field=error.field if error else None,
        error_account=error_account,
        form=form or {},
        notice=_NOTICES.get(done or ""),
    )


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, viewer: AdminViewer, done: str | None = None) -> Response:
    """Every console account, and a form to add one."""
    return _users_page(request, done=done)


@router.post("/admin/users", include_in_schema=False)
def add_user(
    request: Request,
    viewer: AdminViewer,
    login: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    role: Annotated[ConsoleRole, Form()],
    full_name: Annotated[str, Form(max_length=200)] = "",
    user_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Add an account (a seller's is tied to their CRM user)."""
    try:
        with session_scope(database_url_of(request)) as session:
            add_account(
                session,
                login,
                password,
                role,
                full_name=full_name.strip() or None,
                user_id=user_id.strip() or None,
            )
    except AccountError as exc:
        form = {"login": login, "full_name": full_name, "role": role.value, "user_id": user_id}
        return _users_page(request, error=exc, form=form)
    return RedirectResponse("/admin/users?done=added", status_code=303)


def _account_change(
    request: Request, account_id: int, change: Callable[[Session], object], done: str
) -> Response:
    try:
        with session_scope(database_url_of(request)) as session:
            change(session)
    except AccountError as exc:
        return _users_page(request, error=exc, error_account=account_id)
    return RedirectResponse(f"/admin/users?done={done}", status_code=303)


@router.post("/admin/users/{account_id}/role", include_in_schema=False)
def change_role(
    request: Request,
    account_id: int,
    viewer: AdminViewer,
    role: Annotated[ConsoleRole, Form()],
) -> Response:
    """Give an account another role (never the last admin's)."""
    return _account_change(
        request, account_id, lambda session: set_role(session, account_id, role), "role"
    )


@router.post("/admin/users/{account_id}/disabled", include_in_schema=False)
def change_disabled(
    request: Request,
    account_id: int,
    viewer: AdminViewer,
    disabled: Annotated[bool, Form()],
) -> Response:
    """Disable or enable an account (not your own, not the last admin)."""
    return _account_change(
        request,
        account_id,
        lambda session: set_disabled(
            session, account_id, disabled, by_account_id=viewer.account_id
        ),
        "disabled" if disabled else "enabled",
    )


@router.post("/admin/users/{account_id}/password", include_in_schema=False)
def reset_password(
    request: Request,
    account_id: int,
    viewer: AdminViewer,
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Set a new password; the account's sessions end."""
    return _account_change(
        request,
        account_id,
        lambda session: change_password(
            session, account_by_id(session, account_id).login, password
        ),
        "password",
    )


class ConsoleUser(BaseModel):
    """A console account (never its password hash)."""

    id: int
    login: str
    full_name: str
    role: ConsoleRole
    user_id: str | None
    disabled: bool
    created_on: datetime


@router.get("/api/users", response_model=list[ConsoleUser], tags=["users"])
def api_users(request: Request, viewer: AdminViewer) -> list[ConsoleUser]:
    """Every console account, by login."""
    with Session(get_db_engine(database_url_of(request))) as session:
        return [
            ConsoleUser(
                id=row.id or 0,
                login=row.login,
                full_name=row.full_name,
                role=row.role,
                user_id=row.user_id,
                disabled=row.disabled,
                created_on=row.created_on,
            )
            for row in accounts(session)
        ]
