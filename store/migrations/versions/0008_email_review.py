"""Review before send: an email may be held for its lead owner's approval (`held`) or
cancelled in review (`cancelled`); who approved it, when, and the review steps (edits keep
the text before them) are kept on the row."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_column

revision: str = "0008_email_review"
down_revision: str | None = "0007_agent_lead_rating"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL keeps the enum's names in its own type; SQLite stores plain text.
        op.execute("ALTER TYPE deliverystatus ADD VALUE IF NOT EXISTS 'HELD'")
        op.execute("ALTER TYPE deliverystatus ADD VALUE IF NOT EXISTS 'CANCELLED'")
    if not has_column("emailmessage", "approved_by"):
        op.add_column("emailmessage", sa.Column("approved_by", sa.String(), nullable=True))
    if not has_column("emailmessage", "approved_on"):
        op.add_column(
            "emailmessage", sa.Column("approved_on", sa.DateTime(timezone=True), nullable=True)
        )
    if not has_column("emailmessage", "review_history"):
        op.add_column("emailmessage", sa.Column("review_history", sa.JSON(), nullable=True))
    _existing_rules_keep_sending()


def _existing_rules_keep_sending() -> None:
    """A rule without `sending` now holds its emails for review; the admin's rule stored
    before review existed sent on its own, and keeps doing so until the admin says."""
    settings = sa.table(
        "agentsetting",
        sa.column("name", sa.String()),
        sa.column("value", sa.JSON()),
    )
    bind = op.get_bind()
    value = bind.execute(
        sa.select(settings.c.value).where(settings.c.name == "engage")
    ).scalar_one_or_none()
    if not isinstance(value, dict):
        return
    assignment = value.setdefault("assignment", {})
    if "sending" in assignment:
        return
    assignment["sending"] = "auto"
    bind.execute(settings.update().where(settings.c.name == "engage").values(value=value))


def downgrade() -> None:
    # The enum keeps its two names: PostgreSQL cannot drop a value from a type.
    op.drop_column("emailmessage", "review_history")
    op.drop_column("emailmessage", "approved_on")
    op.drop_column("emailmessage", "approved_by")
