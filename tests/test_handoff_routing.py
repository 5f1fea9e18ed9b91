"""Hand-offs reach a person: the owner or a round robin that skips sellers marked away, a
named supervisor, the admin's routing checked against the users, a rotation safe under two
processes, and a hand-off left pending past N business hours escalated once."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

import graphs.engage.handoff_routing as handoff_routing
from core.errors import SettingsFileError
from core.settings import get_settings
from graphs.engage.business_calendar import BusinessHours
from graphs.engage.engage_settings import parse_engage_yaml
from graphs.engage.handoff_escalation import (
    add_business_hours,
    escalate_overdue,
    escalation_due,
)
from graphs.engage.handoff_routing import (
    HandoffRouting,
    ResolvedRouting,
    RoundRobin,
    RoutingSettingsError,
    assignee_for,
    next_in_rotation,
    resolve_routing,
    take_turn,
)
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from store.crm import Lead, User
from store.db import get_db_engine, session_scope
from store.engagement import Handoff, HandoffTarget
from store.seller_inbox import SellerNotice
from store.seller_routing import RotationCursor, SellerTeam, TeamMember, mark_away, mark_back
from tests.conftest import SampleCrm
from tests.test_engage_journeys import (
    Journey,
    _open_journey,
)

NOTICES = "agent-notices@northwind.example"
SUPERVISOR = "USR-08"  # the sample CRM's one supervisor (Thomas Becker)
MONDAY_9 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


# -- the rules, pure -------------------------------------------------------------------------


def test_the_rotation_goes_in_turn_and_skips_who_is_away() -> None:
    members = ["A", "B", "C"]
    assert next_in_rotation(members, None, set()) == "A"
    assert next_in_rotation(members, "A", set()) == "B"
    assert next_in_rotation(members, "C", set()) == "A"
    assert next_in_rotation(members, "A", {"B"}) == "C"
    assert next_in_rotation(members, "C", {"A"}) == "B"
    assert next_in_rotation(members, "gone", set()) == "A"  # a member since removed
    assert next_in_rotation(members, "A", {"A", "B", "C"}) is None
    assert next_in_rotation([], None, set()) is None


def test_business_hours_count_only_open_hours_of_business_days() -> None:
    hours = BusinessHours()  # mon-fri, 08:00-18:00
    assert add_business_hours(MONDAY_9, 8, hours, "UTC") == MONDAY_9.replace(hour=17)
    friday_15 = MONDAY_9 + timedelta(days=4, hours=6)
    # 3 hours on Friday, then 5 from Monday's opening.
    assert add_business_hours(friday_15, 8, hours, "UTC") == datetime(2027, 3, 8, 13, 0, tzinfo=UTC)
    saturday = MONDAY_9 + timedelta(days=5)
    assert add_business_hours(saturday, 1, hours, "UTC") == datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
    # The mailbox's zone: 09:00 UTC is 10:00 in Paris, so 8 hours close at 16:00 UTC.
    assert add_business_hours(MONDAY_9, 8, hours, "Europe/Paris") == MONDAY_9.replace(hour=17)
    evening_paris = MONDAY_9.replace(hour=16, minute=30)  # 17:30 local: 30 min left
    assert add_business_hours(evening_paris, 1, hours, "Europe/Paris") == datetime(
        2027, 3, 2, 7, 30, tzinfo=UTC
    )
    due = MONDAY_9.replace(hour=17)
    assert not escalation_due(MONDAY_9, due - timedelta(minutes=1), 8, hours, "UTC")
    assert escalation_due(MONDAY_9, due, 8, hours, "UTC")
    assert not escalation_due(MONDAY_9, due + timedelta(days=30), None, hours, "UTC")


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "routing: {seller_handoffs: round_robin}",
            "seller_handoffs: round_robin needs a rotation",
        ),
        ("routing: {seller_handoffs: rotate}", "use one of: 'owner' or 'round_robin'"),
        ("routing: {round_robin: {sellers: [USR-01], team: EMEA}}", "keep one"),
        ("routing: {round_robin: {}}", "list sellers"),
        ("routing: {escalate_after_business_hours: 0}", "routing.escalate_after_business_hours"),
        ("routing: {owner_away: nobody}", "'round_robin', 'supervisor' or 'keep'"),
        ("routing: {escalate_too: supervisor}", "allowed here: seller_handoffs"),
        (
            "supervisor_id: USR-08\nrouting: {supervisor: USR-01}",
            "delete supervisor_id",
        ),
    ],
)
def test_routing_settings_errors_name_the_field_and_the_fix(yaml_text: str, expected: str) -> None:
    with pytest.raises(SettingsFileError) as caught:
        parse_engage_yaml(yaml_text)
    assert "routing" in str(caught.value) or "supervisor_id" in str(caught.value)
    assert expected in str(caught.value)


def test_names_are_checked_against_the_users(sample_crm: SampleCrm) -> None:
    with Session(get_db_engine(sample_crm.database_url)) as session:
        sellers = HandoffRouting(round_robin=RoundRobin(sellers=["Megan Clarke", "Nobody Here"]))
        with pytest.raises(RoutingSettingsError, match=r"routing\.round_robin\.sellers\[1\]"):
            resolve_routing(session, sellers)
        team = HandoffRouting(round_robin=RoundRobin(team="EMEA"))
        with pytest.raises(RoutingSettingsError, match="qualify users teams add 'EMEA'"):
            resolve_routing(session, team)
        with pytest.raises(RoutingSettingsError, match="supervisor_id: no user 'USR-99'"):
            resolve_routing(session, HandoffRouting(), legacy_supervisor_id="USR-99")
        # Ids, emails and full names all name a user; the older supervisor_id still works.
        named = HandoffRouting(
            round_robin=RoundRobin(sellers=["USR-01", "Daniel.Weber@keelson-analytics.com"]),
        )
        resolved = resolve_routing(session, named, legacy_supervisor_id="Thomas Becker")
        assert resolved.members == ["USR-01", "USR-02"]
        assert resolved.supervisor_id == SUPERVISOR


def test_the_cli_refuses_to_save_routing_naming_an_unknown_user(
    sample_crm: SampleCrm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli.main import app

    monkeypatch.setenv("QUALIFY_HOME", str(sample_crm.root))
    get_settings.cache_clear()
    assert get_settings().resolved_database_url == sample_crm.database_url
    before = load_engage_settings(sample_crm.database_url).model_dump()
    path = tmp_path / "engage.yaml"
    path.write_text(
        "routing:\n  seller_handoffs: round_robin\n  round_robin:\n"
        "    sellers: [Megan Clarke, Meghan Clark]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["engage", "settings", "--set", str(path)])
    assert result.exit_code == 1
    assert "routing.round_robin.sellers[1]" in result.output
    assert "nothing was saved" in result.output
    assert load_engage_settings(sample_crm.database_url).model_dump() == before
    path.write_text(path.read_text().replace("Meghan Clark", "Sofia Lindqvist"))
    result = CliRunner().invoke(app, ["engage", "settings", "--set", str(path)])
    assert result.exit_code == 0, result.output
    assert load_engage_settings(sample_crm.database_url).routing.seller_handoffs == "round_robin"


# -- the owner away --------------------------------------------------------------------------


def _owned_lead(session: Session) -> Lead:
    lead = session.exec(select(Lead).where(Lead.owner_id == "USR-01")).first()
    assert lead is not None
    return lead


@pytest.mark.parametrize(
    ("owner_away", "expected"),
    [("supervisor", SUPERVISOR), ("round_robin", "USR-03"), ("keep", "USR-01")],
)
def test_the_owner_away_sends_the_handoff_to_the_fallback(
    sample_crm: SampleCrm, owner_away: str, expected: str
) -> None:
    settings = HandoffRouting(
        owner_away=owner_away,  # type: ignore[arg-type]
        round_robin=RoundRobin(sellers=["USR-01", "USR-03"]),
    )
    with session_scope(sample_crm.database_url) as session:
        lead = _owned_lead(session)
        routing = resolve_routing(session, settings)
        assert assignee_for(session, lead, HandoffTarget.SELLER, routing, MONDAY_9) == "USR-01"
        mark_away(session, "USR-01", until=MONDAY_9 + timedelta(days=3), now=MONDAY_9)
        assert assignee_for(session, lead, HandoffTarget.SELLER, routing, MONDAY_9) == expected
        # Back by the date given, or by `qualify users back`.
        later = MONDAY_9 + timedelta(days=3)
        assert assignee_for(session, lead, HandoffTarget.SELLER, routing, later) == "USR-01"
        mark_away(session, "USR-01", until=None, now=MONDAY_9)
        assert assignee_for(session, lead, HandoffTarget.SELLER, routing, later) == expected
        mark_back(session, "USR-01")
        assert assignee_for(session, lead, HandoffTarget.SELLER, routing, later) == "USR-01"


def test_supervisor_handoffs_go_to_the_named_supervisor(sample_crm: SampleCrm) -> None:
    with session_scope(sample_crm.database_url) as session:
        lead = _owned_lead(session)
        default = resolve_routing(session, HandoffRouting())
        assert assignee_for(session, lead, HandoffTarget.SUPERVISOR, default, MONDAY_9) == (
            SUPERVISOR
        )
        named = resolve_routing(session, HandoffRouting(supervisor="Rachel Turner"))
        assert assignee_for(session, lead, HandoffTarget.SUPERVISOR, named, MONDAY_9) == "USR-07"


def test_a_team_rotation_takes_the_teams_members(sample_crm: SampleCrm) -> None:
    with session_scope(sample_crm.database_url) as session:
        session.add(SellerTeam(name="EMEA"))
        session.flush()
        for user_id in ("USR-04", "USR-02"):
            session.add(TeamMember(team_name="EMEA", user_id=user_id))
    settings = HandoffRouting(seller_handoffs="round_robin", round_robin=RoundRobin(team="EMEA"))
    picks = []
    for _ in range(3):
        with session_scope(sample_crm.database_url) as session:
            routing = resolve_routing(session, settings)
            picks.append(take_turn(session, routing, MONDAY_9))
    assert picks == ["USR-02", "USR-04", "USR-02"]


# -- two processes at once -------------------------------------------------------------------


def test_two_threads_handing_off_at_once_take_turns(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = HandoffRouting(
        seller_handoffs="round_robin", round_robin=RoundRobin(sellers=["USR-01", "USR-02"])
    )
    url = sample_crm.database_url
    with Session(get_db_engine(url)) as session:
        lead_id = _owned_lead(session).id
        routing = resolve_routing(session, settings)

    def slow_next(*args: object) -> str | None:
        # Widens the gap between reading the cursor and committing the choice.
        time.sleep(0.02)
        return next_in_rotation(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(handoff_routing, "next_in_rotation", slow_next)
    start = threading.Barrier(2)
    problems: list[BaseException] = []

    def hand_off(worker: int) -> None:
        try:
            start.wait()
            for turn in range(6):
                with session_scope(url) as session:
                    lead = session.get(Lead, lead_id)
                    assert lead is not None
                    assignee = assignee_for(session, lead, HandoffTarget.SELLER, routing, MONDAY_9)
                    session.add(
                        Handoff(
                            lead_id=lead_id,
                            idempotency_key=f"thread-{worker}:handoff:{turn}",
                            target=HandoffTarget.SELLER,
                            assignee_id=assignee,
                            rule_id="qualified_interest",
                            rule_description="test",
                            summary="",
                            next_step="call",
                            created_on=MONDAY_9,
                        )
                    )
        except BaseException as exc:
            problems.append(exc)

    threads = [threading.Thread(target=hand_off, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not problems, problems
    with Session(get_db_engine(url)) as session:
        rows = session.exec(select(Handoff).where(Handoff.rule_description == "test")).all()
    # In the order they were stored: never the same seller twice in a row.
    assignees = [h.assignee_id for h in sorted(rows, key=lambda h: h.id or 0)]
    assert len(assignees) == 12
    assert assignees == ["USR-01", "USR-02"] * 6


def test_two_processes_on_postgresql_take_turns(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    routing = ResolvedRouting(
        HandoffRouting(
            seller_handoffs="round_robin", round_robin=RoundRobin(sellers=["A", "B", "C"])
        ),
        supervisor_id=None,
        rotation="sellers",
        members=["A", "B", "C"],
    )
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    get_db_engine(url)  # the schema, before the threads race to make it

    def slow_next(*args: object) -> str | None:
        time.sleep(0.02)
        return next_in_rotation(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(handoff_routing, "next_in_rotation", slow_next)
    start = threading.Barrier(2)
    picks: list[tuple[int, str | None]] = []
    problems: list[BaseException] = []

    def choose() -> None:
        try:
            start.wait()
            for _ in range(6):
                with session_scope(url) as session:
                    chosen = take_turn(session, routing, MONDAY_9)
                    cursor = session.get(RotationCursor, "sellers")
                    assert cursor is not None
                    picks.append((cursor.turns, chosen))
        except BaseException as exc:
            problems.append(exc)

    threads = [threading.Thread(target=choose) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not problems, problems
    # By the cursor's turn, counted under its lock: A, B, C in turn, none twice in a row.
    assert [chosen for _, chosen in sorted(picks)] == ["A", "B", "C"] * 4


# -- journeys over the SMTP test server ------------------------------------------------------

QUALIFIED = (
    "This is timely. We have budget approved for a planning tool this quarter, I run "
    "operations and the decision is mine. Can we set up a call next Tuesday at 2pm?"
)


def _notice_mailbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALIFY_NOTICE_MAILBOX", NOTICES)
    get_settings.cache_clear()


def _route(trip: Journey, **routing: object) -> None:
    settings = load_engage_settings(trip.world.database_url)
    settings.routing = HandoffRouting.model_validate(routing)
    save_engage_settings(trip.world.database_url, settings)


def _emails(trip: Journey) -> dict[str, str]:
    with Session(get_db_engine(trip.world.database_url)) as session:
        return {u.id: u.email for u in session.exec(select(User))}


def _mail_to(trip: Journey, address: str) -> list[object]:
    return [m.message for m in trip.smtp.messages if address in m.rcpt_tos]


def test_round_robin_over_three_sellers_skips_the_one_away(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _notice_mailbox(monkeypatch)
    _, good = researched_world
    with _open_journey(researched_world, tmp_path) as trip:
        _route(
            trip,
            seller_handoffs="round_robin",
            round_robin={"sellers": ["USR-01", "Daniel Weber", "USR-03"]},
        )
        with session_scope(trip.world.database_url) as session:
            mark_away(session, "USR-02", until=None, now=trip.clock.now())
            leads = [session.get(Lead, lead_id) for lead_id in good[1:3]]
        trips = [trip] + [dataclasses.replace(trip, lead=lead) for lead in leads if lead]
        started = trip.runner.start([t.lead.id for t in trips[1:]])
        assert not started.errors, started.errors
        trip.tick()
        trip.days(1)
        for each in trips:
            each.reply(QUALIFIED)
        report = trip.tick()
        assert sum(report.handoffs.values()) == 3
        trip.tick()  # delivers the notices
        with Session(get_db_engine(trip.world.database_url)) as session:
            handoffs = session.exec(select(Handoff).order_by(Handoff.id)).all()
        assert [h.target for h in handoffs] == ["seller"] * 3
        assert [h.assignee_id for h in handoffs] == ["USR-01", "USR-03", "USR-01"]
        emails = _emails(trip)
        told = {uid: len(_mail_to(trip, emails[uid])) for uid in ("USR-01", "USR-02", "USR-03")}
        assert told == {"USR-01": 2, "USR-02": 0, "USR-03": 1}
        subjects = {m["Subject"] for m in _mail_to(trip, emails["USR-01"])}  # type: ignore[index]
        assert subjects == {f"[Qualify] Hand-off ({handoffs[i].lead_id})" for i in (0, 2)}


def test_a_pending_handoff_is_escalated_once_after_n_business_hours(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _notice_mailbox(monkeypatch)
    with _open_journey(researched_world, tmp_path) as trip:
        _route(trip, escalate_after_business_hours=8, escalate_to="supervisor")
        trip.tick()
        trip.days(1)  # Tuesday 09:00
        trip.reply(QUALIFIED)
        trip.tick()
        [handoff] = trip.handoffs()
        owner = trip.lead.owner_id
        assert handoff.assignee_id == owner and handoff.escalated_on is None
        made = handoff.created_on
        trip.clock.advance(timedelta(hours=8) - timedelta(minutes=1))
        assert trip.tick().handoffs_escalated == 0
        trip.clock.advance(timedelta(minutes=1))
        assert trip.tick().handoffs_escalated == 1
        trip.days(1)
        assert trip.tick().handoffs_escalated == 0  # once: a second pass does nothing
        [escalated] = trip.handoffs()
        assert escalated.assignee_id == SUPERVISOR
        assert escalated.escalated_from == owner
        assert escalated.escalated_on == made + timedelta(hours=8)
        with Session(get_db_engine(trip.world.database_url)) as session:
            notices = session.exec(
                select(SellerNotice).where(SellerNotice.key.startswith("handoff_escalated"))  # type: ignore[union-attr]
            ).all()
        assert sorted(n.user_id for n in notices) == sorted([SUPERVISOR, owner or ""])
        emails = _emails(trip)
        to_supervisor = _mail_to(trip, emails[SUPERVISOR])
        assert len(to_supervisor) == 1
        assert f"qualify handoffs show {handoff.id}" in to_supervisor[0].get_content()  # type: ignore[attr-defined]
        # The owner: the hand-off notice, then the escalation's.
        assert len(_mail_to(trip, emails[owner or ""])) == 2
        # The queues show it.
        monkeypatch.setenv("QUALIFY_HOME", str(trip.world.root))
        get_settings.cache_clear()
        listed = _cli("handoffs", "list")
        assert "Thomas Becker (escalated)" in listed
        shown = _cli("handoffs", "show", str(handoff.id))
        with Session(get_db_engine(trip.world.database_url)) as session:
            owner_name = session.get(User, owner).full_name  # type: ignore[union-attr]
        assert f"Escalated {escalated.escalated_on:%Y-%m-%d %H:%M} UTC from {owner_name}" in shown


def _cli(*args: str, code: int = 0) -> str:
    from app.cli.main import app
    from app.cli.run_context import console

    width = console.width
    console.width = 200  # a table's cells on one line each
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        console.width = width
    assert result.exit_code == code, result.output
    return result.output


def test_users_away_back_and_teams_from_the_cli(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_HOME", str(sample_crm.root))
    get_settings.cache_clear()
    assert "is away until 2099-01-05" in _cli(
        "users", "away", "Megan Clarke", "--until", "2099-01-05"
    )
    assert "Away: Megan Clarke (USR-01) until 2099-01-05" in _cli("users")
    assert "not in the future" in _cli("users", "away", "USR-02", "--until", "2001-01-01", code=1)
    assert "USR-01 is back" in _cli("users", "back", "megan clarke")
    assert "Away:" not in _cli("users")
    _cli("users", "teams", "add", "EMEA", "--member", "USR-02", "--member", "Julien Moreau")
    _cli("users", "teams", "add-member", "EMEA", "USR-03")
    _cli("users", "teams", "remove-member", "EMEA", "USR-04")
    assert "no team 'APAC'" in _cli("users", "teams", "add-member", "APAC", "USR-05", code=1)
    listing = _cli("users", "teams", "list")
    assert "Daniel Weber (USR-02)" in listing and "Sofia Lindqvist (USR-03)" in listing
    assert "USR-04" not in listing
    with Session(get_db_engine(sample_crm.database_url)) as session:
        members = resolve_routing(session, HandoffRouting(round_robin=RoundRobin(team="EMEA")))
    assert members.members == ["USR-02", "USR-03"]


def test_escalation_to_the_next_in_rotation(sample_crm: SampleCrm) -> None:
    url = sample_crm.database_url
    settings = load_engage_settings(url)
    settings.routing = HandoffRouting(
        escalate_after_business_hours=2,
        escalate_to="next_in_rotation",
        round_robin=RoundRobin(sellers=["USR-01", "USR-02"]),
    )
    with session_scope(url) as session:
        lead = _owned_lead(session)
        session.add(
            Handoff(
                lead_id=lead.id,
                idempotency_key="t:handoff:0",
                target=HandoffTarget.SELLER,
                assignee_id="USR-01",
                rule_id="qualified_interest",
                rule_description="test",
                summary="",
                next_step="call",
                created_on=MONDAY_9,
            )
        )
    assert escalate_overdue(url, settings, now=MONDAY_9 + timedelta(hours=1)) == 0
    assert escalate_overdue(url, settings, now=MONDAY_9 + timedelta(hours=2)) == 1
    assert escalate_overdue(url, settings, now=MONDAY_9 + timedelta(hours=3)) == 0
    with Session(get_db_engine(url)) as session:
        row = session.exec(select(Handoff)).one()
    # USR-01 had it: the rotation's next is USR-02 (USR-01 again is skipped).
    assert (row.assignee_id, row.escalated_from) == ("USR-02", "USR-01")
