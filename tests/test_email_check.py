"""The email check: syntax (real email-validator cases), type, overrides, DNS kept off."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import dns.resolver
import email_validator.deliverability
import pytest
from email_validator import EmailUndeliverableError

from tools.email_check import (
    apply_override,
    check_email,
    classify_email_type,
    disposable_domains,
    free_mail_domains,
    is_role_local_part,
    role_local_parts,
)

CASES_PATH = Path(__file__).parent / "data" / "email_syntax_cases.jsonl"
SYNTAX_CASES = [
    json.loads(line) for line in CASES_PATH.read_text(encoding="utf-8").splitlines() if line
]


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries the mail-server (DNS) check."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("DNS was queried although deliverability is off")

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", refuse)
    monkeypatch.setattr(dns.resolver.Resolver, "resolve", refuse)


# --- Syntax ---------------------------------------------------------------------------------


def test_fixture_holds_enough_real_cases() -> None:
    assert len(SYNTAX_CASES) >= 40
    assert {c["valid"] for c in SYNTAX_CASES} == {True, False}


@pytest.mark.parametrize("case", SYNTAX_CASES, ids=lambda c: repr(c["email"])[:40])
def test_syntax_cases_from_email_validator(case: dict[str, Any], no_dns: None) -> None:
    check = check_email(case["email"])
    assert check.is_valid is case["valid"], check.validity_reason
    assert check.email == case["email"]
    assert check.deliverability_checked is False
    if case["valid"]:
        assert check.normalized == case["normalized"]
        assert check.email_type != "unknown"
    else:
        assert check.normalized is None
        assert check.email_type == "unknown"
        # Seller-facing: none of the validator's jargon.
        assert "@-sign" not in check.validity_reason
    if "reason_contains" in case:
        assert case["reason_contains"] in check.validity_reason


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("jane@globex@globex.com", "The address has two @ signs: keep only one"),
        ("john@globex", "The domain 'globex' has no dot: add the domain ending, e.g. globex.com"),
        ("jane.globex.com", "The address has no @ sign: it should look like name@company.com"),
        ("jane doe@globex.com", "a space"),
        ("jane@globex..com", "two dots in a row"),
        ("Jane Doe <jane@globex.com>", "remove the name and angle brackets"),
    ],
)
def test_invalid_addresses_get_reasons_a_seller_can_act_on(address: str, reason: str) -> None:
    check = check_email(address)
    assert not check.is_valid
    assert reason in check.validity_reason


@pytest.mark.parametrize("address", [None, "", "   ", "\t\n"])
def test_missing_email_is_invalid(address: str | None, no_dns: None) -> None:
    check = check_email(address)
    assert not check.is_valid
    assert check.validity_reason.startswith("No primary email")
    assert check.email_type == "unknown"
    assert check.email == address


def test_blank_space_around_the_address_is_stripped_and_noted(no_dns: None) -> None:
    check = check_email("  Jane.Doe@Globex.COM \u00a0")
    assert check.is_valid
    assert check.normalized == "Jane.Doe@globex.com"  # the domain is lowercased, not the name
    assert "blank space" in check.validity_reason
    assert check.email == "  Jane.Doe@Globex.COM \u00a0"  # what the lead holds, untouched
    assert "blank space" not in check_email("Jane.Doe@globex.com").validity_reason


def test_inner_space_is_not_stripped() -> None:
    assert not check_email("jane @globex.com").is_valid


# --- Type -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "email_type", "reason"),
    [
        ("jane.doe@gmail.com", "personal", "gmail.com is a free mail provider"),
        ("jdoe@Outlook.com", "personal", "outlook.com is a free mail provider"),
        ("j.doe@yahoo.com", "personal", "yahoo.com"),
        ("jane@gmx.de", "personal", "free mail"),
        ("jane@mailinator.com", "disposable", "mailinator.com is a disposable"),
        ("jane@yopmail.com", "disposable", "disposable"),  # also on the free-mail list
        ("x@10minutemail.com", "disposable", "disposable"),
        ("info@mailinator.com", "disposable", "disposable"),  # disposable beats role
        ("info@globex.com", "role", "'info' is a shared role mailbox"),
        ("Sales@globex.com", "role", "role mailbox"),
        ("noreply@globex.com", "role", "role mailbox"),
        ("no-reply@globex.com", "role", "role mailbox"),
        ("No_Reply@globex.com", "role", "role mailbox"),
        ("no.reply@globex.com", "role", "role mailbox"),
        ("support+emea@globex.com", "role", "role mailbox"),
        ("postmaster@globex.com", "role", "role mailbox"),
        ("info@gmail.com", "role", "at the free mail provider gmail.com"),
        ("jane.doe@globex.com", "work", "globex.com"),
        ("jdoe@contoso.co.uk", "work", "company domain"),
        ("sally.sales@fabrikam.com", "work", "fabrikam.com"),
    ],
)
def test_email_types(address: str, email_type: str, reason: str, no_dns: None) -> None:
    check = check_email(address)
    assert check.is_valid
    assert check.email_type == email_type
    assert reason in check.type_reason


def test_role_list_is_vendored_with_its_licence() -> None:
    data = Path(__file__).resolve().parents[1] / "tools" / "data"
    assert "MIT" in (data / "ROLE_LIST_LICENSE.txt").read_text(encoding="utf-8")
    assert "mixmaxhq/role-based-email-addresses" in (data / "ROLE_LIST_LICENSE.txt").read_text()
    roles = role_local_parts()
    assert {"info", "sales", "support", "noreply", "no-reply", "admin"} <= roles
    assert not is_role_local_part("jane.doe")
    assert not is_role_local_part("salesforce.fan")


def test_lists_are_loaded_once() -> None:
    assert disposable_domains() is disposable_domains()
    assert free_mail_domains() is free_mail_domains()
    assert role_local_parts() is role_local_parts()
    assert "gmail.com" in free_mail_domains()
    assert "mailinator.com" in disposable_domains()


def test_typing_is_fast_after_warm_up() -> None:
    addresses = [("jane.doe", "globex.com"), ("no-reply", "gmail.com"), ("x", "mailinator.com")]
    classify_email_type("warm", "up.com")
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        for local, domain in addresses:
            classify_email_type(local, domain)
    per_address = (time.perf_counter() - start) / (rounds * len(addresses))
    assert per_address < 50e-6


# --- Deliverability --------------------------------------------------------------------------


def test_deliverability_is_not_checked_by_default(no_dns: None) -> None:
    check = check_email("jane.doe@globex.com")
    assert check.is_valid
    assert check.deliverability_checked is False
    assert "not checked" in check.validity_reason


def test_the_dns_guard_would_catch_a_lookup(no_dns: None) -> None:
    with pytest.raises(AssertionError, match="DNS was queried"):
        check_email("jane.doe@globex.com", check_deliverability=True)


def test_deliverability_when_asked_uses_a_short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake(domain: str, domain_i18n: str, timeout: Any, dns_resolver: Any) -> dict[str, Any]:
        seen.update(domain=domain, timeout=timeout, lifetime=dns_resolver.lifetime)
        return {"mx": [(10, "mx.globex.com")], "mx_fallback_type": None}

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", fake)
    check = check_email("jane@globex.com", check_deliverability=True, dns_timeout_s=1.5)
    assert check.is_valid and check.deliverability_checked
    assert "accepts email" in check.validity_reason
    assert seen == {"domain": "globex.com", "timeout": None, "lifetime": 1.5}


def test_undeliverable_domain_is_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(*args: Any) -> dict[str, Any]:
        raise EmailUndeliverableError("The domain name globex.example does not exist.")

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", fake)
    check = check_email("jane@globex.example", check_deliverability=True)
    assert not check.is_valid
    assert check.deliverability_checked
    assert check.validity_reason == "The domain 'globex.example' does not exist (mail server check)"


def test_dns_timeout_leaves_the_address_valid_but_unchecked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake(*args: Any) -> dict[str, Any]:
        return {"unknown-deliverability": "timeout"}

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", fake)
    check = check_email("jane@globex.com", check_deliverability=True)
    assert check.is_valid
    assert check.deliverability_checked is False
    assert "could not finish" in check.validity_reason


# --- Overrides ------------------------------------------------------------------------------


def test_override_wins_for_the_same_address_in_any_case() -> None:
    check = check_email("info@globex.com")
    assert check.email_type == "role"
    changed = apply_override(check, email="INFO@Globex.com", is_valid=None, email_type="work")
    assert changed.overridden
    assert changed.email_type == "work"
    assert changed.type_reason.startswith("A seller set the type to work")
    assert "role" in changed.type_reason  # what the agent had said stays visible
    assert changed.is_valid and changed.validity_reason == check.validity_reason
    assert check.overridden is False  # the original check is not mutated


def test_override_can_mark_a_refused_address_valid_and_types_it() -> None:
    check = check_email('"jane"@gmail.com')
    assert not check.is_valid
    changed = apply_override(check, email='"jane"@gmail.com', is_valid=True, email_type=None)
    assert changed.is_valid and changed.overridden
    assert changed.validity_reason.startswith("A seller marked this address valid")
    assert changed.email_type == "personal"


def test_override_marking_invalid_clears_the_type() -> None:
    check = check_email("jane.doe@globex.com")
    changed = apply_override(check, email="jane.doe@globex.com", is_valid=False, email_type=None)
    assert not changed.is_valid
    assert changed.email_type == "unknown"
    assert "seller marked this address invalid" in changed.validity_reason


def test_override_is_ignored_when_the_lead_email_changed() -> None:
    check = check_email("jane.doe@globex.com")
    kept = apply_override(check, email="jane@old-company.com", is_valid=False, email_type="role")
    assert kept == check
    assert not kept.overridden


def test_override_on_a_lead_without_email_is_ignored() -> None:
    check = check_email(None)
    assert apply_override(check, email="jane@globex.com", is_valid=True, email_type=None) == check


def test_empty_override_changes_nothing() -> None:
    check = check_email("jane.doe@globex.com")
    assert apply_override(check, email="jane.doe@globex.com", is_valid=None, email_type=None) == (
        check
    )


def test_override_with_an_unknown_type_names_the_field() -> None:
    check = check_email("jane.doe@globex.com")
    with pytest.raises(ValueError, match="email_type: 'company' is not an email type"):
        apply_override(check, email="jane.doe@globex.com", is_valid=None, email_type="company")


@pytest.mark.parametrize(
    ("local_part", "is_role"),
    [
        ("sales-emea", True),
        ("info.uk", True),
        ("support_de", True),
        ("vertrieb", True),
        ("einkauf", True),
        ("ventas", True),
        ("john.smith", False),
        ("anna.schmidt", False),
        ("sam.lee", False),
    ],
)
def test_role_names_with_region_suffixes_and_in_other_languages(
    local_part: str, is_role: bool
) -> None:
    # Found by the email eval: German role mailboxes and suffixed role names were "work".
    assert is_role_local_part(local_part) is is_role


@pytest.mark.parametrize(
    "address", ["jane@globex.com\n", "\r\njane@globex.com", "jane@glo\x07bex.com"]
)
def test_control_characters_are_refused_not_stripped(address: str) -> None:
    check = check_email(address)
    assert not check.is_valid and "control character" in check.validity_reason


def test_a_subdomain_of_a_disposable_provider_is_disposable() -> None:
    email_type, reason = classify_email_type("jane", "inbox.mailinator.com")
    assert email_type == "disposable" and "subdomain of mailinator.com" in reason
