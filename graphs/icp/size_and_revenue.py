"""Company size and revenue criteria: a CRM figure (a number or a range) against bounds.

The figure is what the CRM holds ("200-500", "about 1,000", "1,2 Mrd. €"), read by
`core.crm_figures`; revenue in another currency is converted to the criterion's at the
ECB rate, and the evidence names the rate and its date. Bounds are inclusive and strict;
the criterion's `tolerance` (a share of the bound) makes a near miss partly met. A range
that straddles a bound is partly met: some of it is in, some is not.
"""

from __future__ import annotations

from collections.abc import Callable

from core.crm_figures import Figure, FigureError, format_figure, money_text, parse_figure
from core.exchange_rates import Conversion, UnknownCurrencyError, convert
from core.findings import CompanyFacts
from core.icp_profile import EmployeeRangeCriterion, RevenueRangeCriterion
from core.icp_verdicts import Verdict

Judgement = tuple[Verdict, str, str | None]


def count_text(value: float) -> str:
    """1250 -> '1,250'."""
    return f"{value:,.0f}"


def _bounds_text(low: float | None, high: float | None, fmt: Callable[[float], str]) -> str:
    if low is not None and high is not None:
        return f"{fmt(low)}–{fmt(high)}"
    if low is not None:
        return f"{fmt(low)} or more"
    return f"up to {fmt(high)}" if high is not None else "any"


def judge_figure(
    figure: Figure,
    low: float | None,
    high: float | None,
    tolerance: float,
    *,
    shown: str,
    fmt: Callable[[float], str],
) -> tuple[Verdict, str]:
    """A figure against inclusive bounds: met, partly (straddles or near), or not met."""
    wanted = _bounds_text(low, high, fmt)
    below = low is not None and figure.upper < low
    above = high is not None and figure.low > high
    if below or above:
        bound = low if below else high
        assert bound is not None
        nearest = figure.upper if below else figure.low
        gap = abs(bound - nearest) / bound if bound else float("inf")
        side = "below the minimum" if below else "above the maximum"
        if tolerance and gap <= tolerance + 1e-9:
            return (
                Verdict.PARTLY_MET,
                f"{shown}, {gap:.0%} {side} of {fmt(bound)} (within the {tolerance:.0%} tolerance)",
            )
        return Verdict.NOT_MET, f"{shown}, {'below' if below else 'above'} {fmt(bound)}"
    straddles = (low is not None and figure.low < low) or (high is not None and figure.upper > high)
    if straddles:
        return Verdict.PARTLY_MET, f"{shown}: part of the range is within {wanted}, part is not"
    return Verdict.MET, f"{shown}, within {wanted}"


def company_headcount(company: CompanyFacts) -> Figure | None:
    """The company's employee count as a figure (a range when the CRM holds one)."""
    if company.employees_as_given:
        return parse_figure(company.employees_as_given, what="employees", example="1250")
    if company.employees is not None:
        return Figure.point(float(company.employees))
    return None


def judge_employees(criterion: EmployeeRangeCriterion, company: CompanyFacts) -> Judgement:
    """Headcount against the criterion's bounds."""
    source = company.sources.get("employees") or company.sources.get("employees_as_given")
    try:
        figure = company_headcount(company)
    except FigureError as error:
        return Verdict.UNKNOWN, f"The employee count cannot be read: {error}", None
    if figure is None:
        return Verdict.UNKNOWN, "No employee count on the account or its web pages", None
    shown = format_figure(figure, " employees")
    low = None if criterion.min is None else float(criterion.min)
    high = None if criterion.max is None else float(criterion.max)
    verdict, evidence = judge_figure(
        figure, low, high, criterion.tolerance, shown=shown, fmt=count_text
    )
    return verdict, evidence, source


def _money_range(figure: Figure, currency: str) -> str:
    low = money_text(figure.low, currency)
    if figure.high is None:
        return f"{low}+"
    about = "about " if figure.approximate else ""
    return f"{about}{low}" if figure.is_point else f"{low}–{money_text(figure.high, currency)}"


def _revenue_figure(company: CompanyFacts, default_currency: str) -> Figure | None:
    if company.revenue_as_given:
        figure = parse_figure(
            company.revenue_as_given, what="annual revenue", example="USD 240M or 1,2 Mrd. €"
        )
        if figure is not None and figure.currency in (None, "?"):
            named = figure.currency
            figure.currency = company.currency or (default_currency if named is None else None)
        return figure
    if company.annual_revenue is not None:
        return Figure.point(company.annual_revenue, "USD")
    return None


def judge_revenue(criterion: RevenueRangeCriterion, company: CompanyFacts) -> Judgement:
    """Revenue, converted to the criterion's currency, against its bounds."""
    target = criterion.currency or "USD"
    source = company.sources.get("annual_revenue") or company.sources.get("revenue_as_given")
    try:
        figure = _revenue_figure(company, target)
    except FigureError as error:
        return Verdict.UNKNOWN, f"The annual revenue cannot be read: {error}", None
    if figure is None:
        return Verdict.UNKNOWN, "No annual revenue on the account or its web pages", None
    if figure.currency is None:
        return (
            Verdict.UNKNOWN,
            f"{figure.text!r} names a currency ambiguously; set the account's currency",
            None,
        )
    if figure.currency != target:
        given = criterion.exchange_rates.get(figure.currency)
        try:
            rate = (
                convert(1.0, figure.currency, target)
                if given is None
                else Conversion(
                    amount=given, rate=given, source=figure.currency, target=target, rate_date=None
                )
            )
        except UnknownCurrencyError as error:
            return (
                Verdict.UNKNOWN,
                f"{figure.text}: {error}; add its rate to the ICP's exchange_rates",
                None,
            )
        figure = figure.model_copy(
            update={
                "low": figure.low * rate.amount,
                "high": None if figure.high is None else figure.high * rate.amount,
                "currency": target,
            }
        )
        shown = f"{figure.text} ≈ {_money_range(figure, target)} ({rate.describe()})"
    else:
        shown = _money_range(figure, target)
    verdict, evidence = judge_figure(
        figure,
        criterion.min,
        criterion.max,
        criterion.tolerance,
        shown=f"{shown} annual revenue",
        fmt=lambda value: money_text(value, target),
    )
    return verdict, evidence, source
