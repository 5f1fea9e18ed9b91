"""Activity rows: emails and meetings with their parties, which say who knows whom."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import field_validator
from sqlmodel import SQLModel, delete

from store.crm import Account, Activity, ActivityParticipant, ActivityType, Lead, User
from store.imports.batches import ImportContext, ImportKind
from store.imports.cells import ImportRow, read_choice, read_datetime

ACTIVITY_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("activityid", "activity id", "record id", "hs_object_id", "task id", "event id"),
    "activity_type": (
        "activitytypecode", "activity type", "type", "tasksubtype", "eventsubtype",
        "hs_activity_type", "engagement type",
    ),
    "subject": ("hs_email_subject", "meeting name", "hs_meeting_title", "title"),
    "occurred_on": (
        "actualend", "actual end", "activitydate", "activity date", "date", "hs_timestamp",
        "start time", "scheduledstart", "startdatetime", "sent on", "senton",
    ),
    "owner_id": ("ownerid", "owner", "assigned to", "hubspot_owner_id", "activity owner"),
    "regarding_account_id": ("account id", "accountid", "regarding account", "company id"),
    "regarding_lead_id": ("lead id", "leadid", "regarding lead"),
    "sender": ("from", "from address", "sender", "hs_email_from_email"),
    "recipients": (
        "to", "to recipients", "recipients", "attendees", "required attendees",
        "hs_email_to_email", "participants",
    ),
}  # fmt: skip

# A CRM's kinds of activity that are an email or a meeting; calls and tasks say less
# about who knows whom and are refused by name.
_TYPES = {
    "e-mail": "email", "emails": "email", "sent email": "email", "incoming email": "email",
    "appointment": "meeting", "event": "meeting", "meetings": "meeting",
    "teams meeting": "meeting", "video call": "meeting",
}  # fmt: skip
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


class ActivityRow(ImportRow):
    """One activity row as read from a CSV file."""

    id: str | None = None
    activity_type: ActivityType
    subject: str
    occurred_on: datetime
    owner_id: str | None = None
    regarding_account_id: str | None = None
    regarding_lead_id: str | None = None
    sender: str | None = None
    recipients: str | None = None

    @field_validator("activity_type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return read_choice(value, (t.value for t in ActivityType), _TYPES)

    @field_validator("occurred_on", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return read_datetime(value)

    @field_validator("sender", "recipients")
    @classmethod
    def _addresses(cls, value: str | None) -> str | None:
        if value is not None and not _ADDRESS.search(value):
            raise ValueError(f"{value!r} holds no email address; list addresses with ; or ,")
        return value


def _build(row: ActivityRow, activity_id: str, ctx: ImportContext) -> Activity:
    return Activity(
        id=activity_id,
        activity_type=row.activity_type,
        subject=row.subject,
        occurred_on=row.occurred_on,
        owner_id=row.owner_id,
        regarding_account_id=row.regarding_account_id,
        regarding_lead_id=row.regarding_lead_id,
    )


def _participants(row: ActivityRow, activity_id: str, ctx: ImportContext) -> list[SQLModel]:
    """The activity's parties: our users by their address, everyone else as an address."""
    if row.sender is None and row.recipients is None:
        return []  # a re-import without parties keeps the stored ones
    ctx.session.exec(
        delete(ActivityParticipant).where(ActivityParticipant.activity_id == activity_id)
    )  # type: ignore[call-overload]
    to_role = "attendee" if row.activity_type is ActivityType.MEETING else "to"
    parties = [(a, "from") for a in _ADDRESS.findall(row.sender or "")]
    parties += [(a, to_role) for a in _ADDRESS.findall(row.recipients or "")]
    records: list[SQLModel] = []
    for address, role in parties:
        user_id = ctx.user_with_email(address)
        records.append(
            ActivityParticipant(
                activity_id=activity_id,
                user_id=user_id,
                email=None if user_id else address.lower(),
                role=role,
                is_internal=user_id is not None,
            )
        )
    return records


ACTIVITIES = ImportKind(
    name="activities",
    what="activity",
    aliases=ACTIVITY_HEADERS,
    row_model=ActivityRow,
    table=Activity,
    id_prefix="ACT",
    id_width=5,
    build=_build,
    required=("activity_type", "subject", "occurred_on"),
    references={
        "owner_id": (User, "user"),
        "regarding_account_id": (Account, "account"),
        "regarding_lead_id": (Lead, "lead"),
    },
    companions=_participants,
)
