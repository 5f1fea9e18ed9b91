"""Stopping the agent's email at once: one lead (an opt-out, a spam complaint) or everyone
at its company (a "not interested" or an opt-out, when the admin wants company-wide stops).

Called where the news arrives (the inbound import, the unsubscribe endpoint, the reply
reader), so no email goes out between the news and the lead's next graph run. Queued mail
is held back by the outbox's last check (`company_stop_reason`, do-not-email).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, or_, select

from core.clock import as_utc
from store.crm import Lead
from store.engagement import Conversation, ConversationState
from store.sender_reputation import CompanyStop
from tools.email_check import free_mail_domains


def _company_keys(lead: Lead) -> tuple[str | None, str | None]:
    """(account id, email domain): gmail.com is nobody's company."""
    domain = (lead.email or "").rpartition("@")[2].strip().lower() or None
    if domain is not None and domain in free_mail_domains():
        domain = None
    return lead.parent_account_id or None, domain


def _stop_conversation(session: Session, lead_id: str, reason: str) -> bool:
    conversation = session.get(Conversation, lead_id)
    if conversation is None or conversation.state in (
        ConversationState.STOPPED,
        ConversationState.HANDED_OFF,
    ):
        return False
    conversation.state = ConversationState.STOPPED
    conversation.next_action_on, conversation.next_action = None, None
    conversation.stop_reason = reason
    session.add(conversation)
    return True


def stop_lead(session: Session, lead_id: str, reason: str) -> bool:
    """Mark the lead do-not-email and stop its conversation; False if no such lead.
    The caller commits."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        return False
    if not lead.do_not_email:
        lead.do_not_email = True
        session.add(lead)
    _stop_conversation(session, lead_id, reason)
    return True


def stop_company(session: Session, lead: Lead, reason: str, now: datetime) -> list[str]:
    """Record that the agent emails nobody else at `lead`'s company, and stop the other
    leads' conversations there; returns their ids. The caller commits."""
    account_id, domain = _company_keys(lead)
    if account_id is None and domain is None:
        return []
    text = f"{lead.id} at the same company: {reason}"
    already = session.exec(select(CompanyStop).where(CompanyStop.lead_id == lead.id)).first()
    if already is None:  # a reply read again after a crash stops the company once
        session.add(
            CompanyStop(
                account_id=account_id,
                domain=domain,
                lead_id=lead.id,
                reason=text,
                created_on=as_utc(now),
            )
        )
    stopped = []
    for other in _colleagues(session, account_id, domain):
        if other.id != lead.id and _stop_conversation(session, other.id, f"company stop: {text}"):
            stopped.append(other.id)
    return stopped


def _colleagues(session: Session, account_id: str | None, domain: str | None) -> list[Lead]:
    matches = []
    if account_id is not None:
        matches.append(col(Lead.parent_account_id) == account_id)
    if domain is not None:
        matches.append(func.lower(col(Lead.email)).like(f"%@{domain}"))
    return list(session.exec(select(Lead).where(or_(*matches))))


def company_stop_reason(session: Session, lead: Lead) -> str | None:
    """Why nobody at this lead's company is emailed any more, or None."""
    account_id, domain = _company_keys(lead)
    matches = []
    if account_id is not None:
        matches.append(col(CompanyStop.account_id) == account_id)
    if domain is not None:
        matches.append(col(CompanyStop.domain) == domain)
    if not matches:
        return None
    found = session.exec(
        select(CompanyStop)
        .where(or_(*matches), col(CompanyStop.lead_id) != lead.id)
        .order_by(col(CompanyStop.id))
    ).first()
    if found is None:
        return None
    return f"the agent stopped emailing this company: {found.reason}"
