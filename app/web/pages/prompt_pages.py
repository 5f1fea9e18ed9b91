"""The admin's prompt pages (`/admin/prompts`, `/admin/prompts/{name}`) and their JSON API:
each prompt's versions (who, when, note), a diff between two, a new version saved as
`qualify prompts edit` saves it (declared input variables checked), activate, roll back."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from app.web.console_access import AdminViewer, database_url_of
from app.web.templating import render
from prompts.registry import PromptError
from prompts.versioning import (
    ActivationInfo,
    PromptSummary,
    PromptVersionInfo,
    activate,
    activation_log,
    diff,
    history,
    list_prompts,
    prompt_names,
    rollback,
    save_version,
    show,
)

router = APIRouter()

MAX_PROMPT = 100_000
VersionText = Annotated[str, Query(max_length=12, pattern=r"^(default|[0-9]{1,9})$")]


def _known(name: str) -> str:
    if name not in prompt_names():
        raise HTTPException(status_code=404, detail=f"No prompt {name!r}.")
    return name


DiffKind = Literal["add", "del", "hunk", "file", "same"]


def diff_lines(text: str) -> list[tuple[DiffKind, str]]:
    """A unified diff's lines, each with how it is shown."""
    lines: list[tuple[DiffKind, str]] = []
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            lines.append(("file", line))
        elif line.startswith("@@"):
            lines.append(("hunk", line))
        elif line.startswith("+"):
            lines.append(("add", line))
        elif line.startswith("-"):
            lines.append(("del", line))
        else:
            lines.append(("same", line))
    return lines


@router.get("/admin/prompts", include_in_schema=False)
def prompts_page(request: Request, viewer: AdminViewer) -> Response:
    """Every prompt with its active version."""
    return render(request, "admin_prompts.html", prompts=list_prompts(database_url_of(request)))


def _prompt_page(
    request: Request,
    name: str,
    *,
    text: str | None = None,
    note: str = "",
    error: str | None = None,
    action_error: str | None = None,
    notice: str | None = None,
    diff_from: str | None = None,
    diff_to: str | None = None,
) -> Response:
    url = database_url_of(request)
    versions = history(url, name)
    active = next(v for v in versions if v.active)
    shown_diff: list[tuple[DiffKind, str]] | None = None
    diff_error = None
    if diff_from and diff_to:
        try:
            shown_diff = diff_lines(diff(url, name, diff_from, diff_to))
        except PromptError as exc:
            diff_error = str(exc)
    return render(
        request,
        "admin_prompt.html",
        status_code=422 if error or action_error else 200,
        name=name,
        active=active,
        versions=versions,
        activations=activation_log(url, name),
        text=active.text if text is None else text,
        note=note,
        error=error,
        action_error=action_error,
        notice=notice,
        diff_from=diff_from or "",
        diff_to=diff_to or "",
        diff=shown_diff,
        diff_error=diff_error,
    )


_NOTICES = {
    "saved": "New version saved.",
    "activated": "Version activated: new runs use it.",
    "rolled_back": "Rolled back: the version active before is active again.",
}


@router.get("/admin/prompts/{name}", include_in_schema=False)
def prompt_page(
    request: Request,
    name: str,
    viewer: AdminViewer,
    diff_from: Annotated[VersionText | None, Query(alias="from")] = None,
    diff_to: Annotated[VersionText | None, Query(alias="to")] = None,
    done: Annotated[Literal["saved", "activated", "rolled_back"] | None, Query()] = None,
) -> Response:
    """A prompt: its active text to edit, its versions, a diff between two."""
    return _prompt_page(
        request,
        _known(name),
        diff_from=diff_from,
        diff_to=diff_to,
        notice=_NOTICES.get(done or ""),
    )


@router.post("/admin/prompts/{name}", include_in_schema=False)
def save_prompt(
    request: Request,
    name: str,
    viewer: AdminViewer,
    text: Annotated[str, Form(max_length=MAX_PROMPT)],
    note: Annotated[str, Form(max_length=500)] = "",
    make_active: Annotated[bool, Form()] = False,
) -> Response:
    """Save the text as a new version (checked as `qualify prompts edit` checks it)."""
    url = database_url_of(request)
    text = text.replace("\r\n", "\n")
    active = show(url, _known(name))
    if text == active.text:
        return _prompt_page(
            request, name, text=text, note=note, error="Same text as the active version."
        )
    try:
        saved = save_version(url, name, text, viewer.login, note, activate=make_active)
    except PromptError as exc:
        return _prompt_page(request, name, text=text, note=note, error=f"{exc}. Nothing saved.")
    # Shown against the version it was edited from.
    target = f"/admin/prompts/{name}?done=saved&from={active.version}&to={saved.version}"
    return RedirectResponse(target, status_code=303)


@router.post("/admin/prompts/{name}/activate", include_in_schema=False)
def activate_prompt(
    request: Request,
    name: str,
    viewer: AdminViewer,
    version: Annotated[str, Form(max_length=12)],
) -> Response:
    """Make a version the one new runs use."""
    try:
        activate(database_url_of(request), _known(name), version, viewer.login)
    except PromptError as exc:
        return _prompt_page(request, name, action_error=f"version: {exc}")
    return RedirectResponse(f"/admin/prompts/{name}?done=activated", status_code=303)


@router.post("/admin/prompts/{name}/rollback", include_in_schema=False)
def rollback_prompt(request: Request, name: str, viewer: AdminViewer) -> Response:
    """Undo the latest activation."""
    try:
        rollback(database_url_of(request), _known(name))
    except PromptError as exc:
        return _prompt_page(request, name, action_error=str(exc))
    return RedirectResponse(f"/admin/prompts/{name}?done=rolled_back", status_code=303)


# -- JSON API ----------------------------------------------------------------------------


class PromptDetail(BaseModel):
    """A prompt's versions (newest first, the default file last) and activations."""

    name: str
    active_version: str
    versions: list[PromptVersionInfo]
    activations: list[ActivationInfo]


@router.get("/api/prompts", response_model=list[PromptSummary], tags=["prompts"])
def api_prompts(request: Request, viewer: AdminViewer) -> list[PromptSummary]:
    """Every prompt with its engine and active version."""
    return list_prompts(database_url_of(request))


@router.get("/api/prompts/{name}", response_model=PromptDetail, tags=["prompts"])
def api_prompt(request: Request, name: str, viewer: AdminViewer) -> PromptDetail:
    """One prompt's versions and activations."""
    url = database_url_of(request)
    versions = history(url, _known(name))
    return PromptDetail(
        name=name,
        active_version=next(v.version for v in versions if v.active),
        versions=versions,
        activations=activation_log(url, name),
    )
