"""`qualify draft LEAD --edit` and `qualify send LEAD`: the seller reviews, edits and sends.

As in the seeds: the seller reads the agent's draft, edits it, and sends it. The send goes
through the same outbox, opt-out checks and content check as the agent's emails, and the
lead's conversation records that a seller has taken it over, so Engage never emails the
lead again on its own.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import click
import typer
from sqlmodel import Session

from app.cli.run_context import console, database_url, fail
from app.cli.stored_insights import save_insights, stored_insights
from core.clock import utc_now
from core.findings import OutreachDraft
from core.settings import get_settings
from graphs.engage.content_check import check_email_to_lead
from graphs.engage.guardrails import SendContext, permanent_reasons
from graphs.engage.sending_mailboxes import mailbox_hold
from graphs.engage.stored_settings import load_engage_settings
from graphs.research.agent_settings import load_agent_settings
from store.conversations import ensure_conversation, outbound_messages
from store.crm import Lead, User
from store.db import get_db_engine
from tools.mail.outbox import deliver_due, enqueue_email
from tools.mail.settings import MailSettings


def edit_draft(lead_id: str) -> OutreachDraft:
    """Open the lead's draft in $EDITOR ("Subject: ..." on the first line); keep the result."""
    insights = stored_insights(lead_id)
    if insights.draft is None:
        raise fail(f"{lead_id} has no draft yet: run `qualify draft {lead_id}` first")
    draft = insights.draft
    edited = click.edit(f"Subject: {draft.subject}\n\n{draft.body}\n", extension=".txt")
    if edited is None:
        raise fail("the editor was closed without saving; the draft is unchanged")
    first, _, body = edited.partition("\n")
    if not first.lower().startswith("subject:") or not body.strip():
        raise fail("keep 'Subject: ...' on the first line and the email below it")
    insights.draft = draft.model_copy(
        update={
            "subject": first.split(":", 1)[1].strip(),
            "body": body.strip() + "\n",
            "engine": f"{draft.engine.split(',')[0]}, edited by the seller",
        }
    )
    save_insights(lead_id, insights)
    return insights.draft


def _sender_name(session: Session, user_id: str | None) -> str:
    """The seller's name and the agent's signature: both may sign a seller's email."""
    user = session.get(User, user_id) if user_id else None
    signature = load_agent_settings(database_url()).outreach.signature
    return f"{user.full_name if user else ''}\n{signature}"


def send(
    lead_id: str,
    by: Annotated[
        str | None, typer.Option(help="The seller sending (default: the lead's owner).")
    ] = None,
) -> None:
    """Send the lead's draft through the outbox, opt-out and content checks."""
    insights = stored_insights(lead_id)
    draft = insights.draft
    if draft is None:
        raise fail(f"{lead_id} has no draft yet: run `qualify draft {lead_id}` first")
    url = database_url()
    engage = load_engage_settings(url)
    now = utc_now()
    research = insights.research
    with Session(get_db_engine(url)) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None, "stored_insights checked the lead exists"
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
            raise fail(f"not sent: {'; '.join(refusals)}")
        findings = check_email_to_lead(
            draft.subject,
            draft.body,
            lead_email=lead.email,
            research=research,
            mailboxes=engage.mailbox_addresses,
            link_allowlist=engage.guardrails.link_allowlist,
            product=get_settings().product,
            sender=_sender_name(session, by or lead.owner_id),
        )
        if findings:
            marked = "\n".join(f"  - {f.detail}" for f in findings)
            raise fail(
                f"not sent: the content check marked\n{marked}\n"
                f"Edit the draft with `qualify draft {lead_id} --edit`, then send again.",
                soft_wrap=True,
            )
        seller = by or lead.owner_id or "seller"
        conversation = ensure_conversation(
            session, lead.id, f"engage:{lead.id}", engage.mailbox_addresses[0], now
        )
        conversation.taken_over_by = seller  # Engage never writes to this lead on its own now
        digest = hashlib.sha256(f"{draft.subject}\n{draft.body}".encode()).hexdigest()[:16]
        message = enqueue_email(
            session,
            idempotency_key=f"seller:{lead.id}:{digest}",
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
        session.commit()
        message_id, to_address = message.message_id, message.to_address
    # A mailbox the bounce breaker paused sends nobody's mail, a seller's included.
    report = deliver_due(
        url, MailSettings.from_env(), now=now, mailbox_hold=mailbox_hold(engage, now)
    )
    waiting = f", {report.paused} waiting on a paused mailbox" if report.paused else ""
    console.print(
        f"Sent by {seller} to {to_address} ({message_id}); delivery: {report.sent} sent, "
        f"{report.failed} failed{waiting}. Engage will not email this lead without {seller}.",
        highlight=False,
        soft_wrap=True,
    )
