"""Supervisors and sellers act on hand-offs: approve or reject, with the lead updated."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from store.crm import Lead, LeadStatus
from store.engagement import Handoff, HandoffStatus, HandoffTarget


class HandoffReviewError(ValueError):
    """A hand-off that cannot be approved or rejected as asked."""


def list_handoffs(
    session: Session,
    *,
    target: HandoffTarget | None = None,
    status: HandoffStatus | None = None,
    assignee_id: str | None = None,
) -> list[Handoff]:
    """Hand-offs, newest first, filtered as asked."""
    query = select(Handoff)
    if target is not None:
        query = query.where(Handoff.target == target)
    if status is not None:
        query = query.where(Handoff.status == status)
    if assignee_id is not None:
        query = query.where(Handoff.assignee_id == assignee_id)
    return list(
        session.exec(query.order_by(col(Handoff.created_on).desc(), col(Handoff.id).desc()))
    )


def decide_handoff(
    session: Session,
    handoff_id: int,
    *,
    approve: bool,
    by: str | None,
    note: str | None,
    now: datetime,
) -> Handoff:
    """Approve or reject a pending hand-off and update its lead.

    Approving a supervisor hand-off disqualifies the lead with the rule as its reason;
    approving a seller hand-off marks it qualified. A rejected disqualification leaves
    the lead open for its seller.
    """
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffReviewError(
            f"no hand-off {handoff_id}; list them with `qualify handoffs list`"
        )
    if handoff.status != HandoffStatus.PENDING:
        raise HandoffReviewError(
            f"hand-off {handoff_id} is already {handoff.status.value} "
            f"by {handoff.decided_by or 'someone'} on {handoff.decided_on:%Y-%m-%d}"
        )
    handoff.status = HandoffStatus.APPROVED if approve else HandoffStatus.REJECTED
    handoff.decided_by, handoff.decided_on, handoff.decision_note = by, now, note
    lead = session.get(Lead, handoff.lead_id)
    if approve and lead is not None:
        if handoff.target == HandoffTarget.SUPERVISOR:
            lead.status = LeadStatus.DISQUALIFIED
            lead.status_reason = f"{handoff.rule_id}: {handoff.rule_description}"
        else:
            lead.status = LeadStatus.QUALIFIED
            lead.status_reason = f"Qualified after hand-off ({handoff.rule_id})"
        lead.modified_on = now
        session.add(lead)
    session.add(handoff)
    return handoff
