"""The Engage agent runner: one pass (`tick`) imports replies, resumes threads with a
reply or a due timer, starts new assigned leads, and delivers the outbox.

Passes may overlap (a cron entry beside `engage run`, several workers): every run of a
lead's thread holds that thread's lease (`store.leases`) and decides what to do only once
it holds it, from the store as it is then, so a reply is read once, a timer fires once and
a lead is started once. Assignment holds one lease for the whole home, so the cap on
active conversations holds across processes too.
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from core.clock import as_utc
from core.errors import SettingsFileError
from core.icp_verdicts import FitLevel
from core.settings import get_settings
from graphs.context import Context
from graphs.engage.assignment import check_assignment, pick_leads
from graphs.engage.business_calendar import next_send_time
from graphs.engage.email_review import report_overdue
from graphs.engage.graph import MODE, build_engage_graph
from graphs.engage.guardrails import mailbox_day
from graphs.engage.handoff_escalation import escalate_overdue
from graphs.engage.sending_mailboxes import cap_today, mailbox_hold
from graphs.engage.stored_settings import load_engage_settings
from graphs.rating.rating_records import age_ratings, agent_ratings_of
from graphs.reasoning.base import EngineError
from graphs.reasoning.time_budget import lead_time_budget
from graphs.research.agent_settings import load_agent_settings
from graphs.research.requested_research import drain_requested
from graphs.research.runner import ResearchRunner
from memory.run_state import stopped_mid_run
from memory.thread_ids import thread_id_for
from store.agent_records import LeadInsight
from store.conversations import leads_with_unread_replies, unread_replies
from store.crm import Lead, LeadStatus
from store.db import get_db_engine, session_scope
from store.engagement import (
    Conversation,
    ConversationState,
    EmailMessage,
    Handoff,
    HandoffStatus,
)
from store.leases import leased, thread_lease
from tools.crm import LeadNotFoundError
from tools.mail.inbound import import_inbound
from tools.mail.outbox import DeliveryReport, deliver_due
from tools.mail.settings import MailSettings
from tools.web_search.results import WebSearchError

_LEAD_ERRORS = (LeadNotFoundError, WebSearchError, EngineError, ValueError, OSError)


class TickReport(BaseModel):
    """What one pass did."""

    now: datetime
    imported: int = 0
    unmatched: int = 0
    started: int = 0
    replies_read: int = 0
    timers_fired: int = 0
    recovered: int = 0
    busy: list[str] = Field(
        default_factory=list, description="Leads another process was running: left to it."
    )
    delivery: DeliveryReport = Field(default_factory=DeliveryReport)
    reviews_overdue: int = Field(
        default=0, description="Emails held for review past the time limit (owners told)."
    )
    ratings_aged: int = Field(
        default=0, description="Agent ratings older than a day, worked out again for now."
    )
    handoffs: Counter[str] = Field(default_factory=Counter)
    handoffs_escalated: int = Field(
        default=0, description="Hand-offs left pending too long, given to someone else now."
    )
    errors: list[str] = Field(default_factory=list)


class EngagePlan(BaseModel):
    """Leads a pass found work for: threads to wake and new leads to start."""

    wake: list[str] = Field(default_factory=list)
    start: list[str] = Field(default_factory=list)
    research: list[str] = Field(
        default_factory=list, description="Candidates with no research yet: fit unknown."
    )


class EngageRunner:
    """Runs engage threads (one per lead) over a checkpointer and the mail channel."""

    def __init__(
        self,
        context: Context,
        checkpointer: BaseCheckpointSaver,
        mail: MailSettings,
        *,
        inbox_dir: Path | None = None,
    ) -> None:
        self.context = context
        self.mail = mail
        self.inbox_dir = inbox_dir
        self.graph = build_engage_graph(checkpointer)
        # Research for engagement drafts nothing: engage writes the email it sends, and a
        # seller who wants a draft asks `qualify draft`, which writes one then.
        self._research = ResearchRunner(replace(context, draft_outreach=False), checkpointer)
        # Threads to check for a run stopped between nodes: all live ones on the first
        # pass (an earlier process may have crashed), then only those whose run failed.
        self._suspects: set[str] | None = None
        self._report_lock = threading.Lock()
        self._pass = context

    def _new_pass(self) -> None:
        """Read the admin settings once for the pass; its lead runs use that snapshot."""
        settings = load_agent_settings(self.context.database_url)
        self._pass = replace(self.context, agent_settings=settings)

    def _config(self, lead_id: str) -> dict:
        return {"configurable": {"thread_id": thread_id_for(lead_id, MODE)}}

    def _run(self, lead_id: str, payload: Callable[[], object | None], report: TickReport) -> bool:
        """Run the lead's thread with what `payload()` says, holding the thread's lease;
        `payload` is asked only once the lease is held and returns None when there is
        nothing left to do (another process did it first). True when the thread ran."""
        thread_id = thread_id_for(lead_id, MODE)
        with leased(self.context.database_url, thread_lease(thread_id)) as held:
            if not held:
                report.busy.append(lead_id)
                return False
            wake = payload()
            if wake is None:
                return False
            return self._invoke(lead_id, None if wake is self._RESUME else wake, report)

    def _run_each(
        self, lead_ids: list[str], wake: Callable[[str], object | None], report: TickReport
    ) -> int:
        """Run each lead's thread with what `wake(lead_id)` says (see `_run`); side by side
        when a model is waited on, one at a time offline (bound by the CPU). How many ran."""
        workers = min(get_settings().research_concurrency, len(lead_ids))
        if workers <= 1 or self.context.engine == "offline":
            return sum(self._run(lead_id, partial(wake, lead_id), report) for lead_id in lead_ids)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engage") as pool:
            ran = pool.map(
                lambda lead_id: self._run(lead_id, partial(wake, lead_id), report), lead_ids
            )
            return sum(ran)

    def _invoke(self, lead_id: str, payload: object, report: TickReport) -> bool:
        """Run the thread; False (and the error reported) when the run failed."""
        try:
            # "sync": each step's checkpoint is on disk before the next step runs, so a
            # crash resumes from the last step that finished, not from an older one.
            with lead_time_budget(get_settings().llm_lead_budget_s):
                result = self.graph.invoke(
                    payload, self._config(lead_id), context=self._pass, durability="sync"
                )
        except _LEAD_ERRORS as exc:
            report.errors.append(f"{lead_id}: {exc}")
            if self._suspects is not None:
                self._suspects.add(lead_id)
            return False
        outcome = result.get("outcome") if isinstance(result, dict) else None
        if outcome and outcome.startswith("handed to"):
            with self._report_lock:  # leads run side by side: count each hand-off once
                report.handoffs[outcome.rsplit(" ", 1)[-1]] += 1
        return True

    def start(self, lead_ids: list[str]) -> TickReport:
        """Engage these leads now, whatever the assignment criteria (admin's choice).

        A lead whose conversation ended starts again once its hand-off has been decided
        (e.g. the seller fixed its email); one still waiting for review is refused.
        """
        report = TickReport(now=self.context.clock.now())
        self._new_pass()
        for lead_id in lead_ids:

            def restart(lead_id: str = lead_id) -> object | None:
                problem = self._restartable(lead_id)
                if problem:
                    report.errors.append(f"{lead_id}: {problem}")
                    return None
                return {"lead_id": lead_id}

            if self._run(lead_id, restart, report):
                report.started += 1
        return report

    def take_back(self, lead_id: str, *, by: str | None, note: str) -> TickReport:
        """A lead a seller returned to the agent: its finished thread waits for a reply
        again (`seller_return`), and its hand-off rules count only later turns.

        Run before the seller's decision is committed, so a crash between the two leaves
        the hand-off pending and the conversation handed off (no tick wakes it); doing it
        again finds the thread already waiting and does nothing."""
        report = TickReport(now=self.context.clock.now())
        self._new_pass()

        def wait_again() -> Command | None:
            if self.graph.get_state(self._config(lead_id)).next == ("reply_waiter",):
                return None
            return Command(goto="seller_return", update={"returned": {"by": by, "note": note}})

        self._run(lead_id, wait_again, report)
        return report

    def _restartable(self, lead_id: str) -> str | None:
        with Session(get_db_engine(self.context.database_url)) as session:
            lead = session.get(Lead, lead_id)
            if lead is not None and (lead.do_not_email or lead.do_not_contact):
                return "the lead opted out of email; the agent never emails it"
            conversation = session.get(Conversation, lead_id)
            if conversation is None:
                return None
            if conversation.state in (ConversationState.ACTIVE, ConversationState.WAITING):
                return "the agent is already engaging this lead"
            pending = session.exec(
                select(Handoff).where(
                    Handoff.lead_id == lead_id, Handoff.status == HandoffStatus.PENDING
                )
            ).first()
            if pending is not None:
                return (
                    f"hand-off {pending.id} ({pending.rule_id}) is still pending; approve or "
                    "reject it first"
                )
            conversation.state = ConversationState.ACTIVE
            conversation.stop_reason = None
            session.add(conversation)
            session.commit()
        return None

    # -- the pass ----------------------------------------------------------------------

    def tick(self) -> TickReport:
        """One pass of the agent at the context clock's current time."""
        now = self.context.clock.now()
        report = TickReport(now=now)
        self._new_pass()
        self._import_replies(report, now)
        self._recover_interrupted(report)
        with Session(get_db_engine(self.context.database_url)) as session:
            with_replies = list(leads_with_unread_replies(session))
        report.replies_read += self._run_each(with_replies, self._reply_wake, report)
        timers = self._due_timers(now, exclude=set(with_replies))
        report.timers_fired += self._run_each(timers, self._timer_wake, report)
        # Leads a change asked research for (a new lead, an email made valid) are researched
        # before assignment, so they can be engaged in this same pass.
        report.errors.extend(drain_requested(self._research))
        # One process assigns at a time: the cap on active conversations counts them all.
        with leased(self.context.database_url, "engage:assignment") as assigning:
            new = self._assign(now, report) if assigning else []
            report.started += self._run_each(new, self._start, report)
        # Before delivery: the escalation's notices go out in this pass.
        report.handoffs_escalated = self.escalate_handoffs(report)
        report.delivery = self.deliver()
        report.reviews_overdue = report_overdue(self.context.database_url, now=now)
        with session_scope(self.context.database_url) as session:
            report.ratings_aged = age_ratings(session, now)
        return report

    def escalate_handoffs(self, report: TickReport) -> int:
        """Escalate the hand-offs waiting past the admin's limit (once each); a routing
        setting naming an unknown user is reported, not raised: the pass goes on."""
        url = self.context.database_url
        try:
            return escalate_overdue(url, load_engage_settings(url), now=report.now)
        except SettingsFileError as exc:
            report.errors.append(f"hand-off escalation: {exc}")
            return 0

    # -- one lead at a time, for workers of a task queue ---------------------------------

    def plan(self, *, starting: int = 0) -> tuple[TickReport, EngagePlan]:
        """What a pass would do, without running any thread: replies imported, then the
        leads to wake (a stopped run, unread replies, a due timer) and the new leads to
        start (`starting`: starts already queued, which count against the cap). Workers
        run each lead as its own job (`advance`); the caller holds one plan at a time."""
        now = self.context.clock.now()
        report = TickReport(now=now)
        self._import_replies(report, now)
        with Session(get_db_engine(self.context.database_url)) as session:
            wake = set(leads_with_unread_replies(session))
        wake |= self._stopped_runs() | set(self._due_timers(now))
        unresearched: list[str] = []
        start = self._assign(now, report, starting=starting, unresearched=unresearched)
        return report, EngagePlan(wake=sorted(wake), start=start, research=unresearched)

    def _stopped_runs(self) -> set[str]:
        """Live conversations whose last run stopped between nodes (a crashed process)."""
        with Session(get_db_engine(self.context.database_url)) as session:
            live = session.exec(
                select(Conversation.lead_id).where(
                    col(Conversation.state).in_(
                        [ConversationState.ACTIVE, ConversationState.WAITING]
                    )
                )
            ).all()
        return {lead_id for lead_id in live if self._resume_point(lead_id) is not None}

    def advance(self, lead_id: str, *, start: bool = False) -> TickReport:
        """Do what is due on one lead's thread, once its lease is held: go on from a
        stopped run, read unread replies, fire a due timer, or (`start`) begin the
        thread of a lead never engaged. `busy` names the lead when another process
        holds it; nothing is done twice when the same lead is advanced twice."""
        report = TickReport(now=self.context.clock.now())
        self._new_pass()

        def due() -> object | None:
            return (
                self._resume_point(lead_id)
                or self._reply_wake(lead_id)
                or self._timer_wake(lead_id)
                or (self._start(lead_id) if start else None)
            )

        if self._run(lead_id, due, report) and start:
            report.started += 1
        return report

    def deliver(self) -> DeliveryReport:
        """Send the outbox's due emails within the mailbox's daily cap and the lead's
        business hours: an agent's email that waited (the cap was reached by leads
        engaged side by side, a retry after a failed send) goes at the lead's next
        opening, never at night in the lead's time zone."""
        now = self.context.clock.now()
        engage = load_engage_settings(self.context.database_url)
        guardrails = engage.guardrails
        zones: dict[str, str | None] = {}

        def opening(row: EmailMessage) -> datetime | None:
            if row.sent_by is not None or row.lead_id is None:
                return None  # a seller's email goes when the seller sent it
            if row.lead_id not in zones:
                with Session(get_db_engine(self.context.database_url)) as session:
                    lead = session.get(Lead, row.lead_id)
                    zones[row.lead_id] = lead.time_zone if lead is not None else None
            return next_send_time(
                now, zones[row.lead_id], guardrails.business_hours, guardrails.default_time_zone
            )

        return deliver_due(
            self.context.database_url,
            self.mail,
            now=now,
            daily_cap_per_mailbox=lambda mailbox: cap_today(engage, mailbox, now),
            cap_day=mailbox_day(now, guardrails),
            not_before=opening,
            mailbox_hold=mailbox_hold(engage, now),
        )

    def _import_replies(self, report: TickReport, now: datetime) -> None:
        if self.inbox_dir is None or not self.inbox_dir.exists():
            return
        files = sorted(p for p in self.inbox_dir.iterdir() if p.is_file() and p.suffix == ".eml")
        if not files:
            return
        company_wide = load_engage_settings(self.context.database_url).sender_reputation
        imported = import_inbound(
            self.context.database_url,
            files,
            now=now,
            company_wide_stop=company_wide.company_wide_stop,
        )
        report.imported += imported.imported
        report.unmatched += imported.unmatched
        report.errors.extend(f"inbox: {problem}" for problem in imported.problems())
        # Read files move aside so the next pass does not parse them again.
        done = self.inbox_dir / "processed"
        done.mkdir(exist_ok=True)
        for path in files:
            shutil.move(path, done / path.name)

    def _reply_wake(self, lead_id: str) -> Command | None:
        """The replies still unread, read now that the thread is ours."""
        with Session(get_db_engine(self.context.database_url)) as session:
            conversation = session.get(Conversation, lead_id)
            read_up_to = conversation.last_read_inbound_id if conversation else None
            message_ids = [
                m.message_id for m in unread_replies(session, lead_id, after_id=read_up_to)
            ]
        if not message_ids:
            return None
        return Command(resume={"event": "reply", "message_ids": message_ids})

    def _timer_wake(self, lead_id: str) -> Command | None:
        """The timer, if it is still due now that the thread is ours."""
        now = self.context.clock.now()
        due = self._due_timers(now, only=lead_id)
        return Command(resume={"event": "timer"}) if due else None

    def _start(self, lead_id: str) -> dict | None:
        """A new thread, unless another process started this lead meanwhile."""
        with Session(get_db_engine(self.context.database_url)) as session:
            if session.get(Conversation, lead_id) is not None:
                return None
        if self.graph.get_state(self._config(lead_id)).values:
            return None
        return {"lead_id": lead_id}

    def _recover_interrupted(self, report: TickReport) -> None:
        """Threads a crash stopped between nodes resume from their last checkpoint."""
        if self._suspects is None:
            with Session(get_db_engine(self.context.database_url)) as session:
                suspects = set(
                    session.exec(
                        select(Conversation.lead_id).where(
                            col(Conversation.state).in_(
                                [ConversationState.ACTIVE, ConversationState.WAITING]
                            )
                        )
                    ).all()
                )
        else:
            suspects = self._suspects
        self._suspects = set()
        for lead_id in sorted(suspects):
            if self._run(lead_id, lambda lead_id=lead_id: self._resume_point(lead_id), report):
                report.recovered += 1

    _RESUME = object()  # `invoke(None)`: go on from the last checkpoint

    def _resume_point(self, lead_id: str) -> object | None:
        """Go on from the last checkpoint if a run stopped between nodes."""
        snapshot = self.graph.get_state(self._config(lead_id))
        return self._RESUME if stopped_mid_run(snapshot) else None

    def _due_timers(
        self, now: datetime, exclude: set[str] | None = None, *, only: str | None = None
    ) -> list[str]:
        """Leads whose timer is due (`only`: that one lead, read again under its lease)."""
        # ACTIVE too: the guardrails gate parks a thread it may not send for yet (daily
        # cap, quiet hours) with a "send" timer without marking it waiting.
        query = select(Conversation.lead_id, Conversation.next_action_on).where(
            col(Conversation.state).in_([ConversationState.ACTIVE, ConversationState.WAITING]),
            col(Conversation.next_action_on).is_not(None),
        )
        if only is not None:
            query = query.where(Conversation.lead_id == only)
        with Session(get_db_engine(self.context.database_url)) as session:
            rows = session.exec(query).all()
        return [
            lead_id
            for lead_id, due in rows
            if lead_id not in (exclude or set()) and due is not None and as_utc(due) <= now
        ]

    def _assign(
        self,
        now: datetime,
        report: TickReport,
        *,
        starting: int = 0,
        unresearched: list[str] | None = None,
    ) -> list[str]:
        """New leads to engage: assignment criteria, minimum fit and the active cap
        (`starting`: leads already queued to start, which take slots too). Candidates
        with no research are researched now, or listed in `unresearched` when given."""
        engage = load_engage_settings(self.context.database_url)
        with Session(get_db_engine(self.context.database_url)) as session:
            active = session.exec(
                select(func.count())
                .select_from(Conversation)
                .where(
                    col(Conversation.state).in_(
                        [ConversationState.ACTIVE, ConversationState.WAITING]
                    )
                )
            ).one()
            active = int(active) + starting
            room = engage.assignment.max_active_conversations - active
            if room <= 0:
                return []
            engaged = select(Conversation.lead_id)
            leads = list(
                session.exec(
                    select(Lead).where(Lead.status == LeadStatus.OPEN, col(Lead.id).not_in(engaged))
                )
            )
        # Research only leads the criteria could take if their fit (and so the agent's
        # rating, which research sets) allowed it.
        before_research = engage.assignment.model_copy(update={"agent_ratings": []})
        leads = [
            lead
            for lead in leads
            if check_assignment(lead, FitLevel.EXACT, before_research).assigned
        ]
        fits = self._fits([lead.id for lead in leads], report, research=unresearched is None)
        if unresearched is not None:
            unresearched.extend(lead.id for lead in leads if lead.id not in fits)
        rated: dict[str, str] = {}
        if engage.assignment.agent_ratings:
            with Session(get_db_engine(self.context.database_url)) as session:
                rated = agent_ratings_of(session, [lead.id for lead in leads])
        candidates = [(lead, fits.get(lead.id)) for lead in leads]
        return pick_leads(candidates, active, engage.assignment, agent_ratings=rated)

    def _fits(
        self, lead_ids: list[str], report: TickReport, *, research: bool = True
    ) -> dict[str, FitLevel]:
        """ICP fit per lead from stored insights, researching leads that have none
        (unless `research` is False: they are left out)."""
        with Session(get_db_engine(self.context.database_url)) as session:
            rows = session.exec(
                select(LeadInsight.lead_id, LeadInsight.fit_level).where(
                    col(LeadInsight.lead_id).in_(lead_ids)
                )
            ).all()
        fits = {lead_id: FitLevel(fit) for lead_id, fit in rows}
        missing = [lead_id for lead_id in lead_ids if lead_id not in fits] if research else []
        # Engage's assignment criteria, not research's selection rules, decide: hence force.
        for outcome in self._research.research(missing, force=True):
            if outcome.fit_level:
                fits[outcome.lead_id] = FitLevel(outcome.fit_level)
            elif outcome.status == "error":
                report.errors.append(f"{outcome.lead_id}: research failed: {outcome.message}")
        return fits
