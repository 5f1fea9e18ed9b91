"""The admin's engage settings file: defaults, round trip, errors that point at the line."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from core.reply_reading import Intent
from graphs.engage.engage_settings import (
    DEFAULT_ENGAGE_PATH,
    EngageFileError,
    EngageSettings,
    default_engage,
    dump_engage,
    load_engage_file,
    parse_engage_yaml,
    save_engage_file,
)
from graphs.engage.handoff_rules import DEFAULT_HANDOFF_RULES, HandoffRule


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "engage.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_file_matches_the_code_defaults() -> None:
    # The commented YAML and the models' defaults must not drift apart, but for one line:
    # the shipped file sends automatically, while a rule that does not say holds for review.
    shipped = load_engage_file(DEFAULT_ENGAGE_PATH)
    assert (shipped.assignment.sending, EngageSettings().assignment.sending) == ("auto", "review")
    shipped.assignment.sending = "review"
    assert shipped == EngageSettings()


def test_the_default_file_has_the_documented_values() -> None:
    settings = default_engage()
    assert settings.assignment.excluded_sources == ["Employee referral", "Partner"]
    assert settings.assignment.min_fit == "close"
    assert settings.assignment.max_active_conversations == 200
    assert settings.follow_ups.wait_business_days == 3
    assert settings.follow_ups.max_follow_ups == 2
    assert settings.guardrails.daily_send_cap_per_mailbox == 50
    assert settings.guardrails.max_messages_per_lead == 4
    assert settings.guardrails.business_hours.start == time(8, 0)
    assert settings.guardrails.business_hours.end == time(18, 0)
    assert [r.id for r in settings.handoff_rules] == [r.id for r in DEFAULT_HANDOFF_RULES]
    assert settings.mailbox_addresses == ["alex@northwind.example"]


def test_the_default_file_is_commented() -> None:
    text = DEFAULT_ENGAGE_PATH.read_text(encoding="utf-8")
    assert text.count("#") > 40


def test_default_engage_returns_independent_copies() -> None:
    first = default_engage()
    first.handoff_rules.clear()
    assert len(default_engage().handoff_rules) == len(DEFAULT_HANDOFF_RULES)


def test_dump_round_trips_custom_settings(tmp_path: Path) -> None:
    settings = EngageSettings.model_validate(
        {
            "assignment": {"sources": ["Web"], "regions": ["DACH"], "min_fit": "exact"},
            "follow_ups": {"wait_business_days": 4, "max_follow_ups": 1},
            "handoff_rules": [
                {
                    "id": "hot",
                    "description": "High interest",
                    "target": "seller",
                    "when": {"min_purchase_interest": "high", "intent_in": ["interested"]},
                }
            ],
            "guardrails": {
                "business_hours": {
                    "days": ["mon", "tue", "wed", "thu"],
                    "start": "09:30",
                    "end": "17:00",
                    "holidays": ["2025-12-25"],
                },
                "default_time_zone": "Europe/Berlin",
            },
            "mailboxes": ["sdr@northwind.example", "alex@northwind.example"],
        }
    )
    path = tmp_path / "out.yaml"
    save_engage_file(settings, path)
    again = load_engage_file(path)
    assert again == settings
    assert again.guardrails.business_hours.holidays == [date(2025, 12, 25)]
    assert dump_engage(again) == dump_engage(settings)


def test_dump_round_trips_the_defaults() -> None:
    assert parse_engage_yaml(dump_engage(default_engage())) == default_engage()


def test_an_empty_file_means_all_defaults(tmp_path: Path) -> None:
    assert load_engage_file(write(tmp_path, "# nothing yet\n")) == EngageSettings()


def test_a_partial_file_keeps_the_other_defaults(tmp_path: Path) -> None:
    settings = load_engage_file(write(tmp_path, "follow_ups:\n  max_follow_ups: 3\n"))
    assert settings.follow_ups.max_follow_ups == 3
    assert settings.follow_ups.wait_business_days == 3
    assert settings.handoff_rules == list(DEFAULT_HANDOFF_RULES)


def test_unquoted_times_are_read_as_times(tmp_path: Path) -> None:
    text = "guardrails:\n  business_hours:\n    start: 8:30\n    end: 17:45\n"
    hours = load_engage_file(write(tmp_path, text)).guardrails.business_hours
    assert (hours.start, hours.end) == (time(8, 30), time(17, 45))


def test_rule_spellings_are_forgiving(tmp_path: Path) -> None:
    text = (
        "handoff_rules:\n"
        "  - id: demo\n"
        "    description: Demo asked\n"
        "    target: Seller\n"
        "    when:\n"
        "      intent_in: Meeting request\n"
    )
    rule = load_engage_file(write(tmp_path, text)).handoff_rules[0]
    assert rule == HandoffRule(
        id="demo",
        description="Demo asked",
        target="seller",
        when={"intent_in": ["meeting_request"]},
    )
    assert rule.when.intent_in == [Intent.MEETING_REQUEST]


RULE = "  - id: {id}\n    description: d\n    target: {target}\n    when:\n      {when}\n"


def rules(*items: tuple[str, str, str]) -> str:
    body = "".join(RULE.format(id=i, target=t, when=w) for i, t, w in items)
    return "handoff_rules:\n" + body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            rules(("a", "seller", "bounced: true"), ("b", "seller", "intent_in: [yes_please]")),
            [
                "handoff_rules[1].when.intent_in[0]",
                "(line 11)",
                "Fix: use one of:",
                "'meeting_request'",
                "'unsubscribe'",
            ],
        ),
        (
            rules(("same", "seller", "bounced: true"), ("same", "supervisor", "opted_out: true")),
            ["handoff_rules[1].id", "also used by handoff_rules[0]", "(line 7)", "own id"],
        ),
        (
            rules(("a", "manager", "bounced: true")),
            ["handoff_rules[0].target", "(line 4)", "'seller' or 'supervisor'"],
        ),
        (
            rules(("a", "seller", "injection_suspected: true")),
            ["handoff_rules[0].when.injection_suspected", "(line 6)", "never decides a hand-off"],
        ),
        (
            rules(("a", "seller", "min_bant_met: 5")),
            ["handoff_rules[0].when.min_bant_met", "(line 6)", "of at most 4"],
        ),
        (
            "handoff_rules:\n  - id: a\n    description: d\n    target: seller\n    when: {}\n",
            ["handoff_rules[0].when", "(line 5)", "would match every lead", "set at least one"],
        ),
        (
            rules(("two words", "seller", "bounced: true")),
            ["handoff_rules[0].id", "(line 2)", "letters, digits"],
        ),
        ("handoff_rules: []\n", ["handoff_rules", "(line 1)", "delete `handoff_rules`"]),
        (
            "assignment:\n  min_fitt: close\n",
            ["assignment.min_fitt", "(line 2)", "correct its spelling", "allowed here:", "min_fit"],
        ),
        (
            "assignment:\n  countries: [Germany, Atlantis]\n",
            ["assignment.countries", "(line 2)", "unknown country 'Atlantis'", "ISO code"],
        ),
        (
            "assignment:\n  min_fit: perfect\n",
            ["assignment.min_fit", "'exact', 'close' or 'none'"],
        ),
        (
            "guardrails:\n  business_hours:\n    start: '18:00'\n    end: '08:00'\n",
            ["guardrails.business_hours", "(line 3)", "start 18:00 is not before end 08:00"],
        ),
        (
            "guardrails:\n  business_hours:\n    holidays: [christmas]\n",
            ["guardrails.business_hours.holidays[0]", "(line 3)", "YYYY-MM-DD"],
        ),
        (
            "guardrails:\n  default_time_zone: Paris\n",
            ["guardrails.default_time_zone", "(line 2)", "Europe/Paris"],
        ),
        (
            "guardrails:\n  daily_send_cap_per_mailbox: lots\n",
            ["guardrails.daily_send_cap_per_mailbox", "whole number"],
        ),
        (
            "follow_ups:\n  max_follow_ups: 4\n",
            [
                "guardrails.max_messages_per_lead",
                "no room for the outreach and 4 follow-ups",
                "at least 5",
            ],
        ),
        ("mailboxes: [alex]\n", ["mailboxes", "'alex' is not an email address"]),
        ("follow_up:\n  max_follow_ups: 1\n", ["follow_up", "allowed here:", "follow_ups"]),
    ],
)
def test_errors_name_the_place_and_the_fix(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(EngageFileError) as caught:
        load_engage_file(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message, message


def test_a_yaml_syntax_error_shows_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "follow_ups:\n  max_follow_ups: 2\n   wait_business_days: 3\n")
    with pytest.raises(EngageFileError, match=r"line 3, column \d+") as caught:
        load_engage_file(path)
    assert "indentation" in str(caught.value)


def test_the_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(EngageFileError, match="top level must be a mapping"):
        load_engage_file(write(tmp_path, "- just\n- a list\n"))


def test_a_missing_file_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(EngageFileError, match=r"does not exist.*copying"):
        load_engage_file(tmp_path / "nope.yaml")
