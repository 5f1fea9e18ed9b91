"""Countries and sales regions: spelling variants to one key, countries to regions.

CRM country fields hold anything from "US" to "United States of America" to
"Deutschland"; `country_key` turns them into one lowercase English name. Regions are the
names sales teams use ("North America", "EMEA", "DACH"); `region_key` accepts their
common aliases ("NA", "EU", "Asia-Pacific").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

NORTH_AMERICA = "North America"
LATAM = "LATAM"
SOUTH_AMERICA = "South America"
AMERICAS = "Americas"
EUROPE = "Europe"
EMEA = "EMEA"
MIDDLE_EAST = "Middle East"
AFRICA = "Africa"
APAC = "APAC"
DACH = "DACH"
NORDICS = "Nordics"
BENELUX = "Benelux"
ANZ = "ANZ"

REGIONS: tuple[str, ...] = (
    NORTH_AMERICA, LATAM, SOUTH_AMERICA, AMERICAS, EUROPE, EMEA, MIDDLE_EAST, AFRICA, APAC,
    DACH, NORDICS, BENELUX, ANZ,
)  # fmt: skip

# Regions two countries must share to count as neighbours ("partly met" when the ICP
# lists countries only). Broad blocks such as EMEA or Americas are left out on purpose:
# Germany and Nigeria are both EMEA but a German-only ICP should not half-match Nigeria.
NEIGHBOURHOODS: frozenset[str] = frozenset(
    {NORTH_AMERICA, LATAM, EUROPE, MIDDLE_EAST, AFRICA, APAC}
)

_REGION_ALIASES: dict[str, str] = {
    "na": NORTH_AMERICA,
    "nam": NORTH_AMERICA,
    "noram": NORTH_AMERICA,
    "northern america": NORTH_AMERICA,
    "latin america": LATAM,
    "latam": LATAM,
    "lac": LATAM,
    "south america": SOUTH_AMERICA,
    "americas": AMERICAS,
    "amer": AMERICAS,
    "the americas": AMERICAS,
    "eu": EUROPE,
    "europe": EUROPE,
    "european union": EUROPE,
    "mideast": MIDDLE_EAST,
    "me": MIDDLE_EAST,
    "apac": APAC,
    "asia pacific": APAC,
    "asia": APAC,
    "apj": APAC,
    "nordic": NORDICS,
    "nordic countries": NORDICS,
    "scandinavia": NORDICS,
    "oceania": ANZ,
    "australia and new zealand": ANZ,
    "dach region": DACH,
}

# canonical country -> (aliases incl. ISO codes and native names, base regions)
# fmt: off
_E = (EUROPE,)
_COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "united states": (
        (
            "us", "usa", "u s", "u s a", "united states of america", "america", "the us",
            "the united states", "etats unis", "estados unidos", "vereinigte staaten",
        ),
        (NORTH_AMERICA,),
    ),
    "canada": (("ca", "can"), (NORTH_AMERICA,)),
    "mexico": (("mx", "mex", "mejico", "estados unidos mexicanos"), (NORTH_AMERICA, LATAM)),
    "guatemala": (("gt", "gtm"), (LATAM,)),
    "costa rica": (("cr", "cri"), (LATAM,)),
    "panama": (("pa", "pan"), (LATAM,)),
    "honduras": (("hn", "hnd"), (LATAM,)),
    "el salvador": (("sv", "slv"), (LATAM,)),
    "dominican republic": (("do", "dom", "republica dominicana"), (LATAM,)),
    # A US territory in the Caribbean: North American markets, Latin American region lists.
    "puerto rico": (("pr", "pri"), (NORTH_AMERICA, LATAM)),
    "cuba": (("cu", "cub"), (LATAM,)),
    "jamaica": (("jm", "jam"), (LATAM,)),
    "brazil": (("br", "bra", "brasil"), (LATAM, SOUTH_AMERICA)),
    "argentina": (("ar", "arg"), (LATAM, SOUTH_AMERICA)),
    "chile": (("cl", "chl"), (LATAM, SOUTH_AMERICA)),
    "colombia": (("co", "col"), (LATAM, SOUTH_AMERICA)),
    "peru": (("pe", "per"), (LATAM, SOUTH_AMERICA)),
    "ecuador": (("ec", "ecu"), (LATAM, SOUTH_AMERICA)),
    "uruguay": (("uy", "ury"), (LATAM, SOUTH_AMERICA)),
    "paraguay": (("py", "pry"), (LATAM, SOUTH_AMERICA)),
    "bolivia": (("bo", "bol"), (LATAM, SOUTH_AMERICA)),
    "venezuela": (("ve", "ven"), (LATAM, SOUTH_AMERICA)),
    "united kingdom": (
        (
            "uk", "u k", "gb", "gbr", "great britain", "britain", "england", "scotland", "wales",
            "northern ireland", "united kingdom of great britain and northern ireland",
        ),
        _E,
    ),
    "ireland": (("ie", "irl", "eire", "republic of ireland"), _E),
    "germany": (("de", "deu", "deutschland", "allemagne", "alemania"), (*_E, DACH)),
    "austria": (("at", "aut", "osterreich", "oesterreich"), (*_E, DACH)),
    "switzerland": (("ch", "che", "schweiz", "suisse", "svizzera"), (*_E, DACH)),
    "liechtenstein": (("li", "lie"), (*_E, DACH)),
    "france": (("fr", "fra"), _E),
    "monaco": (("mc", "mco"), _E),
    "netherlands": (("nl", "nld", "holland", "the netherlands", "nederland"), (*_E, BENELUX)),
    "belgium": (("be", "bel", "belgie", "belgique", "belgien"), (*_E, BENELUX)),
    "luxembourg": (("lu", "lux", "luxemburg"), (*_E, BENELUX)),
    "spain": (("es", "esp", "espana"), _E),
    "portugal": (("pt", "prt"), _E),
    "italy": (("it", "ita", "italia"), _E),
    "malta": (("mt", "mlt"), _E),
    "greece": (("gr", "grc", "hellas"), _E),
    # On two continents: the UN geoscheme's choice is the default; an ICP can override it
    # with `transcontinental` (see TRANSCONTINENTAL below).
    "cyprus": (("cy", "cyp"), (MIDDLE_EAST,)),
    "denmark": (("dk", "dnk", "danmark"), (*_E, NORDICS)),
    "sweden": (("se", "swe", "sverige"), (*_E, NORDICS)),
    "norway": (("no", "nor", "norge"), (*_E, NORDICS)),
    "finland": (("fi", "fin", "suomi"), (*_E, NORDICS)),
    "iceland": (("is", "isl"), (*_E, NORDICS)),
    "poland": (("pl", "pol", "polska"), _E),
    "czech republic": (("cz", "cze", "czechia", "cesko"), _E),
    "slovakia": (("sk", "svk"), _E),
    "hungary": (("hu", "hun", "magyarorszag"), _E),
    "romania": (("ro", "rou"), _E),
    "bulgaria": (("bg", "bgr"), _E),
    "croatia": (("hr", "hrv", "hrvatska"), _E),
    "slovenia": (("si", "svn"), _E),
    "serbia": (("rs", "srb"), _E),
    "bosnia and herzegovina": (("ba", "bih", "bosnia"), _E),
    "north macedonia": (("mk", "mkd", "macedonia"), _E),
    "albania": (("al", "alb"), _E),
    "montenegro": (("me", "mne"), _E),
    "estonia": (("ee", "est"), _E),
    "latvia": (("lv", "lva"), _E),
    "lithuania": (("lt", "ltu"), _E),
    "ukraine": (("ua", "ukr"), _E),
    "moldova": (("md", "mda"), _E),
    "belarus": (("by", "blr"), _E),
    "russia": (("ru", "rus", "russian federation"), _E),
    "kazakhstan": (("kz", "kaz", "qazaqstan"), (APAC,)),
    "uzbekistan": (("uz", "uzb"), (APAC,)),
    "turkey": (("tr", "tur", "turkiye"), (MIDDLE_EAST,)),
    "georgia": (("ge", "geo", "sakartvelo"), (MIDDLE_EAST,)),
    "armenia": (("am", "arm", "hayastan"), (MIDDLE_EAST,)),
    "azerbaijan": (("az", "aze", "azerbaycan"), (MIDDLE_EAST,)),
    "united arab emirates": (("ae", "are", "uae", "u a e", "emirates"), (MIDDLE_EAST,)),
    "saudi arabia": (("sa", "sau", "ksa"), (MIDDLE_EAST,)),
    "qatar": (("qa", "qat"), (MIDDLE_EAST,)),
    "kuwait": (("kw", "kwt"), (MIDDLE_EAST,)),
    "bahrain": (("bh", "bhr"), (MIDDLE_EAST,)),
    "oman": (("om", "omn"), (MIDDLE_EAST,)),
    "israel": (("il", "isr"), (MIDDLE_EAST,)),
    "jordan": (("jo", "jor"), (MIDDLE_EAST,)),
    "lebanon": (("lb", "lbn"), (MIDDLE_EAST,)),
    "iraq": (("iq", "irq"), (MIDDLE_EAST,)),
    "iran": (("ir", "irn"), (MIDDLE_EAST,)),
    "egypt": (("eg", "egy"), (AFRICA, MIDDLE_EAST)),
    "morocco": (("ma", "mar", "maroc"), (AFRICA,)),
    "algeria": (("dz", "dza"), (AFRICA,)),
    "tunisia": (("tn", "tun"), (AFRICA,)),
    "nigeria": (("ng", "nga"), (AFRICA,)),
    "ghana": (("gh", "gha"), (AFRICA,)),
    "kenya": (("ke", "ken"), (AFRICA,)),
    "ethiopia": (("et", "eth"), (AFRICA,)),
    "tanzania": (("tz", "tza"), (AFRICA,)),
    "uganda": (("ug", "uga"), (AFRICA,)),
    "rwanda": (("rw", "rwa"), (AFRICA,)),
    "senegal": (("sn", "sen"), (AFRICA,)),
    "ivory coast": (("ci", "civ", "cote d ivoire", "cote divoire"), (AFRICA,)),
    "south africa": (("za", "zaf", "rsa"), (AFRICA,)),
    "namibia": (("nam",), (AFRICA,)),
    "botswana": (("bw", "bwa"), (AFRICA,)),
    "zambia": (("zm", "zmb"), (AFRICA,)),
    "zimbabwe": (("zw", "zwe"), (AFRICA,)),
    "angola": (("ao", "ago"), (AFRICA,)),
    "mozambique": (("mz", "moz"), (AFRICA,)),
    "china": (("cn", "chn", "prc", "people s republic of china", "mainland china"), (APAC,)),
    "hong kong": (("hk", "hkg", "hong kong sar"), (APAC,)),
    "taiwan": (("tw", "twn"), (APAC,)),
    "japan": (("jp", "jpn", "nippon"), (APAC,)),
    "south korea": (
        (
            "kr", "kor", "korea", "republic of korea", "korea republic of", "korea south",
        ),
        (APAC,),
    ),
    "india": (("in", "ind", "bharat"), (APAC,)),
    "pakistan": (("pk", "pak"), (APAC,)),
    "bangladesh": (("bd", "bgd"), (APAC,)),
    "sri lanka": (("lk", "lka"), (APAC,)),
    "singapore": (("sg", "sgp"), (APAC,)),
    "malaysia": (("my", "mys"), (APAC,)),
    "indonesia": (("id", "idn"), (APAC,)),
    "thailand": (("th", "tha"), (APAC,)),
    "vietnam": (("vn", "vnm", "viet nam"), (APAC,)),
    "philippines": (("ph", "phl", "the philippines"), (APAC,)),
    "australia": (("au", "aus"), (APAC, ANZ)),
    "new zealand": (("nz", "nzl", "aotearoa"), (APAC, ANZ)),
}
# fmt: on

_DERIVED: dict[str, str] = {
    EUROPE: EMEA,
    MIDDLE_EAST: EMEA,
    AFRICA: EMEA,
    NORTH_AMERICA: AMERICAS,
    LATAM: AMERICAS,
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


_COUNTRY_LOOKUP: dict[str, str] = {}
for _name, (_aliases, _regions) in _COUNTRIES.items():
    for _alias in (_name, *_aliases):
        _COUNTRY_LOOKUP[_key(_alias)] = _name

_REGION_LOOKUP: dict[str, str] = {_key(region): region for region in REGIONS}
_REGION_LOOKUP.update({_key(alias): region for alias, region in _REGION_ALIASES.items()})


# Country names in the languages leads and CRMs write in ("Spanien", "Mexique", "Irlanda"),
# from the Unicode CLDR data babel ships, keyed by each country's ISO code.
_NAME_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl")


# Countries outside the table above take their regions from where their time zones are
# (IANA zone names, via CLDR in babel): "Africa/Douala" puts Cameroon in Africa. Zones do not
# split the Americas or Asia the way sales regions do, so those splits follow the UN geoscheme.
_ZONE_REGIONS: dict[str, tuple[str, ...]] = {
    "Europe": _E,
    "Africa": (AFRICA,),
    "America": (LATAM,),
    "Asia": (APAC,),
    "Pacific": (APAC,),
    "Australia": (APAC,),
}
_NORTHERN_AMERICA = frozenset({"GL", "BM", "PM"})
_SOUTH_AMERICA = frozenset({"GY", "SR", "GF", "FK"})
_WESTERN_ASIA = frozenset({"SY", "YE", "PS"})
_AFRICAN_ISLANDS = frozenset({"MG", "KM", "YT", "RE", "MU", "SC", "CV", "SH", "ST"})


def _zone_regions(code: str, prefixes: set[str]) -> tuple[str, ...]:
    if code in _NORTHERN_AMERICA:
        return (NORTH_AMERICA,)
    if code in _SOUTH_AMERICA:
        return (LATAM, SOUTH_AMERICA)
    if code in _WESTERN_ASIA:
        return (MIDDLE_EAST,)
    if code in _AFRICAN_ISLANDS:
        return (AFRICA,)
    for prefix in ("Europe", "Africa", "America", "Asia", "Pacific", "Australia"):
        if prefix in prefixes:
            return _ZONE_REGIONS[prefix]
    if prefixes & {"Atlantic"}:
        return _E  # Faroe Islands, Azores, Canaries, Madeira
    if prefixes & {"Indian"}:
        return (APAC,)  # Maldives, Christmas and Cocos Islands
    return ()


@cache
def _all_countries() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """The table above, plus every other ISO country CLDR names, placed by its time zones."""
    from babel import Locale
    from babel.core import get_global

    countries = dict(_COUNTRIES)
    known_codes = {a.upper() for aliases, _ in _COUNTRIES.values() for a in aliases if len(a) == 2}
    prefixes: dict[str, set[str]] = {}
    for zone, territory in get_global("zone_territories").items():
        prefixes.setdefault(territory, set()).add(zone.split("/")[0])
    names = Locale("en").territories
    for code, zone_prefixes in prefixes.items():
        regions = _zone_regions(code, zone_prefixes)
        if code in known_codes or code not in names or not regions:
            continue
        countries.setdefault(_key(names[code]), ((code.lower(),), regions))
    return countries


@cache
def _country_lookup() -> dict[str, str]:
    # Built on first use: loading seven locales' CLDR data costs ~50 ms at start-up.
    from babel import Locale

    lookup = dict(_COUNTRY_LOOKUP)
    countries = _all_countries()
    for name, (aliases, _regions) in countries.items():
        for alias in (name, *aliases):
            lookup.setdefault(_key(alias), name)
    codes = _country_codes()
    for locale in map(Locale, _NAME_LANGUAGES):
        for name in countries:
            code = codes.get(name)
            local = locale.territories.get(code) if code else None
            if local:
                lookup.setdefault(_key(local), name)
    return lookup


def country_key(name: str | None) -> str | None:
    """One lowercase English name for a country spelling, or None if not recognised."""
    if not name:
        return None
    lookup = _country_lookup()
    key = _key(name)
    if key in lookup:
        return lookup[key]
    # "Berlin, Germany" or "Germany (DE)": try each comma/bracket part.
    for part in re.split(r"[,;/()]", name):
        part_key = _key(part)
        if part_key and part_key != key and part_key in lookup:
            return lookup[part_key]
    return None


@cache
def _country_codes() -> dict[str, str]:
    """Country key -> ISO 3166 alpha-2 code: the table's two-letter alias, else CLDR's name."""
    from babel import Locale

    names = Locale("en").territories
    by_name = {_key(name): code for code, name in names.items()}
    codes = {}
    for key, (aliases, _regions) in _all_countries().items():
        # CLDR's English name first: the table's two-letter aliases include "UK" (not a
        # code) and leave out Namibia's NA (it reads as North America).
        code = by_name.get(key) or next(
            (a.upper() for a in aliases if len(a) == 2 and a.upper() in names), None
        )
        if code:
            codes[key] = code
    return codes


def country_code(name: str | None) -> str | None:
    """The ISO 3166 alpha-2 code of a country spelling ("USA", "Deutschland", "CMR"), or None."""
    key = country_key(name)
    if key is not None:
        return _country_codes().get(key)
    text = _key(name or "")
    if len(text) == 3 and text.isalpha():
        # Alpha-3 codes of countries outside the hand table: CLDR's territory aliases.
        from babel.core import get_global

        targets = get_global("territory_aliases").get(text.upper(), [])
        if len(targets) == 1 and targets[0] in _country_codes().values():
            return targets[0]
    return None


def region_key(name: str | None) -> str | None:
    """The canonical region name for an admin's spelling ("emea", "NA"), or None."""
    if not name:
        return None
    return _REGION_LOOKUP.get(_key(name))


def region_of(country: str | None) -> set[str]:
    """All regions a country belongs to; empty if the country is not recognised."""
    key = country_key(country)
    if key is None:
        return set()
    regions = set(_all_countries()[key][1])
    regions.update(_DERIVED[r] for r in list(regions) if r in _DERIVED)
    return regions


TRANSCONTINENTAL: frozenset[str] = frozenset(
    {"russia", "turkey", "kazakhstan", "egypt", "georgia", "armenia", "azerbaijan", "cyprus"}
)
"""Countries on two continents. By default they follow the UN geoscheme: Russia is Europe;
Turkey, Georgia, Armenia, Azerbaijan and Cyprus are Western Asia (Middle East); Egypt is
Africa and the Middle East; Kazakhstan is Asia. An ICP's `transcontinental` option says
otherwise for its own market ({Turkey: Europe})."""


def regions_with(key: str, counts_as: dict[str, str] | None = None) -> set[str]:
    """The regions of a country key, with an ICP's `transcontinental` choice applied."""
    for country, region in (counts_as or {}).items():
        if country_key(country) == key:
            chosen = region_key(region) or region
            return {chosen, *([_DERIVED[chosen]] if chosen in _DERIVED else [])}
    return region_of(key)


def countries_in(region: str, counts_as: dict[str, str] | None = None) -> set[str]:
    """Every country key in a region (canonical name), with the ICP's choices applied."""
    return {key for key in _all_countries() if region in regions_with(key, counts_as)}


def country_label(key: str) -> str:
    """A display name for a country key ("united states" -> "United States")."""
    special = {"united states": "United States", "united kingdom": "United Kingdom"}
    if key in special:
        return special[key]
    return " ".join(w if w in {"and", "of"} else w.capitalize() for w in key.split())


def known_countries() -> list[str]:
    """Every canonical country key, for error messages and docs."""
    return sorted(_all_countries())
