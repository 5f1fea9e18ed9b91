"""Currency conversion offline, from the European Central Bank's reference rates.

The rates ship inside the currencyconverter package (ECB history from 1999 to the package's
release), so judging a revenue in another currency needs no network. Every conversion
says which rate and date it used, so a seller can check it. Currencies the ECB does not
publish (COP, CLP, ARS, AED, ...) are refused with a clear error, never guessed.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from currency_converter import CurrencyConverter
from pydantic import BaseModel


class Conversion(BaseModel):
    """An amount converted, with the rate used and the date it was published for."""

    amount: float
    rate: float
    source: str
    target: str
    rate_date: date | None = None

    def describe(self) -> str:
        """'at 1 EUR = 1.1172 USD, ECB rate of 2026-10-30' (or the admin's rate)."""
        where = (
            f"ECB rate of {self.rate_date.isoformat()}"
            if self.rate_date
            else "the rate set in the ICP's exchange_rates"
        )
        return f"at 1 {self.source} = {self.rate:.4g} {self.target}, {where}"


class UnknownCurrencyError(ValueError):
    """No offline rate for a currency."""


@cache
def _converter() -> CurrencyConverter:
    # Fallbacks: weekends and dates after the shipped data take the nearest known rate.
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def known_currencies() -> frozenset[str]:
    """ISO codes with an offline rate."""
    return frozenset(_converter().currencies)


def currency_code(value: str) -> str:
    """An ISO 4217 code with an offline rate, from an admin's or a CRM's spelling ("eur").

    Raises ValueError naming the value and the codes that work.
    """
    code = value.strip().upper()
    if code not in known_currencies():
        raise ValueError(
            f"{value!r} is not a currency with an offline exchange rate; use an ISO 4217 code "
            f"such as USD, EUR or GBP ({', '.join(sorted(known_currencies()))})"
        )
    return code


def latest_rate_date(currency: str) -> date:
    """The last date the shipped rates cover for `currency`."""
    return _converter().bounds[currency].last_date


def convert(amount: float, source: str, target: str, on: date | None = None) -> Conversion:
    """Convert `amount` from `source` to `target` at the ECB rate of `on` (latest if None)."""
    source, target = source.upper(), target.upper()
    missing = [c for c in (source, target) if c not in known_currencies()]
    if missing:
        raise UnknownCurrencyError(
            f"no offline exchange rate for {', '.join(missing)} (the ECB reference rates "
            f"cover {len(known_currencies())} currencies)"
        )
    if source == target:
        return Conversion(
            amount=amount, rate=1.0, source=source, target=target,
            rate_date=on or latest_rate_date(source),
        )  # fmt: skip
    day = on or min(latest_rate_date(source), latest_rate_date(target))
    rate = float(_converter().convert(1.0, source, target, date=day))
    return Conversion(amount=amount * rate, rate=rate, source=source, target=target, rate_date=day)
