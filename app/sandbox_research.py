"""Test on a lead: the research graph run as a sandbox on a throwaway copy of the
database, so the admin sees what the agent would find, judge and draft with the settings
and prompt versions in force (or a pinned version) while nothing is written: not the
insights, not the node runs, not the shared company research, not a checkpoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.trace_records import StepTrace
from graphs.context import Context
from graphs.research.graph import build_research_graph
from graphs.simulation.database_copy import SimulationRefused, database_copy
from prompts.registry import PromptError
from prompts.versioning import expand_prompt_pins
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import get_db_engine
from store.node_runs import NodeRun


class SandboxRefused(ValueError):
    """The test cannot run; the message names the field and the fix."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SandboxResult:
    """What the run found, judged and drafted, and its steps."""

    lead_id: str
    lead_name: str
    company: str
    fit: str | None
    recommendation: str | None
    reason: str | None
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    summary: str | None = None
    draft_subject: str | None = None
    draft_body: str | None = None
    engine_notes: list[str] = field(default_factory=list)
    steps: list[StepTrace] = field(default_factory=list)
    pinned: tuple[tuple[str, str], ...] = ()
    # The fit stored now, to compare with what the sandbox run judged.
    stored_fit: str | None = None
    stored_on: datetime | None = None


def research_in_sandbox(
    database_url: str,
    lead_id: str,
    *,
    prompt_pins: dict[str, str] | None = None,
    context: Context | None = None,
) -> SandboxResult:
    """Research `lead_id` on a copy of the database as a sandbox run, with `prompt_pins`
    ({prompt name: version}) pinned; the copy is deleted before this returns."""
    try:
        pinned = expand_prompt_pins(prompt_pins or {}, database_url)
    except PromptError as exc:
        raise SandboxRefused(str(exc), "prompt") from exc
    base = context or Context(database_url=database_url)
    try:
        with database_copy(database_url) as (copy_url, _scratch):
            with Session(get_db_engine(copy_url)) as session:
                lead = session.get(Lead, lead_id)
                if lead is None:
                    raise SandboxRefused(f"lead_id {lead_id!r}: no such lead", "lead_id")
                lead_name = lead.full_name
                company = lead.company_name or ""
                stored = session.get(LeadInsight, lead_id)
                stored_fit = stored.fit_level if stored else None
                stored_on = stored.researched_on if stored else None
            run = Context(
                database_url=copy_url,
                corpus_dir=base.corpus_dir,
                chroma_dir=base.chroma_dir,
                engine=base.engine,
                model=base.model,
                product=base.product,
                sandbox=True,
                prompt_versions=pinned,
                clock=base.clock,
            )
            thread = f"sandbox:{lead_id}:{uuid.uuid4().hex}"
            result = build_research_graph().invoke(
                {"lead_id": lead_id},
                {"configurable": {"thread_id": thread}},
                context=run,
            )
            with Session(get_db_engine(copy_url)) as session:
                rows = session.exec(
                    select(NodeRun).where(NodeRun.thread_id == thread).order_by(col(NodeRun.id))
                ).all()
                steps = [StepTrace.model_validate(row.step) for row in rows]
    except SimulationRefused as exc:
        raise SandboxRefused(str(exc)) from exc
    icp, draft = result.get("icp"), result.get("draft")
    return SandboxResult(
        lead_id=lead_id,
        lead_name=lead_name,
        company=company,
        fit=icp.fit_level.value if icp else None,
        recommendation=icp.recommendation if icp else None,
        reason=icp.reason if icp else None,
        verdicts=[v.model_dump(mode="json") for v in icp.verdicts] if icp else [],
        summary=result.get("lead_summary"),
        draft_subject=draft.subject if draft else None,
        draft_body=draft.body if draft else None,
        engine_notes=list(result.get("engine_notes") or []),
        steps=steps,
        pinned=pinned,
        stored_fit=stored_fit,
        stored_on=stored_on,
    )
