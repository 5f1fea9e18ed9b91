"""User rows: the CRM's sellers, managers and admins, with a security role each."""

from __future__ import annotations

import re
from typing import Any

from pydantic import field_validator

from store.crm import SecurityRole, User
from store.imports.batches import ImportContext, ImportKind
from store.imports.cells import ImportRow, blank_to_none
from store.imports.leads import EmailFinder

USER_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("systemuserid", "user id", "userid", "record id"),
    "full_name": ("fullname", "full name", "name", "user full name"),
    "first_name": ("firstname", "first name"),
    "last_name": ("lastname", "last name"),
    "email": ("internalemailaddress", "primary email", "email address", "user email"),
    "security_role": (
        "role", "security role", "security roles", "profile", "profile name", "userrole",
        "user role", "permission set",
    ),
    "title": ("jobtitle", "job title"),
}  # fmt: skip

# A CRM's role names, read by the words they use: Dynamics "Salesperson" and "Sales
# Manager", Salesforce "Standard User" and "System Administrator", HubSpot "Super Admin".
_ROLE_WORDS: tuple[tuple[str, SecurityRole], ...] = (
    (r"admin|customi[sz]er", SecurityRole.ADMIN),
    (r"marketing", SecurityRole.MARKETING),
    (r"supervisor", SecurityRole.SUPERVISOR),
    (r"manager|director|head|lead\b|vp|vice president", SecurityRole.SALES_MANAGER),
    (r"sales|seller|rep\b|representative|account executive|standard user|\bae\b|sdr|bdr",
     SecurityRole.SELLER),
)  # fmt: skip


def read_role(value: Any) -> SecurityRole | None:
    """A security role from a CRM's own role or profile name."""
    value = blank_to_none(value)
    if value is None:
        return None
    text = str(value).strip().lower()
    for role in SecurityRole:
        if text == role.value or text == role.value.replace("_", " "):
            return role
    for words, role in _ROLE_WORDS:
        if re.search(words, text):
            return role
    raise ValueError(
        f"{value!r} is no role we know; write one of "
        f"{', '.join(r.value for r in SecurityRole)} (or --map the column that has them)"
    )


class UserRow(ImportRow):
    """One user row as read from a CSV file."""

    id: str | None = None
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str
    security_role: SecurityRole | None = None
    title: str | None = None

    @field_validator("security_role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> Any:
        return read_role(value)

    def name(self) -> str:
        """The full name, or first and last name, or the email's local part."""
        joined = " ".join(p for p in (self.first_name, self.last_name) if p)
        return self.full_name or joined or self.email.split("@")[0]


def _build(row: UserRow, user_id: str, ctx: ImportContext) -> User:
    if row.security_role is None:
        ctx.notice("No role given: a new user is a seller, a stored one keeps their role")
    return User(
        id=user_id,
        full_name=row.name(),
        email=row.email,
        security_role=row.security_role or SecurityRole.SELLER,
        title=row.title,
    )


USERS = ImportKind(
    name="users",
    what="user",
    aliases=USER_HEADERS,
    row_model=UserRow,
    table=User,
    id_prefix="USR",
    id_width=2,
    build=_build,
    finder=lambda ctx: EmailFinder(ctx, User),
    required=("email",),
)
