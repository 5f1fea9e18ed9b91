"""A seller's or supervisor's decision on a hand-off, and what it does to the lead.

Each action is checked against the hand-off's kind first (`handoff_actions`): nothing is
written when it is refused, and the refusal names the actions that are allowed.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, func, select

from core.reply_reading import ReferredPerson
from graphs.engage.engage_settings import AcceptedAs, EngageSettings
from graphs.engage.followups import follow_ups_exhausted, next_follow_up_at
from graphs.engage.handoff_actions import HandoffAction, HandoffKind, handoff_kind, refusal
from store.agent_records import EmailOverride
from store.crm import Lead, LeadStatus, Opportunity
from store.engagement import (
    Conversation,
    ConversationState,
    Handoff,
    HandoffStatus,
    HandoffTarget,
)
from tools.email_check import check_email


class HandoffDecisionError(ValueError):
    """A decision that cannot be made as asked; the message says what to do instead."""


class DecisionOutcome(BaseModel):
    """What a decision did, for the person who made it."""

    handoff_id: int
    lead_id: str
    action: HandoffAction
    message: str
    restart_agent: bool = False
    new_lead_id: str | None = None
    opportunity_id: str | None = None


def kind_of(handoff: Handoff, settings: EngageSettings) -> HandoffKind:
    """The hand-off's kind as stored, else worked out from its rule as it stands now."""
    if handoff.kind:
        return HandoffKind(handoff.kind)
    rule = next((r for r in settings.handoff_rules if r.id == handoff.rule_id), None)
    return handoff_kind(HandoffTarget(handoff.target), rule.when if rule else None)


def pending_handoff(session: Session, handoff_id: int) -> Handoff:
    """The hand-off, if it is still waiting for a decision."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffDecisionError(
            f"no hand-off {handoff_id}; list them with `qualify handoffs list`"
        )
    if handoff.status != HandoffStatus.PENDING:
        raise HandoffDecisionError(
            f"hand-off {handoff_id} is already {handoff.status.value} "
            f"({handoff.action or 'decided'}) by {handoff.decided_by or 'someone'} "
            f"on {handoff.decided_on:%Y-%m-%d}"
        )
    return handoff


def decide(
    session: Session,
    handoff_id: int,
    action: HandoffAction,
    *,
    settings: EngageSettings,
    by: str | None,
    note: str | None,
    now: datetime,
    email: str | None = None,
    referral: ReferredPerson | None = None,
) -> DecisionOutcome:
    """Make the decision and update the lead; the caller commits (or rolls back)."""
    handoff = pending_handoff(session, handoff_id)
    problem = refusal(kind_of(handoff, settings), action)
    if problem:
        raise HandoffDecisionError(f"hand-off {handoff_id}: {problem}")
    lead = session.get(Lead, handoff.lead_id)
    if lead is None:
        raise HandoffDecisionError(f"hand-off {handoff_id}: its lead {handoff.lead_id} is gone")
    outcome = DecisionOutcome(handoff_id=handoff_id, lead_id=lead.id, action=action, message="")
    if action is HandoffAction.ACCEPT:
        _accept(session, handoff, lead, settings.accepted_handoffs_become, by, now, outcome)
    elif action is HandoffAction.FIX:
        _fix_email(session, lead, email, by, now, outcome)
    elif action is HandoffAction.FOLLOW:
        _follow_referral(session, handoff, lead, referral, now, outcome)
    elif action is HandoffAction.RETURN:
        _return_to_agent(session, lead, settings, note, now, outcome)
    elif action is HandoffAction.APPROVE:
        lead.status = LeadStatus.DISQUALIFIED
        lead.status_reason = f"{handoff.rule_id}: {handoff.rule_description}"
        outcome.message = f"{lead.id} is disqualified ({handoff.rule_id})"
    else:  # REJECT
        outcome.message = f"{lead.id} stays open with its seller; the agent does not resume"
    # A returned hand-off was not taken on: it is recorded as declined, with its action.
    approved = action not in (HandoffAction.REJECT, HandoffAction.RETURN)
    handoff.status = HandoffStatus.APPROVED if approved else HandoffStatus.REJECTED
    handoff.action = action.value
    handoff.decided_by, handoff.decided_on, handoff.decision_note = by, now, note
    lead.modified_on = now
    session.add_all([handoff, lead])
    return outcome


def _accept(
    session: Session,
    handoff: Handoff,
    lead: Lead,
    become: AcceptedAs,
    by: str | None,
    now: datetime,
    outcome: DecisionOutcome,
) -> None:
    lead.status = LeadStatus.QUALIFIED
    lead.status_reason = f"Qualified by {by or 'the seller'} after hand-off ({handoff.rule_id})"
    conversation = session.get(Conversation, lead.id)
    if conversation is not None and not conversation.taken_over_by:
        # The conversation is the seller's now: the agent never emails this lead again.
        conversation.taken_over_by = by or lead.owner_id or "seller"
        session.add(conversation)
    outcome.message = f"{lead.id} is qualified"
    if become == "opportunity":
        count = session.exec(select(func.count()).select_from(Opportunity)).one()
        opportunity = Opportunity(
            id=_free_id(session, Opportunity, "OPP", count + 1),
            name=f"{lead.company_name or lead.full_name}: {lead.topic}",
            account_id=lead.parent_account_id,
            contact_id=lead.parent_contact_id,
            originating_lead_id=lead.id,
            owner_id=lead.owner_id,
            created_on=now,
        )
        session.add(opportunity)
        outcome.opportunity_id = opportunity.id
        outcome.message += f"; opportunity {opportunity.id} opened for its owner"


def returnable(
    session: Session, handoff_id: int, settings: EngageSettings, note: str | None
) -> Handoff:
    """The hand-off, if it may be returned to the agent now; else the reason, raised.

    Checked before the agent's thread takes the lead back, so a refused return touches
    nothing."""
    handoff = pending_handoff(session, handoff_id)
    problem = refusal(kind_of(handoff, settings), HandoffAction.RETURN)
    if problem:
        raise HandoffDecisionError(f"hand-off {handoff_id}: {problem}")
    _check_return(session, handoff.lead_id, note)
    return handoff


def _check_return(session: Session, lead_id: str, note: str | None) -> Conversation:
    """What a return needs beyond the kind's leave: a note, a lead still emailable, and a
    conversation handed off, not taken over; the conversation, else the reason, raised."""
    if not note or not note.strip():
        raise HandoffDecisionError(
            "a return needs a note saying why the lead goes back to the agent (it is kept "
            "with the hand-off and shown in the conversation)"
        )
    lead = session.get(Lead, lead_id)
    if lead is not None and (lead.do_not_email or lead.do_not_contact):
        raise HandoffDecisionError(
            f"{lead.id} opted out of email; the agent cannot take it back. Reject the hand-off"
        )
    conversation = session.get(Conversation, lead_id)
    if conversation is None or conversation.state is not ConversationState.HANDED_OFF:
        state = conversation.state.value if conversation else "not started"
        raise HandoffDecisionError(
            f"{lead_id}'s conversation is {state}, not handed off; nothing to return"
        )
    if conversation.taken_over_by:
        raise HandoffDecisionError(
            f"{conversation.taken_over_by} took over {lead_id}'s conversation; the agent "
            "does not email it again"
        )
    return conversation


def _return_to_agent(
    session: Session,
    lead: Lead,
    settings: EngageSettings,
    note: str | None,
    now: datetime,
    outcome: DecisionOutcome,
) -> None:
    # `decide` has checked the hand-off is pending and its kind may be returned.
    conversation = _check_return(session, lead.id, note)
    # The agent waits for the lead's next reply; if none comes, its follow-ups resume,
    # counted from now (the seller may just have written to the lead).
    exhausted = follow_ups_exhausted(conversation.followups_sent, settings.follow_ups)
    guardrails = settings.guardrails
    conversation.state = ConversationState.WAITING
    conversation.stop_reason = None
    conversation.next_action = "close_no_reply" if exhausted else "follow_up"
    conversation.next_action_on = next_follow_up_at(
        now,
        settings.follow_ups,
        lead.time_zone,
        guardrails.business_hours,
        guardrails.default_time_zone,
    )
    session.add(conversation)
    outcome.message = (
        f"{lead.id} is back with the agent: it waits for the lead's next reply, and "
        f"{'closes' if exhausted else 'follows up'} on "
        f"{conversation.next_action_on:%Y-%m-%d %H:%M} UTC if none comes"
    )


def _fix_email(
    session: Session,
    lead: Lead,
    email: str | None,
    by: str | None,
    now: datetime,
    outcome: DecisionOutcome,
) -> None:
    if not email or not email.strip():
        raise HandoffDecisionError("a fix needs the working email address")
    check = check_email(email.strip())
    if not check.is_valid:
        raise HandoffDecisionError(f"email {email.strip()!r}: {check.validity_reason}")
    address = check.normalized or email.strip()
    if lead.email and address.lower() == lead.email.lower():
        raise HandoffDecisionError(
            f"email {address!r} is the address that failed; give the working one"
        )
    lead.email = address
    override = session.get(EmailOverride, lead.id)
    if override is not None:
        session.delete(override)  # it judged the old address
    outcome.restart_agent = True
    outcome.message = f"{lead.id} now has {address}; the agent starts again with it"


def _follow_referral(
    session: Session,
    handoff: Handoff,
    lead: Lead,
    referral: ReferredPerson | None,
    now: datetime,
    outcome: DecisionOutcome,
) -> None:
    if referral is None or not (referral.email or referral.name):
        raise HandoffDecisionError(
            f"the replies of {lead.id} name nobody to follow; reject the hand-off, or "
            "import the person as a lead"
        )
    if referral.email:
        known = session.exec(
            select(Lead).where(func.lower(Lead.email) == referral.email.lower())
        ).first()
        if known is not None:
            raise HandoffDecisionError(
                f"{referral.email} is already lead {known.id}; reject this hand-off"
            )
    first, _, last = (referral.name or "").partition(" ")
    count = session.exec(select(func.count()).select_from(Lead)).one()
    new = Lead(
        id=_free_id(session, Lead, "LEAD", count + 1),
        topic=lead.topic,
        first_name=first or None,
        last_name=last or None,
        job_title=referral.job_title,
        company_name=lead.company_name,
        email=referral.email,
        country=lead.country,
        city=lead.city,
        time_zone=lead.time_zone,
        source="Referral",
        owner_id=lead.owner_id,
        parent_account_id=lead.parent_account_id,
        created_on=now,
    )
    session.add(new)
    name = referral.name or referral.email
    lead.status = LeadStatus.DISQUALIFIED
    lead.status_reason = f"Referred the agent to {name} ({new.id})"
    outcome.new_lead_id = new.id
    outcome.message = (
        f"{name} is lead {new.id}, owned by {lead.owner_id or 'nobody'}; {lead.id} is closed "
        "as referred"
    )


def _free_id(session: Session, model: type, prefix: str, start: int) -> str:
    """`PREFIX-NNNN` not taken yet, from `start` up (imports may have used any number)."""
    number = start
    while session.get(model, f"{prefix}-{number:04d}") is not None:
        number += 1
    return f"{prefix}-{number:04d}"
