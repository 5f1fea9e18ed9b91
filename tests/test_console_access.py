"""Access control of the console: every route, tried as each role and as nobody.

Routes are read from the app itself, so a page added later is covered without editing
this file; a route that declares no roles and is not public fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.routing import BaseRoute

from app.web.server import create_app
from store.console_accounts import ConsoleRole
from store.crm import Lead
from store.db import get_db_engine
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, client_as

# Reachable without signing in, each for its own reason.
PUBLIC = {
    ("GET", "/login"),  # the sign-in form
    ("POST", "/login"),  # checked by its own CSRF cookie
    ("GET", "/api/openapi.json"),  # the schema holds no data
    ("GET", "/api/docs"),
    ("GET", "/api/docs/oauth2-redirect"),
    ("GET", "/unsubscribe"),  # a signed token, from an email
    ("POST", "/unsubscribe"),
    ("POST", "/webhooks/inbound-email"),  # signed with HMAC by the mail provider
}


def _roles_of(route: APIRoute) -> frozenset[ConsoleRole] | None:
    """The roles a route's dependencies allow; None when it declares none."""
    found: set[ConsoleRole] = set()
    declared = False
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        roles = getattr(dependant.call, "roles", None)
        if roles is not None:
            found = set(roles) if not declared else found & set(roles)
            declared = True
        stack.extend(dependant.dependencies)
    return frozenset(found) if declared else None


def _flattened(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, inside included routers too: FastAPI 0.165 keeps an included router
    as one `_IncludedRouter` entry of `app.routes` (the console includes without a
    prefix, so each route's own path is its URL)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flattened(inner.routes)
        else:
            yield route


def _routes() -> Iterator[tuple[str, str, APIRoute]]:
    for route in _flattened(create_app("sqlite://").routes):
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path, route


def test_every_route_is_public_or_declares_its_roles() -> None:
    undeclared = [
        f"{method} {path}"
        for method, path, route in _routes()
        if (method, path) not in PUBLIC and _roles_of(route) is None
    ]
    assert not undeclared, f"routes with no roles (use app.web.console_access): {undeclared}"


def test_the_walk_finds_the_routes() -> None:
    """A walk that finds nothing would pass every check here."""
    found = {(method, path) for method, path, _ in _routes()}
    assert {("GET", "/api/me"), ("POST", "/login"), ("GET", "/evals")} <= found


def _sample_path(path: str, lead_id: str) -> str:
    return re.sub(
        r"\{(\w+)(?::\w+)?\}",
        lambda match: lead_id if match.group(1) == "lead_id" else "1",
        path,
    )


@pytest.fixture
def own_lead(console_crm: SampleCrm) -> str:
    with Session(get_db_engine(console_crm.database_url)) as session:
        lead = session.exec(select(Lead).where(Lead.owner_id == LOGINS.seller_user_id)).first()
    assert lead is not None
    return lead.id


def _try(client: TestClient, method: str, path: str, *, csrf: bool) -> int:
    headers = {} if csrf else {"X-CSRF-Token": ""}
    response = client.request(method, path, headers=headers, data={} if method != "GET" else None)
    return response.status_code


@pytest.mark.parametrize("role", [None, *ConsoleRole], ids=lambda r: r.value if r else "nobody")
def test_each_route_as_each_role(
    console_crm: SampleCrm, own_lead: str, role: ConsoleRole | None
) -> None:
    wrong: list[str] = []
    with client_as(console_crm.database_url, LOGINS.of(role) if role else None) as client:
        # Signing out ends the session every other request needs: it goes last.
        for method, path, route in sorted(_routes(), key=lambda r: r[:2] == ("POST", "/logout")):
            if (method, path) in PUBLIC:
                continue
            roles = _roles_of(route) or frozenset()
            url = _sample_path(path, own_lead)
            # Without the token first: with it, the request may do what it does (sign out).
            unsafe_allowed = role in roles and method not in ("GET", "HEAD")
            if unsafe_allowed and _try(client, method, url, csrf=False) != 403:
                wrong.append(f"{method} {url} as {role.value} without CSRF token: not 403")
            status = _try(client, method, url, csrf=True)
            if role is None:
                expected = {401} if path.startswith("/api/") else {303}
                if status not in expected:
                    wrong.append(f"{method} {url} as nobody: {status}, wanted {expected}")
            elif role not in roles:
                if status != 403:
                    wrong.append(f"{method} {url} as {role.value}: {status}, wanted 403")
            else:
                if status >= 500 or (status == 403 and method == "GET"):
                    wrong.append(f"{method} {url} as {role.value}: {status}")
    assert not wrong, "\n".join(wrong)
