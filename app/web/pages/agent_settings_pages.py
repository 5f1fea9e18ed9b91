"""The admin's settings pages (`/admin`, `/admin/settings/{block}`) and their JSON API
(`/api/settings/{block}`): each block edited as YAML, validated and stored as the CLI
does it; a refused text is shown again with each problem at its line, nothing saved."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.settings_blocks import (
    BLOCKS,
    MAX_TEXT,
    BlockName,
    BlockText,
    FieldProblem,
    SettingsBlockError,
    block_text,
    save_block,
)
from app.web.console_access import AdminViewer, database_url_of
from app.web.templating import render
from core.clock import utc_now
from graphs.engage.sending_mailboxes import MailboxStatus, mailbox_statuses
from graphs.engage.stored_settings import load_engage_settings
from store.db import get_db_engine

router = APIRouter()

SAVED_NOTICE = "Saved. The agent uses it from its next step."


def _block_or_404(block: str) -> str:
    if block not in BLOCKS:
        raise HTTPException(status_code=404, detail=f"No settings block {block!r}.")
    return block


def excerpts(
    lines: list[tuple[int, str]], marked: set[int], around: int = 3
) -> list[list[tuple[int, str]]]:
    """The lines within `around` of a marked line, in runs (a gap between runs is shown
    as a break), so each problem is seen beside its line without scrolling."""
    keep = {n for m in marked for n in range(m - around, m + around + 1)}
    runs: list[list[tuple[int, str]]] = []
    for number, line in lines:
        if number not in keep:
            continue
        if runs and runs[-1][-1][0] == number - 1:
            runs[-1].append((number, line))
        else:
            runs.append([(number, line)])
    return runs


@router.get("/admin", include_in_schema=False)
def settings_index(request: Request, viewer: AdminViewer) -> Response:
    """Every settings block, with who changed it last."""
    url = database_url_of(request)
    return render(
        request,
        "admin_settings.html",
        blocks=[block_text(url, name) for name in BLOCKS],
    )


def _block_page(
    request: Request,
    current: BlockText,
    *,
    text: str | None = None,
    note: str = "",
    problems: list[FieldProblem] | None = None,
    saved: bool = False,
) -> Response:
    shown = current.text if text is None else text
    by_line: dict[int, list[FieldProblem]] = {}
    for problem in problems or []:
        if problem.line is not None:
            by_line.setdefault(problem.line, []).append(problem)
    numbered = list(enumerate(shown.splitlines(), start=1))
    return render(
        request,
        "admin_setting_block.html",
        status_code=422 if problems else 200,
        current=current,
        block=current.block,
        text=shown,
        note=note,
        problems=problems or [],
        excerpts=excerpts(numbered, set(by_line)),
        problems_by_line=by_line,
        notice=SAVED_NOTICE if saved else None,
        mailboxes=_mailboxes(request) if current.block.name == "mailboxes" else [],
    )


def _mailboxes(request: Request) -> list[MailboxStatus]:
    """Each sending mailbox's state today, as `qualify engage mailboxes` shows it. Only
    read: a breaker that would trip now is recorded by the next send, not by a page view."""
    url = database_url_of(request)
    with Session(get_db_engine(url)) as session:
        return mailbox_statuses(session, load_engage_settings(url), utc_now())


@router.get("/admin/settings/{block}", include_in_schema=False)
def settings_block_page(
    request: Request, block: str, viewer: AdminViewer, saved: bool = False
) -> Response:
    """One block's YAML in force, with the shipped default beside it."""
    current = block_text(database_url_of(request), _block_or_404(block))
    return _block_page(request, current, saved=saved)


@router.post("/admin/settings/{block}", include_in_schema=False)
def save_settings_block(
    request: Request,
    block: str,
    viewer: AdminViewer,
    text: Annotated[str, Form(max_length=MAX_TEXT)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Validate and store the block; on a problem show the text again, nothing saved."""
    url = database_url_of(request)
    name = _block_or_404(block)
    try:
        save_block(url, name, text.replace("\r\n", "\n"), by=viewer.login, note=note)
    except SettingsBlockError as exc:
        return _block_page(
            request, block_text(url, name), text=text, note=note, problems=exc.problems
        )
    return RedirectResponse(f"/admin/settings/{name}?saved=true", status_code=303)


# -- JSON API ----------------------------------------------------------------------------


class SettingsBlockOut(BaseModel):
    """One settings block: its YAML in force and the shipped default."""

    block: BlockName
    title: str
    text: str
    default_text: str
    updated_on: datetime | None
    updated_by: str | None


class SettingsBlockIn(BaseModel):
    """A new text for a block (the product also takes a note for its history)."""

    text: str = Field(max_length=MAX_TEXT)
    note: str = Field(default="", max_length=500)


class SettingsProblem(BaseModel):
    """One problem of a refused text: the field, its line, the message with the fix."""

    field: str | None
    line: int | None
    problem: str


class SettingsRefused(BaseModel):
    """Nothing was saved; each problem names its field."""

    detail: list[SettingsProblem]


def _out(current: BlockText) -> SettingsBlockOut:
    return SettingsBlockOut(
        block=current.block.name,
        title=current.block.title,
        text=current.text,
        default_text=current.default_text,
        updated_on=current.updated_on,
        updated_by=current.updated_by,
    )


@router.get("/api/settings/{block}", response_model=SettingsBlockOut, tags=["settings"])
def get_settings_block(request: Request, block: BlockName, viewer: AdminViewer) -> SettingsBlockOut:
    """A settings block as YAML."""
    return _out(block_text(database_url_of(request), block))


@router.put(
    "/api/settings/{block}",
    response_model=SettingsBlockOut,
    responses={422: {"model": SettingsRefused, "description": "Refused; nothing saved."}},
    tags=["settings"],
)
def put_settings_block(
    request: Request, block: BlockName, body: SettingsBlockIn, viewer: AdminViewer
) -> Response | SettingsBlockOut:
    """Replace a settings block, validated as the CLI validates it."""
    url = database_url_of(request)
    try:
        save_block(url, block, body.text, by=viewer.login, note=body.note)
    except SettingsBlockError as exc:
        problems = [
            SettingsProblem(field=p.field, line=p.line, problem=p.message) for p in exc.problems
        ]
        refused = SettingsRefused(detail=problems)
        return JSONResponse(refused.model_dump(), status_code=422)
    return _out(block_text(url, block))
