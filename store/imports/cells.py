"""Reading one CRM cell: blanks and placeholders, yes/no flags, dates, picklists, domains.

Shared by every kind of import; each raises ValueError with the fix in its message, which
the row's validation reports against the column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from core.clock import as_utc
from core.crm_figures import is_placeholder
from core.exchange_rates import currency_code


def header_key(header: str) -> str:
    """Compare headers by letters and digits only: 'First Name' == 'first_name' == 'FirstName'."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def blank_to_none(value: Any) -> Any:
    """Empty text and picklist placeholders ("Select", "N/A", "-") are no value."""
    if isinstance(value, str):
        value = value.strip()
        return None if not value or is_placeholder(value) else value
    return value


_TRUE = frozenset(
    {"1", "true", "yes", "y", "x", "do not allow", "opted out", "ja", "oui", "si", "sim"}
)
_FALSE = frozenset({"0", "false", "no", "n", "allow", "nein", "non", "nao"})


def read_flag(value: Any, *, what: str) -> bool:
    """A CRM yes/no column: 1/0, true/false, Yes/No, and Dynamics' "Do Not Allow"/"Allow"."""
    value = blank_to_none(value)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = " ".join(str(value).lower().split())
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes or no; write {what} as Yes/No, True/False or 1/0")


_DATE_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y")


def read_datetime(value: Any) -> datetime | None:
    """An ISO date or time, or a CRM's US ("3/14/2025 9:30 AM") or German ("14.03.2025")
    export format; times without a zone are UTC."""
    value = blank_to_none(value)
    if value is None or isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    for layout in _DATE_FORMATS:
        try:
            return as_utc(datetime.strptime(text, layout))
        except ValueError:
            continue
    raise ValueError(
        f"{text!r} is not a date; write an ISO date such as 2025-03-14 or 2025-03-14T09:30:00Z"
    )


def read_choice(value: Any, allowed: Iterable[str], extra: dict[str, str] | None = None) -> Any:
    """One of `allowed` (any case), or a CRM's own word for one (`extra`)."""
    value = blank_to_none(value)
    if value is None:
        return None
    text = " ".join(str(value).strip().lower().split())
    options = list(allowed)
    mapped = (extra or {}).get(text, text)
    if mapped not in options:
        raise ValueError(f"{value!r} is not one of {', '.join(options)}; use one of those")
    return mapped


def read_currency(value: Any) -> str | None:
    """An ISO 4217 code: Dynamics exports "EUR" or "EUR - Euro", the code first."""
    value = blank_to_none(value)
    return None if value is None else currency_code(str(value).split()[0])


def domain_of(url_or_domain: str) -> str:
    """The host of a URL or a bare domain, lowercased, without "www."."""
    text = url_or_domain.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
    return text.removeprefix("www.")


class ImportRow(BaseModel):
    """A row as read from a CSV file: blanks and placeholders are None, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return blank_to_none(value)
