"""The sample companies' pages in the local web corpus: about, finance and news pages.

Where the web and the CRM disagree (a newer headcount, another name for the industry) is
decided with the companies (`sample_crm.companies`); the pages only write it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import sample_crm.names as vocab
from sample_crm.companies import Company
from sample_crm.draws import Draws, fold
from store.web_corpus import WebPage, write_page

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_THE_COUNTRIES = {"United States", "United Kingdom", "Netherlands", "United Arab Emirates"}
_REGION_MARKET = {
    "North America": "North America",
    "Europe": "Europe",
    "APAC": "Asia-Pacific",
    "LATAM": "Latin America",
    "Africa": "southern Africa",
    "Middle East": "the Gulf region",
}


def write_corpus(corpus_dir: Path, pages: Sequence[WebPage]) -> None:
    """Write the pages, first removing earlier pages of the same domains."""
    for domain in dict.fromkeys(p.domain for p in pages):
        # Pages of an earlier run for this domain would contradict the new CRM.
        for old in sorted((corpus_dir / domain).glob("*.md")):
            old.unlink()
    for page in pages:
        write_page(corpus_dir, page)


def build_company_pages(draws: Draws, c: Company) -> list[WebPage]:
    """An about page, usually a finance page, and up to three news pages."""
    r = draws.rng
    sp = c.specialty
    cv = vocab.COUNTRIES[c.country]
    market = r.choice(
        [_the(c.country), f"{_the(c.country)} and neighbouring countries",
         _REGION_MARKET[cv.region]]
    )  # fmt: skip
    customers_a, customers_b = r.sample(sp.customers, 2)
    article = "an" if sp.what_it_is[0] in "aeiou" else "a"
    fill: dict[str, object] = {
        "name": c.name,
        "full_name": c.name,
        "city": c.city,
        "country": c.country,
        "founded": c.founded,
        "a_what_it_is": f"{article} {sp.what_it_is}",
        "what_it_does": sp.what_it_does,
        "customers_a": customers_a,
        "customers_b": customers_b,
        "market": market,
        "sites": r.randint(2, 9) if c.employees < 2000 else r.randint(8, 60),
        "employees": f"{c.web_employees:,}" if c.web_employees else "",
    }
    pages = [_about_page(draws, c, fill)]
    if c.employees >= 40 or r.random() < 0.5:
        pages.append(_finance_page(draws, c))
    n_news = r.choices((0, 1, 2, 3), weights=(25, 35, 25, 15))[0]
    slugs: set[str] = set()
    for kind in r.sample(vocab.NEWS_KINDS, n_news):
        page = _news_page(draws, c, kind, fill)
        if page.url not in slugs:
            slugs.add(page.url)
            pages.append(page)
    return pages


def _about_page(draws: Draws, c: Company, fill: dict[str, object]) -> WebPage:
    r = draws.rng
    opener = r.choice(vocab.OVERVIEW_OPENERS)
    scale = vocab.OVERVIEW_SCALE if c.web_employees else vocab.OVERVIEW_SCALE_NO_COUNT
    sentences = [opener, r.choice(scale), r.choice(vocab.OVERVIEW_CUSTOMERS)]
    if c.runs_erp:
        sentences.append(r.choice(vocab.ERP_SENTENCES))
    elif "{what_it_does}" not in opener and r.random() < 0.5:
        sentences.insert(1, r.choice(vocab.OVERVIEW_DOES))
    erp = r.choice(vocab.ERP_SYSTEMS)
    overview = " ".join(
        s.format(**fill, erp=erp, year=r.randint(2016, draws.now.year - 1)) for s in sentences
    )
    products = r.sample(c.specialty.products, min(len(c.specialty.products), r.randint(3, 5)))
    if c.runs_erp and c.sector in ("Logistics", "Wholesale") and r.random() < 0.4:
        products.append(r.choice(vocab.ERP_PRODUCTS))
    facts = [f"- Industry: {c.web_label}"]
    if c.web_employees:
        facts.append(f"- Employees: {c.web_employees:,}")
    country = draws.country_label(c.country, 0.1)
    facts += [f"- Headquarters: {c.city}, {country}", f"- Founded: {c.founded}"]
    body = "\n".join(
        [
            f"# {c.name}",
            "",
            "## Overview",
            overview,
            "",
            "## Products and services",
            *(f"- {p}" for p in products),
            "",
            "## Key facts",
            *facts,
            "",
            "## Mission",
            r.choice(vocab.MISSIONS).format(**fill),
        ]
    )
    title = r.choice([f"About {c.name}", f"{c.name} – who we are", f"{c.short_name}: about us"])
    return WebPage(
        url=f"https://{c.domain}/about",
        title=title,
        kind="company",
        company=c.name,
        domain=c.domain,
        content=body,
    )


def _finance_page(draws: Draws, c: Company) -> WebPage:
    r, now = draws.rng, draws.now
    fiscal_year = now.year - 1 if now.month <= 6 else now.year
    growth = r.choice((-7, -4, -2, 0, 1, 3, 4, 6, 8, 9, 12, 15, 18))
    if c.employees > 3000 and r.random() < 0.5:
        exchange = vocab.COUNTRIES[c.country].exchange
        ownership = f"Listed on the {exchange} (ticker {fold(c.short_name)[:4].upper()})"
    else:
        ownership = r.choice(vocab.OWNERSHIP_PRIVATE)
        if ownership == "Private equity backed":
            ownership += f" ({r.choice(vocab.PE_FUNDS)})"
    lines = [
        f"- Annual revenue: {_money(c.revenue)} (FY{fiscal_year})",
        f"- Revenue growth: {growth}% year over year",
        f"- Ownership: {ownership}",
    ]
    if c.web_employees and r.random() < 0.5:
        lines.append(f"- Employees: {c.web_employees:,}")
    if growth > 1:
        health = vocab.FINANCE_HEALTH_UP
    elif growth >= 0:
        health = vocab.FINANCE_HEALTH_FLAT
    else:
        health = vocab.FINANCE_HEALTH_DOWN
    prose = " ".join(
        s.format(growth=growth, decline=-growth, year=fiscal_year)
        for s in r.sample(health, min(len(health), r.randint(1, 2)))
    )
    title = r.choice(
        [f"{c.name}: financial highlights", f"{c.short_name} investor relations",
         f"{c.short_name} annual results FY{fiscal_year}"]
    )  # fmt: skip
    return WebPage(
        url=f"https://{c.domain}/investors",
        title=title,
        kind="finance",
        company=c.name,
        domain=c.domain,
        content="\n".join([f"# {title}", "", *lines, "", prose]),
    )


def _news_page(draws: Draws, c: Company, kind: str, fill: dict[str, object]) -> WebPage:
    r = draws.rng
    published = (draws.now - timedelta(days=r.randint(1, 120))).date()
    boss = draws.person(c.country)
    words = {
        **fill,
        "name": c.short_name,  # headlines use the short name, first sentences the full one
        "item": r.choice(c.specialty.launch_items),
        "role": r.choice(vocab.LEADERSHIP_ROLES),
        "person": f"{boss.first} {boss.last}",
        "person_first": boss.first,
        "pronoun": "they",
        "start": _long_date(published + timedelta(days=r.randint(14, 60))),
        "partner": r.choice(vocab.PARTNER_NAMES),
        "years": r.randint(3, 7),
        "value": r.randint(5, 80),
        "award": r.choice(vocab.AWARDS),
        "ordinal": r.choice(("second", "third", "fourth")),
        "hours": f"{r.randint(5, 40) * 100:,}",
    }
    title = r.choice(vocab.NEWS_TITLES[kind]).format(**words)
    first, *rest = vocab.NEWS_BODIES[kind]
    sentences = [first, *r.sample(rest, r.randint(1, 3))]
    body = " ".join(s.format(**words) for s in sentences)
    return WebPage(
        url=f"https://{c.domain}/news/{_slug(title)}",
        title=title,
        kind="news",
        company=c.name,
        domain=c.domain,
        published_on=published,
        content=f"# {title}\n\n{c.city}, {_long_date(published)} – {body}",
    )


def _slug(text: str, limit: int = 60) -> str:
    slug = ""
    for word in filter(None, (fold(w) for w in text.split())):
        if slug and len(slug) + 1 + len(word) > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug[:limit]


def _money(value: float) -> str:
    """'$240 million', '$1.25 billion': the three significant figures the CRM holds."""
    if value >= 1e9:
        return f"${value / 1e9:.3g} billion"
    return f"${value / 1e6:.3g} million"


def _long_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _the(country: str) -> str:
    return f"the {country}" if country in _THE_COUNTRIES else country
