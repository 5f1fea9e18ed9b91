"""Mail a machine sent or a complaint: bounces, auto-replies and spam complaints.

Headers are read by any key spelling ("auto_submitted", "Auto-Submitted"). A bounce is
also told by its delivery-status wording, which may sit below an "Original message" line
the reply cleaner cuts at; an out-of-office reply by its auto-reply headers or subject
(its wording in the text is an intent cue, `intent_cues.OUT_OF_OFFICE`).
"""

from __future__ import annotations

import re

from graphs.reply_reader.cue_openings import cue_found
from graphs.reply_reader.sentences import any_of

EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")

_BOUNCE = any_of(
    r"delivery status notification",
    r"\bundeliverable\b",
    r"undelivered mail",
    r"mail delivery (?:failed|failure|subsystem|system)",
    r"delivery (?:has )?failed",
    r"(?:could not|couldn't|cannot|can't|was not|wasn't) be(?:en)? delivered",
    r"message (?:not|could not be) delivered",
    r"returned mail",
    r"delivery to the following recipients? failed",
    r"\buser unknown\b",
    r"no such (?:user|mailbox|recipient)",
    r"mailbox (?:unavailable|not found|does not exist|is full|full)",
    r"recipient address rejected",
    r"address (?:not found|rejected)",
    r"\b55[0-4][ -]#?5\.\d\.\d+",
    r"^\s*(?:final-recipient|diagnostic-code)\s*:",
    r"^\s*action\s*:\s*failed",
    r"the (?:e-?mail )?account (?:that )?you tried to reach does not exist",
    r"permanent (?:error|failure)",
    r"unzustellbar",
    r"nicht zugestellt",
    r"non remis",
    r"échec de (?:la )?(?:remise|distribution)",
    r"no se (?:puede|pudo) entregar",
    r"did not reach (?:some or all of )?the intended recipients?",
    r"following recipient(?:\(s\)|s)? could not be reached",
    r"recipient not found",
    r"(?:unknown|invalid) (?:user|recipient|address|mailbox)",
    r"had (?:permanent fatal errors|delivery problems)",
    r"error delivering your (?:mail|message)",
    r"could not deliver (?:for|to|your|the message)",
    r"mail returned to sender",
    r"your message .{0,40}was automatically rejected",
    r"transcript of (?:the )?session follows",
    r"could not send message for past",
    r"this is the mail system at host",
    r"delivery has failed to these recipients",
    r"your message (?:was|has been) rejected\b",
    r"(?:hop count|retry (?:timeout|time)) exceeded",
    r"^\s*(?:was|were|has not been|could not be) not delivered to\s*:?\s*$",
    r"^\s*was not delivered to\s*:",
    r"\bnot listed in (?:the )?(?:\w+ )?(?:public )?(?:address book|directory)\b",
    flags=re.MULTILINE,
)
_BOUNCE_SENDER = re.compile(
    r"mailer-daemon|postmaster@|mail delivery (?:subsystem|system)", re.IGNORECASE
)

_OOO_HEADER_SUBJECT = any_of(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?reply|auto(?:matic)? response|"
    r"out of (?:the )?office|ooo\b|away from|abwesend|abwesenheitsnotiz|automatische antwort|"
    r"réponse automatique|reponse automatique|absence|respuesta automática|"
    r"respuesta automatica|fuera de la oficina|vacation|on leave)",
)


def header(headers: dict | None, *names: str) -> str:
    """A header's value by any of its spellings ("auto_submitted", "Auto-Submitted")."""
    if not headers:
        return ""
    wanted = {n.lower().replace("_", "-") for n in names}
    for key, value in headers.items():
        if str(key).lower().replace("_", "-") in wanted and value not in (None, False):
            return "true" if value is True else str(value)
    return ""


def is_bounce(headers: dict | None, raw: str, text: str) -> bool:
    if header(headers, "bounce").lower() not in ("", "false", "0", "no"):
        return True
    content_type = header(headers, "content-type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return True
    if _BOUNCE_SENDER.search(header(headers, "from")):
        return True
    # The delivery report may sit below an "Original message" line the cleaner cuts at.
    return any(cue_found(_BOUNCE, part) for part in (header(headers, "subject"), text, raw[:4000]))


def is_complaint(headers: dict | None) -> bool:
    """An abuse report (ARF) about our email: the recipient marked it as spam."""
    return "feedback-report" in header(headers, "content-type").lower()


def is_auto_reply(headers: dict | None) -> bool:
    auto = header(headers, "auto-submitted").lower()
    if auto and auto != "no":
        return True
    if header(headers, "x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"):
        return True
    if header(headers, "precedence").lower() == "auto_reply":
        return True
    return bool(_OOO_HEADER_SUBJECT.search(header(headers, "subject")))


def sender_address(headers: dict | None) -> str | None:
    """The sender's email address from the From header, if any."""
    m = EMAIL_ADDRESS.search(header(headers, "from"))
    return m.group(0) if m else None
