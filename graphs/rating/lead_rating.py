"""The agent's rating of a lead: hot, warm or cold, with its reasons. Pure rules, no DB.

Four signals, as the Dynamics 365 research page shows beside the fit: fit (the ICP level),
intent (purchase interest and the kinds of buying signal in the lead's replies), recency
(days since the lead's last activity) and engagement (replies, meetings and opens in a
window). Each gives points by the admin's weights (`rating:` in the engage settings); the
sum against two thresholds gives the level. A lead whose latest reply says no is cold.
This is the agent's rating; the CRM's own `Lead.rating` is never changed by it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.clock import as_utc
from core.icp_verdicts import FitLevel
from core.reply_reading import Intent, PurchaseInterest
from graphs.rating.buying_signals import SIGNAL_WORDS, BuyingSignal, SignalKind

RatingLevel = Literal["hot", "warm", "cold"]
RATING_LEVELS: tuple[RatingLevel, ...] = ("hot", "warm", "cold")

# Replies that say no: whatever else the lead did, the agent's rating is cold.
_NEGATIVE = {Intent.NOT_INTERESTED: "said not interested", Intent.UNSUBSCRIBE: "opted out"}


class RatingSettings(BaseModel):
    """The admin's weights and thresholds (see `rating:` in default_engage.yaml)."""

    model_config = ConfigDict(extra="forbid")

    fit_points: dict[FitLevel, int] = Field(
        default_factory=lambda: {FitLevel.EXACT: 30, FitLevel.CLOSE: 15, FitLevel.NONE: 0}
    )
    interest_points: dict[PurchaseInterest, int] = Field(
        default_factory=lambda: {
            PurchaseInterest.HIGH: 25,
            PurchaseInterest.MEDIUM: 15,
            PurchaseInterest.LOW: 5,
            PurchaseInterest.NONE: 0,
        }
    )
    signal_points: int = Field(default=10, ge=0, description="Per kind of buying signal.")
    max_intent_points: int = Field(default=40, ge=0)
    signal_window_days: int = Field(default=60, ge=1, description="Older signals are ignored.")
    recent_days: int = Field(default=7, ge=0, description="Last activity at most this old.")
    moderate_days: int = Field(default=21, ge=0, description="Else at most this old.")
    recent_points: int = Field(default=20, ge=0)
    moderate_points: int = Field(default=10, ge=0)
    engagement_window_days: int = Field(default=60, ge=1)
    reply_points: int = Field(default=5, ge=0)
    meeting_points: int = Field(default=10, ge=0)
    open_points: int = Field(default=1, ge=0)
    max_engagement_points: int = Field(default=15, ge=0)
    hot_at: int = Field(default=70, ge=1, description="Points from which a lead is hot.")
    warm_at: int = Field(default=40, ge=1, description="Points from which a lead is warm.")
    no_is_cold: bool = Field(
        default=True, description="A lead whose latest reply says no (or opts out) is cold."
    )

    @model_validator(mode="after")
    def _ordered(self) -> RatingSettings:
        if self.moderate_days < self.recent_days:
            raise ValueError(
                f"moderate_days ({self.moderate_days}) is below recent_days "
                f"({self.recent_days}); make moderate_days at least recent_days"
            )
        if self.hot_at <= self.warm_at:
            raise ValueError(
                f"hot_at ({self.hot_at}) is not above warm_at ({self.warm_at}); raise hot_at "
                "or lower warm_at"
            )
        return self


class RatingInputs(BaseModel):
    """What the rating is computed from; None and empty lists mean not known or none."""

    fit_level: FitLevel | None = Field(default=None, description="None: not researched yet.")
    created_on: datetime
    signals: list[BuyingSignal] = Field(default_factory=list)
    latest_interest: PurchaseInterest | None = Field(
        default=None, description="The latest read reply's purchase interest."
    )
    latest_intent: Intent | None = None
    latest_reply_on: datetime | None = Field(default=None, description="That reply's time.")
    reply_times: list[datetime] = Field(default_factory=list)
    meeting_times: list[datetime] = Field(default_factory=list)
    open_times: list[datetime] | None = Field(default=None, description="None: not tracked.")
    web_visit_on: datetime | None = Field(default=None, description="None: not known.")
    first_outreach_on: datetime | None = Field(
        default=None, description="The agent's first email, for 'no reply in N days'."
    )


class RatingComponent(BaseModel):
    """One of the four signals: its points, their cap, and what it rests on."""

    points: int
    max_points: int
    detail: str


class AgentRating(BaseModel):
    """The agent's rating: level, points, the reasons in the seller's words, the components."""

    level: RatingLevel
    score: int
    reasons: list[str]
    components: dict[str, RatingComponent]
    rated_on: datetime


def _days(now: datetime, then: datetime) -> int:
    return max(0, (as_utc(now) - as_utc(then)).days)


def days_ago(now: datetime, then: datetime) -> str:
    """'today', 'yesterday' or 'N days ago'."""
    days = _days(now, then)
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _fit(inputs: RatingInputs, settings: RatingSettings) -> tuple[RatingComponent, str]:
    top = max(settings.fit_points.values(), default=0)
    if inputs.fit_level is None:
        return RatingComponent(points=0, max_points=top, detail="not researched"), (
            "fit: not researched yet"
        )
    points = settings.fit_points.get(inputs.fit_level, 0)
    reason = f"fit: {inputs.fit_level.value}"
    return RatingComponent(points=points, max_points=top, detail=reason), reason


def _intent(
    inputs: RatingInputs, now: datetime, settings: RatingSettings
) -> tuple[RatingComponent, list[str]]:
    window = settings.signal_window_days
    latest: dict[SignalKind, BuyingSignal] = {}
    for signal in inputs.signals:
        if _days(now, signal.at) > window:
            continue
        kept = latest.get(signal.kind)
        if kept is None or as_utc(signal.at) > as_utc(kept.at):
            latest[signal.kind] = signal
    ordered = sorted(latest.values(), key=lambda s: as_utc(s.at), reverse=True)
    reasons = [f"{SIGNAL_WORDS[s.kind]} {days_ago(now, s.at)}" for s in ordered]
    points = settings.signal_points * len(ordered)
    interest = inputs.latest_interest
    recent_reply = inputs.latest_reply_on is not None and _days(now, inputs.latest_reply_on) <= (
        window
    )
    if interest is not None and recent_reply:
        points += settings.interest_points.get(interest, 0)
        if interest is not PurchaseInterest.NONE:
            reasons.append(f"purchase interest: {interest.value}")
    kinds = ", ".join(s.kind.value.replace("_", " ") for s in ordered) or "no buying signal"
    detail = f"interest {interest.value if interest and recent_reply else 'unknown'}; {kinds}"
    top = settings.max_intent_points
    return RatingComponent(points=min(points, top), max_points=top, detail=detail), reasons


def _recency(
    inputs: RatingInputs, now: datetime, settings: RatingSettings
) -> tuple[RatingComponent, str]:
    events: list[tuple[datetime, str]] = [(inputs.created_on, "created")]
    events += [(at, "replied") for at in inputs.reply_times]
    events += [(at, "met") for at in inputs.meeting_times]
    events += [(at, "opened an email") for at in inputs.open_times or []]
    if inputs.web_visit_on is not None:
        events.append((inputs.web_visit_on, "visited the website"))
    at, what = max(events, key=lambda event: as_utc(event[0]))
    days = _days(now, at)
    if days <= settings.recent_days:
        points, band = settings.recent_points, "recent"
    elif days <= settings.moderate_days:
        points, band = settings.moderate_points, "moderate"
    else:
        points, band = 0, "old"
    reason = f"last activity: {what} {days_ago(now, at)}"
    top = max(settings.recent_points, settings.moderate_points)
    return RatingComponent(points=points, max_points=top, detail=f"{band}: {reason}"), reason


def _engagement(
    inputs: RatingInputs, now: datetime, settings: RatingSettings
) -> tuple[RatingComponent, str]:
    window = settings.engagement_window_days

    def within(times: list[datetime]) -> int:
        return sum(1 for at in times if _days(now, at) <= window)

    replies, meetings = within(inputs.reply_times), within(inputs.meeting_times)
    opens = within(inputs.open_times) if inputs.open_times is not None else None
    points = (
        replies * settings.reply_points
        + meetings * settings.meeting_points
        + (opens or 0) * settings.open_points
    )
    parts = [f"{replies} repl{'y' if replies == 1 else 'ies'}"] if replies else []
    parts += [_plural(meetings, "meeting")] if meetings else []
    parts += [_plural(opens, "open")] if opens else []
    if parts:
        reason = f"{' and '.join(parts)} in the last {window} days"
    elif not inputs.reply_times and inputs.first_outreach_on is not None:
        reason = f"no reply in {_days(now, inputs.first_outreach_on)} days"
    elif not inputs.reply_times:
        reason = "never engaged"
    else:
        reason = f"no reply in the last {window} days"
    top = settings.max_engagement_points
    return RatingComponent(points=min(points, top), max_points=top, detail=reason), reason


def rate_lead(inputs: RatingInputs, now: datetime, settings: RatingSettings) -> AgentRating:
    """Rate one lead at `now`: the level, its points and the reasons, strongest first."""
    fit, fit_reason = _fit(inputs, settings)
    intent, intent_reasons = _intent(inputs, now, settings)
    recency, recency_reason = _recency(inputs, now, settings)
    engagement, engagement_reason = _engagement(inputs, now, settings)
    components = {"fit": fit, "intent": intent, "recency": recency, "engagement": engagement}
    score = sum(component.points for component in components.values())
    level: RatingLevel = (
        "hot" if score >= settings.hot_at else "warm" if score >= settings.warm_at else "cold"
    )
    reasons = [*intent_reasons, fit_reason, engagement_reason, recency_reason]
    said_no = _NEGATIVE.get(inputs.latest_intent) if inputs.latest_intent else None
    if said_no and settings.no_is_cold:
        level = "cold"
        when = f" {days_ago(now, inputs.latest_reply_on)}" if inputs.latest_reply_on else ""
        reasons.insert(0, f"{said_no}{when}")
    return AgentRating(
        level=level, score=score, reasons=reasons, components=components, rated_on=as_utc(now)
    )
