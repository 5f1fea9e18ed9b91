"""A seller's email to a lead: the draft they edited, sent through the same outbox,
opt-out checks and content check as the agent's emails (`qualify send` and the console's
draft page both call `send_seller_email`).

Once sent, the lead's conversation records that a seller has taken it over, so Engage never
emails the lead again on its own. The same text sent twice is one email: the outbox key is
the lead and a digest of the subject and body."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.findings import LeadInsights, OutreachDraft
from core.settings import get_settings
from graphs.engage.content_check import check_email_to_lead
from graphs.engage.guardrails import SendContext, permanent_reasons
from graphs.engage.sending_mailboxes import mailbox_hold
from graphs.engage.stored_settings import load_engage_settings
from graphs.research.agent_settings import load_agent_settings
from store.agent_records import LeadInsight
from store.conversations import ensure_conversation, outbound_messages
from store.crm import Lead, User
from store.db import get_db_engine
from store.engagement import EmailMessage
from tools.mail.outbox import deliver_due, enqueue_email
from tools.mail.settings import MailSettings

EDITED_BY_SELLER = "edited by the seller"


class SendRefused(ValueError):
    """The email was not sent; `reasons` says why, each a sentence the seller can act on."""

    def __init__(self, reasons: list[str], *, content: bool = False) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.content = content  # True: the text is at fault (an edit can fix it)


@dataclass(frozen=True)
class SentEmail:
    """What a send did: the outbox row, and what delivery did right after."""

    message_id: str
    to_address: str
    seller: str
    already_sent: bool  # the same text was sent before: no second email
    delivered: int
    failed: int
    paused: int


def lead_insights(database_url: str, lead_id: str) -> LeadInsights | None:
    """The lead's latest stored insights (None: not researched yet)."""
    with Session(get_db_engine(database_url)) as session:
        row = session.get(LeadInsight, lead_id)
    return LeadInsights.model_validate(row.payload) if row is not None else None


def edited_draft(draft: OutreachDraft, subject: str, body: str) -> OutreachDraft:
    """The draft with the seller's subject and body (line endings as a browser or editor
    sends them); the draft itself when the text is unchanged, so its outbox key holds."""
    subject = " ".join(subject.split())
    body = body.replace("\r\n", "\n").strip() + "\n"
    if subject == " ".join(draft.subject.split()) and body == draft.body.strip() + "\n":
        return draft
    return draft.model_copy(
        update={
            "subject": subject,
            "body": body,
            "engine": f"{draft.engine.split(',')[0]}, {EDITED_BY_SELLER}",
        }
    )


def _sender_name(database_url: str, session: Session, user_id: str | None) -> str:
    """The seller's name and the agent's signature: both may sign a seller's email."""
    user = session.get(User, user_id) if user_id else None
    signature = load_agent_settings(database_url).outreach.signature
    return f"{user.full_name if user else ''}\n{signature}"


def send_seller_email(
    database_url: str,
    lead_id: str,
    draft: OutreachDraft,
    *,
    by: str | None,
    now: datetime,
) -> SentEmail:
    """Check and send `draft` to the lead, as `by` (default: its owner); `SendRefused`
    with the reasons when a guardrail or the content check stops it (nothing written).

    An edited draft is kept as the lead's draft in the same transaction as the send."""
    insights = lead_insights(database_url, lead_id)
    if insights is None:
        raise SendRefused([f"{lead_id} has not been researched yet; research it first"])
    engage = load_engage_settings(database_url)
    research = insights.research
    with Session(get_db_engine(database_url)) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise SendRefused([f"no lead with id {lead_id!r}"])
        refusals = permanent_reasons(
            SendContext(
                lead_id=lead.id,
                email=lead.email,
                email_valid=research.email_check.is_valid,
                do_not_email=lead.do_not_email,
                do_not_contact=lead.do_not_contact,
                now_utc=now,
            ),
            engage.guardrails.model_copy(update={"max_messages_per_lead": 10**6}),
        )
        if refusals:
            raise SendRefused(list(refusals))
        findings = check_email_to_lead(
            draft.subject,
            draft.body,
            lead_email=lead.email,
            research=research,
            mailboxes=engage.mailbox_addresses,
            link_allowlist=engage.guardrails.link_allowlist,
            product=get_settings().product,
            sender=_sender_name(database_url, session, by or lead.owner_id),
        )
        if findings:
            raise SendRefused([f.detail for f in findings], content=True)
        seller = by or lead.owner_id or "seller"
        conversation = ensure_conversation(
            session, lead.id, f"engage:{lead.id}", engage.mailbox_addresses[0], now
        )
        conversation.taken_over_by = seller  # Engage never writes to this lead on its own now
        digest = hashlib.sha256(f"{draft.subject}\n{draft.body}".encode()).hexdigest()[:16]
        key = f"seller:{lead.id}:{digest}"
        already_sent = (
            session.exec(select(EmailMessage.id).where(EmailMessage.idempotency_key == key)).first()
            is not None
        )
        message = enqueue_email(
            session,
            idempotency_key=key,
            lead_id=lead.id,
            mailbox=conversation.mailbox,
            to_address=lead.email or "",
            subject=draft.subject,
            body=draft.body,
            kind="outreach",
            in_reply_to=None,
            references=[],
            now=now,
            sent_by=seller,
        )
        conversation.messages_sent = len(outbound_messages(session, lead.id))
        session.add(conversation)
        if draft != insights.draft:
            row = session.get(LeadInsight, lead.id)
            if row is not None:
                insights.draft = draft
                row.payload = insights.model_dump(mode="json")
                session.add(row)
        session.commit()
        message_id, to_address = message.message_id, message.to_address
    # A mailbox the bounce breaker paused sends nobody's mail, a seller's included.
    report = deliver_due(
        database_url, MailSettings.from_env(), now=now, mailbox_hold=mailbox_hold(engage, now)
    )
    return SentEmail(
        message_id=message_id,
        to_address=to_address,
        seller=seller,
        already_sent=already_sent,
        delivered=report.sent,
        failed=report.failed,
        paused=report.paused,
    )
