"""Who may open a console route: the session cookie, the roles a route allows, and the
CSRF token every state-changing request must carry.

A route declares its roles with a dependency made by `allowed(...)`; the access tests
walk every route and read those roles, so a route without one is caught."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from app.web.accounts import Viewer, viewer_of
from store.console_accounts import ConsoleRole
from store.db import get_db_engine

SESSION_COOKIE = "qualify_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(Exception):
    """No valid session: pages redirect to the sign-in page, the API answers 401."""


def database_url_of(request: Request) -> str:
    """The database the console serves."""
    return request.app.state.database_url


def signed_in(request: Request) -> Viewer | None:
    """The viewer of the request's session cookie, if it is valid."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with Session(get_db_engine(database_url_of(request))) as session:
        return viewer_of(session, token)


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette keeps it: the endpoint reads the same form.
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def csrf_matches(expected: str, submitted: str) -> bool:
    """Compare in constant time."""
    return bool(submitted) and hmac.compare_digest(expected.encode(), submitted.encode())


RoleCheck = Callable[[Request], Awaitable[Viewer]]


def allowed(*roles: ConsoleRole) -> RoleCheck:
    """A dependency: the request's viewer if signed in with one of `roles` (403 otherwise),
    and, for a state-changing method, carrying the session's CSRF token (403 otherwise)."""

    async def check(request: Request) -> Viewer:
        viewer = signed_in(request)
        if viewer is None:
            raise SignInRequired
        if viewer.role not in roles:
            raise HTTPException(status_code=403, detail="Your role may not open this page.")
        if request.method not in SAFE_METHODS and not csrf_matches(
            viewer.csrf_token, await _submitted_csrf(request)
        ):
            raise HTTPException(
                status_code=403,
                detail="The form's security token is missing or stale; reload the page.",
            )
        request.state.viewer = viewer
        return viewer

    check.roles = frozenset(roles)  # type: ignore[attr-defined]
    return check


ANY_ROLE = allowed(*ConsoleRole)
SELLER_PAGES = allowed(ConsoleRole.SELLER, ConsoleRole.SUPERVISOR, ConsoleRole.ADMIN)
SUPERVISOR_PAGES = allowed(ConsoleRole.SUPERVISOR, ConsoleRole.ADMIN)
ADMIN_PAGES = allowed(ConsoleRole.ADMIN)
EVALUATOR_PAGES = allowed(ConsoleRole.EVALUATOR, ConsoleRole.ADMIN)

AnyViewer = Annotated[Viewer, Depends(ANY_ROLE)]
SellerViewer = Annotated[Viewer, Depends(SELLER_PAGES)]
SupervisorViewer = Annotated[Viewer, Depends(SUPERVISOR_PAGES)]
AdminViewer = Annotated[Viewer, Depends(ADMIN_PAGES)]
EvaluatorViewer = Annotated[Viewer, Depends(EVALUATOR_PAGES)]
