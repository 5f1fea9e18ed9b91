"""Dates named in replies, resolved against the day the reply arrived."""

from __future__ import annotations

from datetime import date

import pytest

from graphs.reply_reader.dates import check_in_date, day_first_for_country, find_dates, return_date
from graphs.reply_reader.language_cues import act_cues

WED = date(2025, 2, 26)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will be back on Monday 3 March.", date(2025, 3, 3)),
        ("Back on March 5th.", date(2025, 3, 5)),
        ("Back on the 3rd of March", date(2025, 3, 3)),
        ("Returning 12/03.", date(2025, 3, 12)),  # day-first by default
        ("Returning 03/15.", date(2025, 3, 15)),  # 15 cannot be a month
        ("I'm back 2025-03-10.", date(2025, 3, 10)),
        ("Out from 26.02. to 07.03.2025, back on 10.03.2025.", date(2025, 3, 10)),
        # "Out until Friday" is back on Friday, as the blind-written auto-replies read it.
        ("I'm out until Friday.", date(2025, 2, 28)),
        ("I'm out through Friday.", date(2025, 3, 3)),  # the day after is a Saturday -> Monday
        ("Out until Thursday", date(2025, 2, 27)),
        ("I'm out until the 15th.", date(2025, 3, 17)),  # 16 March is a Sunday
        ("Back tomorrow.", date(2025, 2, 27)),
        ("Back next Monday.", date(2025, 3, 3)),
        ("Back next week", date(2025, 3, 3)),
        ("zurück am 3. März", date(2025, 3, 3)),
        (
            "Ich bin bis zum 7. März nicht im Büro und ab dem 10. März wieder erreichbar.",
            date(2025, 3, 10),
        ),
        ("de retour le 3 mars", date(2025, 3, 3)),
        ("Je suis absente jusqu'au 1er mars inclus.", date(2025, 3, 3)),
        ("regreso el 3 de marzo", date(2025, 3, 3)),
        ("Estaré fuera hasta el 4 de marzo.", date(2025, 3, 4)),
        ("Estaré fuera hasta el 4 de marzo inclusive.", date(2025, 3, 5)),
        # A start date in the past and an explicit return date: the return wins.
        ("Away since 20 February, returning on 4 March.", date(2025, 3, 4)),
        ("Away until May 5. I am returning to the office on May 5th.", date(2025, 5, 5)),
    ],
)
def test_return_dates(text: str, expected: date) -> None:
    assert return_date(text, WED) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reach out in March.", date(2025, 3, 1)),
        ("Try us in Q3.", date(2025, 7, 1)),
        ("Circle back next quarter.", date(2025, 4, 1)),
        ("Ping me in two weeks.", date(2025, 3, 12)),
        ("Let's reconnect in 10 days", date(2025, 3, 8)),
        ("Check back in a few months.", date(2025, 5, 26)),
        ("Maybe in H2.", date(2025, 7, 1)),
        ("Busy until end of March.", date(2025, 4, 1)),
        ("After March works better.", date(2025, 4, 1)),
        ("No budget until next year.", date(2026, 1, 1)),
        ("Busy until April.", date(2025, 4, 1)),
        ("Frozen until Q3.", date(2025, 7, 1)),
        ("After Q3, please.", date(2025, 10, 1)),
        ("Try again mid-April.", date(2025, 4, 15)),
        ("Try again late April.", date(2025, 4, 21)),
        ("Next year, please.", date(2026, 1, 1)),
        ("Next month is better.", date(2025, 3, 1)),
        ("Ping me in January.", date(2026, 1, 1)),  # January is over: next year's
        ("Bitte melden Sie sich im Mai wieder.", date(2025, 5, 1)),
        ("Recontactez-moi en juin.", date(2025, 6, 1)),
        ("Escríbame en septiembre.", date(2025, 9, 1)),
        ("Maybe in Q1.", date(2025, 3, 12)),  # Q1 is running: two weeks on
        ("Let's talk later in February.", date(2025, 2, 28)),  # but not past its end
    ],
)
def test_check_in_dates(text: str, expected: date) -> None:
    assert check_in_date(text, WED) == expected


@pytest.mark.parametrize(
    "text",
    [
        "After our budget cycle.",
        "After Easter.",
        "After the summer.",
        "We offer 24/7 support to 3.5 million users.",
        "I may be interested.",
        "Version 2.1 of our ERP.",
        "",
    ],
)
def test_no_date_where_none_is_meant(text: str) -> None:
    assert check_in_date(text, WED) is None
    assert return_date(text, WED) is None


def test_year_rollover_late_december() -> None:
    assert return_date("Back on 5 January.", date(2025, 12, 22)) == date(2026, 1, 5)
    assert return_date("Back 02/01", date(2025, 12, 22)) == date(2026, 1, 2)
    assert check_in_date("Circle back in Q1.", date(2025, 12, 22)) == date(2026, 1, 1)
    assert check_in_date("Reach out next quarter.", date(2025, 12, 22)) == date(2026, 1, 1)


def test_a_past_day_resolves_to_this_year_not_next() -> None:
    mentions = find_dates("I was out since 28 December.", date(2026, 1, 3))
    assert [m.on for m in mentions] == [date(2025, 12, 28)]
    assert return_date("I was out since 28 December.", date(2026, 1, 3)) is None


def test_month_first_for_us_senders() -> None:
    assert day_first_for_country("United States") is False
    assert day_first_for_country("Germany") is True
    assert day_first_for_country(None) is True
    assert return_date("Returning 03/04.", WED, day_first=False) == date(2025, 3, 4)
    assert return_date("Returning 03/04.", WED, day_first=True) == date(2025, 4, 3)


def test_explicit_year_is_kept() -> None:
    assert return_date("Back on 3 March 2026.", WED) == date(2026, 3, 3)
    assert return_date("Back on 3 March 2024.", WED) is None  # in the past


def test_mentions_carry_their_text_and_position() -> None:
    text = "Out until 7 March, back on 10 March."
    mentions = find_dates(text, WED)
    assert [(m.text, m.on, m.after) for m in mentions] == [
        ("until 7 March", date(2025, 3, 10), True),  # 8 March is a Saturday
        ("10 March", date(2025, 3, 10), False),
    ]
    for mention in mentions:
        assert text[mention.start :].startswith(mention.text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An event the lead waits for: the next weekday after its date.
        ("I can give you an answer after the trade show on 13 March.", date(2025, 3, 14)),
        ("Ping me after our quarterly review on Friday 7 March.", date(2025, 3, 10)),
        ("Nach unserer Inventur am 4. März melde ich mich.", date(2025, 3, 5)),
    ],
)
def test_check_in_after_a_dated_event(text: str, expected: date) -> None:
    assert check_in_date(text, WED) == expected


def test_a_date_without_after_is_the_day_itself() -> None:
    assert check_in_date("Our review is on 13 March.", WED) == date(2025, 3, 13)


@pytest.mark.parametrize(
    ("language", "text", "received", "expected"),
    [
        # The sentence that asks to be contacted again names the day, not the context.
        (
            "en",
            "We're locked into our vendor until the end of May 2027. Circle back in March 2027.",
            date(2026, 5, 26),
            date(2027, 3, 1),
        ),
        (
            "en",
            "Kindly reconnect in the first week of April, after the audit.",
            date(2026, 2, 17),
            date(2026, 4, 1),
        ),
        # Waiting until an event in a month: free after it.
        (
            "en",
            "Spending freeze until our fiscal year closes in June. Ping me after that.",
            date(2026, 3, 18),
            date(2026, 7, 1),
        ),
        (
            "es",
            "Congelado hasta que cierre nuestro año fiscal en junio. Búscame después.",
            date(2026, 5, 6),
            date(2026, 7, 1),
        ),
        ("en", "Give it about six weeks and try me again.", date(2026, 9, 8), date(2026, 10, 20)),
        (
            "de",
            "Wir wechseln Anfang 2027 unser System, danach gern.",
            date(2026, 5, 18),
            date(2027, 1, 1),
        ),
        ("fr", "Pas pour le moment. Relancez-moi au T3.", date(2026, 1, 12), date(2026, 7, 1)),
    ],
)
def test_check_in_dates_read_as_the_lead_means_them(
    language: str, text: str, received: date, expected: date
) -> None:
    cues = act_cues(language)
    assert check_in_date(text, received, recontact=cues.recontact) == expected


def test_a_bare_until_a_month_is_not_an_event() -> None:
    # "Until June" ends at June; only an event ("until our year closes in June") runs past it.
    assert check_in_date("We are busy until June.", date(2026, 3, 2)) == date(2026, 6, 1)


@pytest.mark.parametrize(
    ("text", "received", "expected"),
    [
        ("I am out of the office until Tuesday 14 April.", date(2026, 4, 3), date(2026, 4, 14)),
        ("Estaré fuera hasta el lunes 6 de abril.", date(2026, 3, 30), date(2026, 4, 6)),
        (
            "Estaré fuera del 19 de diciembre al 6 de enero, ambos incluidos.",
            date(2026, 12, 18),
            date(2027, 1, 7),
        ),
        ("Je suis en déplacement, je rentre le 22.", date(2026, 10, 12), date(2026, 10, 22)),
        ("Estou fora em congresso e volto dia 8/6.", date(2026, 5, 28), date(2026, 6, 8)),
    ],
)
def test_return_dates_as_auto_replies_write_them(text: str, received: date, expected: date) -> None:
    assert return_date(text, received) == expected


def test_busy_until_a_day_then_after_it_is_the_day_after() -> None:
    # A deferral "until the 20th, drop me a line after that" runs past the day named.
    assert check_in_date(
        "I'm slammed until the 20th. Drop me a line after that.", date(2026, 3, 9)
    ) == date(2026, 3, 23)


def test_a_day_named_after_after_is_that_day() -> None:
    assert check_in_date("Try me after 1 March.", date(2026, 11, 16)) == date(2027, 3, 1)
    # An event's date still runs past it.
    assert check_in_date("Ping me after our board meeting on 28 May.", date(2026, 5, 4)) == date(
        2026, 5, 29
    )
