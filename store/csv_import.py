"""Import leads and accounts from CSV files exported by Dynamics 365, Salesforce or a spreadsheet.

Good rows are inserted; bad rows are skipped and reported with their spreadsheet row
number (the header is row 1), the column and how to fix it. A row for a record already
stored (the same id; for leads the same email, for accounts the same domain or name legal
forms aside) updates it: the columns it fills replace the stored values, empty cells
never blank one, and a re-import never lifts an opt-out. Importing the same export twice
creates nothing twice.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, SQLModel, col, select

from core.clock import as_utc, utc_now
from core.company_names import company_key
from core.crm_figures import Figure, is_placeholder, parse_figure
from core.exchange_rates import convert, currency_code, known_currencies
from store.crm import Account, Lead, LeadRating, LeadStatus, User

M = TypeVar("M", bound=BaseModel)


class CsvImportError(ValueError):
    """The file as a whole cannot be imported (not a CSV, no header, ...); names the path."""


class RowError(BaseModel):
    """One problem in one row: where it is and how to fix it."""

    row: int = Field(description="Spreadsheet row number; the header is row 1.")
    field: str = Field(description="The column as named in the file, or the field name.")
    message: str


class ImportReport(BaseModel):
    """What an import did: rows stored, rows skipped and why."""

    path: str
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    imported_ids: list[str] = Field(default_factory=list)
    updated_ids: list[str] = Field(default_factory=list)
    columns: dict[str, str] = Field(
        default_factory=dict, description="Each column of the file read, and the field it fills."
    )
    dry_run: bool = Field(default=False, description="Nothing was written.")
    errors: list[RowError] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


# -- column names -------------------------------------------------------------------


def _key(header: str) -> str:
    """Compare headers by letters and digits only: 'First Name' == 'first_name' == 'FirstName'."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


# Field name -> other headers meaning the same (Dynamics 365 display and logical names,
# Salesforce API names). The field name itself always matches.
# Opt-out columns as Dynamics 365 ("Do Not Email", donotemail), Salesforce (HasOptedOutOfEmail,
# "Email Opt Out") and HubSpot (hs_email_optout, "Unsubscribed from all email") export them.
_OPT_OUT_ALIASES = (
    "donotemail", "do not email", "do not allow emails", "hasoptedoutofemail", "email opt out",
    "emailoptout", "opted out of email", "unsubscribed", "hs_email_optout",
    "unsubscribed from all email", "opt out", "optout", "email opt-out",
)  # fmt: skip

# Field name -> other headers meaning the same (Dynamics 365 display and logical names,
# Salesforce API names and labels, HubSpot property names and labels). The field name
# itself always matches.
_LEAD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("leadid", "lead id", "record id", "hs_object_id", "contact id"),
    "topic": ("subject",),
    "first_name": ("firstname", "given name"),
    "last_name": ("lastname", "surname", "family name"),
    "job_title": ("title", "jobtitle"),
    "company_name": ("company", "companyname", "company name", "account name"),
    "email": ("emailaddress1", "email address", "e-mail", "email 1"),
    "phone": (
        "telephone1", "business phone", "mobilephone", "mobile phone", "phone number",
        "mobile phone number",
    ),
    "country": (
        "country/region", "address1_country", "address 1: country/region", "country region",
    ),
    "city": ("address1_city", "address 1: city"),
    "source": (
        "lead source", "leadsource", "leadsourcecode", "original source", "hs_analytics_source",
    ),
    "rating": ("leadqualitycode",),
    "status": ("statecode", "lead status", "hs_lead_status"),
    "status_reason": ("statuscode", "status reason"),
    "created_on": ("createdon", "created on", "createddate", "created date", "create date"),
    "owner_id": ("ownerid", "owner", "owner id", "lead owner", "contact owner", "hubspot_owner_id"),
    "parent_account_id": ("parentaccountid", "parent account for lead", "parent account id"),
    "do_not_email": _OPT_OUT_ALIASES,
    "do_not_contact": ("donotcontact", "do not contact", "do not call", "donotphone"),
}  # fmt: skip


def known_headers(kind: str) -> dict[str, tuple[str, ...]]:
    """Each field of a lead or account import and the export headers that fill it."""
    return dict(_LEAD_ALIASES if kind == "leads" else _ACCOUNT_ALIASES)


_ACCOUNT_ALIASES: dict[str, tuple[str, ...]] = {
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
    "owner_id": ("ownerid", "owner", "owner id"),
}


def _column_map(
    headers: list[str], aliases: dict[str, tuple[str, ...]], path: Path
) -> tuple[dict[int, str], list[str]]:
    """Column index -> field name, and the headers nobody knows."""
    lookup = {_key(name): name for name in aliases}
    for name, others in aliases.items():
        lookup.update({_key(other): name for other in others})
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        field = lookup.get(_key(header))
        if not header.strip():
            continue
        if field is None:
            unknown.append(header)
        elif field in seen:
            raise CsvImportError(
                f"{path}: columns {seen[field]!r} and {header!r} both mean {field!r}; "
                "keep one of them"
            )
        else:
            seen[field] = header
            columns[index] = field
    return columns, unknown


# -- row models ----------------------------------------------------------------------


def _blank_to_none(value: Any) -> Any:
    """Empty text and picklist placeholders ("Select", "N/A", "-") are no value."""
    if isinstance(value, str):
        value = value.strip()
        return None if not value or is_placeholder(value) else value
    return value


_TRUE = frozenset(
    {"1", "true", "yes", "y", "x", "do not allow", "opted out", "ja", "oui", "si", "sim"}
)
_FALSE = frozenset({"0", "false", "no", "n", "allow", "nein", "non", "nao"})


def _flag(value: Any, *, what: str) -> bool:
    """A CRM yes/no column: 1/0, true/false, Yes/No, and Dynamics' "Do Not Allow"/"Allow"."""
    value = _blank_to_none(value)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = " ".join(str(value).lower().split())
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes or no; write {what} as Yes/No, True/False or 1/0")


def _parse_created_on(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date; write an ISO date such as 2025-03-14 or 2025-03-14T09:30:00Z"
        ) from None


def _enum_value(value: Any, allowed: Iterable[str], extra: dict[str, str] | None = None) -> Any:
    if value is None:
        return None
    text = str(value).strip().lower()
    options = list(allowed)
    mapped = (extra or {}).get(text, text)
    if mapped not in options:
        raise ValueError(f"{value!r} is not one of {', '.join(options)}; use one of those")
    return mapped


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


class LeadRow(_Row):
    """One lead row as read from a CSV file."""

    id: str | None = None
    topic: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    city: str | None = None
    source: str | None = None
    rating: LeadRating | None = None
    status: LeadStatus | None = None
    status_reason: str | None = None
    created_on: datetime | None = None
    owner_id: str | None = None
    parent_account_id: str | None = None
    do_not_email: bool = False
    do_not_contact: bool = False

    @field_validator("do_not_email", "do_not_contact", mode="before")
    @classmethod
    def _opt_out(cls, value: Any) -> bool:
        return _flag(value, what="an opt-out")

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> Any:
        return _enum_value(_blank_to_none(value), (r.value for r in LeadRating))

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        # Dynamics exports status reasons ("New", "Contacted") where we keep the state.
        reasons = {"new": "open", "contacted": "open"}
        return _enum_value(_blank_to_none(value), (s.value for s in LeadStatus), reasons)

    @field_validator("created_on", mode="before")
    @classmethod
    def _created_on(cls, value: Any) -> Any:
        return _parse_created_on(_blank_to_none(value))


class AccountRow(_Row):
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
            _blank_to_none(value), what="the number of employees", example="1250 or 200-500"
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
            _blank_to_none(value),
            what="annual revenue",
            example="240000000, USD 240M or 1,2 Mrd. €",
        )

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        # Dynamics exports "EUR" or "EUR - Euro"; the code comes first.
        return None if value is None else currency_code(str(value).split()[0])

    def headcount(self) -> tuple[int | None, str | None]:
        """The headcount column: one whole number, or the CRM's wording kept as given."""
        figure = self.number_of_employees
        if figure is None:
            return None, None
        if figure.is_point and not figure.approximate and figure.low == int(figure.low):
            return int(figure.low), None
        return None, figure.text

    def revenue_usd(self) -> tuple[float | None, str | None]:
        """Annual revenue in US dollars when it is one convertible number, and the wording.

        The wording is kept whenever it is not a plain US-dollar number, so the ICP judge
        can read a range or convert to the ICP's own currency.
        """
        figure = self.annual_revenue
        if figure is None:
            return None, None
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

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if value is None:
            return None
        domain = _domain_of(value)
        if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+", domain):
            raise ValueError(f"{value!r} is not a domain; write it like example.com")
        return domain


def _domain_of(url_or_domain: str) -> str:
    text = url_or_domain.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
    return text.removeprefix("www.")


# -- reading -------------------------------------------------------------------------


def _read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and (spreadsheet row number, values) of each non-empty data row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CsvImportError(f"{path}: no such file; check the path") from None
    except UnicodeDecodeError:
        raise CsvImportError(
            f"{path}: not a UTF-8 text file; save it as 'CSV UTF-8 (comma delimited)'"
        ) from None
    if "\x00" in text:
        raise CsvImportError(f"{path}: looks like a binary file, not CSV; export it as CSV")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise CsvImportError(f"{path}: no header row; the first line must name the columns")
    # Spreadsheets in many European locales export with semicolons.
    delimiter = max(",;\t", key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise CsvImportError(f"{path}: not a readable CSV file ({exc})") from None
    header = [h.strip() for h in rows[0]]

    def data() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(rows[1:], start=2):
            if any(v.strip() for v in values):
                yield number, values

    return header, data()


def _prepare(
    path: Path,
    aliases: dict[str, tuple[str, ...]],
    required: str | None,
    report: ImportReport,
) -> list[tuple[int, dict[str, str], dict[str, str]]]:
    """Rows as (number, field -> value, field -> header), after the file-level checks."""
    header, rows = _read_rows(path)
    columns, unknown = _column_map(header, aliases, path)
    if not columns:
        raise CsvImportError(
            f"{path}: no known column in the header {header[:6]!r}; name columns like "
            f"{', '.join(list(aliases)[:6])}"
        )
    if required is not None and required not in columns.values():
        raise CsvImportError(f"{path}: no {required!r} column; add one (it is required)")
    if unknown:
        report.warnings.append(
            f"Ignored unknown columns: {', '.join(unknown)}. Known columns: {', '.join(aliases)}."
        )
    header_of = {field: header[index] for index, field in columns.items()}
    report.columns = {header[index]: field for index, field in sorted(columns.items())}
    prepared = []
    for number, values in rows:
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            report.errors.append(
                RowError(
                    row=number,
                    field="(row)",
                    message=f"the row has {len(values)} values but the header has "
                    f"{len(header)} columns; quote values that contain the delimiter",
                )
            )
            report.skipped += 1
            continue
        record = {field: values[i] for i, field in columns.items() if i < len(values)}
        prepared.append((number, record, header_of))
    return prepared


def _validate(
    model: type[M], number: int, record: dict[str, str], header_of: dict[str, str]
) -> tuple[M | None, list[RowError]]:
    try:
        return model.model_validate(record), []
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "(row)"
            if error["type"] == "missing" or error.get("input", "") is None:
                message = f"{field} is required; fill it in"
            else:
                message = str(error["msg"]).removeprefix("Value error, ")
            errors.append(RowError(row=number, field=header_of.get(field, field), message=message))
        return None, errors


def _existing(session: Session, model: type[SQLModel], ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # stay under SQL parameter limits
        chunk = wanted[start : start + 500]
        found.update(session.exec(select(model.id).where(col(model.id).in_(chunk))).all())  # type: ignore[attr-defined]
    return found


class _IdMaker:
    """Next free readable id (`LEAD-0042`) after every id stored or named in the file."""

    def __init__(self, session: Session, model: type[SQLModel], prefix: str, width: int):
        self.prefix, self.width = prefix, width
        pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
        stored = session.exec(select(model.id).where(col(model.id).startswith(f"{prefix}-"))).all()  # type: ignore[attr-defined]
        self.pattern = pattern
        self.last = max((int(m.group(1)) for i in stored if (m := pattern.match(i))), default=0)

    def reserve(self, ids: Iterable[str]) -> None:
        for value in ids:
            if m := self.pattern.match(value):
                self.last = max(self.last, int(m.group(1)))

    def next(self) -> str:
        self.last += 1
        return f"{self.prefix}-{self.last:0{self.width}d}"


# Row fields that fill several stored columns: the row gave them when it gave these.
_FILLED_BY = {
    "employees_as_given": "number_of_employees",
    "revenue_as_given": "annual_revenue",
    "connected_by": "parent_account_id",
}


def _with_mapping(
    aliases: dict[str, tuple[str, ...]], mapping: dict[str, str]
) -> dict[str, tuple[str, ...]]:
    """The known headers plus the user's `--map FIELD=COLUMN` choices (which win)."""
    unknown = sorted(set(mapping) - set(aliases))
    if unknown:
        raise CsvImportError(
            f"--map names unknown fields {', '.join(unknown)}; map one of {', '.join(aliases)}"
        )
    chosen = {_key(column) for column in mapping.values()}
    merged = {
        field: tuple(a for a in names if _key(a) not in chosen) for field, names in aliases.items()
    }
    for field, column in mapping.items():
        merged[field] = (*merged[field], column)
    return merged


def _update(stored: Any, fresh: SQLModel, row: BaseModel, sticky: frozenset[str]) -> None:
    """Copy into `stored` what the row filled in; keep everything else as stored."""
    for name in type(fresh).model_fields:
        if name in ("id", "created_on"):
            continue
        source = _FILLED_BY.get(name, name)
        if getattr(row, source, None) in (None, False):
            continue  # the row did not fill it (or has no such column)
        value = getattr(fresh, name)
        if name in sticky:
            value = bool(getattr(stored, name)) or bool(value)
        setattr(stored, name, value)


def _import(
    session: Session,
    path: Path,
    *,
    aliases: dict[str, tuple[str, ...]],
    required: str | None,
    row_model: type[M],
    table: type[SQLModel],
    id_prefix: str,
    id_width: int,
    references: dict[str, tuple[type[SQLModel], str]],
    build: Callable[[M, str], SQLModel],
    same_as: Callable[[Session, M], str | None],
    sticky: frozenset[str] = frozenset(),
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    """Insert new rows; a row for a record already stored (same id, or `same_as` finds it)
    updates the fields the row fills, never blanks one, and never lifts a `sticky` flag."""
    report = ImportReport(path=str(path), dry_run=dry_run)
    prepared = _prepare(path, _with_mapping(aliases, mapping or {}), required, report)

    def value(record: dict[str, str], field: str) -> str | None:
        return (record.get(field) or "").strip() or None

    # Ids and references are checked on the raw values too, so that a row's every
    # problem is reported at once rather than one per attempt.
    given_ids = [v for _, record, _ in prepared if (v := value(record, "id"))]
    stored_ids = _existing(session, table, given_ids)
    known = {
        field: _existing(session, ref_model, (v for _, r, _ in prepared if (v := value(r, field))))
        for field, (ref_model, _) in references.items()
    }
    ids = _IdMaker(session, table, id_prefix, id_width)
    ids.reserve(given_ids)

    seen_in_file: dict[str, int] = {}
    updated: dict[str, int] = {}  # stored id -> the row that updates it
    new_rows: list[SQLModel] = []
    for number, record, headers in prepared:
        row, errors = _validate(row_model, number, record, headers)
        row_id = value(record, "id")
        if row_id and row_id in seen_in_file:
            errors.append(
                RowError(
                    row=number,
                    field=headers.get("id", "id"),
                    message=f"{row_id} is also used in row {seen_in_file[row_id]}; "
                    "give each row its own id",
                )
            )
        for field, (_, what) in references.items():
            ref = value(record, field)
            if ref and ref not in known[field]:
                errors.append(
                    RowError(
                        row=number,
                        field=headers.get(field, field),
                        message=f"no {what} with id {ref!r}; use an existing {what} id "
                        "or leave it empty",
                    )
                )
        if errors or row is None:
            report.errors.extend(errors)
            report.skipped += 1
            continue
        stored = row_id if row_id in stored_ids else same_as(session, row)
        if stored is not None and stored in updated:
            report.errors.append(
                RowError(
                    row=number,
                    field=headers.get("id", "id"),
                    message=f"row {updated[stored]} already updates {stored}; "
                    "keep one row per record",
                )
            )
            report.skipped += 1
            continue
        if row_id:
            seen_in_file[row_id] = number
        if stored is not None:
            updated[stored] = number
            _update(session.get(table, stored), build(row, stored), row, sticky)
            continue
        new_rows.append(build(row, row_id or ids.next()))

    if dry_run:
        session.rollback()  # the updates were applied to loaded rows: drop them
    else:
        session.add_all(new_rows)
        session.commit()
    report.imported = len(new_rows)
    report.imported_ids = [str(r.id) for r in new_rows]  # type: ignore[attr-defined]
    report.updated = len(updated)
    report.updated_ids = list(updated)
    report.errors.sort(key=lambda e: e.row)  # "too many values" rows were reported first
    return report


class _LeadFinder:
    """The stored lead with the row's email (any case): a re-import, not a new lead.

    The stored emails are read once per import, not once per row."""

    def __init__(self) -> None:
        self._by_email: dict[str, str] | None = None

    def __call__(self, session: Session, row: LeadRow) -> str | None:
        if not row.email or not row.email.strip():
            return None
        if self._by_email is None:
            stored = session.exec(select(Lead.email, Lead.id).where(col(Lead.email).is_not(None)))
            self._by_email = {email.strip().lower(): lead_id for email, lead_id in stored}
        return self._by_email.get(row.email.strip().lower())


class _AccountFinder:
    """The stored account a row names: the same domain, or the same name legal forms aside."""

    def __init__(self) -> None:
        self._by_name: dict[str, str] | None = None

    def __call__(self, session: Session, row: AccountRow) -> str | None:
        domain = row.domain or (_domain_of(row.website) if row.website else None)
        if domain:
            found = session.exec(select(Account.id).where(Account.domain == domain)).first()
            if found:
                return found
        if self._by_name is None:
            accounts = session.exec(select(Account.id, Account.name)).all()
            self._by_name = {company_key(name): account_id for account_id, name in accounts}
        return self._by_name.get(company_key(row.name))


def import_leads_csv(
    session: Session,
    path: Path,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    """Insert the good lead rows of a CSV file; report and skip the bad ones.

    Columns (any case; Dynamics 365, Salesforce and HubSpot names accepted): id, topic,
    first_name, last_name, job_title, company_name, email, phone, country, city, source,
    rating, status, status_reason, created_on, owner_id, parent_account_id, do_not_email
    (any opt-out column: Do Not Email, HasOptedOutOfEmail, hs_email_optout, ...) and
    do_not_contact. Placeholders ("Select", "N/A", "-") are read as empty.
    """
    created_default = as_utc(now) if now is not None else utc_now()

    def build(row: LeadRow, lead_id: str) -> Lead:
        status = row.status or LeadStatus.OPEN
        reason = row.status_reason
        if reason is None and status is LeadStatus.OPEN:
            reason = "New"
        return Lead(
            id=lead_id,
            # Salesforce and HubSpot exports have no topic: say where the lead came from.
            topic=row.topic or f"Imported lead{f' ({row.source})' if row.source else ''}",
            first_name=row.first_name,
            last_name=row.last_name,
            job_title=row.job_title,
            company_name=row.company_name,
            email=row.email,  # stored as given; the email check judges it later
            phone=row.phone,
            country=row.country,
            city=row.city,
            source=row.source,
            rating=row.rating or LeadRating.WARM,
            status=status,
            status_reason=reason,
            created_on=row.created_on or created_default,
            owner_id=row.owner_id,
            parent_account_id=row.parent_account_id,
            connected_by="crm" if row.parent_account_id else None,
            do_not_email=row.do_not_email or row.do_not_contact,
            do_not_contact=row.do_not_contact,
        )

    return _import(
        session,
        path,
        aliases=_LEAD_ALIASES,
        required=None,
        row_model=LeadRow,
        table=Lead,
        id_prefix="LEAD",
        id_width=4,
        references={"owner_id": (User, "user"), "parent_account_id": (Account, "account")},
        build=build,
        same_as=_LeadFinder(),
        sticky=frozenset({"do_not_email", "do_not_contact"}),
        dry_run=dry_run,
        mapping=mapping,
    )


def import_accounts_csv(
    session: Session,
    path: Path,
    *,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    """Insert the good account rows of a CSV file; report and skip the bad ones.

    Columns (any case, Dynamics or Salesforce names accepted): id, name (required),
    domain, industry, number_of_employees (a number or a range such as 200-500),
    annual_revenue (in any currency: "USD 240M", "1,2 Mrd. €"), currency, country, city, website,
    description, owner_id. The domain defaults to the website's host.
    """

    def build(row: AccountRow, account_id: str) -> Account:
        domain = row.domain or (_domain_of(row.website) if row.website else None)
        employees, employees_as_given = row.headcount()
        revenue, revenue_as_given = row.revenue_usd()
        return Account(
            id=account_id,
            name=row.name,
            domain=domain or None,
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

    return _import(
        session,
        path,
        aliases=_ACCOUNT_ALIASES,
        required="name",
        row_model=AccountRow,
        table=Account,
        id_prefix="ACC",
        id_width=3,
        references={"owner_id": (User, "user")},
        build=build,
        same_as=_AccountFinder(),
        dry_run=dry_run,
        mapping=mapping,
    )
