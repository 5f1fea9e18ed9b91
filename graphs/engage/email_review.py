"""Review before send: the lead's owner approves, edits or cancels each email the agent
holds (as Agentforce and HubSpot let a seller do).

A held email is an outbox row in status `held`, which `deliver_due` never picks. Approving
makes it `queued`: delivery still applies the guardrails (quiet hours, caps, opt-outs)
and sends it once (one row, one idempotency key, claimed before sending). An edit passes
the content checks the agent's own drafts pass; a cancel stops the lead's conversation
until a person starts it again. A held email waiting past the rule's time limit is
reported to its owner's queue, never sent without them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col, select

from core.clock import as_utc
from core.conversation import ConversationTurn
from core.findings import LeadInsights
from graphs.engage.assignment import SendingMode
from graphs.engage.content_check import check_email_to_lead
from graphs.engage.engage_settings import EngageSettings
from graphs.engage.stored_settings import load_engage_settings
from graphs.research.agent_settings import load_agent_settings
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import session_scope
from store.engagement import (
    Conversation,
    ConversationState,
    DeliveryStatus,
    Direction,
    EmailMessage,
)
from store.seller_inbox import notify
from tools.mail.message import as_message_id
from tools.mail.user_notices import email_notice

REVIEW_NOTICE_KIND = "review"


class ReviewError(ValueError):
    """A review action refused; the message says why and what to do."""


class HeldEmail(BaseModel):
    """One email waiting for (or past) its owner's review, as the CLI shows it."""

    id: int
    message_id: str
    lead_id: str | None
    owner_id: str | None
    to_address: str
    subject: str
    body: str
    kind: str | None
    status: str
    held_on: datetime
    overdue: bool
    approved_by: str | None = None
    history: list[dict[str, Any]] = []


# -- rules (pure) ------------------------------------------------------------------------


def sending_mode(engage: EngageSettings, lead: Lead) -> SendingMode:
    """How the agent's email to `lead` goes under the assignment rule that took it (today
    the one rule of the engage settings)."""
    del lead  # one rule today; a lead picks its rule once there are several
    return engage.assignment.sending


def is_overdue(held_on: datetime, now: datetime, within_hours: int) -> bool:
    """Whether an email held at `held_on` has waited past the rule's time limit."""
    return as_utc(now) - as_utc(held_on) >= timedelta(hours=within_hours)


def reviewer_problem(owner_id: str | None, user_id: str, lead_id: str | None) -> str | None:
    """Why `user_id` may not review the email to `lead_id`, or None: only the lead's owner."""
    if owner_id is None:
        return f"lead {lead_id} has no owner; set its owner in the CRM, then review it"
    if user_id != owner_id:
        return f"only the lead's owner ({owner_id}) reviews this email, not {user_id}"
    return None


def _within(database_url: str) -> int:
    return load_engage_settings(database_url).assignment.review_within_hours


def _step(action: str, by: str | None, now: datetime, **extra: Any) -> dict[str, Any]:
    return {"action": action, "by": by, "on": as_utc(now).isoformat(), **extra}


def _held_on(row: EmailMessage) -> datetime:
    for step in row.review_history or []:
        if step.get("action") == "held":
            return datetime.fromisoformat(step["on"])
    return as_utc(row.created_on)


# -- the agent holds ---------------------------------------------------------------------


def hold_for_review(row: EmailMessage, now: datetime) -> None:
    """Hold a just-queued email for its owner (the caller commits, in the same transaction
    as the enqueue, so delivery never sees it queued)."""
    if row.status is not DeliveryStatus.QUEUED or row.attempts:
        return  # a re-run found it already held, or already on its way
    row.status = DeliveryStatus.HELD
    row.review_history = [_step("held", None, now)]


def reviewed_turns(session: Session, turns: list[ConversationTurn]) -> list[ConversationTurn]:
    """The conversation as the lead has it: an email cancelled in review is left out and an
    edited one reads as edited (the graph's turns keep the agent's first draft)."""
    ids = [turn.message_id for turn in turns if turn.direction == "outbound"]
    if not ids:
        return turns
    rows = {
        row.message_id: row
        for row in session.exec(select(EmailMessage).where(col(EmailMessage.message_id).in_(ids)))
    }
    shown: list[ConversationTurn] = []
    for turn in turns:
        row = rows.get(turn.message_id) if turn.direction == "outbound" else None
        if row is None:
            shown.append(turn)
        elif row.status is not DeliveryStatus.CANCELLED:
            shown.append(turn.model_copy(update={"subject": row.subject, "body": row.body}))
    return shown


# -- the owner reviews -------------------------------------------------------------------


def _find(session: Session, email_id: str) -> EmailMessage:
    """The outbound row named by its number (`qualify review list`) or its Message-ID."""
    wanted = email_id.strip()
    if wanted.isdigit():
        row = session.get(EmailMessage, int(wanted))
    else:
        row = session.exec(
            select(EmailMessage).where(EmailMessage.message_id == as_message_id(wanted))
        ).first()
    if row is None or row.direction is not Direction.OUTBOUND:
        raise ReviewError(f"no outbound email {email_id}; `qualify review list` shows the ids")
    return row


def _checked(session: Session, email_id: str, by: str) -> tuple[EmailMessage, Lead | None]:
    """The held row and its lead, once `by` is known to be the lead's owner."""
    row = _find(session, email_id)
    lead = session.get(Lead, row.lead_id) if row.lead_id else None
    problem = reviewer_problem(lead.owner_id if lead else None, by, row.lead_id)
    if problem:
        raise ReviewError(problem)
    return row, lead


def _not_held(row: EmailMessage) -> ReviewError:
    if row.status is DeliveryStatus.CANCELLED:
        return ReviewError(f"email {row.id} was cancelled in review; it is never sent")
    if row.approved_by:
        return ReviewError(
            f"email {row.id} was already approved by {row.approved_by} and is "
            f"{row.status.value}; it is sent once"
        )
    return ReviewError(f"email {row.id} is {row.status.value}, not held for review")


def _view(row: EmailMessage, owner_id: str | None, now: datetime, within_hours: int) -> HeldEmail:
    assert row.id is not None
    held_on = _held_on(row)
    return HeldEmail(
        id=row.id,
        message_id=row.message_id,
        lead_id=row.lead_id,
        owner_id=owner_id,
        to_address=row.to_address,
        subject=row.subject,
        body=row.body,
        kind=row.kind,
        status=row.status.value,
        held_on=held_on,
        overdue=row.status is DeliveryStatus.HELD and is_overdue(held_on, now, within_hours),
        approved_by=row.approved_by,
        history=list(row.review_history or []),
    )


def held_emails(
    database_url: str, *, now: datetime, owner_id: str | None = None
) -> list[HeldEmail]:
    """The emails waiting for review (one owner's when given), oldest first."""
    within = _within(database_url)
    with session_scope(database_url) as session:
        query = (
            select(EmailMessage, Lead)
            .join(Lead, col(Lead.id) == col(EmailMessage.lead_id), isouter=True)
            .where(EmailMessage.status == DeliveryStatus.HELD)
            .order_by(col(EmailMessage.created_on), col(EmailMessage.id))
        )
        if owner_id is not None:
            query = query.where(Lead.owner_id == owner_id)
        return [
            _view(row, lead.owner_id if lead else None, now, within)
            for row, lead in session.exec(query).all()
        ]


def reviewed_email(database_url: str, email_id: str, *, now: datetime) -> HeldEmail:
    """One email under review (held, or already decided), with its review history."""
    within = _within(database_url)
    with session_scope(database_url) as session:
        row = _find(session, email_id)
        lead = session.get(Lead, row.lead_id) if row.lead_id else None
        if row.review_history is None:
            raise ReviewError(f"email {row.id} was never held for review")
        return _view(row, lead.owner_id if lead else None, now, within)


def _set_if_held(session: Session, row: EmailMessage, **values: Any) -> bool:
    """Change the row only if it is still held: two reviewers (or two clicks) racing make
    one change."""
    result = session.exec(
        update(EmailMessage)
        .where(col(EmailMessage.id) == row.id, col(EmailMessage.status) == DeliveryStatus.HELD)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def approve_email(database_url: str, email_id: str, *, by: str, now: datetime) -> HeldEmail:
    """Approve a held email: it is queued, and the next delivery sends it (once) when the
    guardrails allow. Approving it again says so and changes nothing."""
    within = _within(database_url)
    with session_scope(database_url) as session:
        row, lead = _checked(session, email_id, by)
        if row.status is not DeliveryStatus.HELD:
            raise _not_held(row)
        history = [*(row.review_history or []), _step("approved", by, now)]
        if not _set_if_held(
            session,
            row,
            status=DeliveryStatus.QUEUED,
            next_attempt_on=None,
            approved_by=by,
            approved_on=as_utc(now),
            review_history=history,
        ):
            session.refresh(row)
            raise _not_held(row)
        conversation = session.get(Conversation, row.lead_id) if row.lead_id else None
        if conversation is not None and conversation.held_for == row.message_id:
            # Its next step counts from the real send: the router looks again now.
            conversation.held_for = None
            if conversation.state in (ConversationState.ACTIVE, ConversationState.WAITING):
                conversation.next_action_on = as_utc(now)
            session.add(conversation)
        session.flush()
        session.refresh(row)
        return _view(row, lead.owner_id if lead else None, now, within)


def _content_problems(
    session: Session,
    database_url: str,
    row: EmailMessage,
    lead: Lead,
    subject: str,
    body: str,
    product: str | None,
) -> list[str]:
    """The content checks of the agent's own drafts, on the edited text."""
    insight = session.get(LeadInsight, lead.id)
    if insight is None:
        return [f"lead {lead.id} has no stored research to check the email against"]
    engage = load_engage_settings(database_url)
    earlier = session.exec(
        select(EmailMessage)
        .where(
            EmailMessage.lead_id == lead.id,
            col(EmailMessage.id) < (row.id or 0),
            col(EmailMessage.status).in_([DeliveryStatus.SENT, DeliveryStatus.RECEIVED]),
        )
        .order_by(col(EmailMessage.id))
    ).all()
    turns = [
        ConversationTurn(
            direction=m.direction.value,  # type: ignore[arg-type]
            at=as_utc(m.sent_on or m.received_on or m.created_on),
            subject=m.subject,
            body=m.body,
            message_id=m.message_id,
        )
        for m in earlier
    ]
    findings = check_email_to_lead(
        subject,
        body,
        lead_email=lead.email,
        research=LeadInsights.model_validate(insight.payload).research,
        mailboxes=engage.mailbox_addresses,
        link_allowlist=engage.guardrails.link_allowlist,
        product=product,
        conversation=turns,
        sender=load_agent_settings(database_url).outreach.signature,
    )
    return [finding.detail for finding in findings]


def edit_email(
    database_url: str,
    email_id: str,
    *,
    by: str,
    now: datetime,
    subject: str | None = None,
    body: str | None = None,
    product: str | None = None,
) -> HeldEmail:
    """Replace a held email's subject and/or body, if the new text passes the content
    checks; it stays held for approval. The text before the edit is kept in the history."""
    within = _within(database_url)
    if subject is None and body is None:
        raise ReviewError("nothing to change; give a new subject or body")
    with session_scope(database_url) as session:
        row, lead = _checked(session, email_id, by)
        if row.status is not DeliveryStatus.HELD:
            raise _not_held(row)
        assert lead is not None  # _checked found its owner
        new_subject = " ".join((subject if subject is not None else row.subject).split())
        new_body = body if body is not None else row.body
        if not new_subject or not new_body.strip():
            raise ReviewError("the subject and the body may not be empty; write the text")
        problems = _content_problems(
            session, database_url, row, lead, new_subject, new_body, product
        )
        if problems:
            raise ReviewError("the edit was not saved: " + "; ".join(problems))
        before = {"subject": row.subject, "body": row.body}
        history = [*(row.review_history or []), _step("edited", by, now, before=before)]
        if not _set_if_held(
            session, row, subject=new_subject, body=new_body, review_history=history
        ):
            session.refresh(row)
            raise _not_held(row)
        session.flush()
        session.refresh(row)
        return _view(row, lead.owner_id, now, within)


def cancel_email(
    database_url: str, email_id: str, *, by: str, now: datetime, note: str
) -> HeldEmail:
    """Never send a held email. The lead's conversation stops (no follow-up to an email
    never sent) and waits for a person: `qualify engage start LEAD` goes on."""
    within = _within(database_url)
    if not note.strip():
        raise ReviewError("say why in the note: the agent's conversation records it")
    with session_scope(database_url) as session:
        row, lead = _checked(session, email_id, by)
        if row.status is not DeliveryStatus.HELD:
            raise _not_held(row)
        reason = f"cancelled in review by {by}: {note.strip()}"
        history = [*(row.review_history or []), _step("cancelled", by, now, note=note.strip())]
        if not _set_if_held(
            session,
            row,
            status=DeliveryStatus.CANCELLED,
            next_attempt_on=None,
            last_error=reason,
            review_history=history,
        ):
            session.refresh(row)
            raise _not_held(row)
        conversation = session.get(Conversation, row.lead_id) if row.lead_id else None
        if conversation is not None and conversation.state in (
            ConversationState.ACTIVE,
            ConversationState.WAITING,
        ):
            conversation.state = ConversationState.STOPPED
            conversation.held_for, conversation.next_action_on = None, None
            conversation.stop_reason = (
                f"email {row.id} was {reason}; the agent waits for a person: take the lead "
                f"over, or start again with `qualify engage start {row.lead_id}`"
            )
            session.add(conversation)
        session.flush()
        session.refresh(row)
        return _view(row, lead.owner_id if lead else None, now, within)


def report_overdue(database_url: str, *, now: datetime) -> int:
    """Tell each owner, once per email, about held emails waiting past the time limit;
    the count of emails overdue now. They stay held: never sent without their owner."""
    overdue = [email for email in held_emails(database_url, now=now) if email.overdue]
    within = _within(database_url)
    with session_scope(database_url) as session:
        for email in overdue:
            if email.owner_id is None:
                continue  # listed as overdue by `qualify review list`; nobody to tell
            notice = notify(
                session,
                user_id=email.owner_id,
                lead_id=email.lead_id,
                kind=REVIEW_NOTICE_KIND,
                text=(
                    f"email {email.id} to {email.to_address} ({email.subject!r}) has waited "
                    f"over {within} h for your review; it is not sent until you approve it: "
                    f"`qualify review show {email.id}`"
                ),
                key=f"review_overdue:{email.message_id}",
                now=as_utc(now),
            )
            email_notice(session, notice, as_utc(now))  # once: keyed by the notice
    return len(overdue)
