"""The Research agent runner: picks eligible leads and runs each through its own thread."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from datetime import datetime
from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, Durability
from pydantic import BaseModel, Field
from sqlalchemy import bindparam
from sqlmodel import Session, select

from core.clock import utc_now
from core.icp_fingerprint import fit_staleness, icp_fingerprint
from core.settings import get_settings
from graphs.context import Context
from graphs.reasoning.base import EngineError
from graphs.reasoning.time_budget import lead_time_budget
from graphs.research.agent_settings import AgentSettings, load_agent_settings
from graphs.research.graph import build_research_graph
from graphs.research.selection import check_eligibility, is_stale
from graphs.research.selection_query import (
    eligible_page,
    judged_against_column,
)
from graphs.services import services_for
from memory.run_state import stopped_mid_run
from memory.thread_ids import thread_id_for
from store.agent_records import LeadInsight
from store.db import get_db_engine
from store.leases import leased, thread_lease
from store.research_requests import PendingResearch
from tools.crm import LeadNotFoundError
from tools.web_search.results import WebSearchError

OutcomeStatus = Literal[
    "researched", "rejudged", "resumed", "fresh", "not_eligible", "busy", "error"
]


class ResearchOutcome(BaseModel):
    """What happened to one lead in a batch."""

    lead_id: str
    status: OutcomeStatus
    fit_level: str | None = None
    recommendation: str | None = None
    message: str | None = None
    seconds: float = 0.0


class RedraftError(LookupError):
    """A draft that cannot be written again now; the message says what to do."""


_STORED_FIT = select(LeadInsight.researched_on, judged_against_column()).where(
    LeadInsight.lead_id == bindparam("lead_id")
)


class EligibleLead(BaseModel):
    """A lead the selection rules pick, for `qualify leads`."""

    lead_id: str
    full_name: str
    company_name: str | None
    created_on: datetime
    owner_id: str | None
    owner_name: str | None = None
    rating: str | None = None
    researched_on: datetime | None
    fit_level: str | None = None
    fit_judged_against: str | None = Field(
        default=None, description="Fingerprint of the ICP its stored fit answers."
    )
    agent_rating: str | None = Field(
        default=None, description="The agent's rating (hot, warm, cold); None: not rated."
    )


class ResearchRunner:
    """Runs the research graph over leads with a checkpointer (one thread per lead)."""

    def __init__(self, context: Context, checkpointer: BaseCheckpointSaver) -> None:
        self.context = context
        self.graph = build_research_graph(checkpointer)

    def settings(self) -> AgentSettings:
        """The admin settings in force."""
        return load_agent_settings(self.context.database_url)

    def eligible_leads(
        self,
        now: datetime | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        owner_id: str | None = None,
        fit_levels: Sequence[str] | None = None,
        agent_ratings: Sequence[str] | None = None,
    ) -> list[EligibleLead]:
        """Leads the selection rules pick, newest first, with their last research time and
        fit: all of them, or a page (`limit` from `offset`), or one owner's, or those at
        `fit_levels` ("unresearched" for never), or those the agent rates at `agent_ratings`."""
        rules = self.settings().selection
        with Session(get_db_engine(self.context.database_url)) as session:
            page = eligible_page(
                session,
                rules,
                now or utc_now(),
                limit=limit,
                offset=offset,
                owner_id=owner_id,
                fit_levels=fit_levels,
                agent_ratings=agent_ratings,
            )
        return [
            EligibleLead(
                lead_id=row.lead.id,
                full_name=row.lead.full_name,
                company_name=row.lead.company_name,
                created_on=row.lead.created_on,
                owner_id=row.lead.owner_id,
                owner_name=row.owner_name,
                rating=str(getattr(row.lead.rating, "value", row.lead.rating)),
                researched_on=row.researched_on,
                fit_level=row.fit_level,
                fit_judged_against=row.fit_judged_against,
                agent_rating=row.agent_rating,
            )
            for row in page
        ]

    def due_leads(self, now: datetime) -> list[str]:
        """Eligible leads whose research is missing or stale, or whose fit answers an
        earlier ICP (for those `research` re-judges only the fit)."""
        settings = self.settings()
        in_force = icp_fingerprint(settings.icp)
        return [
            lead.lead_id
            for lead in self.eligible_leads(now)
            if is_stale(lead.researched_on, now, settings.refresh)
            or fit_staleness(lead.fit_judged_against, in_force) is not None
        ]

    def _stored_fit(self, lead_id: str) -> tuple[datetime, str | None] | None:
        """When the lead was researched and which ICP its fit answers; None: never."""
        with get_db_engine(self.context.database_url).connect() as connection:
            row = connection.execute(_STORED_FIT, {"lead_id": lead_id}).first()
        return (row[0], row[1]) if row is not None else None

    def research(
        self,
        lead_ids: Iterable[str] | None = None,
        *,
        force: bool = False,
        concurrency: int | None = None,
        requested: Mapping[str, PendingResearch] | None = None,
    ) -> Iterator[ResearchOutcome]:
        """Research the given leads (default: every eligible lead), one outcome per lead,
        in the order they finish.

        A lead whose last run stopped between nodes resumes from its checkpoint. Without
        `force`, leads outside the selection rules or with fresh research are skipped.
        With a model to wait for, `concurrency` leads (default: the research_concurrency
        setting) run side by side; the offline engine is bound by the CPU, so it runs one
        lead at a time. A lead in `requested` (a change asked for it) is researched again
        however fresh, within the selection rules; see `requested_research`.
        """
        batch_started = utc_now()
        if lead_ids is None:
            lead_ids = [lead.lead_id for lead in self.eligible_leads(batch_started)]
        settings = self.settings()
        # One snapshot of the settings for the whole batch: its nodes read it, not the store.
        context = replace(self.context, agent_settings=settings)
        roles = services_for(self.context).crm.user_roles()

        def one(lead_id: str) -> ResearchOutcome:
            request = (requested or {}).get(lead_id)
            return self._leased_run(context, lead_id, force, batch_started, roles, request)

        workers = concurrency or get_settings().research_concurrency
        if workers <= 1 or self.context.engine == "offline":
            yield from map(one, lead_ids)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="research") as pool:
            # One future per lead: the same id twice would run its thread twice at once.
            futures = [pool.submit(one, lead_id) for lead_id in dict.fromkeys(lead_ids)]
            for future in as_completed(futures):
                yield future.result()

    def _leased_run(
        self,
        context: Context,
        lead_id: str,
        force: bool,
        batch_started: datetime,
        roles: dict[str, str],
        request: PendingResearch | None = None,
    ) -> ResearchOutcome:
        started = time.perf_counter()
        try:
            # Another batch (or a tick's research) running this lead's thread keeps it.
            with leased(self.context.database_url, thread_lease(thread_id_for(lead_id))) as held:
                outcome = (
                    self._research_one(context, lead_id, force, batch_started, roles, request)
                    if held
                    else ResearchOutcome(
                        lead_id=lead_id,
                        status="busy",
                        message="another process is researching it; left to that one",
                    )
                )
        except (LeadNotFoundError, WebSearchError, EngineError, ValueError, OSError) as exc:
            outcome = ResearchOutcome(lead_id=lead_id, status="error", message=str(exc))
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _research_one(
        self,
        context: Context,
        lead_id: str,
        force: bool,
        batch_started: datetime,
        roles: dict[str, str],
        request: PendingResearch | None = None,
    ) -> ResearchOutcome:
        """Research one lead with the batch's `context` (its settings snapshot)."""
        settings = context.agent_settings or self.settings()
        config: dict = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        if stopped_mid_run(self.graph.get_state(config)):
            with lead_time_budget(get_settings().llm_lead_budget_s):
                result = self.graph.invoke(None, config, context=context)
            if request is None:
                return self._done(lead_id, "resumed", result)
            # The stopped run may have read the lead before the change the request is
            # for: the thread is finished now, and the lead is researched again below.
        crm = services_for(self.context).crm
        lead = crm.lead(lead_id)
        payload: dict = {"lead_id": lead_id}
        status: OutcomeStatus = "researched"
        durability: Durability | None = None  # LangGraph's default: a checkpoint per step
        if force:
            # Each company is researched once per forced batch, then shared by its leads.
            payload["company_research_since"] = batch_started.isoformat()
        else:
            eligibility = check_eligibility(
                lead, roles.get(lead.owner_id or ""), batch_started, settings.selection
            )
            if not eligibility.eligible:
                return ResearchOutcome(
                    lead_id=lead_id,
                    status="not_eligible",
                    message="; ".join(eligibility.reasons) + " (use --force to research anyway)",
                )
            stored = self._stored_fit(lead_id)
            if request is not None:
                # A change asked for it: fresh research is redone for this lead only. Its
                # company's shared research is reused, unless the account itself changed.
                if request.account_changed:
                    payload["company_research_since"] = request.requested_on.isoformat()
            elif stored is not None and not is_stale(
                stored[0], batch_started, settings.refresh, lead_changed_on=lead.modified_on
            ):
                researched_on, judged_against = stored
                if fit_staleness(judged_against, icp_fingerprint(settings.icp)) is None:
                    return ResearchOutcome(
                        lead_id=lead_id,
                        status="fresh",
                        message=f"researched on {researched_on:%Y-%m-%d %H:%M}",
                    )
                # Only the ICP changed: the fit is judged again from the stored research.
                payload["rejudge_fit"] = True
                status = "rejudged"
                # A re-judge is three short steps with no web work, and doing it again is
                # harmless: one checkpoint when it ends is enough (a failed step leaves it
                # to resume from; a killed run leaves the fit stale, to re-judge next
                # time). A checkpoint per step was a third of its time; each step is still
                # traced. Its steps run one node each, so one worker thread serves it.
                durability = "exit"
                config["max_concurrency"] = 1
        with lead_time_budget(get_settings().llm_lead_budget_s):
            result = self.graph.invoke(payload, config, context=context, durability=durability)
        return self._done(lead_id, status, result)

    def redraft(self, lead_id: str) -> None:
        """Write the lead's outreach draft again from its stored research, through the
        graph's outreach writer: the admin's active prompt versions apply and the trace
        gets the step; the research and its time are kept."""
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        state = self.graph.get_state(config)
        if not state.values.get("research") or not state.values.get("icp"):
            raise RedraftError(
                f"{lead_id} has no research to draft from: run `qualify research {lead_id}`"
            )
        context = replace(self.context, agent_settings=self.settings())
        with leased(self.context.database_url, thread_lease(thread_id_for(lead_id))) as held:
            if not held:
                raise RedraftError(f"{lead_id} is being researched; try again in a moment")
            with lead_time_budget(get_settings().llm_lead_budget_s):
                self.graph.invoke(
                    Command(goto="outreach_writer", update={"draft_only": True}),
                    config,
                    context=context,
                )

    @staticmethod
    def _done(lead_id: str, status: OutcomeStatus, result: dict) -> ResearchOutcome:
        icp = result["icp"]
        return ResearchOutcome(
            lead_id=lead_id,
            status=status,
            fit_level=icp.fit_level,
            recommendation=icp.recommendation,
            message="; ".join(dict.fromkeys(result.get("engine_notes") or [])) or None,
        )
