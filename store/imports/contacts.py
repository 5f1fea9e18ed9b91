"""Contact rows: people at accounts, linked by account id or by the account's name."""

from __future__ import annotations

from store.crm import Account, Contact
from store.imports.batches import ImportContext, ImportKind
from store.imports.cells import ImportRow
from store.imports.leads import EmailFinder

CONTACT_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("contactid", "contact id", "record id", "hs_object_id"),
    "first_name": ("firstname", "first name", "given name"),
    "last_name": ("lastname", "last name", "surname", "family name"),
    "full_name": ("fullname", "full name", "name", "contact name"),
    "job_title": ("jobtitle", "title", "job title"),
    "email": ("emailaddress1", "email address", "e-mail", "email 1"),
    "phone": ("telephone1", "business phone", "mobilephone", "mobile phone", "phone number"),
    "account_id": ("accountid", "account id", "associatedcompanyid", "associated company id"),
    "account_name": (
        "account name", "company name", "company", "account", "parentcustomerid",
        "parent customer", "associated company",
    ),
}  # fmt: skip


class ContactRow(ImportRow):
    """One contact row as read from a CSV file."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    phone: str | None = None
    account_id: str | None = None
    account_name: str | None = None

    def names(self) -> tuple[str, str]:
        """First and last name; a full name alone is split at its last space."""
        if self.first_name or self.last_name:
            return self.first_name or "", self.last_name or ""
        first, _, last = (self.full_name or "").rpartition(" ")
        return first, last


def _build(row: ContactRow, contact_id: str, ctx: ImportContext) -> Contact:
    first, last = row.names()
    if not (first or last):
        ctx.notice("No name given: the contact is stored under its email")
        last = row.email or contact_id
    account_id = row.account_id or ctx.account_named(row.account_name)
    if row.account_name and account_id is None:
        ctx.notice("Account name matches no stored account: import the accounts first")
    return Contact(
        id=contact_id,
        first_name=first,
        last_name=last,
        job_title=row.job_title,
        email=row.email,
        phone=row.phone,
        account_id=account_id,
    )


CONTACTS = ImportKind(
    name="contacts",
    what="contact",
    aliases=CONTACT_HEADERS,
    row_model=ContactRow,
    table=Contact,
    id_prefix="CON",
    id_width=4,
    build=_build,
    finder=lambda ctx: EmailFinder(ctx, Contact),
    references={"account_id": (Account, "account")},
    filled_by={"account_id": "account_name", "first_name": "full_name", "last_name": "full_name"},
)
