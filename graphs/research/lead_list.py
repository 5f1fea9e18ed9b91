"""A seller's lead list as SQL: the CRM's leads with the agent's fit, recommendation, rating
and email check beside them, filtered and a page at a time, with the total the filters
match. The console's My open leads uses it; `qualify leads` lists the leads the selection
rules pick (`selection_query.py`) and shares its words and columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, literal, or_
from sqlmodel import Session, col, select

from graphs.research.selection_query import UNRESEARCHED, judged_against_column
from store.agent_ratings import AgentLeadRating
from store.agent_records import LeadInsight
from store.crm import Lead, LeadStatus, User

STALE = "stale"
"""The fit filter's word for fits judged against an earlier ICP than the one in force."""

SHORT_RECOMMENDATIONS = {"exact": "Engage now", "close": "Engage later", "none": "Do not engage"}
RECOMMENDATION_FITS = {"engage-now": "exact", "engage-later": "close", "do-not-engage": "none"}
FIT_WORDS = {
    **RECOMMENDATION_FITS,
    "exact": "exact",
    "close": "close",
    "none": "none",
    UNRESEARCHED: UNRESEARCHED,
}
"""What a recommendation or fit filter word selects: a stored fit level, or never researched."""


@dataclass(frozen=True)
class LeadListFilters:
    """What the list shows: every field None (or empty) means no filter on it."""

    statuses: tuple[LeadStatus, ...] = (LeadStatus.OPEN,)
    fit_levels: tuple[str, ...] = ()
    stale_against: str | None = None
    """Only fits judged against another ICP than this fingerprint (the one in force)."""
    agent_ratings: tuple[str, ...] = ()
    text: str | None = None
    owner_id: str | None = None
    visible_owners: frozenset[str] | None = None
    """The owners whose leads the viewer may see; None: every lead."""


class LeadListRow(NamedTuple):
    """One lead with what the list shows beside it."""

    lead: Lead
    owner_name: str | None
    researched_on: datetime | None
    fit_level: str | None
    fit_judged_against: str | None
    agent_rating: str | None
    email_valid: bool | None
    email_type: str | None


def _email_check_field(name: str) -> ColumnElement[Any]:
    """A field of the stored email check, read inside the insights' JSON."""
    return LeadInsight.payload[("research", "email_check", name)]  # type: ignore[index]


def _text_matches(text: str) -> ColumnElement[bool]:
    """The words in the name, company or email, any case (LIKE with %, _ escaped)."""
    name = func.coalesce(Lead.first_name, "") + literal(" ") + func.coalesce(Lead.last_name, "")
    return or_(
        name.icontains(text, autoescape=True),
        col(Lead.company_name).icontains(text, autoescape=True),
        col(Lead.email).icontains(text, autoescape=True),
    )


def _filtered(
    query: Select[Any], filters: LeadListFilters, *, scan_statuses: bool = False
) -> Select[Any]:
    """`query` over Lead with the filters' conditions, joined to the agent's tables only
    when a filter reads them. `scan_statuses`: match the statuses without their index."""
    if filters.fit_levels or filters.stale_against is not None:
        query = query.outerjoin(LeadInsight, col(LeadInsight.lead_id) == col(Lead.id))
    if filters.agent_ratings:
        query = query.outerjoin(AgentLeadRating, col(AgentLeadRating.lead_id) == col(Lead.id))
    if filters.statuses and scan_statuses:
        # Text `|| ''` hides the status index (the column holds the enum's names).
        names = [status.name for status in filters.statuses]
        query = query.where((col(Lead.status) + literal("")).in_(names))
    elif filters.statuses:
        query = query.where(col(Lead.status).in_(filters.statuses))
    if filters.visible_owners is not None:
        query = query.where(col(Lead.owner_id).in_(sorted(filters.visible_owners)))
    if filters.owner_id is not None:
        query = query.where(Lead.owner_id == filters.owner_id)
    if filters.fit_levels:
        judged = [level for level in filters.fit_levels if level != UNRESEARCHED]
        wanted = col(LeadInsight.fit_level).in_(judged)
        if UNRESEARCHED in filters.fit_levels:
            wanted = or_(wanted, col(LeadInsight.lead_id).is_(None))
        query = query.where(wanted)
    if filters.stale_against is not None:
        judged_against = judged_against_column()
        query = query.where(
            col(LeadInsight.lead_id).is_not(None),
            or_(judged_against.is_(None), judged_against != filters.stale_against),
        )
    if filters.agent_ratings:
        query = query.where(col(AgentLeadRating.level).in_(list(filters.agent_ratings)))
    if filters.text:
        query = query.where(_text_matches(filters.text))
    return query


def lead_list_page(
    session: Session, filters: LeadListFilters, *, limit: int, offset: int = 0
) -> list[LeadListRow]:
    """The leads the filters match, newest first, `limit` of them from `offset`.

    Two queries: the page's ids first (the filters' joins only, in the order of the index
    on status and created_on, so a deep page skips index entries), then what the list
    shows of those few leads."""
    page_ids = _filtered(select(Lead.id), filters)
    page_ids = page_ids.order_by(col(Lead.created_on).desc(), col(Lead.id)).offset(offset)
    ids = list(session.exec(page_ids.limit(limit)).all())
    if not ids:
        return []
    query = (
        select(
            Lead,
            User.full_name,
            LeadInsight.researched_on,
            LeadInsight.fit_level,
            judged_against_column(),
            AgentLeadRating.level,
            _email_check_field("is_valid").as_boolean(),
            _email_check_field("email_type").as_string(),
        )
        .outerjoin(User, col(User.id) == col(Lead.owner_id))
        .outerjoin(LeadInsight, col(LeadInsight.lead_id) == col(Lead.id))
        .outerjoin(AgentLeadRating, col(AgentLeadRating.lead_id) == col(Lead.id))
        .where(col(Lead.id).in_(ids))
    )
    rows = {row[0].id: LeadListRow(*row) for row in session.exec(query).all()}
    return [rows[lead_id] for lead_id in ids if lead_id in rows]


def lead_list_count(session: Session, filters: LeadListFilters) -> int:
    """How many leads the filters match."""
    # A text search reads every lead of the statuses: SQLite (without ANALYZE's
    # statistics) would read the open ones, most leads, through the status index, one
    # random read each: three times the plain scan's time at 100k leads (measured).
    scan = bool(filters.text) and session.get_bind().dialect.name == "sqlite"
    query = _filtered(select(func.count()).select_from(Lead), filters, scan_statuses=scan)
    return int(session.exec(query).one())  # type: ignore[call-overload]
