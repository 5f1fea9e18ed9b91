"""Simulation before go-live: the engage graph runs on chosen leads against scripted
replies, and reports what the agent would send and hand off, with nothing written.

Nothing written because nothing real is used: the agent runs on a copy of the database
(`database_copy`), an in-memory checkpointer, a mail channel that writes .eml files
into the copy's scratch folder (never SMTP, never the outbox folder), and a manual clock
that jumps from one due event (a send, a timer, a scripted reply) to the next. The
runner and nodes are the real ones, so what the simulation shows is what go-live does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel, Field, SecretStr
from sqlmodel import Session, col, func, select

from core.clock import ManualClock, as_utc
from core.reply_reading import ReplyReading
from core.settings import get_settings
from graphs.checkpointing import checkpoint_allowlist
from graphs.context import Context
from graphs.engage.reply_readings import conversation_turns, readings_by_message
from graphs.engage.runner import EngageRunner
from graphs.engage.stored_settings import load_engage_settings
from graphs.research.runner import ResearchRunner
from graphs.simulation.database_copy import database_copy
from graphs.simulation.reply_script import ReplyScript, ScriptedReply
from memory.checkpointer import state_serializer
from store.crm import Lead, User
from store.db import get_db_engine
from store.engagement import (
    Conversation,
    ConversationState,
    DeliveryStatus,
    Direction,
    EmailMessage,
    Handoff,
)
from tools.mail.inbound import import_inbound
from tools.mail.outbox import NOTICE_KIND
from tools.mail.settings import MailSettings

_LIVE = (ConversationState.ACTIVE, ConversationState.WAITING)
_MAX_STEPS = 5_000  # a runaway loop stops here rather than spinning forever


class SimulatedEmail(BaseModel):
    """An email the agent would send (or queue, or hold for review)."""

    event: Literal["email"] = "email"
    at: datetime
    local_time: str
    kind: str | None
    status: str
    subject: str
    body: str


class SimulatedReply(BaseModel):
    """A scripted reply and the agent's reading of it."""

    event: Literal["reply"] = "reply"
    at: datetime
    local_time: str
    subject: str
    body: str
    reading: ReplyReading | None = None


class SimulatedHandoff(BaseModel):
    """A hand-off the agent would make."""

    event: Literal["handoff"] = "handoff"
    at: datetime
    local_time: str
    rule_id: str
    target: str
    kind: str | None
    assignee_id: str | None
    assignee_name: str | None
    next_step: str


TimelineEvent = SimulatedEmail | SimulatedReply | SimulatedHandoff


class LeadSimulation(BaseModel):
    """One lead's timeline and where it ended."""

    lead_id: str
    name: str
    time_zone: str
    events: list[TimelineEvent] = Field(default_factory=list)
    final_state: str = "not started"
    stop_reason: str | None = None
    next_action: str | None = None
    replies_not_sent: int = Field(
        default=0, description="Scripted replies never due: the conversation ended first."
    )
    errors: list[str] = Field(default_factory=list)

    @property
    def emails(self) -> list[SimulatedEmail]:
        return [e for e in self.events if isinstance(e, SimulatedEmail)]

    @property
    def handoffs(self) -> list[SimulatedHandoff]:
        return [e for e in self.events if isinstance(e, SimulatedHandoff)]


class SimulationSummary(BaseModel):
    """The totals over all leads."""

    leads: int
    emails: int
    follow_ups: int
    replies: int
    handoffs_by_rule: dict[str, int]


class SimulationReport(BaseModel):
    """What the agent would do over the simulated days."""

    start: datetime
    end: datetime
    leads: list[LeadSimulation]
    summary: SimulationSummary
    notes: list[str] = Field(default_factory=list)


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _local(at: datetime, zone: ZoneInfo) -> str:
    return f"{as_utc(at).astimezone(zone):%a %Y-%m-%d %H:%M}"


def _sandbox_mail(scratch: Path) -> MailSettings:
    """The channel of the simulation: .eml files in the scratch folder, never SMTP."""
    env = get_settings()
    return MailSettings(
        smtp_host=None,
        outbox_dir=scratch / "outbox",
        from_name=env.mail_from_name,
        mailboxes=env.mailboxes,
        unsubscribe_mailto=env.unsubscribe_mailto,
        unsubscribe_secret=SecretStr("simulation"),
        message_id_domain=env.message_id_domain,
    )


class _Script:
    """The scripted replies still to come for one lead, and when the next is due."""

    def __init__(self, replies: list[ScriptedReply]) -> None:
        self.replies = replies
        self.anchor: EmailMessage | None = None  # the agent's email the next reply answers
        self.last_reply_at: datetime | None = None

    def due(self) -> datetime | None:
        if not self.replies or self.anchor is None or self.anchor.sent_on is None:
            return None
        return as_utc(self.anchor.sent_on) + timedelta(days=self.replies[0].after_days)


class Simulation:
    """One simulation over a database copy; `run` does it all and returns the report."""

    def __init__(self, context: Context, script: ReplyScript, *, days: float) -> None:
        self.base = context
        self.script = script
        self.days = days
        self.clock = ManualClock(context.clock.now())
        self.saver = InMemorySaver(serde=state_serializer(checkpoint_allowlist()))
        self.notes: list[str] = []
        # Rows already in the copy are the real history: only later ids are the simulation's.
        self.first_email = 0
        self.first_handoff = 0

    # -- choosing leads ------------------------------------------------------------------

    def _picked(self, runner: EngageRunner, limit: int) -> list[str]:
        """The leads the assignment rules would start now, at most `limit`; candidates with
        no research are researched first (in the copy)."""
        _, plan = runner.plan()
        if plan.research:
            research = ResearchRunner(replace(runner.context, draft_outreach=False), self.saver)
            list(research.research(plan.research, force=True))
            _, plan = runner.plan()
        return plan.start[:limit]

    # -- the run ---------------------------------------------------------------------------

    def run(
        self, *, lead_ids: list[str] | None = None, limit: int | None = None
    ) -> SimulationReport:
        start = self.clock.now()
        end = start + timedelta(days=self.days)
        with database_copy(self.base.database_url) as (url, scratch):
            # The copy is the sandbox: the nodes commit as at go-live, to a file thrown away
            # (`Context.sandbox` is for replays, whose reads and writes hit the real store).
            context = replace(
                self.base, database_url=url, clock=self.clock, sandbox=False, agent_settings=None
            )
            runner = EngageRunner(context, self.saver, _sandbox_mail(scratch), inbox_dir=None)
            with Session(get_db_engine(url)) as session:
                self.first_email = session.exec(select(func.max(EmailMessage.id))).one() or 0
                self.first_handoff = session.exec(select(func.max(Handoff.id))).one() or 0
            if lead_ids is None:
                lead_ids = self._picked(runner, limit or 0)
                if not lead_ids:
                    self.notes.append("the assignment rules pick no lead now")
            unknown = [lead_id for lead_id in self.script.named_leads() if lead_id not in lead_ids]
            if unknown:
                self.notes.append(f"replies for leads not simulated, unused: {', '.join(unknown)}")
            results = {
                lead_id: LeadSimulation(lead_id=lead_id, name="", time_zone="")
                for lead_id in lead_ids
            }
            scripts = {lead_id: _Script(self.script.replies_for(lead_id)) for lead_id in lead_ids}
            started = runner.start(lead_ids)
            for problem in started.errors:
                lead_id = problem.split(":", 1)[0]
                if lead_id in results:
                    results[lead_id].errors.append(problem.split(": ", 1)[-1])
            live = [lead_id for lead_id in lead_ids if not results[lead_id].errors]
            self._loop(runner, url, scratch, live, scripts, results, end)
            for lead_id in lead_ids:
                self._timeline(url, lead_id, results[lead_id], scripts[lead_id])
        leads = [results[lead_id] for lead_id in lead_ids]
        return SimulationReport(
            start=start, end=end, leads=leads, summary=_summary(leads), notes=self.notes
        )

    def _loop(
        self,
        runner: EngageRunner,
        url: str,
        scratch: Path,
        lead_ids: list[str],
        scripts: dict[str, _Script],
        results: dict[str, LeadSimulation],
        end: datetime,
    ) -> None:
        """Deliver, play due replies, advance each lead; then jump to the next due event."""
        inbox = scratch / "inbox"
        inbox.mkdir()
        for _ in range(_MAX_STEPS):
            now = self.clock.now()
            runner.deliver()
            self._anchor(url, lead_ids, scripts)
            due = [
                lead_id
                for lead_id in lead_ids
                if (at := scripts[lead_id].due()) is not None and at <= now
            ]
            if due:
                files = [
                    self._write_reply(url, inbox, lead_id, scripts[lead_id]) for lead_id in due
                ]
                imported = import_inbound(
                    url,
                    files,
                    now=now,
                    company_wide_stop=load_engage_settings(url).sender_reputation.company_wide_stop,
                    signing_secret=runner.mail.signing_secret(),
                )
                self.notes.extend(f"scripted reply: {problem}" for problem in imported.problems())
            for lead_id in lead_ids:
                errors = results[lead_id].errors
                for problem in runner.advance(lead_id).errors:
                    if (text := problem.split(": ", 1)[-1]) not in errors:
                        errors.append(text)
            runner.deliver()
            self._anchor(url, lead_ids, scripts)
            upcoming = self._next_event(url, lead_ids, scripts, now)
            if upcoming is None or upcoming > end:
                return
            self.clock.set(max(upcoming, now + timedelta(minutes=1)))
        self.notes.append(f"stopped after {_MAX_STEPS} steps at {self.clock.now():%Y-%m-%d %H:%M}")

    def _anchor(self, url: str, lead_ids: list[str], scripts: dict[str, _Script]) -> None:
        """Each lead's next reply answers the agent's first email sent since its last reply."""
        with Session(get_db_engine(url)) as session:
            for lead_id in lead_ids:
                script = scripts[lead_id]
                if script.anchor is not None or not script.replies:
                    continue
                query = select(EmailMessage).where(
                    EmailMessage.lead_id == lead_id,
                    EmailMessage.direction == Direction.OUTBOUND,
                    EmailMessage.status == DeliveryStatus.SENT,
                    col(EmailMessage.id) > self.first_email,
                    col(EmailMessage.kind).is_distinct_from(NOTICE_KIND),
                )
                if script.last_reply_at is not None:
                    query = query.where(col(EmailMessage.sent_on) >= script.last_reply_at)
                script.anchor = session.exec(query.order_by(col(EmailMessage.sent_on))).first()

    def _write_reply(self, url: str, inbox: Path, lead_id: str, script: _Script) -> Path:
        """The lead's next scripted reply as an .eml answering the agent's latest email."""
        reply = script.replies.pop(0)
        now = self.clock.now()
        with Session(get_db_engine(url)) as session:
            lead = session.get(Lead, lead_id)
            latest = session.exec(
                select(EmailMessage)
                .where(
                    EmailMessage.lead_id == lead_id,
                    EmailMessage.direction == Direction.OUTBOUND,
                    EmailMessage.status == DeliveryStatus.SENT,
                    col(EmailMessage.kind).is_distinct_from(NOTICE_KIND),
                )
                .order_by(col(EmailMessage.sent_on).desc(), col(EmailMessage.id).desc())
            ).first()
        assert lead is not None and latest is not None  # an anchor was sent to this lead
        message = MimeMessage()
        sender = reply.from_address or lead.email or ""
        message["From"] = f"{lead.full_name} <{sender}>" if not reply.from_address else sender
        message["To"] = latest.from_address
        message["Subject"] = reply.subject or f"Re: {latest.subject}"
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain="simulated-lead.example")
        message["In-Reply-To"] = latest.message_id
        message["References"] = " ".join(
            part for part in (latest.references, latest.message_id) if part
        )
        message.set_content(reply.body)
        path = inbox / f"{len(list(inbox.iterdir())):04d}-{lead_id}.eml"
        path.write_bytes(bytes(message))
        script.anchor, script.last_reply_at = None, now
        return path

    def _next_event(
        self, url: str, lead_ids: list[str], scripts: dict[str, _Script], now: datetime
    ) -> datetime | None:
        """The earliest of: a lead's timer, a queued email's send time, a scripted reply."""
        times = [at for lead_id in lead_ids if (at := scripts[lead_id].due()) is not None]
        with Session(get_db_engine(url)) as session:
            timers = session.exec(
                select(Conversation.next_action_on).where(
                    col(Conversation.lead_id).in_(lead_ids),
                    col(Conversation.state).in_(_LIVE),
                    col(Conversation.next_action_on).is_not(None),
                )
            ).all()
            queued = session.exec(
                select(EmailMessage.next_attempt_on).where(
                    col(EmailMessage.lead_id).in_(lead_ids),
                    col(EmailMessage.id) > self.first_email,
                    col(EmailMessage.status).in_([DeliveryStatus.QUEUED, DeliveryStatus.FAILED]),
                    col(EmailMessage.kind).is_distinct_from(NOTICE_KIND),
                )
            ).all()
        times += [as_utc(at) for at in timers if at is not None]
        # A queued email without a time was held back (a daily cap): try again in an hour.
        times += [as_utc(at) if at is not None else now + timedelta(hours=1) for at in queued]
        return min(times) if times else None

    # -- the report ------------------------------------------------------------------------

    def _timeline(self, url: str, lead_id: str, result: LeadSimulation, script: _Script) -> None:
        engage = load_engage_settings(url)
        with Session(get_db_engine(url)) as session:
            lead = session.get(Lead, lead_id)
            if lead is None:
                result.errors.append("no such lead")
                return
            zone = _zone(lead.time_zone, engage.guardrails.default_time_zone)
            result.name, result.time_zone = lead.full_name, zone.key
            rows = session.exec(
                select(EmailMessage)
                .where(
                    EmailMessage.lead_id == lead_id,
                    col(EmailMessage.id) > self.first_email,
                    col(EmailMessage.kind).is_distinct_from(NOTICE_KIND),
                )
                .order_by(col(EmailMessage.id))
            ).all()
            handoffs = session.exec(
                select(Handoff).where(
                    Handoff.lead_id == lead_id, col(Handoff.id) > self.first_handoff
                )
            ).all()
            names = {
                user.id: user.full_name
                for user in session.exec(select(User)).all()
                if user.id in {h.assignee_id for h in handoffs}
            }
            conversation = session.get(Conversation, lead_id)
        readings = readings_by_message(conversation_turns(self.saver, lead_id))
        events: list[TimelineEvent] = []
        for row in rows:
            if row.direction == Direction.OUTBOUND:
                at = row.sent_on or row.next_attempt_on or row.created_on
                events.append(
                    SimulatedEmail(
                        at=as_utc(at),
                        local_time=_local(at, zone),
                        kind=row.kind,
                        status=str(row.status),
                        subject=row.subject,
                        body=row.body,
                    )
                )
            else:
                at = row.received_on or row.created_on
                events.append(
                    SimulatedReply(
                        at=as_utc(at),
                        local_time=_local(at, zone),
                        subject=row.subject,
                        body=row.body,
                        reading=readings.get(row.message_id),
                    )
                )
        events += [
            SimulatedHandoff(
                at=as_utc(h.created_on),
                local_time=_local(h.created_on, zone),
                rule_id=h.rule_id,
                target=str(h.target),
                kind=h.kind,
                assignee_id=h.assignee_id,
                assignee_name=names.get(h.assignee_id or ""),
                next_step=h.next_step,
            )
            for h in handoffs
        ]
        result.events = sorted(events, key=lambda e: e.at)
        if conversation is not None:
            result.final_state = str(conversation.state)
            result.stop_reason = conversation.stop_reason
            if conversation.state in _LIVE and conversation.next_action_on is not None:
                result.next_action = (
                    f"{conversation.next_action or 'send'} at "
                    f"{_local(conversation.next_action_on, zone)}"
                )
        result.replies_not_sent = len(script.replies)


def _summary(leads: list[LeadSimulation]) -> SimulationSummary:
    rules: Counter[str] = Counter(h.rule_id for lead in leads for h in lead.handoffs)
    emails = [e for lead in leads for e in lead.emails if e.status == DeliveryStatus.SENT]
    return SimulationSummary(
        leads=len(leads),
        emails=len(emails),
        follow_ups=sum(1 for e in emails if e.kind == "follow_up"),
        replies=sum(1 for lead in leads for e in lead.events if isinstance(e, SimulatedReply)),
        handoffs_by_rule=dict(sorted(rules.items())),
    )


def simulate(
    context: Context,
    script: ReplyScript,
    *,
    lead_ids: list[str] | None = None,
    limit: int | None = None,
    days: float = 30,
) -> SimulationReport:
    """Run the engage agent on `lead_ids` (or the first `limit` leads the assignment rules
    would pick) for `days` from the context clock's now, against `script`; nothing is
    written to the database, the checkpointer, the outbox folder or any mail server."""
    if (lead_ids is None) == (limit is None):
        raise ValueError("give either lead ids or a limit")
    return Simulation(context, script, days=days).run(lead_ids=lead_ids, limit=limit)
