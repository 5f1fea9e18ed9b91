"""Draft email → edit → Send, as in the seeds: the agent's draft with the sources it is
grounded on, editable in the form; Send goes through `app.seller_email` exactly as
`qualify send` does (outbox, guardrails, content and grounding check). A refusal shows
its reasons and keeps the edited text; the same text sent again is not sent twice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.seller_email import SendRefused, edited_draft, lead_insights, send_seller_email
from app.web.accounts import Viewer
from app.web.console_access import SellerViewer, database_url_of
from app.web.lead_visibility import lead_for
from app.web.pages.lead_conversation import LeadId
from app.web.templating import render
from core.clock import utc_now
from core.findings import LeadInsights, OutreachDraft
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.reasoning.llm.response_cache import cached_model_answers
from graphs.research.runner import RedraftError, ResearchRunner
from store.crm import Lead
from store.db import get_db_engine

router = APIRouter()

SUBJECT_MAX = 300
BODY_MAX = 20_000


class DraftView(BaseModel):
    """The lead's outreach draft, as `qualify draft` shows it."""

    lead_id: str
    lead_name: str
    to: str | None
    subject: str
    body: str
    grounded_on: list[str]
    engine: str


def _researched(database_url: str, viewer: Viewer, lead_id: str) -> tuple[Lead, LeadInsights]:
    with Session(get_db_engine(database_url)) as session:
        lead = lead_for(session, viewer, lead_id)
    insights = lead_insights(database_url, lead_id)
    if insights is None:
        raise HTTPException(
            status_code=404, detail=f"{lead_id} has not been researched yet: no draft to show."
        )
    return lead, insights


def _view(lead: Lead, insights: LeadInsights, draft: OutreachDraft) -> DraftView:
    return DraftView(
        lead_id=lead.id,
        lead_name=lead.full_name,
        to=lead.email,
        subject=draft.subject,
        body=draft.body,
        grounded_on=draft.grounded_on,
        engine=draft.engine,
    )


def _draft_page(
    request: Request,
    lead: Lead,
    insights: LeadInsights,
    draft: OutreachDraft | None,
    *,
    status_code: int = 200,
    **context: object,
) -> Response:
    return render(
        request,
        "draft.html",
        status_code=status_code,
        lead=lead,
        draft=_view(lead, insights, draft) if draft is not None else None,
        **context,
    )


@router.get("/leads/{lead_id}/draft", include_in_schema=False)
def draft_page(
    request: Request, viewer: SellerViewer, lead_id: LeadId, sent: str | None = None
) -> Response:
    """The agent's draft, editable, with Send."""
    lead, insights = _researched(database_url_of(request), viewer, lead_id)
    notice = {
        "new": f"Sent to {lead.email}. The agent will not email {lead.full_name} on its own now.",
        "again": "This text was already sent to the lead: it was not sent a second time.",
        "redrafted": "The agent wrote a new draft.",
    }.get(sent or "")
    return _draft_page(request, lead, insights, insights.draft, notice=notice)


@router.post("/leads/{lead_id}/draft/send", include_in_schema=False)
def send_draft(
    request: Request,
    viewer: SellerViewer,
    lead_id: LeadId,
    subject: Annotated[str, Form(max_length=SUBJECT_MAX)] = "",
    body: Annotated[str, Form(max_length=BODY_MAX)] = "",
) -> Response:
    """Send the edited draft; a refusal shows the page again with the reasons and the
    edited text kept (nothing sent, nothing saved)."""
    url = database_url_of(request)
    lead, insights = _researched(url, viewer, lead_id)
    if insights.draft is None:
        raise HTTPException(status_code=404, detail=f"{lead_id} has no draft yet.")
    draft = edited_draft(insights.draft, subject, body)
    field_errors = {}
    if not draft.subject:
        field_errors["subject"] = "Subject: write one; an email without a subject is not sent."
    if not draft.body.strip():
        field_errors["body"] = "Email: write the text to send; it is empty."
    refusal: SendRefused | None = None
    if not field_errors:
        try:
            sent = send_seller_email(url, lead_id, draft, by=viewer.user_id, now=utc_now())
        except SendRefused as exc:
            refusal = exc
        else:
            outcome = "again" if sent.already_sent else "new"
            return RedirectResponse(f"/leads/{lead_id}/draft?sent={outcome}", status_code=303)
    return _draft_page(
        request,
        lead,
        insights,
        draft,
        status_code=422,
        refusal=refusal,
        field_errors=field_errors,
    )


def _research_runner_redraft(database_url: str, lead_id: str) -> None:
    """Through the graph's outreach writer, as `qualify draft --regenerate` does."""
    settings = get_settings()
    context = Context(database_url=database_url)
    with (
        cached_model_answers(context.engine, settings.home, settings.llm_cache),
        open_checkpointer(settings.resolved_checkpoint_url) as saver,
    ):
        ResearchRunner(context, saver).redraft(lead_id)


@router.post("/leads/{lead_id}/draft/regenerate", include_in_schema=False)
def regenerate_draft(request: Request, viewer: SellerViewer, lead_id: LeadId) -> Response:
    """Have the agent write the draft again from the stored research."""
    url = database_url_of(request)
    lead, insights = _researched(url, viewer, lead_id)
    try:
        _research_runner_redraft(url, lead_id)
    except RedraftError as exc:
        return _draft_page(
            request, lead, insights, insights.draft, status_code=409, refusal_text=str(exc)
        )
    return RedirectResponse(f"/leads/{lead_id}/draft?sent=redrafted", status_code=303)


@router.get("/api/leads/{lead_id}/draft", response_model=DraftView, tags=["drafts"])
def draft_api(request: Request, viewer: SellerViewer, lead_id: LeadId) -> DraftView:
    """The lead's outreach draft and the sources it is grounded on; 404 when none yet."""
    lead, insights = _researched(database_url_of(request), viewer, lead_id)
    if insights.draft is None:
        raise HTTPException(status_code=404, detail=f"{lead_id} has no draft yet.")
    return _view(lead, insights, insights.draft)
