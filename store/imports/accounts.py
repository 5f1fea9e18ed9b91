"""Account rows: headcount and revenue as CRMs hold them, in any currency and unit."""

from __future__ import annotations

import re
from typing import Any

from pydantic import field_validator
from sqlmodel import select

from core.crm_figures import Figure, parse_figure
from core.exchange_rates import convert, known_currencies
from store.crm import Account, Lead, User
from store.imports.batches import ImportContext, ImportKind
from store.imports.cells import ImportRow, blank_to_none, domain_of, read_currency
from store.research_requests import request_research

ACCOUNT_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("accountid", "account id", "record id", "hs_object_id", "company id"),
    "name": ("account name", "accountname", "account", "company name", "company"),
    "domain": ("email domain", "company domain name", "domain name"),
    "industry": ("industrycode",),
    "number_of_employees": ("numberofemployees", "employees", "number of employees"),
    "annual_revenue": ("revenue", "annualrevenue", "annual revenue"),
    "currency": ("transactioncurrencyid", "currencyisocode", "currency code"),
    "country": ("country/region", "address1_country", "billingcountry", "billing country"),
    "city": ("address1_city", "billingcity", "billing city"),
    "website": ("websiteurl", "website url"),
    "description": (),
    "owner_id": ("ownerid", "owner", "owner id", "account owner", "company owner"),
}

REVENUE_UNITS = {"one": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
"""`--revenue-unit`: what a bare revenue number counts in (CRMs often keep millions)."""
# Revenue per employee outside this band says the unit is wrong (thousands or millions
# read as dollars, or the reverse); real companies sit well inside it.
PLAUSIBLE_REVENUE_PER_EMPLOYEE = (5_000.0, 5_000_000.0)
SMALLEST_PLAUSIBLE_REVENUE = 10_000.0


class AccountRow(ImportRow):
    """One account row as read from a CSV file."""

    id: str | None = None
    name: str
    domain: str | None = None
    industry: str | None = None
    number_of_employees: Figure | None = None
    annual_revenue: Figure | None = None
    currency: str | None = None
    country: str | None = None
    city: str | None = None
    website: str | None = None
    description: str | None = None
    owner_id: str | None = None

    @field_validator("number_of_employees", mode="before")
    @classmethod
    def _employees(cls, value: Any) -> Any:
        figure = parse_figure(
            blank_to_none(value), what="the number of employees", example="1250 or 200-500"
        )
        if figure is not None and figure.currency is not None:
            raise ValueError(f"{value!r} is an amount of money, not a number of employees")
        if figure is not None and figure.is_point and figure.low != int(figure.low):
            raise ValueError(f"{value!r} is not a whole number; write a whole number, e.g. 1250")
        return figure

    @field_validator("annual_revenue", mode="before")
    @classmethod
    def _revenue(cls, value: Any) -> Any:
        return parse_figure(
            blank_to_none(value),
            what="annual revenue",
            example="240000000, USD 240M or 1,2 Mrd. €",
        )

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Any:
        return read_currency(value)

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if value is None:
            return None
        domain = domain_of(value)
        if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+", domain):
            raise ValueError(f"{value!r} is not a domain; write it like example.com")
        return domain

    def own_domain(self) -> str | None:
        """The domain column, else the website's host."""
        return self.domain or (domain_of(self.website) if self.website else None) or None

    def headcount(self) -> tuple[int | None, str | None]:
        """The headcount column: one whole number, or the CRM's wording kept as given."""
        figure = self.number_of_employees
        if figure is None:
            return None, None
        if figure.is_point and not figure.approximate and figure.low == int(figure.low):
            return int(figure.low), None
        return None, figure.text

    def revenue_usd(self, unit: float = 1.0) -> tuple[float | None, str | None]:
        """Annual revenue in US dollars when it is one convertible number, and the wording.

        A bare number counts in `unit` (`--revenue-unit million`); the wording is kept
        whenever it is not a plain US-dollar number, so the ICP judge can read a range or
        convert to the ICP's own currency.
        """
        figure = self.annual_revenue
        if figure is None:
            return None, None
        if unit != 1.0 and not re.search(r"[^\W\d_]", figure.text):  # no scale word given
            figure = figure.model_copy(
                update={
                    "low": figure.low * unit,
                    "high": None if figure.high is None else figure.high * unit,
                    "text": f"{figure.text} ({_unit_name(unit)})",
                }
            )
        # A bare number is in the row's currency column, else in US dollars as documented.
        if figure.currency == "?":
            currency = self.currency
        else:
            currency = figure.currency or self.currency or "USD"
        plain_usd = currency == "USD" and figure.is_point and not figure.approximate
        as_given = None if plain_usd else figure.text
        if not figure.is_point or currency is None or currency not in known_currencies():
            return None, as_given
        return convert(figure.low, currency, "USD").amount, as_given


def _unit_name(unit: float) -> str:
    return next(name for name, value in REVENUE_UNITS.items() if value == unit) + "s"


def implausible_revenue(revenue_usd: float | None, employees: int | None) -> str | None:
    """Why a revenue looks read in the wrong unit, or None when it looks like a company's."""
    if revenue_usd is None:
        return None
    low, high = PLAUSIBLE_REVENUE_PER_EMPLOYEE
    if employees:
        per_head = revenue_usd / employees
        if per_head < low:
            return (
                f"revenue per employee under ${low:,.0f}: if the export keeps revenue in "
                "thousands or millions, import again with --revenue-unit thousand or million"
            )
        if per_head > high:
            return (
                f"revenue per employee over ${high:,.0f}: check the unit (--revenue-unit) "
                "and the headcount"
            )
    elif revenue_usd < SMALLEST_PLAUSIBLE_REVENUE:
        return (
            f"revenue under ${SMALLEST_PLAUSIBLE_REVENUE:,.0f}: if the export keeps revenue in "
            "thousands or millions, import again with --revenue-unit thousand or million"
        )
    return None


def _build(row: AccountRow, account_id: str, ctx: ImportContext) -> Account:
    employees, employees_as_given = row.headcount()
    revenue, revenue_as_given = row.revenue_usd(ctx.revenue_unit)
    if reason := implausible_revenue(revenue, employees):
        ctx.notice(f"Annual revenue looks implausible ({reason})")
    return Account(
        id=account_id,
        name=row.name,
        domain=row.own_domain(),
        industry=row.industry,
        number_of_employees=employees,
        employees_as_given=employees_as_given,
        annual_revenue=revenue,
        revenue_as_given=revenue_as_given,
        currency=row.currency,
        country=row.country,
        city=row.city,
        website=row.website,
        description=row.description,
        owner_id=row.owner_id,
    )


JUDGED_FIELDS = frozenset(
    {
        "industry",
        "number_of_employees",
        "employees_as_given",
        "annual_revenue",
        "revenue_as_given",
        "domain",
    }
)
"""Account fields the ICP judges or the company research starts from: an import that
fills one in (or corrects it) has each of the account's leads researched again."""


def _request_research(account_id: str, changed: frozenset[str] | None, ctx: ImportContext) -> None:
    if not changed or not changed & JUDGED_FIELDS:
        return  # a new account has no leads yet; other fields change no fit
    leads = ctx.session.exec(select(Lead.id).where(Lead.parent_account_id == account_id)).all()
    request_research(ctx.session, leads, "account_filled", ctx.now, account_changed=True)


class AccountFinder:
    """The stored account a row names: the same domain, or the same name legal forms aside."""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.by_domain: dict[str, str] = {}

    def prefetch(self, rows: list[AccountRow]) -> None:
        domains = sorted({d for row in rows if (d := row.own_domain())})
        self.by_domain = {}
        for start in range(0, len(domains), 500):
            chunk = domains[start : start + 500]
            found = self.ctx.session.exec(
                select(Account.domain, Account.id).where(Account.domain.in_(chunk))  # type: ignore[union-attr]
            )
            self.by_domain.update({d: i for d, i in found.all() if d})

    def find(self, row: AccountRow) -> str | None:
        domain = row.own_domain()
        return (self.by_domain.get(domain) if domain else None) or self.ctx.account_named(row.name)

    def remember(self, row: AccountRow, record_id: str) -> None:
        if domain := row.own_domain():
            self.by_domain[domain] = record_id
        self.ctx.remember_account(row.name, record_id)


ACCOUNTS = ImportKind(
    name="accounts",
    what="account",
    aliases=ACCOUNT_HEADERS,
    row_model=AccountRow,
    table=Account,
    id_prefix="ACC",
    id_width=3,
    build=_build,
    finder=AccountFinder,
    required=("name",),
    references={"owner_id": (User, "user")},
    on_stored=_request_research,
    filled_by={
        "employees_as_given": "number_of_employees",
        "revenue_as_given": "annual_revenue",
    },
)
