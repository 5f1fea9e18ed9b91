"""The research graph end to end on the offline engine, over every checkpointer."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

import graphs.research.nodes.icp_judge as icp_judge_module
import graphs.research.nodes.researcher as researcher_module
from core.findings import LeadInsights
from core.icp_verdicts import FitLevel
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.research.agent_settings import OutreachSettings, save_setting_block
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from memory.thread_ids import thread_id_for
from sample_crm.generator import generate_sample_crm
from store.agent_records import AccountResearch, LeadInsight
from store.crm import Account, Lead, LeadStatus
from store.db import get_db_engine
from tests.conftest import SampleCrm
from tests.openai_compatible_server import running_openai_server
from tools.web_search.results import WebSearchError


@pytest.fixture(params=["sqlite", "postgres"])
def checkpoint_url(request: pytest.FixtureRequest, sample_crm: SampleCrm) -> str:
    if request.param == "sqlite":
        return sample_crm.checkpoint_path
    return request.getfixturevalue("postgres_url")


@contextmanager
def runner_for(crm: SampleCrm, checkpoint_url: str, **context: object) -> Iterator[ResearchRunner]:
    with open_checkpointer(checkpoint_url) as saver:
        runner = ResearchRunner(crm.context(**context), saver)
        for lead in runner.eligible_leads():
            # Postgres is shared by the session: start each test's threads from scratch.
            saver.delete_thread(thread_id_for(lead.lead_id))
        yield runner


def _stored(crm: SampleCrm, lead_id: str) -> LeadInsights:
    with Session(get_db_engine(crm.database_url)) as session:
        row = session.get(LeadInsight, lead_id)
    assert row is not None, f"no insights stored for {lead_id}"
    return LeadInsights.model_validate(row.payload)


def test_research_all_eligible_leads(sample_crm: SampleCrm, checkpoint_url: str) -> None:
    with runner_for(sample_crm, checkpoint_url) as runner:
        eligible = runner.eligible_leads()
        outcomes = list(runner.research())
    assert len(eligible) >= 100
    assert [o.lead_id for o in outcomes] == [lead.lead_id for lead in eligible]
    statuses = Counter(o.status for o in outcomes)
    assert statuses == {"researched": len(eligible)}, [o for o in outcomes if o.message][:3]
    fits = Counter(o.fit_level for o in outcomes)
    assert fits["exact"] > 0 and fits["close"] > 0 and fits["none"] > 0, fits

    insights = _stored(sample_crm, outcomes[0].lead_id)
    assert insights.icp.recommendation in {
        "Engage now",
        "Engage only after you've exhausted your best leads",
        "Do not engage",
    }
    assert insights.research.lead_summary
    assert all(v.evidence for v in insights.icp.verdicts)
    # A draft is ready for the leads to engage now; the others are drafted on request.
    drafted = {o.lead_id: _stored(sample_crm, o.lead_id).draft for o in outcomes}
    assert all((drafted[o.lead_id] is not None) == (o.fit_level == "exact") for o in outcomes)
    exact = next(o.lead_id for o in outcomes if o.fit_level == "exact")
    assert drafted[exact] is not None and drafted[exact].body.startswith("Hi ")


def test_the_admin_chooses_which_fits_are_drafted_ahead(sample_crm: SampleCrm) -> None:
    save_setting_block(
        sample_crm.database_url,
        "outreach",
        OutreachSettings(draft_ahead_for=[FitLevel.CLOSE, FitLevel.NONE]),
    )
    with runner_for(sample_crm, sample_crm.checkpoint_path) as runner:
        outcomes = list(runner.research([lead.lead_id for lead in runner.eligible_leads()[:30]]))
    fits = {o.fit_level for o in outcomes}
    assert {"exact", "close"} <= fits, fits
    for outcome in outcomes:
        draft = _stored(sample_crm, outcome.lead_id).draft
        assert (draft is not None) == (outcome.fit_level != "exact"), outcome


def test_leads_at_one_company_share_its_research(
    sample_crm: SampleCrm, checkpoint_url: str
) -> None:
    with runner_for(sample_crm, checkpoint_url) as runner:
        web = services_for(runner.context).web
        queries: list[str] = []
        original = web.search

        def counting_search(query: str, **kwargs: object) -> list:
            queries.append(query)
            return original(query, **kwargs)

        web.search = counting_search  # type: ignore[method-assign]
        outcomes = list(runner.research())
    with Session(get_db_engine(sample_crm.database_url)) as session:
        companies = session.exec(select(AccountResearch)).all()
    assert len(outcomes) > len(companies) > 10
    # Three searches per company researched, none for a lead whose company was done.
    assert len(queries) <= 3 * len(companies) + 3 * len(outcomes) // 10
    assert len(queries) < 3 * len(outcomes) / 1.5


def test_run_interrupted_between_nodes_resumes_from_checkpoint(
    sample_crm: SampleCrm, checkpoint_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()
    real_research = researcher_module.research_lead
    real_judge = icp_judge_module.judge_icp

    def counting_research(*args: object, **kwargs: object):
        calls["researcher"] += 1
        return real_research(*args, **kwargs)

    def failing_once_judge(*args: object, **kwargs: object):
        calls["icp_judge"] += 1
        if calls["icp_judge"] == 1:
            raise OSError("simulated crash between researcher and ICP judge")
        return real_judge(*args, **kwargs)

    monkeypatch.setattr(researcher_module, "research_lead", counting_research)
    monkeypatch.setattr(icp_judge_module, "judge_icp", failing_once_judge)
    with runner_for(sample_crm, checkpoint_url) as runner:
        lead_id = runner.eligible_leads()[0].lead_id
        [first] = runner.research([lead_id])
        assert first.status == "error" and "simulated crash" in (first.message or "")
        state = runner.graph.get_state({"configurable": {"thread_id": thread_id_for(lead_id)}})
        assert state.next == ("icp_judge",)
        [second] = runner.research([lead_id])
    assert second.status == "resumed"
    assert calls == {"researcher": 1, "icp_judge": 2}
    assert _stored(sample_crm, lead_id).icp.verdicts


def test_fresh_research_is_skipped_unless_forced(
    sample_crm: SampleCrm, checkpoint_url: str
) -> None:
    with runner_for(sample_crm, checkpoint_url) as runner:
        lead_id = runner.eligible_leads()[0].lead_id
        assert [o.status for o in runner.research([lead_id])] == ["researched"]
        first = _stored(sample_crm, lead_id).researched_on
        assert [o.status for o in runner.research([lead_id])] == ["fresh"]
        assert [o.status for o in runner.research([lead_id], force=True)] == ["researched"]
    assert _stored(sample_crm, lead_id).researched_on > first


def test_bad_leads_are_reported_and_the_batch_goes_on(sample_crm: SampleCrm) -> None:
    with Session(get_db_engine(sample_crm.database_url)) as session:
        closed = session.exec(select(Lead).where(Lead.status != LeadStatus.OPEN)).first()
        no_email = session.exec(select(Lead).where(Lead.email == None)).first()  # noqa: E711
    assert closed is not None and no_email is not None
    with runner_for(sample_crm, sample_crm.checkpoint_path) as runner:
        good = runner.eligible_leads()[0].lead_id
        outcomes = {o.lead_id: o for o in runner.research(["LEAD-9999", closed.id, good])}
        forced = list(runner.research([no_email.id], force=True))
    assert outcomes["LEAD-9999"].status == "error"
    assert "LEAD-9999" in (outcomes["LEAD-9999"].message or "")
    assert outcomes[closed.id].status == "not_eligible"
    assert closed.status in (outcomes[closed.id].message or "")
    assert outcomes[good].status == "researched"
    # A lead with missing data is still researched, with what cannot be judged unknown.
    assert forced[0].status == "researched"
    insights = _stored(sample_crm, no_email.id)
    assert not insights.research.email_check.is_valid


def test_lead_without_company_gets_unknown_company_criteria(sample_crm: SampleCrm) -> None:
    with Session(get_db_engine(sample_crm.database_url)) as session:
        lead = session.exec(select(Lead).where(Lead.company_name == None)).first()  # noqa: E711
        assert lead is not None
        # A free-mail address: no domain can lead the researcher to the account either.
        lead.email, lead.parent_account_id, lead.parent_contact_id = "sam.k@gmail.com", None, None
        session.add(lead)
        session.commit()
        session.refresh(lead)
    with runner_for(sample_crm, sample_crm.checkpoint_path) as runner:
        [outcome] = runner.research([lead.id], force=True)
    assert outcome.status == "researched", outcome.message
    insights = _stored(sample_crm, lead.id)
    verdicts = {v.criterion_id: v.verdict for v in insights.icp.verdicts}
    assert verdicts["industry"] == "unknown"
    assert verdicts["employees"] == "unknown"
    assert insights.icp.fit_level != "exact"
    assert any("no company name" in note for note in insights.research.notes)


def test_llm_failure_falls_back_to_offline_and_the_insight_says_so(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_openai_server() as server:
        server.fail_always(500)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("QUALIFY_LLM_MAX_RETRIES", "0")
        get_settings.cache_clear()
        with runner_for(sample_crm, sample_crm.checkpoint_path, engine="llm") as runner:
            lead_id = runner.eligible_leads()[0].lead_id
            [outcome] = runner.research([lead_id])
        assert server.requests, "the LLM engine never called the server"
    assert outcome.status == "researched"
    insights = _stored(sample_crm, lead_id)
    assert insights.engine == "llm:gpt-4o-mini (fallback offline)"
    assert insights.fallback_notes and "offline" in insights.fallback_notes[0]
    assert insights.draft is not None and insights.draft.engine == "offline"
    # A clean re-run on the same thread clears the failed run's notes.
    with open_checkpointer(sample_crm.checkpoint_path) as saver:  # the same thread, kept
        runner = ResearchRunner(sample_crm.context(engine="offline"), saver)
        [again] = runner.research([lead_id], force=True)
    assert again.status == "researched" and _stored(sample_crm, lead_id).fallback_notes == []


def test_langgraph_json_exposes_graphs_without_checkpointer() -> None:
    config = json.loads((Path(__file__).parents[1] / "langgraph.json").read_text())
    expected = {
        "research": {"researcher", "icp_judge", "outreach_writer", "insights_recorder"},
        "engage": {
            "researcher",
            "icp_judge",
            "guardrails_gate",
            "message_writer",
            "reply_waiter",
            "reply_reader",
            "conversation_router",
            "handoff_router",
        },
    }
    assert set(config["graphs"]) == set(expected)
    for name, spec in config["graphs"].items():
        module_path, attribute = spec.split(":")
        dotted = module_path.removeprefix("./").removesuffix(".py").replace("/", ".")
        compiled = getattr(importlib.import_module(dotted), attribute)
        assert compiled.checkpointer is None, f"{name} brings its own checkpointer"
        assert expected[name] <= set(compiled.get_graph().nodes)


def test_web_search_error_is_reported_and_the_batch_goes_on(sample_crm: SampleCrm) -> None:
    with runner_for(sample_crm, sample_crm.checkpoint_path) as runner:
        web = services_for(runner.context).web
        original = web.search
        leads = [lead.lead_id for lead in runner.eligible_leads()[:6]]
        failing_company: list[str] = []

        def flaky_search(query: str, **kwargs: object) -> list:
            if not failing_company:
                failing_company.append(query)
            if query == failing_company[0]:
                raise WebSearchError("Tavily", query, "HTTP 500", "try again later")
            return original(query, **kwargs)

        web.search = flaky_search  # type: ignore[method-assign]
        outcomes = list(runner.research(leads))
    errors = [o for o in outcomes if o.status == "error"]
    assert errors and all("Tavily search failed" in (o.message or "") for o in errors)
    assert len(outcomes) == len(leads)
    assert any(o.status == "researched" for o in outcomes)
    # Nothing stored is lost: a failed lead keeps its checkpoint and resumes next time.
    web.search = original  # type: ignore[method-assign]
    with runner_for(sample_crm, sample_crm.checkpoint_path) as runner:
        services_for(runner.context).web.search = original  # type: ignore[method-assign]
        again = {o.lead_id: o.status for o in runner.research([errors[0].lead_id])}
    assert again == {errors[0].lead_id: "researched"}


def test_account_without_web_page_is_researched_with_a_note(sample_crm: SampleCrm) -> None:
    with Session(get_db_engine(sample_crm.database_url)) as session:
        accounts = session.exec(select(Account)).all()
        silent = next(
            a for a in accounts if not (sample_crm.corpus_dir / (a.domain or "-")).exists()
        )
        lead = session.exec(select(Lead).where(Lead.status == LeadStatus.OPEN)).first()
        assert lead is not None
        lead.parent_account_id = silent.id
        silent_name = silent.name
        session.add(lead)
        session.commit()
        session.refresh(lead)
    with runner_for(sample_crm, sample_crm.checkpoint_path) as runner:
        [outcome] = runner.research([lead.id], force=True)
    assert outcome.status == "researched", outcome.message
    insights = _stored(sample_crm, lead.id)
    assert insights.research.digest is None
    assert any("No web pages found" in note for note in insights.research.notes)
    assert insights.research.company.name == silent_name


def test_crm_and_checkpoints_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    crm_url = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    with Session(get_db_engine(crm_url)) as session:
        if session.exec(select(Lead)).first() is None:
            generate_sample_crm(session, tmp_path / "web", n_accounts=20, n_leads=60)
    context = SampleCrm(tmp_path).context(database_url=crm_url)
    services_for(context).web.sync()  # type: ignore[attr-defined]
    with open_checkpointer(postgres_url) as saver:
        runner = ResearchRunner(context, saver)
        leads = [lead.lead_id for lead in runner.eligible_leads()[:5]]
        for lead_id in leads:
            saver.delete_thread(thread_id_for(lead_id))
        outcomes = list(runner.research(leads))
    assert [o.status for o in outcomes] == ["researched"] * len(leads)
    with Session(get_db_engine(crm_url)) as session:
        stored = session.exec(select(LeadInsight).where(col(LeadInsight.lead_id).in_(leads))).all()
    assert len(stored) == len(leads)


def test_a_hung_model_trips_the_circuit_and_every_lead_still_finishes(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphs.reasoning import circuit_breaker

    monkeypatch.setattr(circuit_breaker, "_BREAKERS", {})  # this endpoint's breaker, fresh
    with running_openai_server() as server:
        server.hang_always(3.0)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("QUALIFY_LLM_TIMEOUT_S", "0.3")
        monkeypatch.setenv("QUALIFY_LLM_MAX_RETRIES", "0")
        monkeypatch.setenv("QUALIFY_RESEARCH_CONCURRENCY", "2")
        get_settings.cache_clear()
        with runner_for(sample_crm, sample_crm.checkpoint_path, engine="llm") as runner:
            lead_ids = [lead.lead_id for lead in runner.eligible_leads()[:5]]
            outcomes = list(runner.research(lead_ids))
        # Three calls time out, then the circuit is open: no lead waits on the model again.
        # Two leads side by side, each with its summary and its judgement in flight at once:
        # up to three more calls may be under way when the third fails.
        failures = get_settings().llm_breaker_failures
        assert failures <= len(server.requests) <= failures + 3
    assert [outcome.status for outcome in outcomes] == ["researched"] * 5
    last = _stored(sample_crm, lead_ids[-1])
    assert any("circuit open" in note for note in last.fallback_notes)


def test_leads_wait_on_the_model_side_by_side_with_the_same_outcomes(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a model, leads are researched concurrently; each lead's outcome and fallback
    notes are what a lead-at-a-time batch gives (notes are per thread, not mixed)."""
    from graphs.reasoning import circuit_breaker

    monkeypatch.setattr(circuit_breaker, "_BREAKERS", {})
    monkeypatch.setenv("QUALIFY_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("QUALIFY_LLM_BREAKER_FAILURES", "1000")
    stored: dict[int, dict[str, tuple]] = {}
    with running_openai_server() as server:
        server.latency_s = 0.05  # every call then fails (nothing scripted): offline answers
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        get_settings.cache_clear()
        for concurrency in (1, 4):
            with runner_for(sample_crm, sample_crm.checkpoint_path, engine="llm") as runner:
                lead_ids = [lead.lead_id for lead in runner.eligible_leads()[:8]]
                outcomes = list(runner.research(lead_ids, force=True, concurrency=concurrency))
            assert sorted(o.lead_id for o in outcomes) == sorted(lead_ids)
            stored[concurrency] = {
                lead_id: (
                    (row := _stored(sample_crm, lead_id)).icp.fit_level,
                    row.icp.recommendation,
                    sorted(row.fallback_notes),
                )
                for lead_id in lead_ids
            }
        assert server.max_in_flight >= 2  # the calls overlapped
    assert stored[4] == stored[1]


def test_leads_of_one_company_side_by_side_research_it_once(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leads of a company researched at the same moment wait for the first one's digest
    instead of each asking the model for it."""
    from graphs.reasoning import circuit_breaker

    monkeypatch.setattr(circuit_breaker, "_BREAKERS", {})
    monkeypatch.setenv("QUALIFY_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("QUALIFY_LLM_BREAKER_FAILURES", "1000")
    with Session(get_db_engine(sample_crm.database_url)) as session:
        leads = session.exec(select(Lead).where(col(Lead.parent_account_id).is_not(None))).all()
    by_account = Counter(lead.parent_account_id for lead in leads)
    account, count = by_account.most_common(1)[0]
    assert count >= 3, by_account
    same_company = [lead.id for lead in leads if lead.parent_account_id == account]
    with running_openai_server() as server:
        server.latency_s = 0.2  # long enough for every lead to ask before the first answer
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        get_settings.cache_clear()
        with runner_for(sample_crm, sample_crm.checkpoint_path, engine="llm") as runner:
            outcomes = list(
                runner.research(same_company, force=True, concurrency=len(same_company))
            )
        asked = [
            (r.body.get("response_format") or {}).get("json_schema", {}).get("name")
            for r in server.requests
        ]
    digests = [name for name in asked if name == "LlmDigest"]
    assert len(asked) > len(digests) > 0, asked  # the other calls are the leads' own
    assert {o.status for o in outcomes} == {"researched"}, outcomes
    assert len(digests) == 1, len(digests)
