"""Baseline: the schema of the last release before migrations (git f09fa4d), as its
`SQLModel.metadata.create_all` made it.

A database made by that release or an earlier one (no alembic_version table) is stamped
with this revision, not upgraded through it. Drafted by autogenerate against an empty
database with that release's models, then checked by hand: plain SQLAlchemy types (what
SQLModel's AutoString and UTCDateTime compile to), so the DDL does not follow SQLModel.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_baseline"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# PostgreSQL keeps enum types apart from the tables; downgrade drops them too.
_ENUMS = (
    "securityrole",
    "leadrating",
    "leadstatus",
    "activitytype",
    "conversationstate",
    "direction",
    "deliverystatus",
    "handofftarget",
    "handoffstatus",
    "opportunitystate",
)


def upgrade() -> None:
    op.create_table(
        "accountresearch",
        sa.Column("company_key", sa.String(), nullable=False),
        sa.Column("researched_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("engine", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("company_key"),
    )
    op.create_table(
        "agentsetting",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("updated_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "lease",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "noderun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.String(), nullable=False),
        sa.Column("lead_id", sa.String(), nullable=True),
        sa.Column("node", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("engine", sa.String(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("replay", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_noderun_lead_id"), "noderun", ["lead_id"], unique=False)
    op.create_index(op.f("ix_noderun_node"), "noderun", ["node"], unique=False)
    op.create_index(op.f("ix_noderun_started_at"), "noderun", ["started_at"], unique=False)
    op.create_index(op.f("ix_noderun_thread_id"), "noderun", ["thread_id"], unique=False)
    op.create_table(
        "productprofileversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("retired_on", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product", "version", name="uq_productprofileversion_product_version"),
    )
    op.create_index(
        op.f("ix_productprofileversion_product"), "productprofileversion", ["product"], unique=False
    )
    op.create_table(
        "promptactivation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("activated_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_by", sa.String(), nullable=True),
        sa.Column("rolled_back", sa.Boolean(), nullable=False),
        sa.Column("rolled_back_on", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_promptactivation_name"), "promptactivation", ["name"], unique=False)
    op.create_table(
        "promptregistryrevision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "promptversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "version", name="uq_promptversion_name_version"),
    )
    op.create_index(op.f("ix_promptversion_name"), "promptversion", ["name"], unique=False)
    op.create_table(
        "replay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("original_thread_id", sa.String(), nullable=False),
        sa.Column("replay_thread_id", sa.String(), nullable=False),
        sa.Column("from_step", sa.Integer(), nullable=False),
        sa.Column("from_node", sa.String(), nullable=False),
        sa.Column("from_checkpoint_id", sa.String(), nullable=False),
        sa.Column("engine", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=True),
        sa.Column("prompt_versions", sa.JSON(), nullable=True),
        sa.Column("edits", sa.JSON(), nullable=True),
        sa.Column("original", sa.JSON(), nullable=True),
        sa.Column("replayed", sa.JSON(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("replay_thread_id"),
    )
    op.create_index(op.f("ix_replay_lead_id"), "replay", ["lead_id"], unique=False)
    op.create_table(
        "user",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column(
            "security_role",
            sa.Enum(
                "SELLER", "SALES_MANAGER", "SUPERVISOR", "ADMIN", "MARKETING", name="securityrole"
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_user_email"), "user", ["email"], unique=False)
    op.create_index("ix_user_email_lower", "user", [sa.text("lower(email)")], unique=False)
    op.create_table(
        "account",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("industry", sa.String(), nullable=True),
        sa.Column("number_of_employees", sa.Integer(), nullable=True),
        sa.Column("annual_revenue", sa.Float(), nullable=True),
        sa.Column("employees_as_given", sa.String(), nullable=True),
        sa.Column("revenue_as_given", sa.String(), nullable=True),
        sa.Column("currency", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("website", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_account_domain"), "account", ["domain"], unique=False)
    op.create_index(op.f("ix_account_name"), "account", ["name"], unique=False)
    op.create_table(
        "contact",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("first_name", sa.String(), nullable=False),
        sa.Column("last_name", sa.String(), nullable=False),
        sa.Column("job_title", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("account_id", sa.String(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_contact_account_id"), "contact", ["account_id"], unique=False)
    op.create_index(op.f("ix_contact_email"), "contact", ["email"], unique=False)
    op.create_index("ix_contact_email_lower", "contact", [sa.text("lower(email)")], unique=False)
    op.create_table(
        "lead",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("first_name", sa.String(), nullable=True),
        sa.Column("last_name", sa.String(), nullable=True),
        sa.Column("job_title", sa.String(), nullable=True),
        sa.Column("company_name", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("rating", sa.Enum("HOT", "WARM", "COLD", name="leadrating"), nullable=False),
        sa.Column(
            "status",
            sa.Enum("OPEN", "QUALIFIED", "DISQUALIFIED", name="leadstatus"),
            nullable=False,
        ),
        sa.Column("status_reason", sa.String(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("parent_account_id", sa.String(), nullable=True),
        sa.Column("parent_contact_id", sa.String(), nullable=True),
        sa.Column("connected_by", sa.String(), nullable=True),
        sa.Column("modified_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("do_not_email", sa.Boolean(), nullable=False),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("time_zone", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_contact_id"],
            ["contact.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_lead_eligibility", "lead", ["status", "owner_id", "created_on"], unique=False
    )
    op.create_index("ix_lead_email_lower", "lead", [sa.text("lower(email)")], unique=False)
    op.create_table(
        "activity",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column(
            "activity_type", sa.Enum("EMAIL", "MEETING", name="activitytype"), nullable=False
        ),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("occurred_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("regarding_account_id", sa.String(), nullable=True),
        sa.Column("regarding_lead_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["regarding_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["regarding_lead_id"],
            ["lead.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_activity_occurred_on"), "activity", ["occurred_on"], unique=False)
    op.create_index(
        op.f("ix_activity_regarding_account_id"), "activity", ["regarding_account_id"], unique=False
    )
    op.create_index(
        op.f("ix_activity_regarding_lead_id"), "activity", ["regarding_lead_id"], unique=False
    )
    op.create_table(
        "conversation",
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("thread_id", sa.String(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("ACTIVE", "WAITING", "HANDED_OFF", "STOPPED", name="conversationstate"),
            nullable=False,
        ),
        sa.Column("mailbox", sa.String(), nullable=False),
        sa.Column("started_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages_sent", sa.Integer(), nullable=False),
        sa.Column("followups_sent", sa.Integer(), nullable=False),
        sa.Column("last_outbound_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_inbound_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_action_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_action", sa.String(), nullable=True),
        sa.Column("taken_over_by", sa.String(), nullable=True),
        sa.Column("last_read_inbound_id", sa.Integer(), nullable=True),
        sa.Column("stop_reason", sa.String(), nullable=True),
        sa.Column("held_for", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lead.id"],
        ),
        sa.PrimaryKeyConstraint("lead_id"),
    )
    op.create_index(
        op.f("ix_conversation_next_action_on"), "conversation", ["next_action_on"], unique=False
    )
    op.create_table(
        "emailmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("lead_id", sa.String(), nullable=True),
        sa.Column("direction", sa.Enum("OUTBOUND", "INBOUND", name="direction"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "QUEUED",
                "SENDING",
                "SENT",
                "FAILED",
                "UNCONFIRMED",
                "RECEIVED",
                "UNMATCHED",
                name="deliverystatus",
            ),
            nullable=False,
        ),
        sa.Column("mailbox", sa.String(), nullable=True),
        sa.Column("from_address", sa.String(), nullable=False),
        sa.Column("to_address", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("in_reply_to", sa.String(), nullable=True),
        sa.Column("references", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("sent_by", sa.String(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("eml_path", sa.String(), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("claimed_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lead.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key", name="uq_email_idempotency_key"),
    )
    op.create_index(
        "ix_email_status_due", "emailmessage", ["status", "next_attempt_on"], unique=False
    )
    op.create_index(op.f("ix_emailmessage_lead_id"), "emailmessage", ["lead_id"], unique=False)
    op.create_index(
        op.f("ix_emailmessage_message_id"), "emailmessage", ["message_id"], unique=False
    )
    op.create_index(op.f("ix_emailmessage_sent_on"), "emailmessage", ["sent_on"], unique=False)
    op.create_table(
        "emailoverride",
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("is_valid", sa.Boolean(), nullable=True),
        sa.Column("email_type", sa.String(), nullable=True),
        sa.Column("set_by", sa.String(), nullable=True),
        sa.Column("set_on", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lead.id"],
        ),
        sa.PrimaryKeyConstraint("lead_id"),
    )
    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("target", sa.Enum("SELLER", "SUPERVISOR", name="handofftarget"), nullable=False),
        sa.Column("assignee_id", sa.String(), nullable=True),
        sa.Column("rule_id", sa.String(), nullable=False),
        sa.Column("rule_description", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("bant", sa.JSON(), nullable=False),
        sa.Column("purchase_interest", sa.String(), nullable=True),
        sa.Column("next_step", sa.String(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "APPROVED", "REJECTED", name="handoffstatus"),
            nullable=False,
        ),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lead.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index(op.f("ix_handoff_lead_id"), "handoff", ["lead_id"], unique=False)
    op.create_table(
        "leadinsight",
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("researched_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fit_level", sa.String(), nullable=False),
        sa.Column("recommendation", sa.String(), nullable=False),
        sa.Column("engine", sa.String(), nullable=False),
        sa.Column("thread_id", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["lead.id"],
        ),
        sa.PrimaryKeyConstraint("lead_id"),
    )
    op.create_index(
        op.f("ix_leadinsight_researched_on"), "leadinsight", ["researched_on"], unique=False
    )
    op.create_table(
        "opportunity",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=True),
        sa.Column("contact_id", sa.String(), nullable=True),
        sa.Column("originating_lead_id", sa.String(), nullable=True),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("estimated_value", sa.Float(), nullable=False),
        sa.Column("state", sa.Enum("OPEN", "WON", "LOST", name="opportunitystate"), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("estimated_close_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["originating_lead_id"],
            ["lead.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_opportunity_account_id"), "opportunity", ["account_id"], unique=False)
    op.create_index(
        op.f("ix_opportunity_originating_lead_id"),
        "opportunity",
        ["originating_lead_id"],
        unique=False,
    )
    op.create_table(
        "activityparticipant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("is_internal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_activityparticipant_activity_id"),
        "activityparticipant",
        ["activity_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_activityparticipant_email"), "activityparticipant", ["email"], unique=False
    )
    op.create_index(
        op.f("ix_activityparticipant_user_id"), "activityparticipant", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("activityparticipant")
    op.drop_table("opportunity")
    op.drop_table("leadinsight")
    op.drop_table("handoff")
    op.drop_table("emailoverride")
    op.drop_table("emailmessage")
    op.drop_table("conversation")
    op.drop_table("activity")
    op.drop_table("lead")
    op.drop_table("contact")
    op.drop_table("account")
    op.drop_table("user")
    op.drop_table("replay")
    op.drop_table("promptversion")
    op.drop_table("promptregistryrevision")
    op.drop_table("promptactivation")
    op.drop_table("productprofileversion")
    op.drop_table("noderun")
    op.drop_table("lease")
    op.drop_table("agentsetting")
    op.drop_table("accountresearch")
    if op.get_bind().dialect.name == "postgresql":
        for name in _ENUMS:
            sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
