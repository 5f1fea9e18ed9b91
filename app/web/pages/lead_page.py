"""A lead's insights page, laid out as Dynamics' Lead insights: the recommendation banner,
Key insights, the agent's rating, Email validation (with the seller's corrections),
About lead and About account (with connect). The corrections apply what `qualify email`
and `qualify connect` apply (`graphs/research/lead_corrections.py`): an error is shown at
its field and nothing is saved. `GET /api/leads/{lead_id}` is the page as JSON."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app import insights_wording
from app.web.console_access import SellerViewer, database_url_of
from app.web.lead_visibility import lead_for
from app.web.templating import render
from core.clock import utc_now
from core.findings import EmailCheck, LeadInsights
from core.icp_fingerprint import fit_staleness, icp_fingerprint
from core.icp_verdicts import RECOMMENDATIONS
from graphs.context import Context
from graphs.rating.lead_rating import AgentRating
from graphs.rating.rating_records import stored_rating
from graphs.research.agent_settings import load_agent_settings
from graphs.research.lead_corrections import (
    CorrectionError,
    connect_lead,
    correct_email,
    refresh_email_check,
)
from store.agent_records import LeadInsight
from store.crm import Account, Contact, User
from store.db import get_db_engine, session_scope

router = APIRouter()

NOTICES = {
    "email": "Email saved; the check below is the new one.",
    "email-requeued": "Email saved; the check below is the new one, and the lead is queued "
    "for research again.",
    "connected": "Connection saved. The lead is queued for research again: About account "
    "follows after the next research run.",
    "disconnected": "Account and contact disconnected. The lead is queued for research again.",
}
MAX_ID = 64
MAX_ADDRESS = 320


class LeadView(BaseModel):
    """A lead's insights page: the CRM's lead as it is now, and what the agent found."""

    lead_id: str
    name: str
    company: str | None
    title: str | None
    email: str | None
    status: str
    crm_rating: str
    owner_id: str | None
    owner_name: str | None
    connected_account_id: str | None
    connected_contact_id: str | None
    do_not_email: bool
    stale_fit: str | None = Field(description="Why the stored fit no longer answers the ICP.")
    agent_rating: AgentRating | None
    insights: LeadInsights | None = Field(description="None: not researched yet.")


def _value(enum_or_text: Any) -> str:
    return str(getattr(enum_or_text, "value", enum_or_text))


def lead_view(request: Request, viewer: SellerViewer, lead_id: str) -> LeadView:
    """The lead's page, if the viewer may see the lead (404 / 403 otherwise)."""
    database_url = database_url_of(request)
    with Session(get_db_engine(database_url)) as session:
        lead = lead_for(session, viewer, lead_id)
        row = session.get(LeadInsight, lead_id)
        owner = session.get(User, lead.owner_id) if lead.owner_id else None
        rating = stored_rating(session, lead_id)
    insights = LeadInsights.model_validate(row.payload) if row is not None else None
    stale = None
    if insights is not None:
        in_force = icp_fingerprint(load_agent_settings(database_url).icp)
        stale = fit_staleness(insights.icp.judged_against, in_force)
    return LeadView(
        lead_id=lead.id,
        name=lead.full_name,
        company=lead.company_name,
        title=lead.job_title,
        email=lead.email,
        status=_value(lead.status),
        crm_rating=_value(lead.rating),
        owner_id=lead.owner_id,
        owner_name=owner.full_name if owner else None,
        connected_account_id=lead.parent_account_id,
        connected_contact_id=lead.parent_contact_id,
        do_not_email=lead.do_not_email,
        stale_fit=stale,
        agent_rating=rating,
        insights=insights,
    )


def _page(
    request: Request,
    view: LeadView,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    connected = _connected_names(request, view)
    return render(
        request,
        "lead_page.html",
        status_code=status_code,
        lead=view,
        insights=view.insights,
        research=view.insights.research if view.insights else None,
        connected=connected,
        notice=NOTICES.get(notice or ""),
        errors=errors or {},
        form=form or {},
        words=insights_wording,
        recommendations={level.value: text for level, text in RECOMMENDATIONS.items()},
        now=utc_now(),
    )


def _connected_names(request: Request, view: LeadView) -> dict[str, str | None]:
    """The names of the account and contact the lead is linked to in the CRM now."""
    with Session(get_db_engine(database_url_of(request))) as session:
        account = (
            session.get(Account, view.connected_account_id) if view.connected_account_id else None
        )
        contact = (
            session.get(Contact, view.connected_contact_id) if view.connected_contact_id else None
        )
    return {
        "account": account.name if account else None,
        "contact": f"{contact.first_name} {contact.last_name}" if contact else None,
    }


@router.get("/leads/{lead_id}", include_in_schema=False)
def lead_page(
    request: Request,
    viewer: SellerViewer,
    lead_id: str,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """A lead's insights page."""
    return _page(request, lead_view(request, viewer, lead_id), notice=notice)


@router.get("/api/leads/{lead_id}", response_model=LeadView, tags=["leads"])
def api_lead(request: Request, viewer: SellerViewer, lead_id: str) -> LeadView:
    """A lead's insights: the CRM's lead, the agent's research, fit and rating."""
    return lead_view(request, viewer, lead_id)


EmailLabel = Literal["valid", "invalid"]
EmailTypeWord = Literal["work", "personal", "disposable", "role"]


def _apply_email(
    request: Request,
    viewer: SellerViewer,
    lead_id: str,
    *,
    address: str | None,
    valid: bool | None,
    email_type: str | None,
) -> tuple[bool, EmailCheck | None]:
    """Apply the correction (CorrectionError: nothing saved), then re-check the address
    into the stored insights; whether the lead was queued for research again, and the
    new check (None: not researched yet)."""
    database_url = database_url_of(request)
    with Session(get_db_engine(database_url)) as session:
        lead_for(session, viewer, lead_id)
    if address is None and valid is None and email_type is None:
        raise CorrectionError(
            "give a corrected address, or mark the email valid, invalid, work or personal",
            "address",
        )
    with session_scope(database_url) as session:
        requeued = correct_email(
            session,
            lead_id,
            utc_now(),
            address=address,
            valid=valid,
            email_type=email_type,
            set_by=viewer.user_id or viewer.login,
        )
    insights = refresh_email_check(Context(database_url=database_url), lead_id)
    return requeued, insights.research.email_check if insights else None


@router.post("/leads/{lead_id}/email", include_in_schema=False)
def correct_lead_email(
    request: Request,
    viewer: SellerViewer,
    lead_id: str,
    address: Annotated[str, Form(max_length=MAX_ADDRESS)] = "",
    valid: Annotated[EmailLabel | Literal[""], Form()] = "",
    email_type: Annotated[EmailTypeWord | Literal[""], Form()] = "",
) -> Response:
    """Correct the address or mark it valid/invalid, work/personal; back to the page."""
    try:
        requeued, _ = _apply_email(
            request,
            viewer,
            lead_id,
            address=address.strip() or None,
            valid={"valid": True, "invalid": False}.get(valid),
            email_type=email_type or None,
        )
    except CorrectionError as exc:
        view = lead_view(request, viewer, lead_id)
        return _page(
            request,
            view,
            errors={exc.field: str(exc)},
            form={"address": address},
            status_code=422,
        )
    notice = "email-requeued" if requeued else "email"
    return RedirectResponse(
        f"/leads/{quote(lead_id)}?notice={notice}#email-validation", status_code=303
    )


class EmailCorrection(BaseModel):
    """A seller's email correction: any of the three."""

    address: str | None = Field(default=None, max_length=MAX_ADDRESS, description="New address.")
    valid: bool | None = Field(default=None, description="Mark the address valid or invalid.")
    email_type: EmailTypeWord | None = Field(default=None, description="Mark its type.")


class EmailCorrected(BaseModel):
    """The stored check after the correction."""

    requeued: bool = Field(description="The lead is queued for research again.")
    email_check: EmailCheck | None = Field(description="None: the lead is not researched yet.")


@router.post(
    "/api/leads/{lead_id}/email",
    response_model=EmailCorrected,
    tags=["leads"],
    responses={422: {"description": "The field at fault and the problem; nothing saved."}},
)
def api_correct_email(
    request: Request, viewer: SellerViewer, lead_id: str, correction: EmailCorrection
) -> Response | EmailCorrected:
    """Correct a lead's email or its labels, as `qualify email` does."""
    try:
        requeued, check = _apply_email(
            request,
            viewer,
            lead_id,
            address=correction.address.strip() if correction.address else None,
            valid=correction.valid,
            email_type=correction.email_type,
        )
    except CorrectionError as exc:
        return JSONResponse(
            {"detail": [{"field": exc.field, "problem": str(exc)}]}, status_code=422
        )
    return EmailCorrected(requeued=requeued, email_check=check)


@router.post("/leads/{lead_id}/connect", include_in_schema=False)
def connect_lead_page(
    request: Request,
    viewer: SellerViewer,
    lead_id: str,
    account: Annotated[str, Form(max_length=MAX_ID)] = "",
    contact: Annotated[str, Form(max_length=MAX_ID)] = "",
    action: Annotated[Literal["connect", "disconnect"], Form()] = "connect",
) -> Response:
    """Connect the lead to an account or contact (or disconnect both), as `qualify
    connect` does; back to the page."""
    database_url = database_url_of(request)
    with Session(get_db_engine(database_url)) as session:
        lead_for(session, viewer, lead_id)
    account_id, contact_id = account.strip() or None, contact.strip() or None
    try:
        if action == "connect" and not (account_id or contact_id):
            raise CorrectionError("give an account id or a contact id to connect", "account")
        with session_scope(database_url) as session:
            connect_lead(
                session,
                lead_id,
                utc_now(),
                account_id=account_id,
                contact_id=contact_id,
                disconnect=action == "disconnect",
            )
    except CorrectionError as exc:
        if exc.field == "lead":
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        return _page(
            request,
            lead_view(request, viewer, lead_id),
            errors={exc.field: str(exc)},
            form={"account": account, "contact": contact},
            status_code=422,
        )
    notice = "disconnected" if action == "disconnect" else "connected"
    return RedirectResponse(
        f"/leads/{quote(lead_id)}?notice={notice}#about-account", status_code=303
    )
