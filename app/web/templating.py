"""Server-rendered pages: Jinja2 with autoescaping, so lead data (a name, a company, a
reply) is always shown as text, never as markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from store.console_accounts import ConsoleRole

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

# Each role's pages in the navigation bar, main page first.
NAVIGATION: dict[ConsoleRole, tuple[tuple[str, str], ...]] = {
    ConsoleRole.SELLER: (
        ("My open leads", "/leads"),
        ("My hand-offs", "/handoffs"),
        ("Emails to review", "/reviews"),
    ),
    ConsoleRole.SUPERVISOR: (
        ("Agent monitor", "/monitor"),
        ("Hand-offs", "/handoffs"),
        ("Leads", "/leads"),
        ("Research", "/research"),
    ),
    ConsoleRole.ADMIN: (
        ("Settings", "/admin"),
        ("Prompts", "/admin/prompts"),
        ("Users", "/admin/users"),
        ("Agent monitor", "/monitor"),
        ("Leads", "/leads"),
        ("Research", "/research"),
        ("Eval runs", "/evals"),
    ),
    ConsoleRole.EVALUATOR: (("Eval runs", "/evals"),),
}


def main_page(role: ConsoleRole) -> str:
    """Where a role lands after signing in."""
    return NAVIGATION[role][0][1]


def current_page(path: str, navigation: tuple[tuple[str, str], ...]) -> str | None:
    """The navigation entry a path is under: the longest match, so /admin/prompts is
    Prompts, not Settings (/admin)."""
    under = [href for _, href in navigation if path == href or path.startswith(href + "/")]
    return max(under, key=len, default=None)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page, with the viewer, their navigation and the CSRF token its forms carry."""
    viewer = getattr(request.state, "viewer", None)
    navigation = NAVIGATION[viewer.role] if viewer else ()
    return templates.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "navigation": navigation,
            "current_page": current_page(request.url.path, navigation),
            "csrf_token": viewer.csrf_token if viewer else "",
            **context,
        },
        status_code=status_code,
    )
