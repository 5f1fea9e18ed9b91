"""Event-driven research refresh: a new lead, an email corrected to valid, an account
connected or filled in each ask research of that lead (`store.research_requests`), and
`qualify research`, the engage pass and the workers research it without waiting for the
schedule, however fresh its research, and no other lead."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli.main import app
from core.clock import as_utc, utc_now
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.research.agent_settings import load_agent_settings, save_setting_block
from graphs.research.nodes import icp_judge as icp_judge_module
from graphs.research.requested_research import research_requested
from graphs.research.runner import ResearchRunner
from store.agent_records import AccountResearch, LeadInsight
from store.crm import Lead
from store.db import get_db_engine, session_scope
from store.research_requests import (
    ResearchRequest,
    mark_done,
    pending_requests,
    request_research,
)
from tests.conftest import SampleCrm

cli = CliRunner()


def _run(*args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, f"qualify {' '.join(args)}:\n{result.output}"
    return result.output


def _url() -> str:
    return get_settings().resolved_database_url


def _researched_on() -> dict[str, object]:
    with Session(get_db_engine(_url())) as session:
        return dict(session.exec(select(LeadInsight.lead_id, LeadInsight.researched_on)).all())


def _requests() -> list[ResearchRequest]:
    with Session(get_db_engine(_url())) as session:
        return list(session.exec(select(ResearchRequest).order_by(col(ResearchRequest.id))))


def _refresh_on_changes_only() -> None:
    """Research never goes stale by age, nor by a lead's change: only a request redoes it."""
    refresh = load_agent_settings(_url()).refresh
    refresh.refresh_after_hours, refresh.refresh_on_change = None, False
    save_setting_block(_url(), "refresh", refresh)


@pytest.fixture
def researched_home() -> dict[str, object]:
    """A small sample home, its eligible leads researched once."""
    _run("init", "--leads", "24", "--accounts", "8")
    _run("research")
    _refresh_on_changes_only()
    before = _researched_on()
    assert before, "the sample home has eligible leads"
    return before


def _write(path: Path, text_: str) -> Path:
    path.write_text(text_, encoding="utf-8")
    return path


def test_a_new_lead_imported_is_researched_by_the_next_research_and_no_other(
    researched_home: dict[str, object], tmp_path: Path
) -> None:
    with Session(get_db_engine(_url())) as session:
        model = session.get(Lead, next(iter(researched_home)))
    assert model is not None
    csv = _write(
        tmp_path / "new.csv",
        "First Name,Last Name,Email,Company,Job Title,Owner\n"
        f"Ada,Quinn,ada.quinn@{model.email.split('@')[1]},{model.company_name},"
        f"Head of Operations,{model.owner_id}\n",
    )
    _run("import", "leads", str(csv))
    [request] = _requests()
    assert request.reasons == "new_lead" and request.done_on is None

    listed = _run("research", "--pending", "--dry-run")
    assert request.lead_id in listed and "new lead" in listed
    assert _requests()[0].done_on is None  # a dry run researches nothing

    out = _run("research")  # no --force
    assert "1 of them were researched on request" in out
    after = _researched_on()
    assert request.lead_id in after
    # Every other lead's research is the one it had: nothing else was redone.
    assert {k: v for k, v in after.items() if k != request.lead_id} == researched_home
    [done] = _requests()
    assert done.done_on is not None and done.outcome and done.outcome.startswith("researched")
    assert "No research requests are pending" in _run("research", "--pending")


def test_an_account_filled_in_by_import_has_its_leads_researched_again(
    researched_home: dict[str, object], tmp_path: Path
) -> None:
    with Session(get_db_engine(_url())) as session:
        leads = session.exec(
            select(Lead).where(
                col(Lead.id).in_(list(researched_home)), col(Lead.parent_account_id).is_not(None)
            )
        ).all()
        account_id = leads[0].parent_account_id
        of_account = {lead.id for lead in leads if lead.parent_account_id == account_id}
        all_of_account = set(
            session.exec(select(Lead.id).where(Lead.parent_account_id == account_id)).all()
        )
        account = session.exec(
            text("SELECT name, domain, industry FROM account WHERE id = :a"),
            params={"a": account_id},
        ).one()
        digest_before = session.get(AccountResearch, f"account:{account_id}")
    assert digest_before is not None
    industry = "Logistics" if account.industry != "Logistics" else "Retail"
    csv = _write(
        tmp_path / "accounts.csv",
        f"Account Name,Website,Industry\n{account.name},https://{account.domain},{industry}\n",
    )
    _run("import", "accounts", str(csv))
    assert {r.lead_id for r in _requests()} == all_of_account
    assert all(r.reasons == "account_filled" and r.account_changed for r in _requests())

    _run("research")
    after = _researched_on()
    redone = {k for k in researched_home if after[k] != researched_home[k]}
    assert redone == of_account  # its researched leads, and no other lead
    with Session(get_db_engine(_url())) as session:
        digest_after = session.get(AccountResearch, f"account:{account_id}")
    # The account changed: its company research was done again, once for its leads.
    assert digest_after is not None
    assert as_utc(digest_after.researched_on) > as_utc(digest_before.researched_on)
    assert all(r.done_on is not None for r in _requests())

    # An import that changes nothing the fit reads asks nothing.
    again = _write(tmp_path / "again.csv", f"Account Name,City\n{account.name},Elsewhere\n")
    _run("import", "accounts", str(again))
    assert all(r.done_on is not None for r in _requests())


def test_an_import_dry_run_asks_nothing(researched_home: dict[str, object], tmp_path: Path) -> None:
    csv = _write(
        tmp_path / "new.csv", "First Name,Last Name,Email,Company\nAda,Quinn,ada@example.org,Acme\n"
    )
    _run("import", "leads", str(csv), "--dry-run")
    assert _requests() == []


def test_an_email_corrected_to_valid_is_researched_again_by_the_engage_pass(
    researched_home: dict[str, object],
) -> None:
    lead_id = next(iter(researched_home))
    out = _run("email", lead_id, "--valid")
    assert "queued for research again" in out
    [request] = _requests()
    assert request.lead_id == lead_id and request.reasons == "email_valid"
    _run("engage", "tick")
    after = _researched_on()
    assert as_utc(after[lead_id]) > as_utc(researched_home[lead_id])  # type: ignore[arg-type]
    assert _requests()[0].done_on is not None

    # Marking it invalid asks nothing: there is nothing new to research.
    _run("email", lead_id, "--invalid")
    assert len(_requests()) == 1


def test_duplicates_collapse_into_one_request_per_lead(sample_crm: SampleCrm) -> None:
    now = utc_now()
    with session_scope(sample_crm.database_url) as session:
        lead_id = session.exec(select(Lead.id)).first()
        assert lead_id is not None
        request_research(session, [lead_id, lead_id], "email_valid", now)
        request_research(session, [lead_id], "connected", now + timedelta(seconds=1))
        request_research(session, [lead_id], "email_valid", now + timedelta(seconds=2))
    with session_scope(sample_crm.database_url) as session:
        rows = session.exec(select(ResearchRequest)).all()
        assert len(rows) == 1
        assert rows[0].reasons == "email_valid,connected"
        assert as_utc(rows[0].requested_on) == now + timedelta(seconds=2)
        # Two processes that asked at the same moment leave two rows: read as one, done as one.
        session.add(
            ResearchRequest(lead_id=lead_id, reasons="account_filled", account_changed=True)
        )
    with session_scope(sample_crm.database_url) as session:
        [pending] = pending_requests(session)
        assert pending.reasons == ["email_valid", "connected", "account_filled"]
        assert pending.account_changed and len(pending.request_ids) == 2
        # A change merged after the research started still waits for the next run.
        assert not mark_done(session, pending, "researched", utc_now(), started=now)
        assert mark_done(
            session, pending, "researched", utc_now(), started=now + timedelta(seconds=3)
        )
    with session_scope(sample_crm.database_url) as session:
        assert pending_requests(session) == []


@pytest.fixture
def runner(sample_crm: SampleCrm, tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_checkpointer(f"sqlite:///{tmp_path / 'checkpoints.db'}") as saver:
        yield ResearchRunner(sample_crm.context(), saver)


def _ask(url: str, lead_id: str) -> None:
    with session_scope(url) as session:
        request_research(session, [lead_id], "email_valid", utc_now())


def test_a_crash_mid_run_leaves_the_request_pending_and_the_next_run_completes_it(
    runner: ResearchRunner, sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sample_crm.database_url
    lead_id = runner.eligible_leads()[0].lead_id
    assert [o.status for o in runner.research([lead_id])] == ["researched"]
    assert [o.status for o in runner.research([lead_id])] == ["fresh"]
    _ask(url, lead_id)

    real_judge = icp_judge_module.judge_icp
    failures = iter([RuntimeError("process killed"), OSError("the model timed out")])

    def judge_failing(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real_judge(*args, **kwargs)

    monkeypatch.setattr(icp_judge_module, "judge_icp", judge_failing)
    # A crash (an error no run catches) leaves the request as it was.
    with pytest.raises(RuntimeError):
        list(research_requested(runner))
    [request] = _requests_in(url)
    assert request.done_on is None and request.attempts == 0
    # A failed run counts against it and leaves it waiting.
    [failed] = list(research_requested(runner))
    assert failed.status == "error"
    [request] = _requests_in(url)
    assert request.done_on is None and request.attempts == 1
    # The next run goes on from the checkpoint, researches the lead again and is done.
    [done] = list(research_requested(runner))
    assert done.status == "researched"
    [request] = _requests_in(url)
    assert request.done_on is not None
    assert list(research_requested(runner)) == []


def test_a_request_for_a_lead_the_selection_rules_leave_out_is_closed(
    runner: ResearchRunner, sample_crm: SampleCrm
) -> None:
    with Session(get_db_engine(sample_crm.database_url)) as session:
        eligible = {lead.lead_id for lead in runner.eligible_leads()}
        left_out = next(i for i in session.exec(select(Lead.id)) if i not in eligible)
    _ask(sample_crm.database_url, left_out)
    [outcome] = list(research_requested(runner))
    assert outcome.status == "not_eligible"
    [request] = _requests_in(sample_crm.database_url)
    assert request.done_on is not None and request.outcome == "not_eligible"


def _requests_in(url: str) -> list[ResearchRequest]:
    with Session(get_db_engine(url)) as session:
        return list(session.exec(select(ResearchRequest)))


def test_a_connect_researches_the_lead_at_once_and_closes_its_request(
    researched_home: dict[str, object],
) -> None:
    with Session(get_db_engine(_url())) as session:
        lead = session.exec(
            select(Lead).where(
                col(Lead.id).in_(list(researched_home)), col(Lead.parent_account_id).is_not(None)
            )
        ).first()
    assert lead is not None and lead.parent_account_id is not None
    out = _run("connect", lead.id, "--account", lead.parent_account_id)
    assert "researched again" in out
    [request] = _requests()
    assert request.reasons == "connected" and request.done_on is not None
    assert as_utc(_researched_on()[lead.id]) > as_utc(researched_home[lead.id])  # type: ignore[arg-type]
