"""Dates a lead names in a reply ("back on Monday 3 March", "try us in Q3"), made absolute.

Every mention is resolved against the day the reply was received:

- A day without a year ("3 March", "12/03") is the occurrence nearest the reply date, so
  "back on 5 January" sent on 20 December is next year's 5 January and "out since 28
  December" sent on 3 January is last year's.
- Numeric dates are read day-first ("12/03" is 12 March), as in most of the world;
  pass `day_first=False` for US senders (`day_first_for_country`). A number above 12
  settles the order whatever the setting ("03/15" is 15 March).
- A month, quarter or half ("in March", "Q3", "H2", "next quarter") means its first day,
  the next such period when the named one is over, and two weeks on (within the period)
  when it is the one running; "early / mid / late / end of March" mean the 1st, 15th,
  21st and last day.
- Relative mentions: "tomorrow", "(next) Monday", "next week / month / year", "in two
  weeks", "in 10 days", "in a few months".
- "until / till / through / after <day>" (also "bis", "jusqu'au", "hasta", "après",
  "nach", "después de") mean the next weekday: someone "out until Friday" is back on
  Monday, "busy until end of March" means 1 April. For a month or quarter, "after March"
  means 1 April but "until March" and "until next year" mean the period's first day.

Holidays ("after Easter", "after the summer") and fiscal calendars ("after our budget
cycle") are not guessed: they give no date. English comes first; German, French and
Spanish month names and the usual out-of-office phrasings are read too.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from graphs.reply_reader.cue_openings import cue_found, may_hold

# fmt: off
_MONTHS: dict[str, int] = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6,
    "juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "mars": 3, "avril": 4,
    "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10,
    "novembre": 11, "décembre": 12, "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    # Portuguese ("março" only with its accent: "marco" is a common word)
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
}
_WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonntag": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4,
    "sábado": 5, "sabado": 5, "domingo": 6,
    # Portuguese weekdays only in full: "segunda" alone is also "second".
    "segunda-feira": 0, "terça-feira": 1, "terca-feira": 1, "quarta-feira": 2,
    "quinta-feira": 3, "sexta-feira": 4,
}
_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "a couple of": 2, "couple of": 2, "a couple": 2,
    "three": 3, "a few": 3, "few": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12,
    "ein": 1, "einem": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
    "sieben": 7, "acht": 8, "zehn": 10, "zwölf": 12, "ein paar": 3, "einigen": 3,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "dix": 10, "douze": 12, "quelques": 3,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "diez": 10, "doce": 12, "unos": 3, "unas": 3, "algunas": 3, "algunos": 3,
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "quatro": 4, "sete": 7, "oito": 8,
    "dez": 10, "alguns": 3, "algumas": 3,
}
# fmt: on
_US_COUNTRIES = frozenset(
    {"us", "usa", "united states", "united states of america", "u.s.", "u.s.a.", "ph"}
)

_MONTH = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
MONTH_PATTERN = _MONTH  # month names in the five languages, for other readers of dates
_WEEKDAY = "|".join(sorted((re.escape(d) for d in _WEEKDAYS), key=len, reverse=True))
_NUMBER = "|".join(sorted((re.escape(n) for n in _NUMBERS), key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|\.|º)?"
_YEAR = r"(?:,?\s*(?:de\s+)?(?P<year>(?:19|20)\d\d))?"
_AFTER = (
    r"(?P<after>until|till|til|through|thru|after|bis(?:\s+(?:zum|einschließlich))?|nach|"
    r"jusqu'?(?:au|à|a)|après|apres|hasta(?:\s+el)?|después\s+del?|despues\s+del?|"
    r"depois\s+d[eoa]|até(?:\s+[oa])?)"
)
_LEAD = rf"(?:{_AFTER}\s+(?:the\s+|le\s+|el\s+|dem\s+|am\s+)?)?"
# "in about six weeks", "in ungefähr sechs Wochen", "dans environ six semaines"
_ABOUT = (
    r"(?:(?:about|around|roughly|approximately|some|ungefähr|ungefaehr|etwa|circa|ca\.|rund|"
    r"environ|à\s+peu\s+près|aproximadamente|cerca\s+de|unos|unas|uns|umas)\s+)?"
)
_UNTIL_WORDS = ("until", "till", "til", "through", "thru", "bis", "jusqu", "hasta", "até")
_AFTER_WORDS = ("after", "nach", "après", "apres", "después", "despues", "depois")

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("iso", rf"{_LEAD}\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
        (
            "numeric",
            # "12/03", "12/03/2025", "12.03." or "12.03.2025"; never "3.5 million" or "24/7".
            rf"(?:{_AFTER}\s+(?:the\s+|le\s+|el\s+|dem\s+|am\s+)?|\b(?P<prep>on|by|from|"
            r"returning|return|back|am|le|el|ab|dès|des|until|till|dia|día)\s+)?(?<![\d/.,])"
            r"(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[01]?\d)(?:(?P=sep)(?P<year>(?:19|20)?\d\d)|"
            r"(?P<dot>(?<=\d)\.(?=\s|$)))?(?![\d/.]\d)",
        ),
        (
            "day_month",
            rf"{_LEAD}(?:(?:{_WEEKDAY}),?\s+)?(?:the\s+)?{_DAY}\s*(?:of\s+|de\s+)?"
            rf"(?P<month>{_MONTH})\b\.?{_YEAR}",
        ),
        (
            "month_day",
            rf"{_LEAD}(?:(?:{_WEEKDAY}),?\s+)?(?P<month>{_MONTH})\.?\s+(?:the\s+)?{_DAY}"
            rf"(?!\d){_YEAR}",
        ),
        (
            "part_month",
            rf"{_LEAD}\b(?P<part>early|mid|middle\s+of|late|end\s+of|the\s+end\s+of|"
            rf"beginning\s+of|start\s+of|anfang|mitte|ende|début|fin|principios\s+de|"
            rf"mediados\s+de|finales\s+de|(?P<week>first|second|third|last)\s+week\s+of)"
            rf"[\s-]+(?P<month>{_MONTH})\b{_YEAR}",
        ),
        (
            "month",
            rf"(?:{_AFTER}|\b(?P<prep>in|by|for|from|until|im|ab|en|em|à\s+partir\s+de|a\s+partir\s+de|"
            rf"desde|before|antes\s+de|antes\s+do|vor|avant|bis\s+zum|bis\s+ende))\s+(?:early\s+|mid\s+|late\s+)?(?P<month>{_MONTH})\b(?!\s*\d{{1,2}}\b){_YEAR}",
        ),
        ("quarter", rf"{_LEAD}\b(?P<q>Q[1-4]|H[12])\b(?:\s*(?P<year>(?:19|20)\d\d))?"),
        (
            # "au T3", "en el T3", "no T3": a T quarter only after a preposition (a bare
            # "T3" may be a product's name).
            "t_quarter",
            r"\b(?:au|en|d'ici\s+le|dès\s+le|pour\s+le|el|en\s+el|no|ao|para\s+el|para\s+o)\s+"
            r"(?P<q>T[1-4])\b(?:\s*(?P<year>(?:19|20)\d\d))?",
        ),
        (
            "ordinal_quarter",
            rf"{_LEAD}\b(?P<ordinal>first|second|third|fourth|last|ersten|zweiten|dritten|"
            r"vierten|letzten|premier|deuxième|second|troisième|quatrième|dernier|primer|"
            r"segundo|tercer|cuarto|último|primeiro|terceiro|quarto|último)\s+(?:fiscal\s+)?"
            r"(?:quarter|quartal|trimestre)\b",
        ),
        (
            "period_end",
            r"\b(?P<edge>end\s+of\s+(?:the\s+|this\s+)?|year[- ]?|fim\s+do\s+|final\s+do\s+|"
            r"fechamento\s+do\s+|fin\s+d[eu]\s+(?:l')?|fin\s+de\s+|final\s+de\s+|cierre\s+del?\s+|"
            r"ende\s+des\s+|jahres|monats)(?P<period>month|year|mês|mes|ano|année|annee|mois|año|"
            r"jahres|monats|end|ende|quarter|quartals|trimestre)\b",
        ),
        (
            "year_start",
            # "Anfang 2027", "early 2027", "début 2027", "principios de 2027", "início de 2027".
            r"\b(?:anfang|beginning\s+of|start\s+of|early|début|debut|principios\s+de|"
            r"inicios\s+de|comienzos\s+de|início\s+de|inicio\s+de|começo\s+de)\s+"
            r"(?P<year>20\d\d)\b",
        ),
        (
            "next_year_start",
            r"\b(?:anfang|beginning\s+of|start\s+of|early|début|debut|principios\s+de(?:l)?|"
            r"início\s+d[oe])\s+(?:(?:the\s+|de\s+l'|del\s+|do\s+)?)(?:nächsten\s+jahres|next\s+year|"
            r"the\s+new\s+year|année\s+prochaine|próximo\s+año|año\s+que\s+viene|próximo\s+ano|"
            r"ano\s+que\s+vem)\b",
        ),
        (
            "next_period",
            rf"{_LEAD}\b(?:(?P<which>next|this|the\s+end\s+of\s+the|end\s+of\s+the|end\s+of\s+this|"
            r"the\s+new|nächste[nms]?|kommende[nms]?|prochaine?|le\s+mois\s+prochain|"
            r"(?:el\s+|o\s+|a\s+)?próxim[oa]|proxim[oa])\s+)(?P<period>week|month|quarter|year|woche|monat|quartal|"
            r"jahr|semaine|mois|trimestre|année|annee|an|semana|mes|mês|año|ano)\b",
        ),
        (
            "period_next",
            # French, Spanish and Portuguese put "next" after the period: "le mois prochain".
            r"\b(?P<period>semaine|mois|trimestre|année|annee|an|semana|mes|mês|año|ano)\s+"
            r"(?:prochaine?|que\s+viene|que\s+vem|próximo|proximo|próxima|proxima|seguinte)\b",
        ),
        (
            "in_units",
            rf"\b(?:in|within|in\s+about|in\s+the\s+next|after|in\s+(?:around|roughly)|"
            rf"give\s+(?:it|us|me)|another|wait)\s+"
            rf"{_ABOUT}(?P<n>\d{{1,2}}|{_NUMBER})\s+(?P<unit>days?|weeks?|months?)\b",
        ),
        (
            "in_units_foreign",
            rf"\b(?:in|innerhalb\s+von|dans|d'ici|en|dentro\s+de|em|daqui\s+a)\s+{_ABOUT}"
            rf"(?P<n>\d{{1,2}}|{_NUMBER})\s+"
            r"(?P<unit>tage?n?|wochen?|monate?n?|jours?|semaines?|mois|días|dias|semanas?|meses)\b",
        ),
        ("tomorrow", r"\b(?P<word>tomorrow|morgen|demain|mañana|manana)\b"),
        (
            "weekday",
            rf"{_LEAD}\b(?:(?P<next>next|this|on|am|le|el)\s+)?(?P<weekday>{_WEEKDAY})\b"
            r"(?!\s*,?\s*(?:the\s+)?[0-3]?\d)",
        ),
        ("the_nth", rf"{_LEAD}\bthe\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+of\b)"),
        (
            # "je rentre le 22", "volto dia 8", "am 22." : a day of the month alone, in the
            # other languages; not a house number, an hour, an amount or a month's day.
            "day_alone",
            r"\b(?:le|el|dia|día|am|den)\s+(?P<day>[0-3]?\d)(?![\d/.:,]\d)"
            r"(?:er|º|\.)?(?!\w)(?!\s*(?:h\b|uhr|heures?|horas?|%|€|\$|rue|avenue|calle|rua|straße|"
            r"de\s+\w+|d'))",
        ),
    )
)

_UNIT_DAYS = {"day": 1, "week": 7}
_FOREIGN_UNITS = {
    "tag": "day",
    "woche": "week",
    "monat": "month",
    "jour": "day",
    "semaine": "week",
    "mois": "month",
    "día": "day",
    "dia": "day",
    "semana": "week",
    "mes": "month",
}
_PERIODS = {
    "woche": "week",
    "semaine": "week",
    "semana": "week",
    "monat": "month",
    "mois": "month",
    "mes": "month",
    "mês": "month",
    "quartal": "quarter",
    "trimestre": "quarter",
    "jahr": "year",
    "année": "year",
    "annee": "year",
    "an": "year",
    "año": "year",
    "ano": "year",
}

Precision = Literal["day", "month", "quarter", "relative"]
CURRENT_PERIOD_DELAY_DAYS = 14


@dataclass(frozen=True)
class DateMention:
    """A date named in a reply, made absolute."""

    on: date
    text: str
    start: int
    precision: Precision
    after: bool = False
    kind: str = ""
    until_day: date | None = None  # "away until Tuesday 14 April": the day named


def day_first_for_country(country: str | None) -> bool:
    """False for senders who write month-first (the US); True otherwise and when unknown."""
    return (country or "").strip().lower() not in _US_COUNTRIES


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest(month: int, day: int, received_on: date) -> date | None:
    """The occurrence of day/month nearest the reply date."""
    candidates = [
        d
        for y in (received_on.year - 1, received_on.year, received_on.year + 1)
        if (d := _safe_date(y, month, day)) is not None
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - received_on).days), d < received_on))


def _month_start(month: int, received_on: date, year: int | None) -> date:
    """The first day of `month`: this year's unless that month is over, then next year's."""
    if year is not None:
        return date(year, month, 1)
    if month < received_on.month:
        return date(received_on.year + 1, month, 1)
    return date(received_on.year, month, 1)


def _in_current_period(start: date, received_on: date, months: int) -> date:
    """A period named while it runs ("in March" said on 10 March) means a little later in it:
    two weeks on, but not past its last day."""
    if start > received_on:
        return start
    last = _add_months(start, months) - timedelta(days=1)
    if received_on > last:
        return start
    return min(received_on + timedelta(days=CURRENT_PERIOD_DELAY_DAYS), last)


def _month_end(start: date) -> date:
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _next_period_start(start: date, precision: Precision, months: int = 1) -> date:
    """The first day after the period that starts at `start`."""
    if precision == "day":
        return start + timedelta(days=1)
    total = start.month - 1 + months
    return date(start.year + total // 12, total % 12 + 1, 1)


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _number(text: str) -> int | None:
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBERS.get(text)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _resolve(kind: str, m: re.Match[str], received_on: date, day_first: bool):
    """(date, precision, months spanned) for one match, or None."""
    groups = m.groupdict()
    year = _year(groups.get("year"))
    if kind == "iso":
        found = _safe_date(int(m["year"]), int(m["month"]), int(m["day"]))
        return (found, "day", 0) if found else None
    if kind == "numeric":
        if m["sep"] == "." and not (year or m["dot"]):
            return None
        if m["sep"] == "/" and not (year or m["prep"] or m["after"]):
            return None
        a, b = int(m["a"]), int(m["b"])
        if a > 12 or (day_first and b <= 12):
            day, month = a, b
        else:
            month, day = a, b
        if month > 12 or month < 1 or day < 1:
            return None
        found = _safe_date(year, month, day) if year else _nearest(month, day, received_on)
        return (found, "day", 0) if found else None
    if kind in ("day_month", "month_day"):
        month, day = _MONTHS[m["month"].lower()], int(m["day"])
        found = _safe_date(year, month, day) if year else _nearest(month, day, received_on)
        return (found, "day", 0) if found else None
    if kind == "part_month":
        start = _month_start(_MONTHS[m["month"].lower()], received_on, year)
        part = " ".join(m["part"].lower().split())
        if groups.get("week"):
            day = {"first": 1, "second": 8, "third": 15, "last": 22}[m["week"].lower()]
            return start.replace(day=day), "day", 0
        if part in ("early", "beginning of", "start of", "anfang", "début", "principios de"):
            return start, "month", 0
        if part in ("mid", "middle of", "mitte", "mediados de"):
            return start.replace(day=15), "day", 0
        if part == "late":
            return start.replace(day=21), "day", 0
        return _month_end(start), "day", 0
    if kind == "year_start":
        return date(int(m["year"]), 1, 1), "month", 0
    if kind == "month":
        start = _month_start(_MONTHS[m["month"].lower()], received_on, year)
        if not groups.get("after"):
            start = _in_current_period(start, received_on, 1)
        return start, "month", 1
    if kind in ("quarter", "t_quarter"):
        label = m["q"].upper()
        months = 6 if label[0] == "H" else 3
        first_month = (int(label[1]) - 1) * months + 1
        if year is None:
            year = received_on.year
            if date(year, first_month, 1) <= received_on and not _same_period(
                received_on, first_month, months
            ):
                year += 1
        start = date(year, first_month, 1)
        if groups.get("after"):
            return start, "quarter", months
        return _in_current_period(start, received_on, months), "quarter", months
    if kind == "ordinal_quarter":
        word = m["ordinal"].lower()
        number = {"first": 1, "ersten": 1, "premier": 1, "primer": 1, "primeiro": 1,
                  "second": 2, "zweiten": 2, "deuxième": 2, "segundo": 2,
                  "third": 3, "dritten": 3, "troisième": 3, "tercer": 3, "terceiro": 3,
                  }.get(word, 4)  # fmt: skip
        first_month = (number - 1) * 3 + 1
        year = received_on.year
        if date(year, first_month, 1) <= received_on and not _same_period(
            received_on, first_month, 3
        ):
            year += 1
        start = date(year, first_month, 1)
        return _in_current_period(start, received_on, 3), "quarter", 3
    if kind == "period_end":
        period = m["period"].lower()
        edge = m["edge"].lower()
        yearly = period in ("year", "ano", "année", "annee", "año", "jahres") or (
            period in ("end", "ende") and edge.startswith(("year", "jahres"))
        )
        if yearly:
            return date(received_on.year, 12, 31), "day", 0
        if period in ("quarter", "quartals", "trimestre"):
            last_month = (received_on.month - 1) // 3 * 3 + 3
            return _month_end(received_on.replace(month=last_month, day=1)), "day", 0
        return _month_end(received_on.replace(day=1)), "day", 0
    if kind == "next_year_start":
        return date(received_on.year + 1, 1, 1), "month", 1
    if kind in ("next_period", "period_next"):
        period = m["period"].lower()
        period = _PERIODS.get(period, period)
        which = " ".join((m.groupdict().get("which") or "next").lower().split())
        ending = which.startswith(("the end", "end"))
        this = which.startswith("this") or (ending and "next" not in which)
        if period == "week":
            monday = received_on - timedelta(days=received_on.weekday())
            start = monday if this else monday + timedelta(days=7)
            return (start + timedelta(days=4) if ending else start), "day", 0
        if period == "month":
            start = received_on.replace(day=1)
            start = start if this else _add_months(start, 1)
            return (_month_end(start) if ending else start), ("day" if ending else "month"), 1
        if period == "quarter":
            first = (received_on.month - 1) // 3 * 3 + 1
            start = date(received_on.year, first, 1)
            start = start if this else _add_months(start, 3)
            if ending:
                return _add_months(start, 3) - timedelta(days=1), "day", 0
            return start, "quarter", 3
        start = date(received_on.year + (0 if this else 1), 1, 1)
        if which == "the new":
            start = date(received_on.year + 1, 1, 1)
        if ending:
            return date(start.year, 12, 31), "day", 0
        return start, "quarter", 12
    if kind in ("in_units", "in_units_foreign"):
        n = _number(m["n"])
        if n is None:
            return None
        unit = m["unit"].lower().rstrip("s")
        unit = next((v for k, v in _FOREIGN_UNITS.items() if unit.startswith(k)), unit)
        if unit == "month":
            return _add_months(received_on, n), "relative", 0
        return received_on + timedelta(days=n * _UNIT_DAYS.get(unit, 1)), "relative", 0
    if kind == "tomorrow":
        return received_on + timedelta(days=1), "relative", 0
    if kind == "weekday":
        target = _WEEKDAYS[m["weekday"].lower()]
        # "(next) Monday" is the coming Monday; said on a Monday, the one a week on.
        ahead = (target - received_on.weekday()) % 7 or 7
        return received_on + timedelta(days=ahead), "day", 0
    if kind in ("the_nth", "day_alone"):
        day = int(m["day"])
        found = _safe_date(received_on.year, received_on.month, day)
        if found is None or found < received_on:
            nxt = _add_months(received_on.replace(day=1), 1)
            found = _safe_date(nxt.year, nxt.month, day)
        return (found, "day", 0) if found else None
    return None


def _weekday_on_or_after(day: date) -> date:
    """`day`, or the Monday after when it falls on a weekend (nobody is back on a Saturday)."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


# "after our board meeting on 28 May": the date of an event the lead waits for.
_AFTER_EVENT = re.compile(
    r"\b(?:after|nach|après|apres|después\s+de|despues\s+de)\s+(?:(?:our|the|my|this|their|"
    r"unser\w*|dem|der|la|le|el|nuestr[ao])\s+)?(?:[\w-]+\s+){0,3}?(?:(?:on|in|at|am|im|en|el)\s+"
    r"(?:the\s+)?)?$",
    re.IGNORECASE,
)


# "until our fiscal year closes in June", "hasta que cierre nuestro año fiscal en junio",
# "pas avant la clôture de notre exercice fin juin": nothing before the event, so the lead
# is free after it. A bare "until June" is not an event.
_UNTIL_EVENT = re.compile(
    r"\b(?:until|till|not\s+before|hasta\s+que|hasta\s+(?:el|la)|no\s+antes\s+de|bis|nicht\s+vor|"
    r"jusqu'(?:à|a)|pas\s+avant|até|não\s+antes\s+d[eoa])\s+(?:[\w'-]+\s+){0,6}?"
    r"(?:[\w'-]+\s+)?$",
    re.IGNORECASE,
)
_EVENT_WORD = re.compile(
    r"\b(?:clos\w*|ends?|ending|over|done|finish\w*|complet\w*|cierr\w*|cierre|termin\w*|"
    r"clôtur\w*|clotur\w*|abschluss\w*|abgeschlossen|schließt|schliesst|endet|vorbei|fech\w*|"
    r"encerr\w*|acab\w*|audit\w*|inspection|go-live|migration|move|umzug|déménagement|mudanza|"
    r"mudança)\b",
    re.IGNORECASE,
)


def _sentence_at(text: str, at: int) -> str:
    """The sentence of `text` that holds position `at`."""
    starts = [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, at)]
    start = starts[-1] if starts else 0
    end = _SENTENCE_BREAK.search(text, at)
    return text[start : end.start() + 1 if end else len(text)]


def _until_event(text: str, start: int) -> bool:
    """True if the words before a date say the lead waits until an event then."""
    window = _SENTENCE_BREAK.split(text[max(0, start - 80) : start])[-1]
    found = _UNTIL_EVENT.search(window)
    return found is not None and bool(_EVENT_WORD.search(window, found.start()))


def _same_period(day: date, first_month: int, months: int) -> bool:
    return first_month <= day.month < first_month + months


# Most sentences name no date: one cheap look for a digit or a date word first spares the
# dozen patterns below (the reader checks every sentence).
# Number words ("a", "un", "um") are left out: they name no date without a unit.
_DATE_WORDS = {
    *_MONTHS,
    *_WEEKDAYS,
    *(w for w in (*_PERIODS, *_FOREIGN_UNITS) if len(w) > 2),
    *[
        "tomorrow", "morgen", "demain", "mañana", "manana", "amanhã", "amanha", "week",
        "month", "quarter", "year", "day", "q1", "q2", "q3", "q4", "h1", "h2", "end", "ende",
        "fim", "fin", "final", "cierre", "fechamento", "anfang", "beginning", "start", "early",
        "début", "debut", "principios", "início", "jahres", "monats", "quartal", "trimestre",
    ],
}  # fmt: skip
_DATE_HINT = re.compile(
    r"\d|\ban\b|\b(?:"
    + "|".join(sorted((re.escape(w) for w in _DATE_WORDS), key=len, reverse=True))
    + r")",
    re.IGNORECASE,
)


def find_dates(text: str, received_on: date, *, day_first: bool = True) -> list[DateMention]:
    """Every date the text names, in reading order, resolved against `received_on`.

    Overlapping matches keep the first pattern that matched (the most specific).
    """
    # The reader asks about the same sentence for timing, slots and return dates.
    return list(_dates_in(text, received_on, day_first))


# What a text must hold for a kind of date to be in it: one cheap search spares the long
# pattern on the many sentences that name no month, weekday or numeric date.
_MONTH_WORD = re.compile(rf"\b(?:{_MONTH})", re.IGNORECASE)
_NEEDS: dict[str, re.Pattern[str]] = {
    "iso": re.compile(r"\d{4}-\d\d-\d\d"),
    "numeric": re.compile(r"\d[/.]\d"),
    "day_month": _MONTH_WORD,
    "month_day": _MONTH_WORD,
    "part_month": _MONTH_WORD,
    "month": _MONTH_WORD,
    "weekday": re.compile(rf"\b(?:{_WEEKDAY})", re.IGNORECASE),
    "the_nth": re.compile(r"\d(?:st|nd|rd|th)\b", re.IGNORECASE),
}


def forget_read_texts() -> None:
    """Drop the dates kept for texts already read."""
    _dates_in.cache_clear()


@lru_cache(maxsize=4096)
def _dates_in(text: str, received_on: date, day_first: bool) -> tuple[DateMention, ...]:
    if not _DATE_HINT.search(text):
        return ()
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        needs = _NEEDS.get(kind)
        if (needs is not None and not needs.search(text)) or not may_hold(pattern, text):
            continue
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            resolved = _resolve(kind, m, received_on, day_first)
            if resolved is None or resolved[0] is None:
                continue
            on, precision, months = resolved
            word = (m.groupdict().get("after") or "").lower()
            if not word and (
                _AFTER_EVENT.search(text, max(0, start - 60), start) or _until_event(text, start)
            ):
                word = "after"
            # "until March" ends at March's start; "after March" and "until Friday" go past it.
            # "Try me after 1 March" means the 1st, as people read it: a day named right
            # after "after" is the day (an event's date, "after our meeting on 28 May", is not).
            after = bool(word) and not (
                word.startswith(_UNTIL_WORDS) and precision in ("month", "quarter")
            )
            explicit = (m.groupdict().get("after") or "").lower()
            if after and precision == "day" and explicit.startswith(_AFTER_WORDS):
                after = False
            # An out-of-office note "until Tuesday 14 April" is back on the 14th; "through
            # Friday" and "bis einschließlich" are not.
            until_day = (
                after
                and word.startswith(_UNTIL_WORDS)
                and not word.startswith(("through", "thru"))
                and "einschlie" not in word
            )
            named = on
            if after:
                on = (
                    _weekday_on_or_after(on + timedelta(days=1))
                    if precision in ("day", "relative")
                    else _next_period_start(on, precision, months or 1)
                )
            taken.append((start, end))
            found.append(
                DateMention(
                    on,
                    m.group(0).strip().rstrip("."),
                    start,
                    precision,
                    after,
                    kind,
                    named if until_day and precision in ("day", "relative") else None,
                )
            )
    return tuple(sorted(found, key=lambda mention: mention.start))


def _future(mentions: list[DateMention], received_on: date) -> list[DateMention]:
    horizon = received_on + timedelta(days=730)
    return [m for m in mentions if received_on <= m.on <= horizon]


_RETURN_CUE = re.compile(
    r"\b(?:back|return\w*|zurück|zurueck|wieder|retour|regres\w*|de vuelta|vuelvo|reachable|"
    r"erreichbar|joignable|rentr\w*|volt\w*|volto|retorn\w*|reincorpor\w*)\b",
    re.IGNORECASE,
)


# The end of a range of days: "4–13 May", "du 13 au 21", "vom 4. bis 13.", "del 4 al 13".
_RANGE_BEFORE = re.compile(
    r"\b[0-3]?\d\.?(?:\s*(?:de\s+)?(?:[a-zà-ÿ]{3,9}\.?))?\s*(?:–|-|—|to|au|bis(?:\s+zum)?|al|a|até|through|"
    r"thru|until|till)\s*$",
    re.IGNORECASE,
)
_CONTEXT_KINDS = frozenset({"period_end"})
_SENTENCE_BREAK = re.compile(r"[.!?;\n]\s")


def _says_return(text: str, mention: DateMention) -> bool:
    """True if the words around the mention, in its sentence, say the sender is back then."""
    before = text[max(0, mention.start - 40) : mention.start]
    before = _SENTENCE_BREAK.split(before)[-1]
    end = mention.start + len(mention.text)
    after = _SENTENCE_BREAK.split(text[end : end + 25] + " ")[0]
    return bool(_RETURN_CUE.search(before) or _RETURN_CUE.search(after))


# "jusqu'au 1er mars inclus", "bis 7. März einschließlich": the day named is still away.
_INCLUSIVE = re.compile(
    r"\.?\s*,?\s*(?:inclus\w*|incluid\w*|inclusive|inclusivo|einschlie\w*|included)", re.IGNORECASE
)


def return_date(text: str, received_on: date, *, day_first: bool = True) -> date | None:
    """When an out-of-office sender is back.

    Out-of-office notes name the first day away, the last day away and the day back:
    the latest date said to be the return ("back on", "returning", "wieder", "de retour")
    wins, else the latest future date named.
    """
    future = _future(find_dates(text, received_on, day_first=day_first), received_on)
    # "Out of the office until Tuesday 14 April": back on the 14th.
    future = [
        replace(m, on=_weekday_on_or_after(m.until_day))
        if m.until_day and not _INCLUSIVE.match(text, m.start + len(m.text))
        else m
        for m in future
    ]
    stated = [m for m in future if _says_return(text, m)]
    if not stated:
        # "Away 4–13 May", "absente du 13 au 21 octobre": back the next working day.
        ends = [m for m in future if _RANGE_BEFORE.search(text, max(0, m.start - 25), m.start)]
        if ends:
            return _weekday_on_or_after(max(m.on for m in ends) + timedelta(days=1))
    return max((m.on for m in stated or future), default=None)


def check_in_date(
    text: str,
    received_on: date,
    *,
    day_first: bool = True,
    recontact: re.Pattern[str] | None = None,
) -> date | None:
    """When a "not now" lead asked to be contacted again: the latest future date named in
    a sentence that asks to be contacted again (`recontact`: "circle back in March"), else
    the latest future date named ("locked in until May 2027" is context then)."""
    future = _future(find_dates(text, received_on, day_first=day_first), received_on)
    if recontact is not None:
        asked = [m for m in future if cue_found(recontact, _sentence_at(text, m.start))]
        future = asked or future
    # "Swamped with year-end close. Ping me in two weeks": the end of a period is context
    # when another date is named.
    named = [m for m in future if m.kind not in _CONTEXT_KINDS] or future
    return max((m.on for m in named), default=None)
