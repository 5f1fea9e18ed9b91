"""My open leads: the seller's leads (their own and their teams'; every lead for
supervisors and admins) with the agent's fit, recommendation and rating, filtered by a GET
form a seller can bookmark, 50 to a page. `GET /api/leads` is the same list as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.web.console_access import SellerViewer, database_url_of
from app.web.lead_visibility import visible_owner_ids
from app.web.templating import render
from core.icp_fingerprint import fit_staleness, icp_fingerprint
from graphs.research.agent_settings import load_agent_settings
from graphs.research.lead_list import (
    RECOMMENDATION_FITS,
    SHORT_RECOMMENDATIONS,
    STALE,
    LeadListFilters,
    LeadListRow,
    lead_list_count,
    lead_list_page,
)
from graphs.research.selection_query import UNRESEARCHED
from store.crm import LeadStatus, User
from store.db import get_db_engine

router = APIRouter()

PAGE_SIZE = 50
MAX_PAGE = 10_000

FitWord = Literal["exact", "close", "none", "stale", "unresearched"]
RecommendationWord = Literal["engage-now", "engage-later", "do-not-engage"]
RatingWord = Literal["hot", "warm", "cold"]
StatusWord = Literal["open", "qualified", "disqualified", "any"]
# Fit badges as `qualify leads` words them: exact, partial (a close fit) or none.
FIT_BADGES = {"exact": "exact", "close": "partial", "none": "none"}


class LeadListItem(BaseModel):
    """One lead of the list."""

    lead_id: str
    name: str
    company: str | None
    title: str | None
    fit_level: Literal["exact", "close", "none"] | None = Field(
        description="The agent's ICP fit; None: not researched."
    )
    fit_badge: Literal["exact", "partial", "none"] | None
    fit_stale: bool = Field(description="Judged against an earlier ICP than the one in force.")
    recommendation: str
    crm_rating: str
    agent_rating: RatingWord | None
    email: str | None
    email_state: str = Field(description="valid/invalid and its type, opted out, or not checked.")
    status: str
    owner_id: str | None
    owner_name: str | None
    created_on: datetime
    researched_on: datetime | None


class LeadListPage(BaseModel):
    """A page of the list and how many leads the filters match."""

    total: int
    page: int
    page_size: int
    pages: int
    leads: list[LeadListItem]


def _email_state(row: LeadListRow) -> str:
    if row.lead.do_not_email:
        return "opted out"
    if not row.lead.email:
        return "no email"
    if row.email_valid is None:
        return "not checked"
    validity = "valid" if row.email_valid else "invalid"
    return f"{validity}, {row.email_type}" if row.email_type else validity


def _item(row: LeadListRow, in_force: str) -> LeadListItem:
    lead = row.lead
    fit = row.fit_level if row.fit_level in FIT_BADGES else None
    return LeadListItem(
        lead_id=lead.id,
        name=lead.full_name,
        company=lead.company_name,
        title=lead.job_title,
        fit_level=fit,  # type: ignore[arg-type]
        fit_badge=FIT_BADGES.get(fit or ""),  # type: ignore[arg-type]
        fit_stale=fit is not None and fit_staleness(row.fit_judged_against, in_force) is not None,
        recommendation=SHORT_RECOMMENDATIONS.get(fit or "", "Not researched"),
        crm_rating=str(lead.rating.value if hasattr(lead.rating, "value") else lead.rating),
        agent_rating=row.agent_rating,  # type: ignore[arg-type]
        email=lead.email,
        email_state=_email_state(row),
        status=str(lead.status.value if hasattr(lead.status, "value") else lead.status),
        owner_id=lead.owner_id,
        owner_name=row.owner_name,
        created_on=lead.created_on,
        researched_on=row.researched_on,
    )


def _fit_levels(fits: list[str], recommendations: list[str]) -> tuple[tuple[str, ...], bool]:
    """The fit levels the fit and recommendation filters select together (both: the
    levels in each), and whether only stale fits are wanted."""
    stale = STALE in fits
    chosen = {fit for fit in fits if fit != STALE}
    by_recommendation = {RECOMMENDATION_FITS[word] for word in recommendations}
    if chosen and by_recommendation:
        levels = chosen & by_recommendation
        if not levels:  # a contradiction matches nothing, not everything
            levels = {"(none)"}
    else:
        levels = chosen or by_recommendation
    return tuple(sorted(levels)), stale


def _list(
    request: Request,
    viewer: SellerViewer,
    *,
    fit: list[str],
    recommendation: list[str],
    agent_rating: list[str],
    status: str,
    q: str,
    owner: str,
    page: int,
) -> tuple[LeadListPage, list[tuple[str, str]]]:
    """The page of the list the filters ask for, and the owners a filter may name."""
    database_url = database_url_of(request)
    in_force = icp_fingerprint(load_agent_settings(database_url).icp)
    levels, stale = _fit_levels(fit, recommendation)
    with Session(get_db_engine(database_url)) as session:
        visible = visible_owner_ids(session, viewer)
        filters = LeadListFilters(
            statuses=() if status == "any" else (LeadStatus(status),),
            fit_levels=levels,
            stale_against=in_force if stale else None,
            agent_ratings=tuple(agent_rating),
            text=q.strip() or None,
            owner_id=owner or None,
            visible_owners=visible,
        )
        total = lead_list_count(session, filters)
        rows = lead_list_page(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        owners_query = select(User.id, User.full_name).order_by(col(User.full_name))
        if visible is not None:
            owners_query = owners_query.where(col(User.id).in_(sorted(visible)))
        owners = [(user_id, name) for user_id, name in session.exec(owners_query)]
    listing = LeadListPage(
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        pages=max(1, -(-total // PAGE_SIZE)),
        leads=[_item(row, in_force) for row in rows],
    )
    return listing, owners


Text = Annotated[str, Query(max_length=200)]
OwnerId = Annotated[str, Query(max_length=64)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/leads", include_in_schema=False)
def lead_list(
    request: Request,
    viewer: SellerViewer,
    fit: Annotated[FitWord | Literal[""], Query()] = "",
    recommendation: Annotated[RecommendationWord | Literal[""], Query()] = "",
    agent_rating: Annotated[RatingWord | Literal[""], Query()] = "",
    status: StatusWord = "open",
    q: Text = "",
    owner: OwnerId = "",
    page: PageNumber = 1,
) -> Response:
    """My open leads (Leads, for supervisors and admins)."""
    listing, owners = _list(
        request,
        viewer,
        fit=[fit] if fit else [],
        recommendation=[recommendation] if recommendation else [],
        agent_rating=[agent_rating] if agent_rating else [],
        status=status,
        q=q,
        owner=owner,
        page=page,
    )
    chosen = {
        "fit": fit,
        "recommendation": recommendation,
        "agent_rating": agent_rating,
        "status": status,
        "q": q,
        "owner": owner,
    }
    kept = {name: value for name, value in chosen.items() if value and value != "open"}
    if status != "open":
        kept["status"] = status

    def page_url(number: int) -> str:
        return "/leads?" + urlencode({**kept, "page": number})

    return render(
        request,
        "lead_list.html",
        listing=listing,
        chosen=chosen,
        owners=owners,
        page_url=page_url,
        filtered=bool(kept),
        fit_words=("exact", "close", "none", STALE, UNRESEARCHED),
        recommendation_words=tuple(RECOMMENDATION_FITS),
        rating_words=("hot", "warm", "cold"),
        status_words=("open", "qualified", "disqualified", "any"),
    )


@router.get("/api/leads", response_model=LeadListPage, tags=["leads"])
def api_lead_list(
    request: Request,
    viewer: SellerViewer,
    fit: Annotated[list[FitWord], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    recommendation: Annotated[list[RecommendationWord], Query()] = [],  # noqa: B006
    agent_rating: Annotated[list[RatingWord], Query()] = [],  # noqa: B006
    status: StatusWord = "open",
    q: Text = "",
    owner: OwnerId = "",
    page: PageNumber = 1,
) -> LeadListPage:
    """The viewer's leads, newest first, 50 to a page, with the same filters as the page
    (each list filter repeatable: a lead matching any value)."""
    listing, _ = _list(
        request,
        viewer,
        fit=list(fit),
        recommendation=list(recommendation),
        agent_rating=list(agent_rating),
        status=status,
        q=q,
        owner=owner,
        page=page,
    )
    return listing
