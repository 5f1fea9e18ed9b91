"""Hand-off decisions that mean what they say: each kind of hand-off allows the actions that
fit it, and each action does what a seller or supervisor expects to the lead."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.clock import utc_now
from graphs.engage.engage_settings import EngageSettings
from graphs.engage.handoff_actions import (
    ALLOWED,
    HandoffAction,
    HandoffKind,
    handoff_kind,
    refusal,
)
from graphs.engage.handoff_decisions import HandoffDecisionError, decide, returnable
from graphs.engage.handoff_rules import HandoffRule, RuleCondition
from graphs.engage.reply_readings import conversation_turns, latest_referral
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from store.crm import Lead, LeadStatus, Opportunity
from store.db import get_db_engine, session_scope
from store.engagement import (
    Conversation,
    ConversationState,
    Handoff,
    HandoffStatus,
    HandoffTarget,
)
from store.seller_inbox import notices_for
from tests.conftest import SampleCrm
from tests.test_engage_journeys import (  # noqa: F401
    Journey,
    _open_journey,
    journey,
    refer_to_a_colleague,
)

# -- kinds, from what a rule tests -------------------------------------------------------------


def test_the_default_rules_get_the_kinds_their_conditions_mean() -> None:
    kinds = {
        rule.id: handoff_kind(rule.target, rule.when) for rule in EngageSettings().handoff_rules
    }
    assert kinds["qualified_interest"] is HandoffKind.QUALIFIED
    assert kinds["meeting_request"] is HandoffKind.QUALIFIED
    assert kinds["referral"] is HandoffKind.REFERRAL
    assert kinds["unanswered_question"] is HandoffKind.REVIEW
    assert kinds["opted_out"] is HandoffKind.DISQUALIFY
    if "email_invalid" in kinds:
        assert kinds["email_invalid"] is HandoffKind.EMAIL


def test_an_admins_own_rule_gets_its_kind_from_its_conditions_not_its_name() -> None:
    rule = HandoffRule(
        id="hot_lead",
        description="Budget and need met",
        target=HandoffTarget.SELLER,
        when=RuleCondition(min_bant_met=2),
    )
    assert handoff_kind(rule.target, rule.when) is HandoffKind.QUALIFIED
    wrong_address = RuleCondition(bounced=True)
    assert handoff_kind(HandoffTarget.SELLER, wrong_address) is HandoffKind.EMAIL
    assert handoff_kind(HandoffTarget.SUPERVISOR, wrong_address) is HandoffKind.DISQUALIFY
    assert handoff_kind(HandoffTarget.SELLER, None) is HandoffKind.REVIEW


def test_a_refusal_names_the_actions_allowed() -> None:
    assert refusal(HandoffKind.QUALIFIED, HandoffAction.ACCEPT) is None
    message = refusal(HandoffKind.EMAIL, HandoffAction.ACCEPT)
    assert message == "a hand-off of kind email cannot be accepted; fix or reject it instead"
    assert "approve or reject" in (refusal(HandoffKind.DISQUALIFY, HandoffAction.FOLLOW) or "")
    assert all(HandoffAction.REJECT in actions for actions in ALLOWED.values())


# -- each action on a real journey ---------------------------------------------------------


def _decide(trip: Journey, action: HandoffAction, **kwargs: object):  # type: ignore[no-untyped-def]
    [handoff] = [h for h in trip.handoffs() if h.status == HandoffStatus.PENDING]
    settings = load_engage_settings(trip.world.database_url)
    with session_scope(trip.world.database_url) as session:
        return decide(
            session, handoff.id, action, settings=settings, by="USR-02", note=None,
            now=utc_now(), **kwargs,
        )  # fmt: skip


def _lead(trip: Journey, lead_id: str | None = None) -> Lead:
    with Session(get_db_engine(trip.world.database_url)) as session:
        lead = session.get(Lead, lead_id or trip.lead.id)
    assert lead is not None
    return lead


def _qualified_reply(trip: Journey) -> None:
    trip.tick()
    trip.days(1)
    trip.reply(
        "This is timely. We have budget approved for a planning tool this quarter, I run "
        "operations and the decision is mine. Can we set up a call next Tuesday at 2pm?"
    )
    trip.tick()


def test_accepting_a_qualified_lead_opens_an_opportunity_and_stops_the_agent(
    journey: Journey,  # noqa: F811
) -> None:
    _qualified_reply(journey)
    [handoff] = journey.handoffs()
    assert handoff.kind == "qualified"
    with pytest.raises(HandoffDecisionError, match="cannot be approved; accept, return or reject"):
        _decide(journey, HandoffAction.APPROVE)
    assert _lead(journey).status == LeadStatus.OPEN  # the refusal wrote nothing
    outcome = _decide(journey, HandoffAction.ACCEPT)
    lead = _lead(journey)
    assert lead.status == LeadStatus.QUALIFIED and "USR-02" in (lead.status_reason or "")
    with Session(get_db_engine(journey.world.database_url)) as session:
        opportunity = session.get(Opportunity, outcome.opportunity_id)
        conversation = session.get(Conversation, lead.id)
        decided = session.get(Handoff, handoff.id)
    assert opportunity is not None and opportunity.originating_lead_id == lead.id
    assert opportunity.owner_id == lead.owner_id
    assert conversation is not None and conversation.taken_over_by == "USR-02"
    assert decided is not None and (decided.status, decided.action) == ("approved", "accept")
    sent = len(journey.mail_to_lead())
    journey.days(1)
    journey.reply("Looking forward to it.")
    journey.tick()
    assert len(journey.mail_to_lead()) == sent  # the seller's conversation now
    with Session(get_db_engine(journey.world.database_url)) as session:
        owners = notices_for(session, lead.owner_id)
        sellers = notices_for(session, "USR-02")
    # The hand-off reached its assignee's queue; the reply after the takeover, the seller's.
    assert [n.kind for n in owners if n.lead_id == lead.id][-1:] == ["handoff"]
    assert any(n.kind == "reply" and n.lead_id == lead.id for n in sellers)
    url = journey.world.database_url
    with (
        pytest.raises(HandoffDecisionError, match="already approved"),
        session_scope(url) as session,
    ):
        decide(
                session, handoff.id, HandoffAction.ACCEPT,
                settings=load_engage_settings(journey.world.database_url),
                by=None, note=None, now=utc_now(),
            )  # fmt: skip


def test_the_admin_may_have_accepted_leads_only_qualified(journey: Journey) -> None:  # noqa: F811
    settings = load_engage_settings(journey.world.database_url)
    settings.accepted_handoffs_become = "qualified_lead"
    save_engage_settings(journey.world.database_url, settings)
    _qualified_reply(journey)
    outcome = _decide(journey, HandoffAction.ACCEPT)
    assert outcome.opportunity_id is None and _lead(journey).status == LeadStatus.QUALIFIED
    with Session(get_db_engine(journey.world.database_url)) as session:
        made = session.exec(
            select(Opportunity).where(Opportunity.originating_lead_id == journey.lead.id)
        ).all()
    assert made == []


def test_following_a_referral_makes_the_named_person_a_lead(journey: Journey) -> None:  # noqa: F811
    address = refer_to_a_colleague(journey)
    [handoff] = journey.handoffs()
    assert handoff.kind == "referral"
    with pytest.raises(HandoffDecisionError, match="cannot be accepted; follow, return or reject"):
        _decide(journey, HandoffAction.ACCEPT)
    referral = latest_referral(
        conversation_turns(journey.runner.graph.checkpointer, handoff.lead_id)
    )  # type: ignore[arg-type]
    outcome = _decide(journey, HandoffAction.FOLLOW, referral=referral)
    new = _lead(journey, outcome.new_lead_id)
    assert (new.email, new.first_name, new.last_name) == (address, "Maria", "Lopez")
    assert new.source == "Referral" and new.owner_id == journey.lead.owner_id
    assert new.company_name == journey.lead.company_name
    original = _lead(journey)
    assert original.status == LeadStatus.DISQUALIFIED and new.id in (original.status_reason or "")


def test_fixing_an_invalid_address_restarts_the_agent_on_the_new_one(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
) -> None:
    with _open_journey(researched_world, tmp_path, email="dana.at.example.com") as trip:
        [handoff] = trip.handoffs()
        assert (handoff.rule_id, handoff.kind) == ("email_invalid", "email")
        with pytest.raises(HandoffDecisionError, match="cannot be accepted; fix or reject"):
            _decide(trip, HandoffAction.ACCEPT)
        with pytest.raises(HandoffDecisionError, match="email 'still wrong'"):
            _decide(trip, HandoffAction.FIX, email="still wrong")
        assert _lead(trip).email == "dana.at.example.com"  # nothing written
        outcome = _decide(trip, HandoffAction.FIX, email="dana@contoso.example")
        assert outcome.restart_agent and _lead(trip).email == "dana@contoso.example"
        report = trip.runner.start([trip.lead.id])
        assert not report.errors and report.started == 1
        trip.tick()
        sent = [m for m in trip.smtp.messages if "dana@contoso.example" in m.rcpt_tos]
        assert len(sent) == 1


def test_a_supervisor_approves_or_rejects_a_disqualification(journey: Journey) -> None:  # noqa: F811
    journey.tick()
    journey.days(1)
    journey.reply("Please remove me from your mailing list.")
    journey.tick()
    [handoff] = journey.handoffs()
    assert (handoff.target, handoff.kind) == ("supervisor", "disqualify")
    with pytest.raises(HandoffDecisionError, match="cannot be accepted; approve or reject"):
        _decide(journey, HandoffAction.ACCEPT)
    _decide(journey, HandoffAction.APPROVE)
    lead = _lead(journey)
    assert lead.status == LeadStatus.DISQUALIFIED and "opted_out" in (lead.status_reason or "")


def test_a_notice_is_emailed_when_a_notice_mailbox_is_set(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.settings import get_settings
    from store.crm import User

    monkeypatch.setenv("QUALIFY_NOTICE_MAILBOX", "agent-notices@northwind.example")
    get_settings.cache_clear()
    with _open_journey(researched_world, tmp_path) as trip:
        _qualified_reply(trip)
        trip.tick()  # delivers the outbox, the notice with it
        [handoff] = trip.handoffs()
        with Session(get_db_engine(trip.world.database_url)) as session:
            owner = session.get(User, handoff.assignee_id)
        assert owner is not None
        notices = [m for m in trip.smtp.messages if owner.email in m.rcpt_tos]
    assert len(notices) == 1
    message = notices[0].message
    assert message["From"].endswith("agent-notices@northwind.example>") or (
        "agent-notices@northwind.example" in message["From"]
    )
    assert message["Subject"] == f"[Qualify] Hand-off ({handoff.lead_id})"
    assert handoff.rule_id in message.get_content()


# -- returning a lead to the agent ---------------------------------------------------------


def _return(trip: Journey, note: str | None) -> object:
    [handoff] = [h for h in trip.handoffs() if h.status == HandoffStatus.PENDING]
    settings = load_engage_settings(trip.world.database_url)
    with Session(get_db_engine(trip.world.database_url)) as session:
        returnable(session, handoff.id, settings, note)  # type: ignore[arg-type]
    trip.runner.take_back(trip.lead.id, by="USR-02", note=note or "")
    with session_scope(trip.world.database_url) as session:
        return decide(
            session, handoff.id, HandoffAction.RETURN, settings=settings, by="USR-02",
            note=note, now=trip.clock.now(),
        )  # fmt: skip


def test_a_returned_lead_is_not_handed_off_again_for_what_the_seller_already_judged(
    journey: Journey,  # noqa: F811
) -> None:
    _qualified_reply(journey)
    [first] = journey.handoffs()
    with pytest.raises(HandoffDecisionError, match="needs a note"):
        _return(journey, None)
    assert journey.conversation().state == ConversationState.HANDED_OFF  # nothing written
    _return(journey, "Budget is for next year; keep them warm.")
    returned = journey.handoffs()[0]
    assert (returned.status, returned.action) == ("rejected", "return")
    assert returned.decision_note == "Budget is for next year; keep them warm."
    conversation = journey.conversation()
    assert (conversation.state, conversation.next_action) == ("waiting", "follow_up")
    # The budget, authority and meeting of the reply before the return no longer count:
    # a reply that adds nothing new is answered, not handed off again.
    sent = len(journey.mail_to_lead())
    journey.days(1)
    journey.reply("Thanks. What does onboarding usually involve, and how long does it take?")
    journey.tick()
    journey.tick()
    assert [h.id for h in journey.handoffs()] == [first.id]
    assert len(journey.mail_to_lead()) == sent + 1
    # New buying signals after the return hand the lead off again, as a new hand-off.
    journey.days(1)
    journey.reply("We are ready to move forward. Can we book a call on Thursday at 10am?")
    journey.tick()
    handoffs = journey.handoffs()
    assert len(handoffs) == 2 and handoffs[-1].status == HandoffStatus.PENDING
    assert handoffs[-1].kind == "qualified"


def test_a_returned_lead_without_a_reply_gets_its_next_follow_up(journey: Journey) -> None:  # noqa: F811
    journey.tick()
    journey.days(1)
    journey.reply("Interesting. Who are your investors?")
    journey.tick()
    [handoff] = journey.handoffs()
    assert handoff.kind == "review", handoff.rule_id
    _return(journey, "I answered the investor question myself; carry on.")
    # Taking it back again (a repeated command, a crash before the decision) does nothing.
    again = journey.runner.take_back(journey.lead.id, by="USR-02", note="again")
    assert not again.errors
    sent = len(journey.mail_to_lead())
    due = journey.conversation().next_action_on
    assert due is not None
    journey.days(8)
    journey.tick()
    journey.tick()
    assert len(journey.mail_to_lead()) == sent + 1
    assert len(journey.handoffs()) == 1


def test_a_return_is_refused_where_it_would_not_make_sense(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
) -> None:
    with _open_journey(researched_world, tmp_path, email="dana.at.example.com") as trip:
        [handoff] = trip.handoffs()
        with pytest.raises(HandoffDecisionError, match="cannot be returned; fix or reject"):
            _return(trip, "try again")
        assert handoff.status == HandoffStatus.PENDING
