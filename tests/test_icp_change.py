"""An ICP change makes every stored fit stale; the next research run re-judges only the
fit, from the stored research, with no web search (issue 15)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import graphs.research.nodes.icp_judge as icp_judge_module
from app.cli.main import app
from core.clock import ManualClock, utc_now
from core.findings import LeadInsights
from core.icp_fingerprint import fit_staleness, icp_fingerprint
from core.icp_profile import IcpProfile
from core.icp_verdicts import FitLevel
from graphs.checkpointing import open_checkpointer
from graphs.engage.runner import EngageRunner
from graphs.icp.profile_file import (
    ICP_EXAMPLES_DIR,
    default_icp,
    dump_icp,
    load_icp_file,
    parse_icp_yaml,
)
from graphs.research.agent_settings import save_setting_block
from graphs.research.nodes.icp_judge import judge_icp
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from memory.thread_ids import thread_id_for
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import get_db_engine
from store.node_runs import NodeRun
from tests.call_counts import counted
from tests.conftest import SampleCrm
from tools.mail.settings import MailSettings

# Two ICPs unlike the sample company's (supply-chain analytics) and unlike each other.
FLEETS = load_icp_file(ICP_EXAMPLES_DIR / "fleetline.yaml")
CLINICS = load_icp_file(ICP_EXAMPLES_DIR / "clinicflow.yaml")
LEADS = 40  # enough for every fit level, few enough for a 2-core machine


@contextmanager
def researched(crm: SampleCrm) -> Iterator[tuple[ResearchRunner, list[str]]]:
    """A runner over the sample CRM, and the first LEADS eligible leads researched."""
    with open_checkpointer(crm.checkpoint_path) as saver:
        runner = ResearchRunner(crm.context(), saver)
        lead_ids = [lead.lead_id for lead in runner.eligible_leads()[:LEADS]]
        assert {o.status for o in runner.research(lead_ids)} == {"researched"}
        yield runner, lead_ids


def stored(crm: SampleCrm, lead_ids: list[str]) -> dict[str, LeadInsights]:
    with Session(get_db_engine(crm.database_url)) as session:
        rows = session.exec(select(LeadInsight).where(col(LeadInsight.lead_id).in_(lead_ids)))
        return {row.lead_id: LeadInsights.model_validate(row.payload) for row in rows}


def last_run_nodes(crm: SampleCrm, lead_id: str) -> list[str]:
    """The nodes of the thread's last run, in order (it starts at researcher or stored_insights)."""
    with Session(get_db_engine(crm.database_url)) as session:
        nodes = list(
            session.exec(
                select(NodeRun.node)
                .where(NodeRun.thread_id == thread_id_for(lead_id))
                .order_by(col(NodeRun.id))
            )
        )
    starts = [
        i
        for i, node in enumerate(nodes)
        if node == "stored_insights"
        or (node == "researcher" and nodes[i - 1 : i] != ["stored_insights"])
    ]
    return nodes[starts[-1] :]


def stale_fits(runner: ResearchRunner, icp: IcpProfile) -> dict[str, str | None]:
    in_force = icp_fingerprint(icp)
    return {
        lead.lead_id: fit_staleness(lead.fit_judged_against, in_force)
        for lead in runner.eligible_leads()
        if lead.researched_on is not None
    }


def test_an_icp_change_makes_every_fit_stale_and_the_same_icp_saved_again_does_not(
    sample_crm: SampleCrm,
) -> None:
    with researched(sample_crm) as (runner, lead_ids):
        assert set(stale_fits(runner, default_icp()).values()) == {None}
        assert runner.due_leads(utc_now()) == [
            lead.lead_id for lead in runner.eligible_leads() if lead.lead_id not in lead_ids
        ]

        # The same ICP, re-saved from an edited copy of its file (comments, a default
        # written out): nothing is stale and nothing is re-judged.
        same = parse_icp_yaml(dump_icp(default_icp()) + "# reviewed by sales ops\n")
        same.name = "Supply-chain analytics buyers (reviewed)"
        save_setting_block(sample_crm.database_url, "icp", same)
        assert set(stale_fits(runner, same).values()) == {None}
        assert {o.status for o in runner.research(lead_ids)} == {"fresh"}

        save_setting_block(sample_crm.database_url, "icp", FLEETS)
        stale = stale_fits(runner, FLEETS)
        assert set(stale) == set(lead_ids)
        assert set(stale.values()) == {"judged against an earlier ICP"}
        assert set(lead_ids) <= set(runner.due_leads(utc_now()))


@pytest.mark.parametrize("icp", [FLEETS, CLINICS], ids=["fleets", "clinics"])
def test_a_rejudge_reads_the_stored_research_and_searches_nothing(
    sample_crm: SampleCrm, icp: IcpProfile
) -> None:
    with researched(sample_crm) as (runner, lead_ids):
        before = stored(sample_crm, lead_ids)
        save_setting_block(sample_crm.database_url, "icp", icp)
        services = services_for(runner.context)
        with (
            counted(services.web, "search") as searches,
            counted(
                services.reasoning, "digest_account", "summarize_lead", "write_outreach"
            ) as calls,
        ):
            outcomes = {o.lead_id: o for o in runner.research(lead_ids)}
            assert {o.status for o in outcomes.values()} == {"rejudged"}
            assert searches["search"] == 0
            assert calls["digest_account"] == calls["summarize_lead"] == 0
            assert {o.status for o in runner.research(lead_ids)} == {"fresh"}
    after = stored(sample_crm, lead_ids)

    moved = 0
    newly_drafted = 0
    for lead_id in lead_ids:
        old, new = before[lead_id], after[lead_id]
        # The research, its time and its summary are kept; the fit is the new ICP's.
        assert new.research == old.research and new.researched_on == old.researched_on
        assert new.research.lead_summary and new.research.lead_summary == old.research.lead_summary
        assert new.icp == judge_icp(icp, old.research, services.reasoning)
        assert new.icp.judged_against == icp_fingerprint(icp) != old.icp.judged_against
        assert outcomes[lead_id].fit_level == new.icp.fit_level
        moved += new.icp.fit_level != old.icp.fit_level
        # A draft is written ahead for a lead that became an exact fit; the others keep theirs.
        if new.icp.fit_level is FitLevel.EXACT and old.icp.fit_level is not FitLevel.EXACT:
            assert new.draft is not None
            newly_drafted += 1
        else:
            assert new.draft == old.draft
        drafted = ["outreach_writer"] if new.draft != old.draft else []
        assert last_run_nodes(sample_crm, lead_id) == [
            "stored_insights", "icp_judge", *drafted, "insights_recorder"
        ]  # fmt: skip
    assert moved > 0
    assert calls["write_outreach"] == newly_drafted


def test_stale_research_is_redone_in_full_after_an_icp_change(sample_crm: SampleCrm) -> None:
    with researched(sample_crm) as (runner, lead_ids):
        changed = lead_ids[0]
        with Session(get_db_engine(sample_crm.database_url)) as session:
            lead = session.get(Lead, changed)
            assert lead is not None
            lead.modified_on = utc_now() + timedelta(seconds=1)  # a seller edited it since
            session.add(lead)
            session.commit()
        save_setting_block(sample_crm.database_url, "icp", CLINICS)
        outcomes = {o.lead_id: o.status for o in runner.research(lead_ids[:3])}
    assert outcomes == {changed: "researched", lead_ids[1]: "rejudged", lead_ids[2]: "rejudged"}
    assert last_run_nodes(sample_crm, changed)[0] == "researcher"
    assert stored(sample_crm, [changed])[changed].icp.judged_against == icp_fingerprint(CLINICS)


def test_a_rejudge_of_a_lead_never_researched_researches_it(sample_crm: SampleCrm) -> None:
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        runner = ResearchRunner(sample_crm.context(), saver)
        lead_id = runner.eligible_leads()[0].lead_id
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        result = runner.graph.invoke(
            {"lead_id": lead_id, "rejudge_fit": True}, config, context=sample_crm.context()
        )
        assert runner.graph.get_state(config).values["rejudge_fit"] is False
    assert result["research"].lead.lead_id == lead_id and result["lead_summary"]
    nodes = last_run_nodes(sample_crm, lead_id)
    assert nodes[:2] == ["stored_insights", "researcher"]
    # The judge and the summarizer run side by side: either may finish (and be stored) first.
    assert set(nodes[2:4]) == {"icp_judge", "lead_summarizer"}


cli = CliRunner()


def _words(text: str) -> str:
    """The output's words in one line: the console wraps lines and draws panel borders."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def _run(*args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, f"qualify {' '.join(args)}:\n{result.output}"
    return _words(result.output)


def test_the_commands_say_a_fit_is_stale_and_refuse_an_unknown_industry(tmp_path: Path) -> None:
    _run("init", "--leads", "60", "--accounts", "20")
    lead_id = next(word for word in _run("leads").split() if word.startswith("LEAD-"))
    _run("research", lead_id)
    assert "earlier ICP" not in _run("show", lead_id)

    typo = tmp_path / "typo.yaml"
    typo.write_text(
        "name: Shops\ncriteria:\n  - kind: industry\n    industries: [Retial]\n", encoding="utf-8"
    )
    before = _run("icp", "show")
    refused = cli.invoke(app, ["icp", "set", str(typo)])
    assert refused.exit_code == 1
    message = _words(refused.output)
    assert "industries[0]: unknown industry 'Retial' (line 4)" in message
    assert "did you mean Retail (ISIC 47)?" in message
    assert _run("icp", "show") == before
    assert "earlier ICP" not in _run("show", lead_id)

    _run("icp", "set", str(ICP_EXAMPLES_DIR / "clinicflow.yaml"))
    page = _run("show", lead_id)
    assert "Fit judged against an earlier ICP" in page
    assert f"qualify research {lead_id}" in page
    assert "fit stale" in _run("leads") and "re-judges them" in _run("leads")
    assert "re-judged from the stored research" in _run("research", lead_id)
    assert "earlier ICP" not in _run("show", lead_id)


def test_a_rejudge_that_stops_midway_is_done_by_the_next_run(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_judge = icp_judge_module.judge_icp
    with researched(sample_crm) as (runner, lead_ids):
        lead_id = lead_ids[0]
        before = stored(sample_crm, [lead_id])[lead_id]
        save_setting_block(sample_crm.database_url, "icp", CLINICS)

        def failing_judge(*args: object, **kwargs: object):
            raise OSError("simulated crash in the ICP judge")

        monkeypatch.setattr(icp_judge_module, "judge_icp", failing_judge)
        [first] = runner.research([lead_id])
        assert first.status == "error" and "simulated crash" in (first.message or "")
        assert stored(sample_crm, [lead_id])[lead_id] == before  # nothing half-written
        monkeypatch.setattr(icp_judge_module, "judge_icp", real_judge)
        [second] = runner.research([lead_id])
    assert second.status == "resumed", second  # from the checkpoint taken when it stopped
    after = stored(sample_crm, [lead_id])[lead_id]
    assert after.icp.judged_against == icp_fingerprint(CLINICS)
    assert after.research == before.research and after.researched_on == before.researched_on


def test_engagement_after_an_icp_change_judges_the_fit_again_without_research(
    sample_crm: SampleCrm, tmp_path: Path
) -> None:
    mail = MailSettings(outbox_dir=tmp_path / "outbox", mailboxes=["alex@northwind.example"])
    with researched(sample_crm) as (runner, lead_ids):
        save_setting_block(sample_crm.database_url, "icp", FLEETS)
        clock = ManualClock(utc_now())
        engage = EngageRunner(sample_crm.context(clock=clock), runner.graph.checkpointer, mail)
        with counted(services_for(runner.context).web, "search") as searches:
            report = engage.start(lead_ids[:2])
    assert not report.errors and report.started == 2, report
    assert searches["search"] == 0
    for lead_id in lead_ids[:2]:
        with Session(get_db_engine(sample_crm.database_url)) as session:
            nodes = list(
                session.exec(
                    select(NodeRun.node)
                    .where(NodeRun.thread_id == thread_id_for(lead_id, "engage"))
                    .order_by(col(NodeRun.id))
                )
            )
        assert nodes[:3] == ["stored_research", "icp_judge", "guardrails_gate"]
