"""Email check on a lead's primary email: validity and type (work, personal, ...)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EmailType = Literal["work", "personal", "disposable", "role", "unknown"]


class EmailCheck(BaseModel):
    """Result of checking one address; seller overrides win over the agent's labels."""

    email: str | None
    normalized: str | None = None
    is_valid: bool
    validity_reason: str = Field(description="Why valid or invalid, in words a seller reads.")
    deliverability_checked: bool = False
    email_type: EmailType = "unknown"
    type_reason: str = ""
    overridden: bool = Field(default=False, description="A seller's override was applied.")
