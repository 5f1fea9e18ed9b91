"""Traces: tool and model calls recorded in the step, and the timeline, step detail and diff
built from a thread's checkpoint history (research and engage runs, offline and LLM)."""

from __future__ import annotations

import operator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Annotated, NotRequired, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import StateSnapshot
from sqlmodel import Session, select

import graphs.research.graph as research_module
from core.clock import ManualClock
from core.findings import CompanyFacts, EmailCheck, LeadFacts, LeadResearch
from core.settings import get_settings
from core.trace_records import StepTrace, start_step
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.engage.graph import MODE as ENGAGE
from graphs.engage.runner import EngageRunner
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from graphs.reasoning.llm_pricing import estimate_cost, price_for, table_price
from graphs.research.graph import build_research_graph
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from graphs.traced_node import traced
from graphs.tracing.trace_steps import steps_of, with_steps
from graphs.tracing.trace_view import (
    TraceNotFoundError,
    build_trace,
    state_changes,
    step_detail,
    summarize_value,
)
from memory.thread_ids import thread_id_for
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import Direction, EmailMessage, Handoff
from store.node_runs import NodeRun
from tests.conftest import SampleCrm
from tests.openai_compatible_server import running_openai_server
from tools.email_check import check_email
from tools.mail.settings import MailSettings
from tools.tool_trace import recorded_tool

MAILBOX = "alex@northwind.example"


# -- helpers shared with the CLI and monitor tests --------------------------------------------


def research_history(crm: SampleCrm, lead_id: str | None = None) -> tuple[str, list]:
    """Research one eligible lead offline; its id and its thread's history (newest first)."""
    with open_checkpointer(crm.checkpoint_path) as saver:
        runner = ResearchRunner(crm.context(), saver)
        lead_id = lead_id or runner.eligible_leads()[0].lead_id
        [outcome] = runner.research([lead_id])
        assert outcome.status == "researched", outcome
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        return lead_id, with_steps(list(runner.graph.get_state_history(config)), crm.database_url)


def _engageable_lead(crm: SampleCrm) -> str:
    """A lead with an exact ICP fit and a work email: the gate lets its outreach out."""
    with open_checkpointer(crm.checkpoint_path) as saver:
        runner = ResearchRunner(crm.context(), saver)
        candidates = [lead.lead_id for lead in runner.eligible_leads()[:30]]
        for outcome in runner.research(candidates):
            if outcome.fit_level != "exact":
                continue
            with Session(get_db_engine(crm.database_url)) as session:
                lead = session.get(Lead, outcome.lead_id)
            if lead is not None and check_email(lead.email).email_type == "work":
                return lead.id
    raise AssertionError("no engageable lead among the first 30 eligible leads")


def _next_monday_9am() -> datetime:
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 - today.weekday())


def engage_to_handoff(crm: SampleCrm, tmp_path: Path) -> tuple[str, list[StateSnapshot]]:
    """Engage one lead: outreach (.eml outbox), a meeting request reply, a hand-off.

    Returns the lead id and its engage thread's history (newest first).
    """
    lead_id = _engageable_lead(crm)
    settings = load_engage_settings(crm.database_url)
    settings.assignment.sources = ["(trace test)"]  # the tick starts nobody else
    save_engage_settings(crm.database_url, settings)
    clock = ManualClock(_next_monday_9am())
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    mail = MailSettings(outbox_dir=tmp_path / "outbox", mailboxes=[MAILBOX])
    with open_checkpointer(crm.checkpoint_path) as saver:
        runner = EngageRunner(crm.context(clock=clock), saver, mail, inbox_dir=inbox)
        started = runner.start([lead_id])
        assert not started.errors, started.errors
        delivered = runner.tick()
        assert not delivered.errors and delivered.delivery.sent == 1, delivered
        with Session(get_db_engine(crm.database_url)) as session:
            sent = session.exec(
                select(EmailMessage).where(
                    EmailMessage.lead_id == lead_id, EmailMessage.direction == Direction.OUTBOUND
                )
            ).one()
        clock.advance(timedelta(days=1))
        reply = MimeMessage()
        reply["From"] = sent.to_address
        reply["To"] = MAILBOX
        reply["Subject"] = f"Re: {sent.subject}"
        reply["Date"] = format_datetime(clock.now())
        reply["Message-ID"] = "<trace-reply-1@lead.example>"
        reply["In-Reply-To"] = sent.message_id
        reply["References"] = sent.message_id
        reply.set_content("Thanks, that helps. Can we set up a call next Tuesday at 2pm?")
        (inbox / "reply.eml").write_bytes(bytes(reply))
        answered = runner.tick()
        assert not answered.errors and answered.handoffs, answered
        config = {"configurable": {"thread_id": thread_id_for(lead_id, ENGAGE)}}
        return lead_id, with_steps(list(runner.graph.get_state_history(config)), crm.database_url)


# -- recorded tools ----------------------------------------------------------------------------


class _Directory:
    @recorded_tool("crm.test_lookup")
    def lookup(self, name: str, *, limit: int = 3) -> list[str]:
        return [name] * limit

    @recorded_tool("crm.test_broken")
    def broken(self, name: str) -> str:
        raise LookupError(f"no {name}")


def test_tool_calls_are_recorded_only_inside_a_step() -> None:
    directory = _Directory()
    assert directory.lookup("Contoso", limit=2) == ["Contoso", "Contoso"]  # no step: no record

    step, stop = start_step("researcher")
    try:
        directory.lookup("Contoso")
        with pytest.raises(LookupError, match="no Fabrikam"):
            directory.broken("Fabrikam")
    finally:
        stop()
    ok, failed = step.tool_calls
    assert ok.tool == "crm.test_lookup"
    assert ok.arguments == {"name": "Contoso", "limit": 3}  # defaults filled in, no `self`
    assert ok.result_summary.startswith("3 items: 'Contoso'")
    assert ok.error is None and ok.duration_ms >= 0
    assert failed.tool == "crm.test_broken" and failed.arguments == {"name": "Fabrikam"}
    assert failed.error == "LookupError: no Fabrikam" and failed.result_summary == ""


def test_email_check_records_its_call() -> None:
    step, stop = start_step("guardrails_gate")
    try:
        check_email("ingrid@contoso.example")
    finally:
        stop()
    [call] = step.tool_calls
    assert call.tool == "email.check"
    assert call.arguments["address"] == "ingrid@contoso.example"
    assert '"is_valid":true' in call.result_summary


# -- prices ------------------------------------------------------------------------------------


def test_prices_from_the_table_and_the_environment() -> None:
    assert table_price("gpt-4o-mini") is not None
    assert table_price("gpt-4o-mini-2024-07-18") == table_price("gpt-4o-mini")
    assert table_price("openai/gpt-4o") == table_price("gpt-4o")
    assert table_price("llama3.1:8b") is None
    assert estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000, env={}) == pytest.approx(0.75)
    assert estimate_cost("gpt-4.1", 2000, 500, env={}) == pytest.approx(0.008)
    assert estimate_cost("llama3.1:8b", 10, 10, env={}) is None
    only_in = {"QUALIFY_LLM_PRICE_IN": "1"}
    assert estimate_cost("llama3.1:8b", 10, 10, env=only_in) is None  # half a price is none
    both = {"QUALIFY_LLM_PRICE_IN": "0", "QUALIFY_LLM_PRICE_OUT": "2"}
    assert estimate_cost("llama3.1:8b", 10, 1_000_000, env=both) == pytest.approx(2.0)
    # One side overrides the table, the other keeps the table's price.
    assert price_for("gpt-4o", env=only_in).output_per_million == 10.0  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="QUALIFY_LLM_PRICE_OUT='cheap' is not a price"):
        estimate_cost("gpt-4o", 1, 1, env={"QUALIFY_LLM_PRICE_OUT": "cheap"})


# -- an LLM step -------------------------------------------------------------------------------


class _SummaryState(TypedDict):
    lead_id: str
    summary: NotRequired[str]
    trace: Annotated[list[StepTrace], operator.add]


def _summarizer(state: _SummaryState, runtime: Runtime[Context]) -> dict:
    research = LeadResearch(
        lead=LeadFacts(lead_id=state["lead_id"], full_name="Ingrid Berg", company_name="Contoso"),
        email_check=EmailCheck(email="ingrid@contoso.example", is_valid=True, validity_reason="ok"),
        company=CompanyFacts(name="Contoso"),
    )
    assert runtime.context is not None
    return {"summary": services_for(runtime.context).reasoning.summarize_lead(research)}


def _summary_graph():
    builder = StateGraph(_SummaryState, context_schema=Context)
    builder.add_node("lead_summarizer", traced("lead_summarizer")(_summarizer))
    builder.add_edge(START, "lead_summarizer")
    builder.add_edge("lead_summarizer", END)
    return builder.compile()


@pytest.mark.parametrize(
    ("model", "cost"), [("gpt-4o-mini", (1200 * 0.15 + 300 * 0.60) / 1e6), ("local-llama", None)]
)
def test_llm_step_records_tokens_and_cost(
    model: str, cost: float | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with running_openai_server() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        get_settings.cache_clear()
        server.add_json(
            {"summary": "Ingrid runs operations."}, prompt_tokens=1200, completion_tokens=300
        )
        context = Context(database_url=database_url, engine="llm", model=model)
        result = _summary_graph().invoke({"lead_id": "LEAD-1"}, context=context)
    assert result["summary"] == "Ingrid runs operations."
    [step] = steps_of(result["trace"], database_url)
    assert step.engine is not None and step.engine.startswith(f"llm:{model}")
    [call] = step.llm_calls
    assert (call.task, call.model, call.tokens_in, call.tokens_out) == (
        "summarize_lead",
        model,
        1200,
        300,
    )
    assert call.duration_ms > 0
    assert step.cost_usd == (pytest.approx(cost) if cost is not None else None)
    with Session(get_db_engine(database_url)) as session:
        [run] = session.exec(select(NodeRun)).all()
    assert (run.tokens_in, run.tokens_out) == (1200, 300)
    assert run.cost_usd == (pytest.approx(cost) if cost is not None else None)

    [view] = build_trace(
        with_steps(_fake_history(result), database_url), lead_id="LEAD-1", mode="research"
    ).steps
    assert view.tokens_in == 1200
    if cost is None:
        assert view.cost_note and "local-llama" in view.cost_note
        assert "QUALIFY_LLM_PRICE_IN" in view.cost_note
    else:
        assert view.cost_note is None


def _fake_history(values: dict) -> list[StateSnapshot]:
    """A one-checkpoint history holding `values` (the LLM graph runs without a saver)."""
    config = {"configurable": {"thread_id": "t", "checkpoint_id": "c1"}}
    return [StateSnapshot(values, (), config, {}, None, None, (), ())]


# -- research timeline -------------------------------------------------------------------------


def test_research_trace_has_five_steps_with_tools_prompts_and_checkpoints(
    sample_crm: SampleCrm,
) -> None:
    lead_id, history = research_history(sample_crm)
    trace = build_trace(history, lead_id=lead_id, mode="research")
    assert trace.thread_id == f"research:{lead_id}"
    assert [s.node for s in trace.steps] == [
        "researcher",
        "icp_judge",
        "lead_summarizer",
        "outreach_writer",
        "insights_recorder",
    ]
    assert [s.number for s in trace.steps] == [1, 2, 3, 4, 5]
    assert all(s.engine == "offline" and not s.replay and s.error is None for s in trace.steps)
    assert trace.waiting_on == []

    researcher, icp, summarizer, writer, recorder = trace.steps
    assert "offline_lead_summary@default" in summarizer.prompts
    # The judge and the summarizer ran side by side: one checkpoint, each its own changes.
    assert icp.checkpoint_id == summarizer.checkpoint_id
    assert [c.key for c in icp.changes] == ["icp"]
    assert [c.key for c in summarizer.changes] == ["lead_summary"]
    assert "offline_outreach_email@default" in writer.prompts
    tools = [call.tool for call in researcher.tool_calls]
    assert tools[0] == "crm.lead" and researcher.tool_calls[0].arguments == {"lead_id": lead_id}
    assert "email.check" in tools and "crm.who_knows_whom" in tools
    web = [call for call in researcher.tool_calls if call.tool == "web.local_corpus"]
    assert len(web) == 3, tools  # overview, finance, news: the company's first research
    assert all(call.arguments["query"] and call.arguments["max_results"] == 4 for call in web)
    assert {call.arguments["topic"] for call in web} == {"general", "finance", "news"}
    assert all(call.result_summary for call in researcher.tool_calls)
    assert icp.tool_calls == [] and icp.outcome.startswith("fit ")

    # Each step read the checkpoint before its own; the judge and summarizer share one.
    written = [s.checkpoint_id for s in trace.steps]
    assert None not in written and len(set(written)) == 4
    read = [s.input_checkpoint_id for s in trace.steps[1:]]
    assert read == [written[0], written[0], written[2], written[3]]
    assert trace.head_checkpoint_id == written[-1]
    assert [[c.key for c in s.changes] for s in trace.steps] == [
        ["research"],
        ["icp"],
        ["lead_summary"],
        ["draft"],
        ["researched_on"],
    ]
    assert researcher.changes[0].before == "(unset)"
    assert researcher.changes[0].after.startswith("researched ")
    assert recorder.values["researched_on"].startswith("20")  # the time it was recorded


def test_step_detail_gives_the_state_read_and_the_update(sample_crm: SampleCrm) -> None:
    lead_id, history = research_history(sample_crm)
    detail = step_detail(history, 2, lead_id=lead_id, mode="research")
    assert detail.step.node == "icp_judge"
    assert set(detail.inputs) >= {"lead_id", "research"} and "icp" not in detail.inputs
    assert detail.inputs["research"]["lead"]["lead_id"] == lead_id
    assert list(detail.outputs) == ["icp"]
    assert detail.outputs["icp"]["fit_level"] in ("exact", "close", "none")
    with pytest.raises(TraceNotFoundError, match=r"step 6 does not exist.*steps 1 to 5"):
        step_detail(history, 6, lead_id=lead_id, mode="research")


def test_a_second_run_adds_steps_to_the_same_trace(sample_crm: SampleCrm) -> None:
    lead_id, _ = research_history(sample_crm)
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        runner = ResearchRunner(sample_crm.context(), saver)
        list(runner.research([lead_id], force=True))
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        history = with_steps(list(runner.graph.get_state_history(config)), sample_crm.database_url)
    trace = build_trace(history, lead_id=lead_id, mode="research")
    assert [s.node for s in trace.steps] == [
        "researcher",
        "icp_judge",
        "lead_summarizer",
        "outreach_writer",
        "insights_recorder",
    ] * 2
    sixth = trace.steps[5]
    # The refresh read the state the new input made, after the first run's last step.
    assert sixth.input_checkpoint_id is not None
    assert sixth.input_checkpoint_id not in {s.checkpoint_id for s in trace.steps[:5]}
    # A forced refresh researches the company again.
    assert sum(call.tool == "web.local_corpus" for call in sixth.tool_calls) == 3
    assert len({s.checkpoint_id for s in trace.steps}) == 8


def test_a_failed_step_shows_with_its_error(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_judge(state: dict) -> dict:
        raise ValueError("ICP file has no criteria")

    monkeypatch.setattr(research_module, "icp_judge", broken_judge)
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        lead_id = ResearchRunner(sample_crm.context(), saver).eligible_leads()[0].lead_id
        graph = build_research_graph(saver)
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        with pytest.raises(ValueError, match="no criteria"):
            graph.invoke({"lead_id": lead_id}, config, context=sample_crm.context())
        history = with_steps(list(graph.get_state_history(config)), sample_crm.database_url)
    trace = build_trace(history, lead_id=lead_id, mode="research")
    assert [s.node for s in trace.steps] == ["researcher", "icp_judge"]
    failed = trace.steps[1]
    assert failed.error == "ValueError: ICP file has no criteria"
    assert failed.checkpoint_id is None and failed.input_checkpoint_id == trace.head_checkpoint_id
    # The summarizer beside it finished; LangGraph names the whole step as still due.
    assert set(trace.waiting_on) == {"icp_judge", "lead_summarizer"}


# -- engage timeline ---------------------------------------------------------------------------


def test_engage_trace_covers_outreach_wait_reply_and_handoff(
    sample_crm: SampleCrm, tmp_path: Path
) -> None:
    lead_id, history = engage_to_handoff(sample_crm, tmp_path)
    trace = build_trace(history, lead_id=lead_id, mode=ENGAGE)
    nodes = [s.node for s in trace.steps]
    assert nodes == [
        "stored_research",  # researched moments before: engage starts from that research
        "guardrails_gate",
        "message_writer",
        "reply_waiter",
        "reply_reader",
        "conversation_router",
        "handoff_router",
    ]
    by_node = {s.node: s for s in trace.steps}
    assert by_node["guardrails_gate"].outcome
    waiter = by_node["reply_waiter"]
    assert [c.key for c in waiter.changes] == ["wake"] and "reply" in waiter.changes[0].after
    reader = by_node["reply_reader"]
    conversation = next(c for c in reader.changes if c.key == "conversation")
    assert (conversation.before, conversation.after) == ("1 items", "2 items")
    writer_detail = step_detail(history, 3, lead_id=lead_id, mode=ENGAGE)
    assert writer_detail.step.node == "message_writer"
    assert "conversation" in writer_detail.outputs
    assert "offline_outreach_email@default" in writer_detail.step.prompts
    with Session(get_db_engine(sample_crm.database_url)) as session:
        [handoff] = session.exec(select(Handoff).where(Handoff.lead_id == lead_id)).all()
    assert (
        handoff.rule_id
        in by_node["handoff_router"].outcome + by_node["conversation_router"].outcome
    )


# -- pure pieces -------------------------------------------------------------------------------


def test_state_changes_show_scalars_counts_and_removals() -> None:
    before = {"lead_id": "L1", "pending_message": "outreach", "conversation": [1], "stop": None}
    after = {
        "lead_id": "L1",
        "pending_message": None,
        "conversation": [1, 2],
        "wake": {"event": "reply"},
    }
    changes = {c.key: (c.kind, c.before, c.after) for c in state_changes(before, after)}
    assert changes == {
        "pending_message": ("changed", "'outreach'", "—"),
        "conversation": ("changed", "1 items", "2 items"),
        "wake": ("added", "(unset)", "{event='reply'}"),
        "stop": ("removed", "—", "(unset)"),
    }
    assert state_changes({"trace": [1]}, {"trace": [1, 2]}) == []
    assert summarize_value("x", "word " * 40).endswith("…'")


def test_steps_come_from_their_rows_and_old_threads_keep_theirs(tmp_path: Path) -> None:
    """The state holds node-run ids; a thread from before holds the steps themselves;
    a row that is gone keeps its place with a note."""
    database_url = f"sqlite:///{tmp_path / 'records.db'}"
    started = datetime(2026, 12, 1, 9, tzinfo=UTC)
    old = StepTrace(node="researcher", started_at=started, duration_ms=5.0, outcome="old")
    new = StepTrace(node="icp_judge", started_at=started, duration_ms=7.0, outcome="fit exact")
    with Session(get_db_engine(database_url)) as session:
        row = NodeRun(thread_id="t", node=new.node, started_at=started, duration_ms=7.0,
                      step=new.model_dump(mode="json"))  # fmt: skip
        session.add(row)
        session.commit()
        run_id = row.id
    history = with_steps(_fake_history({"trace": [old, run_id, 999]}), database_url)
    steps = build_trace(history, lead_id="LEAD-1", mode="research").steps
    assert [(s.node, s.outcome) for s in steps[:2]] == [
        ("researcher", "old"),
        ("icp_judge", "fit exact"),
    ]
    assert "node run 999" in (steps[2].error or "")
