"""Test on a lead (`/admin/sandbox`): the research graph run in a sandbox on a copy of the
database, with a prompt version pinned if the admin chooses one; the result is shown and
nothing is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.sandbox_research import SandboxRefused, research_in_sandbox
from app.web.console_access import AdminViewer, database_url_of
from app.web.templating import render
from prompts.versioning import prompt_names

router = APIRouter()


def _page(
    request: Request,
    *,
    lead_id: str = "",
    prompt: str = "",
    version: str = "",
    result: object = None,
    error: SandboxRefused | None = None,
) -> Response:
    return render(
        request,
        "admin_sandbox.html",
        status_code=422 if error else 200,
        lead_id=lead_id,
        prompt=prompt,
        version=version,
        prompts=prompt_names(),
        result=result,
        error=error,
        error_field=error.field if error else None,
    )


@router.get("/admin/sandbox", include_in_schema=False)
def sandbox_page(request: Request, viewer: AdminViewer, lead_id: str = "") -> Response:
    """Choose a lead (and a prompt version to pin)."""
    return _page(request, lead_id=lead_id[:64])


@router.post("/admin/sandbox", include_in_schema=False)
def run_sandbox(
    request: Request,
    viewer: AdminViewer,
    lead_id: Annotated[str, Form(min_length=1, max_length=64)],
    prompt: Annotated[str, Form(max_length=64)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Research the lead in the sandbox and show what it would store."""
    lead_id, prompt, version = lead_id.strip(), prompt.strip(), version.strip()
    shown = {"lead_id": lead_id, "prompt": prompt, "version": version}
    if bool(prompt) != bool(version):
        missing = "version" if prompt else "prompt"
        error = SandboxRefused(
            f"{missing}: choose both a prompt and its version to pin, or neither", missing
        )
        return _page(request, **shown, error=error)
    try:
        result = research_in_sandbox(
            database_url_of(request), lead_id, prompt_pins={prompt: version} if prompt else None
        )
    except SandboxRefused as exc:
        return _page(request, **shown, error=exc)
    return _page(request, **shown, result=result)
