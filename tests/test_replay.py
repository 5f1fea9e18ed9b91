"""Replays fork a lead's thread at a step and run on in a sandbox."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from graphs.checkpointing import open_checkpointer
from graphs.research.graph import build_research_graph
from graphs.research.runner import ResearchRunner
from graphs.tracing.replay import ReplayError, replay
from graphs.tracing.trace_steps import steps_of
from memory.thread_ids import thread_id_for
from prompts.registry import default_prompt
from prompts.versioning import expand_prompt_pins, save_version
from store.agent_records import LeadInsight
from store.db import get_db_engine
from store.engagement import EmailMessage, Handoff
from store.node_runs import NodeRun
from store.replays import Replay
from tests.conftest import SampleCrm
from tests.test_engage_journeys import Journey, journey  # noqa: F401


def _research_one(crm: SampleCrm) -> str:
    with open_checkpointer(crm.checkpoint_path) as saver:
        runner = ResearchRunner(crm.context(), saver)
        lead_id = next(lead.lead_id for lead in runner.eligible_leads() if lead.company_name)
        [outcome] = runner.research([lead_id])
    assert outcome.status == "researched"
    return lead_id


def _insight(crm: SampleCrm, lead_id: str) -> LeadInsight:
    with Session(get_db_engine(crm.database_url)) as session:
        row = session.get(LeadInsight, lead_id)
    assert row is not None
    return row


def test_replay_with_an_edited_state_changes_the_outcome_and_touches_nothing(
    sample_crm: SampleCrm,
) -> None:
    lead_id = _research_one(sample_crm)
    before = _insight(sample_crm, lead_id)
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        graph = build_research_graph(saver)
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        original_head = graph.get_state(config).config["configurable"]["checkpoint_id"]
        trace = steps_of(graph.get_state(config).values["trace"], sample_crm.database_url)
        steps = [step.node for step in trace]
        assert steps == [
            "researcher",
            "icp_judge",
            "lead_summarizer",
            "outreach_writer",
            "insights_recorder",
        ]

        result = replay(
            saver,
            sample_crm.context(),
            lead_id=lead_id,
            mode="research",
            from_step=2,
            edits={"research.company.employees": 12, "research.company.industry": "Banking"},
        )
        assert graph.get_state(config).config["configurable"]["checkpoint_id"] == original_head
        replayed = graph.get_state({"configurable": {"thread_id": result.replay_thread_id}})
    assert result.from_node == "icp_judge"
    assert result.replayed["fit"].startswith("none")
    assert result.original["fit"] != result.replayed["fit"]
    replayed_steps = steps_of(replayed.values["trace"], sample_crm.database_url)
    assert all(step.replay for step in replayed_steps[4:])
    # The CRM is untouched: the stored insight is the original run's.
    after = _insight(sample_crm, lead_id)
    assert (after.researched_on, after.fit_level) == (before.researched_on, before.fit_level)
    with Session(get_db_engine(sample_crm.database_url)) as session:
        kept = session.exec(select(Replay).where(Replay.lead_id == lead_id)).all()
        runs = session.exec(
            select(NodeRun).where(NodeRun.thread_id == result.replay_thread_id)
        ).all()
    assert [r.replay_thread_id for r in kept] == [result.replay_thread_id]
    assert kept[0].edits == {
        "research.company.employees": 12,
        "research.company.industry": "Banking",
    }
    assert runs and all(run.replay for run in runs)


def test_replay_refuses_a_step_that_does_not_exist(sample_crm: SampleCrm) -> None:
    lead_id = _research_one(sample_crm)
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        with pytest.raises(ReplayError, match="steps 1 to 5"):
            replay(saver, sample_crm.context(), lead_id=lead_id, mode="research", from_step=9)
        with pytest.raises(ReplayError, match="has no engage thread"):
            replay(saver, sample_crm.context(), lead_id=lead_id, mode="engage", from_step=1)
        with pytest.raises(ReplayError, match="no 'nope'"):
            replay(
                saver,
                sample_crm.context(),
                lead_id=lead_id,
                mode="research",
                from_step=2,
                edits={"nope": 1},
            )


def test_engage_replay_sends_no_email_and_writes_no_handoff(journey: Journey) -> None:  # noqa: F811
    journey.tick()
    journey.days(1)
    journey.reply("How much does it cost per site? And do you integrate with SAP?")
    journey.tick()
    assert len(journey.mail_to_lead()) == 2
    with Session(get_db_engine(journey.world.database_url)) as session:
        outbox_before = len(session.exec(select(EmailMessage)).all())
    saver = journey.runner.graph.checkpointer
    config = {"configurable": {"thread_id": thread_id_for(journey.lead.id, "engage")}}
    trace = steps_of(
        journey.runner.graph.get_state(config).values["trace"], journey.world.database_url
    )
    reader_step = 1 + [step.node for step in trace].index("reply_reader")
    # The sandbox writes the same answer again; it must not reach the outbox or SMTP.
    result = replay(
        saver,  # type: ignore[arg-type]
        journey.runner.context,
        lead_id=journey.lead.id,
        mode="engage",
        from_step=reader_step,
    )
    assert result.replayed["last email"].startswith("answer"), result
    assert "waiting at reply_waiter" in result.replayed["status"]
    journey.tick()
    assert len(journey.mail_to_lead()) == 2
    with Session(get_db_engine(journey.world.database_url)) as session:
        assert len(session.exec(select(EmailMessage)).all()) == outbox_before
        assert session.exec(select(Handoff)).all() == []


def test_replay_with_another_prompt_version_changes_the_draft_downstream(
    sample_crm: SampleCrm,
) -> None:
    lead_id = _research_one(sample_crm)
    before = _insight(sample_crm, lead_id)
    current = default_prompt("offline_outreach_email").template
    text = (
        "---\ndescription: Shorter opening for the pilot.\nengine: offline\n"
        "input_variables: [greeting_name, opening, value, proof, question, call_to_action,"
        " signature]\n---\n" + current.replace("Hi {greeting_name},", "Dear {greeting_name},")
    )
    version = save_version(
        sample_crm.database_url, "offline_outreach_email", text, "admin", "pilot", activate=False
    )
    pins = expand_prompt_pins(
        {"outreach_writer": str(version.version)}, database_url=sample_crm.database_url
    )
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        result = replay(
            saver,
            sample_crm.context(),
            lead_id=lead_id,
            mode="research",
            from_step=4,
            prompt_versions=pins,
        )
        replayed = build_research_graph(saver).get_state(
            {"configurable": {"thread_id": result.replay_thread_id}}
        )
    assert result.original["fit"] == result.replayed["fit"]  # upstream steps are not rerun
    assert replayed.values["draft"].body.startswith("Dear ")
    assert before.payload["draft"]["body"].startswith("Hi ")
    replayed_steps = steps_of(replayed.values["trace"], sample_crm.database_url)
    writer = next(s for s in replayed_steps if s.replay and s.node == "outreach_writer")
    assert {(p.name, p.version) for p in writer.prompts} == {
        ("offline_outreach_email", str(version.version))
    }
    assert _insight(sample_crm, lead_id).payload == before.payload


def test_a_replay_from_a_step_that_ran_beside_another_reruns_both(sample_crm: SampleCrm) -> None:
    lead_id = _research_one(sample_crm)
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        result = replay(saver, sample_crm.context(), lead_id=lead_id, mode="research", from_step=3)
        replayed = build_research_graph(saver).get_state(
            {"configurable": {"thread_id": result.replay_thread_id}}
        )
    assert result.from_node == "lead_summarizer"
    rerun = [
        s.node for s in steps_of(replayed.values["trace"], sample_crm.database_url) if s.replay
    ]
    assert rerun[:2] == ["icp_judge", "lead_summarizer"] and "insights_recorder" in rerun
    assert replayed.values["lead_summary"]


def test_an_engage_replay_sees_the_store_as_it_was_at_the_step(journey: Journey) -> None:  # noqa: F811
    from graphs.engage.stored_settings import load_engage_settings, save_engage_settings

    journey.tick()
    journey.days(1)
    journey.reply("How much does it cost per site?")
    journey.tick()
    assert len(journey.mail_to_lead()) == 2
    # Today the lead has had two emails, the most the guardrails now allow.
    settings = load_engage_settings(journey.world.database_url)
    settings.guardrails.max_messages_per_lead = 2
    save_engage_settings(journey.world.database_url, settings)
    config = {"configurable": {"thread_id": thread_id_for(journey.lead.id, "engage")}}
    trace = steps_of(
        journey.runner.graph.get_state(config).values["trace"], journey.world.database_url
    )
    first_gate = 1 + [step.node for step in trace].index("guardrails_gate")
    result = replay(
        journey.runner.graph.checkpointer,  # type: ignore[arg-type]
        journey.runner.context,
        lead_id=journey.lead.id,
        mode="engage",
        from_step=first_gate,
    )
    # At that step no email had gone yet: the replay writes the outreach again.
    assert result.replayed["last email"].startswith("outreach"), result
