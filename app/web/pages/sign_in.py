"""Sign in and out. The sign-in form carries its own CSRF token (a cookie and a field that
must match) since there is no session yet to hold one."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.web.accounts import sign_in, sign_out, viewer_of
from app.web.console_access import (
    SESSION_COOKIE,
    AnyViewer,
    csrf_matches,
    database_url_of,
    signed_in,
)
from app.web.templating import main_page, render
from store.console_accounts import ConsoleRole
from store.db import get_db_engine, session_scope

router = APIRouter()

LOGIN_CSRF_COOKIE = "qualify_login_csrf"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: an open redirect would let a link send people anywhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (or the main page, if already signed in)."""
    viewer = signed_in(request)
    if viewer is not None:
        return RedirectResponse(_safe_next(next) or main_page(viewer.role), status_code=303)
    return _login_form(request, next, error=None)


def _login_form(request: Request, next: str | None, error: str | None, login: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status_code=401 if error else 200,
        login_csrf=token,
        next=_safe_next(next) or "",
        error=error,
        login=login,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_cookie_secure(request),
        path="/login",
    )
    return response


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    login: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; on success set the session cookie and go to the main page."""
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        return _login_form(request, next, "The form expired; sign in again.")
    database_url = database_url_of(request)
    with session_scope(database_url) as session:
        token = sign_in(session, login, password)
    if token is None:
        return _login_form(request, next, "Wrong email or password.", login)
    with Session(get_db_engine(database_url)) as session:
        viewer = viewer_of(session, token)
    assert viewer is not None
    response = RedirectResponse(_safe_next(next) or main_page(viewer.role), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(request),
        max_age=12 * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, viewer: AnyViewer) -> Response:
    """End the session."""
    with session_scope(database_url_of(request)) as session:
        sign_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", include_in_schema=False)
def home(request: Request, viewer: AnyViewer) -> Response:
    """Each role's main page."""
    return RedirectResponse(main_page(viewer.role), status_code=303)


class SignedInViewer(BaseModel):
    """Who is signed in, and the token their API calls send as `X-CSRF-Token`."""

    login: str
    full_name: str
    role: ConsoleRole
    user_id: str | None
    csrf_token: str


@router.get("/api/me", response_model=SignedInViewer, tags=["session"])
def me(viewer: AnyViewer) -> SignedInViewer:
    """The signed-in viewer and their CSRF token."""
    return SignedInViewer(
        login=viewer.login,
        full_name=viewer.full_name,
        role=viewer.role,
        user_id=viewer.user_id,
        csrf_token=viewer.csrf_token,
    )
