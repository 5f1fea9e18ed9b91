"""Opportunity rows: open and closed deals, linked to accounts, contacts and leads."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import field_validator

from core.crm_figures import Figure, parse_figure
from core.exchange_rates import convert, known_currencies
from store.crm import Account, Contact, Lead, Opportunity, OpportunityState, User
from store.imports.batches import ImportContext, ImportKind
from store.imports.cells import (
    ImportRow,
    blank_to_none,
    read_choice,
    read_currency,
    read_datetime,
)

OPPORTUNITY_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("opportunityid", "opportunity id", "record id", "hs_object_id", "deal id"),
    "name": ("topic", "opportunity name", "opportunityname", "deal name", "dealname"),
    "account_id": ("accountid", "account id", "parentaccountid", "associatedcompanyid"),
    "account_name": (
        "account name", "account", "potential customer", "customerid", "company name",
        "associated company",
    ),
    "contact_id": ("parentcontactid", "contact id", "contactid"),
    "originating_lead_id": ("originatingleadid", "originating lead", "converted lead id"),
    "stage": ("salesstage", "sales stage", "stagename", "stage name", "deal stage", "dealstage",
              "pipeline phase", "stepname"),
    "estimated_value": ("estimatedvalue", "est. revenue", "estimated revenue", "amount",
                        "est revenue"),
    "currency": ("transactioncurrencyid", "currencyisocode", "currency code",
                 "deal_currency_code"),
    "state": ("statecode", "status", "opportunity status"),
    "owner_id": ("ownerid", "owner", "opportunity owner", "deal owner", "hubspot_owner_id"),
    "estimated_close_date": ("estimatedclosedate", "est. close date", "closedate", "close date",
                             "est close date"),
    "created_on": ("createdon", "created on", "createddate", "created date", "create date"),
}  # fmt: skip

# CRMs' own words for an opportunity's state, and stages that say it is closed.
_STATES = {
    "active": "open", "in progress": "open", "on hold": "open",
    "closed won": "won", "closedwon": "won", "closed lost": "lost", "closedlost": "lost",
    "canceled": "lost", "cancelled": "lost", "out-sold": "lost",
}  # fmt: skip


class OpportunityRow(ImportRow):
    """One opportunity row as read from a CSV file."""

    id: str | None = None
    name: str
    account_id: str | None = None
    account_name: str | None = None
    contact_id: str | None = None
    originating_lead_id: str | None = None
    stage: str | None = None
    estimated_value: Figure | None = None
    currency: str | None = None
    state: OpportunityState | None = None
    owner_id: str | None = None
    estimated_close_date: datetime | None = None
    created_on: datetime | None = None

    @field_validator("estimated_value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> Any:
        figure = parse_figure(
            blank_to_none(value), what="the estimated value", example="25000 or EUR 25k"
        )
        if figure is not None and not figure.is_point:
            raise ValueError(f"{value!r} is a range; give the deal's one estimated value")
        return figure

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Any:
        return read_currency(value)

    @field_validator("state", mode="before")
    @classmethod
    def _state(cls, value: Any) -> Any:
        return read_choice(value, (s.value for s in OpportunityState), _STATES)

    @field_validator("estimated_close_date", "created_on", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return read_datetime(value)

    def value_usd(self) -> float | None:
        """The estimated value in US dollars (a bare number in the row's currency)."""
        figure = self.estimated_value
        if figure is None:
            return None
        currency = self.currency if figure.currency in (None, "?") else figure.currency
        currency = currency or "USD"
        if currency not in known_currencies():
            return None
        return convert(figure.low, currency, "USD").amount

    def closed_state(self) -> OpportunityState | None:
        """The state, or what a closed stage says ("Closed Won")."""
        if self.state is not None:
            return self.state
        stage = re.sub(r"\s+", " ", (self.stage or "").lower())
        return OpportunityState(_STATES[stage]) if _STATES.get(stage) in ("won", "lost") else None


def _build(row: OpportunityRow, opportunity_id: str, ctx: ImportContext) -> Opportunity:
    account_id = row.account_id or ctx.account_named(row.account_name)
    if row.account_name and account_id is None:
        ctx.notice("Account name matches no stored account: import the accounts first")
    value = row.value_usd()
    if row.estimated_value is not None and value is None:
        ctx.notice("Estimated value in a currency without a rate: stored as 0")
    return Opportunity(
        id=opportunity_id,
        name=row.name,
        account_id=account_id,
        contact_id=row.contact_id,
        originating_lead_id=row.originating_lead_id,
        stage=row.stage or "Qualify",
        estimated_value=value or 0.0,
        state=row.closed_state() or OpportunityState.OPEN,
        owner_id=row.owner_id,
        estimated_close_date=row.estimated_close_date,
        created_on=row.created_on or ctx.now,
    )


OPPORTUNITIES = ImportKind(
    name="opportunities",
    what="opportunity",
    aliases=OPPORTUNITY_HEADERS,
    row_model=OpportunityRow,
    table=Opportunity,
    id_prefix="OPP",
    id_width=4,
    build=_build,
    required=("name",),
    references={
        "account_id": (Account, "account"),
        "contact_id": (Contact, "contact"),
        "originating_lead_id": (Lead, "lead"),
        "owner_id": (User, "user"),
    },
    filled_by={"account_id": "account_name", "state": "stage"},
)
