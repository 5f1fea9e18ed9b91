"""The opt-out columns every CRM exports, by any of their names."""

from __future__ import annotations

# Dynamics 365 ("Do Not Email", donotemail, "Do not allow Bulk Emails"), Salesforce
# (HasOptedOutOfEmail, "Email Opt Out") and HubSpot (hs_email_optout, "Unsubscribed from
# all email").
OPT_OUT_ALIASES = (
    "donotemail", "do not email", "do not allow emails", "hasoptedoutofemail", "email opt out",
    "emailoptout", "opted out of email", "unsubscribed", "hs_email_optout",
    "unsubscribed from all email", "opt out", "optout", "email opt-out", "donotbulkemail",
    "do not allow bulk emails",
)  # fmt: skip
DO_NOT_CONTACT_ALIASES = ("donotcontact", "do not contact", "do not call", "donotphone")
