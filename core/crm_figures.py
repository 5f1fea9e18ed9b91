"""Headcounts and revenues as CRMs hold them: "200-500", "about 1,000", "1,2 Mrd. €", "¥3bn".

A figure is read into a range (`low`..`high`; a single number has low == high, an open
range such as "10,000+" has no high) with the currency the text names. Thousand and decimal
separators are told apart by position ("1.000" and "1 000" are a thousand; "1,2" is one
point two), scale words are read in five languages ("Mio.", "milhões", "mil millones"),
and placeholders ("Select", "n/a", "-") read as nothing. Pure functions, no conversion:
`core.exchange_rates` converts between currencies.
"""

from __future__ import annotations

import math
import re
import unicodedata

from pydantic import BaseModel, Field


class Figure(BaseModel):
    """A number or range read from a CRM value; `high` None means no upper end."""

    low: float = Field(ge=0)
    high: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, description="ISO 4217 code, when one is named.")
    approximate: bool = False
    text: str = Field(description="The value as the CRM held it.")

    @property
    def is_point(self) -> bool:
        """One number, not a range."""
        return self.high is not None and self.high == self.low

    @property
    def upper(self) -> float:
        """The upper end, infinite for an open range."""
        return math.inf if self.high is None else self.high

    @classmethod
    def point(cls, value: float, currency: str | None = None) -> Figure:
        """A figure for a number already read (a CRM number column)."""
        return cls(low=value, high=value, currency=currency, text=f"{value:g}")


class FigureError(ValueError):
    """A value that is not blank yet cannot be read as a number; says how to write one."""


# Values people type when they have no figure: read as blank, not as an error.
_PLACEHOLDERS = frozenset(
    {
        "select", "please select", "--select--", "n/a", "na", "n.a.", "none", "unknown",
        "tbd", "?", "-", "--", "—", "k.a.", "keine angabe", "inconnu", "nd", "n.d.",
        "desconocido", "desconhecido", "sin dato", "sem informacao", "0-0",
    }
)  # fmt: skip

# Scale words, compared lowercased and without accents or a trailing dot.
SCALE_WORDS: dict[str, float] = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "tsd": 1e3, "tausend": 1e3, "mil": 1e3,
    "mille": 1e3, "milliers": 1e3,
    "m": 1e6, "mm": 1e6, "mn": 1e6, "mio": 1e6, "mios": 1e6, "mill": 1e6, "million": 1e6,
    "millions": 1e6, "millionen": 1e6, "millon": 1e6, "millones": 1e6, "milhao": 1e6,
    "milhoes": 1e6, "mi": 1e6,
    "b": 1e9, "bn": 1e9, "bln": 1e9, "billion": 1e9, "billions": 1e9, "mrd": 1e9,
    "md": 1e9, "mds": 1e9, "milliard": 1e9, "milliarde": 1e9, "milliarden": 1e9,
    "milliards": 1e9, "bilhao": 1e9, "bilhoes": 1e9, "bi": 1e9,
    "mil millones": 1e9, "mil milliones": 1e9,
    "tn": 1e12, "trillion": 1e12, "billon": 1e12, "billones": 1e12, "trilhao": 1e12,
    "trilhoes": 1e12, "billionen": 1e12,
    "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7, "cr": 1e7,
}  # fmt: skip

# Currency signs and words. "$" alone is the US dollar; prefixed dollars name their own.
_CURRENCY_SIGNS: dict[str, str] = {
    "us$": "USD", "usd": "USD", "$": "USD", "dollar": "USD", "dollars": "USD",
    "dolares": "USD", "dolar": "USD", "dollari": "USD",
    "r$": "BRL", "brl": "BRL", "real": "BRL", "reais": "BRL",
    "mx$": "MXN", "mex$": "MXN", "mxn": "MXN",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "nz$": "NZD", "nzd": "NZD",
    "hk$": "HKD", "hkd": "HKD", "s$": "SGD", "sgd": "SGD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "libras": "GBP",
    "¥": "JPY", "jpy": "JPY", "yen": "JPY", "cn¥": "CNY", "cny": "CNY", "rmb": "CNY",
    "yuan": "CNY", "₹": "INR", "inr": "INR", "rs": "INR", "rupees": "INR",
    "₩": "KRW", "krw": "KRW", "₺": "TRY", "try": "TRY", "chf": "CHF", "sfr": "CHF",
    "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pln": "PLN", "zl": "PLN", "czk": "CZK",
    "huf": "HUF", "ron": "RON", "zar": "ZAR", "rand": "ZAR", "ils": "ILS", "₪": "ILS",
    "cop": "COP", "clp": "CLP", "ars": "ARS", "pen": "PEN", "uyu": "UYU", "aed": "AED",
    "sar": "SAR", "egp": "EGP", "ngn": "NGN", "kes": "KES", "kzt": "KZT", "rub": "RUB",
    "₽": "RUB", "idr": "IDR", "myr": "MYR", "php": "PHP", "thb": "THB", "vnd": "VND",
    "twd": "TWD", "qar": "QAR", "kwd": "KWD", "mad": "MAD", "bgn": "BGN", "isk": "ISK",
}  # fmt: skip
# Words naming a currency only together with the account's country or currency.
_AMBIGUOUS_CURRENCY = frozenset({"kr", "pesos", "peso", "francs", "franken", "krona", "kronor"})

# Longest first ("r$" before "$"); words must stand alone, signs need not. Compiled once.
_CURRENCY_WORD = re.compile(
    "|".join(
        rf"(?<![a-z]){re.escape(k)}(?![a-z])" if k[-1].isalpha() else re.escape(k)
        for k in sorted([*_CURRENCY_SIGNS, *_AMBIGUOUS_CURRENCY], key=len, reverse=True)
    )
)
_OPEN_ABOVE = re.compile(
    r"^(?:more than|over|above|greater than|at least|min\.?|minimum|mehr als|uber|"
    r"mindestens|plus de|au moins|mas de|por encima de|al menos|mais de|acima de|"
    r"pelo menos|>=?|≥)\s*"
)
_OPEN_BELOW = re.compile(
    r"^(?:less than|fewer than|under|below|up to|max\.?|maximum|weniger als|unter|bis zu|"
    r"bis|moins de|jusqu a|menos de|hasta|ate|<=?|≤)\s*"
)
_APPROX = re.compile(
    r"^(?:about|approx\.?|approximately|around|roughly|circa|ca\.?|c\.|some|~|≈|"
    r"etwa|rund|ungefahr|knapp|env\.?|environ|pres de|aprox\.?|aproximadamente|"
    r"cerca de|alrededor de|unos|unas|em torno de|por volta de)\s*"
)
_RANGE_JOIN = re.compile(
    r"\s*(?:-|–|—|to|through|bis|a|à|e|y|et|und|and|\.\.)\s*", flags=re.IGNORECASE
)
_RANGE_OPEN = re.compile(r"^(?:between|zwischen|entre|de|von|from)\s+", flags=re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d.,'’\u00a0\u202f ]*\d|\d")


def is_placeholder(text: str) -> bool:
    """A value people type when they have none: "Select", "n/a", "-", "unknown"."""
    return _plain(text) in _PLACEHOLDERS


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def _digits_value(digits: str) -> float:
    """A number with its separators read by position: '1.000' -> 1000, '1,2' -> 1.2."""
    compact = re.sub(r"[\s\u00a0\u202f'’]", "", digits)
    marks = [c for c in compact if c in ",."]
    if not marks:
        return float(compact)
    last = max(compact.rfind(","), compact.rfind("."))
    decimal_mark = compact[last]
    if len(set(marks)) == 2:
        whole = compact[:last].replace(",", "").replace(".", "")
        return float(f"{whole}.{compact[last + 1 :]}")
    # One kind of mark: repeated, or followed by exactly three digits, it groups thousands.
    if len(marks) > 1 or len(compact) - last - 1 == 3:
        return float(compact.replace(decimal_mark, ""))
    return float(compact.replace(decimal_mark, "."))


# Longest words first, so "mil millones" wins over "mil"; compiled once.
_SCALE_WORD = re.compile(
    "("
    + "|".join(re.escape(w) for w in sorted(SCALE_WORDS, key=len, reverse=True))
    + r")\.?(?![a-z])"
)


def _scale_at(text: str) -> tuple[float, int]:
    """The scale word that opens `text` (a plain string), and how many characters it takes."""
    match = _SCALE_WORD.match(text)
    return (SCALE_WORDS[match.group(1)], match.end()) if match else (1.0, 0)


def _currency_in(text: str) -> tuple[str | None, str]:
    """The currency `text` names (None if none) and the text without it."""
    found: str | None = None
    ambiguous = False
    for match in _CURRENCY_WORD.finditer(text):
        key = match.group()
        if key in _AMBIGUOUS_CURRENCY:
            ambiguous = True
        elif found is None or found == "USD":  # "R$" beats the "$" inside it
            found = _CURRENCY_SIGNS[key]
    rest = _CURRENCY_WORD.sub(" ", text)
    if found is None and ambiguous:
        found = "?"
    return found, " ".join(rest.split())


def _amount(text: str) -> tuple[float, float, str] | None:
    """The first number in `text` with the scale word after it: (number, scale, rest)."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = _digits_value(match.group().strip())
    rest = text[match.end() :].lstrip()
    scale, used = _scale_at(rest)
    return value, scale, rest[used:]


def parse_figure(value: object, *, what: str, example: str) -> Figure | None:
    """Read a CRM value into a Figure; None for blanks and placeholders.

    Raises FigureError naming `what` and an `example` when the value holds no number.
    A currency named only by an ambiguous word ("kr", "pesos") is returned as "?".
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0 or math.isnan(value):
            raise FigureError(f"{value!r} is not a valid {what}; write e.g. {example}")
        return Figure.point(float(value))
    original = str(value).strip()
    text = _plain(original)
    if not text or text in _PLACEHOLDERS:
        return None
    currency, text = _currency_in(text)
    text = text.replace("+", " + ").strip()
    approximate = bool(_APPROX.match(text))
    text = _APPROX.sub("", text)
    open_above = bool(_OPEN_ABOVE.match(text)) or text.rstrip().endswith("+")
    open_below = not open_above and bool(_OPEN_BELOW.match(text))
    text = _OPEN_BELOW.sub("", _OPEN_ABOVE.sub("", text)).replace("+", " ").strip()
    text = re.sub(r"\b(?:or more|and more|und mehr|ou plus|o mas|ou mais|y mas)\b", "", text)
    text = _RANGE_OPEN.sub("", text)
    first = _amount(text)
    if first is None:
        raise FigureError(
            f"{original!r} is not a number; write {what} as a number or range, e.g. {example}"
        )
    low, low_scale, rest = first
    high: float | None = None
    joined = _RANGE_JOIN.match(rest)
    if joined and (second := _amount(rest[joined.end() :])) is not None:
        high, high_scale, rest = second
        if low_scale == 1.0 and high_scale != 1.0:
            low_scale = high_scale  # "10-50 Mio." scales both ends
        high *= high_scale
    low *= low_scale
    if high is None:
        high = low
    if open_above:
        high = None
    elif open_below:
        low = 0.0
    if high is not None and high < low:
        low, high = high, low
    return Figure(low=low, high=high, currency=currency, approximate=approximate, text=original)


def money_text(value: float, currency: str = "USD") -> str:
    """240e6 -> '$240M', 1.2e9 -> '$1.2B'; other currencies by code: 'EUR 1.2B'."""
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit:
            number = f"{value / limit:.1f}".removesuffix(".0") + suffix
            break
    else:
        number = f"{value:,.0f}"
    return f"${number}" if currency == "USD" else f"{currency} {number}"


def format_figure(figure: Figure, unit: str = "") -> str:
    """A short, readable form: '200–500', '10,000+', '≈1,000'."""

    def short(value: float) -> str:
        for limit, suffix in ((1e9, "B"), (1e6, "M")):
            if value >= limit:
                return f"{value / limit:,.1f}".rstrip("0").rstrip(".") + suffix
        return f"{value:,.0f}"

    prefix = "≈" if figure.approximate else ""
    if figure.high is None:
        body = f"{short(figure.low)}+"
    elif figure.low == 0 and figure.high != 0 and figure.text.strip()[:1] in "<≤":
        body = f"under {short(figure.high)}"
    elif figure.is_point:
        body = short(figure.low)
    else:
        body = f"{short(figure.low)}–{short(figure.high)}"
    return f"{prefix}{body}{unit}"
