"""Which leads a viewer may see: a seller their own and their teams' leads; supervisors
and admins every lead."""

from __future__ import annotations

from fastapi import HTTPException
from sqlmodel import Session, col, select

from app.web.accounts import Viewer
from store.console_accounts import ConsoleRole
from store.crm import Lead
from store.seller_routing import TeamMember


def visible_owner_ids(session: Session, viewer: Viewer) -> frozenset[str] | None:
    """The owners whose leads the viewer sees; None: every lead."""
    if viewer.role is not ConsoleRole.SELLER:
        return None
    if viewer.user_id is None:
        return frozenset()
    teams = select(TeamMember.team_name).where(TeamMember.user_id == viewer.user_id)
    mates = session.exec(select(TeamMember.user_id).where(col(TeamMember.team_name).in_(teams)))
    return frozenset({viewer.user_id, *mates})


def lead_for(session: Session, viewer: Viewer, lead_id: str) -> Lead:
    """The lead, if the viewer may see it: 404 when there is none, 403 when it is another
    seller's."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise HTTPException(status_code=404, detail=f"No lead {lead_id!r}.")
    owners = visible_owner_ids(session, viewer)
    if owners is not None and lead.owner_id not in owners:
        raise HTTPException(status_code=403, detail="This lead is another seller's.")
    return lead
