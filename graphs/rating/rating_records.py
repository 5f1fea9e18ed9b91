"""The agent's rating kept up to date in the store: after research, and after a reply is read.

The inputs are read from what the store holds (the ICP fit, the lead's inbound and outbound
emails, CRM meetings) and from the buying signals kept on the rating's own row, so research
can re-rate a lead without opening its engage thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.clock import as_utc
from core.conversation import ConversationTurn
from core.icp_verdicts import FitLevel
from core.reply_reading import Intent, PurchaseInterest, ReplyReading
from graphs.knowledge.product_catalog import product_knowledge
from graphs.rating.buying_signals import BuyingSignal, signals_from_reading
from graphs.rating.lead_rating import AgentRating, RatingInputs, RatingSettings, rate_lead
from graphs.reply_reader.segmentation import clean_reply
from store.agent_ratings import AgentLeadRating
from store.agent_records import AgentSetting, LeadInsight
from store.crm import Activity, ActivityType, Lead
from store.db import upsert
from store.engagement import DeliveryStatus, Direction, EmailMessage

ENGAGE_SETTING = "engage"
"""The stored engage settings block, whose `rating:` part holds the admin's weights."""


def rating_settings_in_force(session: Session) -> RatingSettings:
    """The admin's rating weights from the stored engage settings, else the defaults."""
    row = session.get(AgentSetting, ENGAGE_SETTING)
    block = (row.value or {}).get("rating") if row is not None else None
    return RatingSettings.model_validate(block or {})


def _merged(kept: Iterable[BuyingSignal], new: Iterable[BuyingSignal]) -> list[BuyingSignal]:
    # One signal per reply and kind: reading a reply again (a resumed run) changes nothing.
    by_key = {(s.message_id, s.kind): s for s in kept}
    for signal in new:
        by_key[(signal.message_id, signal.kind)] = signal
    return sorted(by_key.values(), key=lambda s: (as_utc(s.at), s.kind.value))


def rating_inputs(session: Session, lead: Lead, signals: list[BuyingSignal]) -> RatingInputs:
    """What the store knows of the lead for its rating (the latest reading's interest and
    intent are the caller's: they live on the rating's row)."""
    insight = session.get(LeadInsight, lead.id)
    emails = session.exec(select(EmailMessage).where(EmailMessage.lead_id == lead.id)).all()
    replies = [
        as_utc(m.received_on or m.created_on)
        for m in emails
        if m.direction == Direction.INBOUND
        and m.status == DeliveryStatus.RECEIVED
        and not m.headers.get("bounce")
    ]
    sent = [
        as_utc(m.sent_on)
        for m in emails
        if m.direction == Direction.OUTBOUND and m.status == DeliveryStatus.SENT and m.sent_on
    ]
    meetings = session.exec(
        select(Activity.occurred_on).where(
            Activity.regarding_lead_id == lead.id,
            col(Activity.activity_type) == ActivityType.MEETING,
        )
    ).all()
    return RatingInputs(
        fit_level=FitLevel(insight.fit_level) if insight is not None else None,
        created_on=as_utc(lead.created_on),
        signals=signals,
        latest_reply_on=max(replies, default=None),
        reply_times=replies,
        meeting_times=[as_utc(at) for at in meetings],
        first_outreach_on=min(sent, default=None),
    )


def rerate_lead(
    session: Session,
    lead_id: str,
    now: datetime,
    *,
    settings: RatingSettings | None = None,
    new_signals: Sequence[BuyingSignal] = (),
    latest_reading: ReplyReading | None = None,
) -> AgentRating | None:
    """Rate the lead from what the store holds (plus a newly read reply's signals and
    reading) and keep the rating; None when there is no such lead. Writes in `session`,
    whose owner commits (or, in a sandbox, does not)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        return None
    row = session.get(AgentLeadRating, lead_id)
    kept = [BuyingSignal.model_validate(s) for s in (row.signals if row else [])]
    signals = _merged(kept, new_signals)
    interest, intent = (row.latest_interest, row.latest_intent) if row else (None, None)
    if latest_reading is not None:
        interest = latest_reading.purchase_interest.value
        intent = latest_reading.intent.value
    settings = settings or rating_settings_in_force(session)
    inputs = rating_inputs(session, lead, signals)
    inputs.latest_interest = PurchaseInterest(interest) if interest else None
    inputs.latest_intent = Intent(intent) if intent else None
    rating = rate_lead(inputs, now, settings)
    upsert(
        session,
        AgentLeadRating(
            lead_id=lead_id,
            level=rating.level,
            score=rating.score,
            rated_on=rating.rated_on,
            reasons=rating.reasons,
            components={k: c.model_dump(mode="json") for k, c in rating.components.items()},
            signals=[s.model_dump(mode="json") for s in signals],
            latest_interest=interest,
            latest_intent=intent,
        ),
    )
    return rating


def rate_after_replies(
    session: Session, lead_id: str, turns: Sequence[ConversationTurn], now: datetime, product: str
) -> AgentRating | None:
    """The reply reader's one call: the new replies' buying signals, then the rating again.
    A bounce or an automatic reply leaves the latest reading as it was."""
    read = [t for t in turns if t.direction == "inbound" and t.reading is not None]
    if not read:
        return None
    knowledge = product_knowledge(product)
    signals = [
        signal
        for turn in read
        for signal in signals_from_reading(
            turn.reading,  # type: ignore[arg-type]
            at=turn.at,
            own_text=clean_reply(turn.body).text,  # not the quoted email
            message_id=turn.message_id,
            faq=knowledge.faq,
            profile=knowledge.profile,
        )
    ]
    human = [
        t.reading
        for t in read
        if t.reading is not None and t.reading.intent not in (Intent.BOUNCE, Intent.OUT_OF_OFFICE)
    ]
    return rerate_lead(
        session, lead_id, now, new_signals=signals, latest_reading=human[-1] if human else None
    )


def age_ratings(
    session: Session, now: datetime, *, older_than: timedelta = timedelta(days=1), limit: int = 500
) -> int:
    """Rate again the leads rated more than `older_than` before `now`, oldest first: recency
    changes with time alone, so a lead that went quiet cools without a new event. How many
    were rated; the caller commits."""
    stale = session.exec(
        select(AgentLeadRating.lead_id)
        .where(col(AgentLeadRating.rated_on) < now - older_than)
        .order_by(col(AgentLeadRating.rated_on))
        .limit(limit)
    ).all()
    settings = rating_settings_in_force(session)
    for lead_id in stale:
        rerate_lead(session, lead_id, now, settings=settings)
    return len(stale)


def stored_rating(session: Session, lead_id: str) -> AgentRating | None:
    """The lead's kept rating, as the insights page shows it."""
    row = session.get(AgentLeadRating, lead_id)
    if row is None:
        return None
    return AgentRating.model_validate(
        {
            "level": row.level,
            "score": row.score,
            "reasons": row.reasons,
            "components": row.components,
            "rated_on": as_utc(row.rated_on),
        }
    )


def agent_ratings_of(session: Session, lead_ids: Sequence[str]) -> dict[str, str]:
    """Each rated lead's level, by lead id (asked in chunks: SQLite caps parameters)."""
    levels: dict[str, str] = {}
    ids = list(lead_ids)
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(AgentLeadRating.lead_id, AgentLeadRating.level).where(
                col(AgentLeadRating.lead_id).in_(ids[start : start + 500])
            )
        ).all()
        levels.update(dict(rows))
    return levels
