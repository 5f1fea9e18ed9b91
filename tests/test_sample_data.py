"""The sample CRM: deterministic, big enough, and with the mix research has to cope with."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, func, select

import sample_crm.names as vocab
from core.clock import as_utc
from core.geography import country_code
from core.time_zones import TimeZoneSource, country_clocks
from sample_crm.generator import SampleSummary, generate_sample_crm
from store.agent_records import AgentSetting, LeadInsight
from store.crm import (
    Account,
    Activity,
    ActivityParticipant,
    Contact,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityState,
    SecurityRole,
    User,
)
from store.db import get_db_engine
from store.web_corpus import CorpusError, WebPage, iter_pages, read_page

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
PERSONAL = {d for c in vocab.COUNTRIES.values() for d in c.personal_domains} | set(
    vocab.PERSONAL_DOMAINS_ANY
)


@dataclass
class Sample:
    summary: SampleSummary
    session: Session
    corpus: Path
    leads: list[Lead]
    accounts: list[Account]
    pages: list[WebPage]


def _generate(root: Path, **kwargs: object) -> tuple[SampleSummary, Session]:
    session = Session(get_db_engine(f"sqlite:///{root}/crm.db"), expire_on_commit=False)
    summary = generate_sample_crm(session, root / "web", now=NOW, **kwargs)  # type: ignore[arg-type]
    return summary, session


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    root = tmp_path_factory.mktemp("sample")
    summary, session = _generate(root)
    pages = []
    for item in iter_pages(root / "web"):
        assert not isinstance(item, CorpusError), item
        pages.append(item)
    return Sample(
        summary,
        session,
        root / "web",
        list(session.exec(select(Lead).order_by(Lead.id))),
        list(session.exec(select(Account).order_by(Account.id))),
        pages,
    )


def _email_kind(email: str | None) -> str:
    if email is None:
        return "missing"
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "invalid"
    if valid.domain in vocab.DISPOSABLE_DOMAINS:
        return "disposable"
    if valid.domain in PERSONAL:
        return "personal"
    if valid.local_part in vocab.ROLE_MAILBOXES:
        return "role"
    return "work"


def _fact(page: WebPage, name: str) -> str | None:
    match = re.search(rf"^- {name}: (.+)$", page.content, re.MULTILINE)
    return match.group(1) if match else None


def test_same_seed_and_now_give_identical_data(sample: Sample, tmp_path: Path) -> None:
    summary, session = _generate(tmp_path)
    again = list(session.exec(select(Lead).order_by(Lead.id)))
    assert summary == sample.summary
    assert [lead.model_dump() for lead in again] == [lead.model_dump() for lead in sample.leads]
    first = {p.relative_to(sample.corpus): p.read_text() for p in sample.corpus.rglob("*.md")}
    second = {
        p.relative_to(tmp_path / "web"): p.read_text() for p in (tmp_path / "web").rglob("*.md")
    }
    assert first == second


def test_another_seed_gives_other_data(sample: Sample, tmp_path: Path) -> None:
    _, session = _generate(tmp_path, seed=8)
    other = [lead.email for lead in session.exec(select(Lead).order_by(Lead.id))]
    assert other != [lead.email for lead in sample.leads]


def test_counts_match_the_summary_and_the_tables(sample: Sample) -> None:
    s, db = sample.summary, sample.session

    def count(model: type) -> int:
        return db.exec(select(func.count()).select_from(model)).one()

    assert s.accounts == count(Account) == 60
    assert s.leads == count(Lead) == 320
    assert s.users == count(User) == 11
    assert s.contacts == count(Contact) >= 2 * 60
    assert s.opportunities == count(Opportunity) > 0
    assert s.activities == count(Activity) > 0
    assert s.pages == len(sample.pages) == len(list(sample.corpus.glob("*/*.md")))
    assert 9 <= s.web_only_companies <= 12
    assert [lead.id for lead in sample.leads][:2] == ["LEAD-0001", "LEAD-0002"]
    assert sample.accounts[0].id == "ACC-001"


def test_users_have_the_expected_roles(sample: Sample) -> None:
    roles = Counter(u.security_role for u in sample.session.exec(select(User)))
    assert roles[SecurityRole.SELLER] == 6
    assert roles[SecurityRole.SALES_MANAGER] == roles[SecurityRole.SUPERVISOR] == 1
    assert roles[SecurityRole.ADMIN] == 1
    assert roles[SecurityRole.MARKETING] == 2


def test_lead_emails_have_the_realistic_mix(sample: Sample) -> None:
    kinds = Counter(_email_kind(lead.email) for lead in sample.leads)
    n = len(sample.leads)
    assert kinds["work"] >= 0.7 * n
    for kind, share in {"personal": 0.08, "role": 0.04, "invalid": 0.04}.items():
        assert 0.5 * share * n <= kinds[kind] <= 1.6 * share * n, (kind, kinds)
    assert kinds["disposable"] >= 3
    assert kinds["missing"] >= 3
    contact_emails = set(sample.session.exec(select(Contact.email)))
    assert sum(1 for lead in sample.leads if lead.email in contact_emails) >= 5


def test_lead_ages_states_and_owners(sample: Sample) -> None:
    leads = sample.leads
    recent = [lead for lead in leads if as_utc(lead.created_on) > NOW - timedelta(days=14)]
    assert 0.5 * len(leads) <= len(recent) <= 0.7 * len(leads)
    assert all(NOW - timedelta(days=91) < as_utc(lead.created_on) <= NOW for lead in leads)
    closed = [lead for lead in leads if lead.status is not LeadStatus.OPEN]
    assert {lead.status for lead in closed} == {LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED}
    assert all(lead.status_reason for lead in closed)
    assert 0.05 * len(leads) <= len(closed) <= 0.11 * len(leads)
    roles = {u.id: u.security_role for u in sample.session.exec(select(User))}
    marketing = [lead for lead in leads if roles[lead.owner_id] is SecurityRole.MARKETING]
    assert 0.05 * len(leads) <= len(marketing) <= 0.11 * len(leads)
    assert sum(1 for lead in leads if not lead.company_name) >= 3
    assert {lead.source for lead in leads} >= {"Web", "Event", "Employee referral", "Partner"}


def test_leads_link_to_accounts_only_sometimes(sample: Sample) -> None:
    names = {a.name for a in sample.accounts}
    at_accounts = [lead for lead in sample.leads if lead.company_name in names]
    linked = [lead for lead in sample.leads if lead.parent_account_id]
    assert 0.2 * len(sample.leads) <= len(linked) <= 0.5 * len(sample.leads)
    assert any(lead.parent_account_id is None for lead in at_accounts)
    assert all(lead.connected_by == "seller" for lead in linked)
    per_company = Counter(lead.company_name for lead in sample.leads if lead.company_name)
    assert max(per_company.values()) >= 4  # several leads share one company's research


def test_leads_are_in_the_real_zones_of_their_countries(sample: Sample) -> None:
    """Zones come from GeoNames' cities; CLDR's own zone-to-country table checks them."""
    zone_country = get_global("zone_territories")
    accounts = {a.id: a for a in sample.accounts}
    sources: Counter[TimeZoneSource | None] = Counter()
    for lead in sample.leads:
        sources[lead.time_zone_source] += 1
        account = accounts.get(lead.parent_account_id or "")
        if lead.time_zone is None:
            # Only a lead with no place at all, or a country on several clocks and no city.
            assert not lead.city
            assert lead.country is None or len(country_clocks(country_code(lead.country))) > 1
            continue
        country = lead.country or (account.country if account else None)
        if country is not None:  # else a city alone placed it
            assert zone_country[lead.time_zone] == country_code(country), lead
        if lead.time_zone_source is TimeZoneSource.ACCOUNT:
            assert account is not None and not (lead.city and lead.country)
    assert sources[TimeZoneSource.CRM] >= 0.08 * len(sample.leads)
    for source in (TimeZoneSource.CITY, TimeZoneSource.COUNTRY, TimeZoneSource.ACCOUNT):
        assert sources[source] > 0, source
    assert sum(1 for lead in sample.leads if not lead.time_zone_certain) >= 1  # Columbus, US
    assert len({lead.time_zone for lead in sample.leads}) >= 15


def test_some_accounts_lack_web_pages_and_some_companies_are_web_only(sample: Sample) -> None:
    domains_with_pages = {p.domain for p in sample.pages}
    without = [a for a in sample.accounts if a.domain not in domains_with_pages]
    assert 1 <= len(without) <= 6
    account_names = {a.name for a in sample.accounts}
    web_only = {p.company for p in sample.pages} - account_names
    assert len(web_only) == sample.summary.web_only_companies
    lead_companies = {lead.company_name for lead in sample.leads}
    short = {re.sub(r" \S+$", "", name) for name in web_only}
    assert lead_companies & (web_only | short)  # leads mention web-only companies by name


def test_missing_crm_facts_are_on_the_web(sample: Sample) -> None:
    by_domain: dict[str, list[WebPage]] = {}
    for page in sample.pages:
        by_domain.setdefault(page.domain, []).append(page)
    gaps = [
        a
        for a in sample.accounts
        if a.industry is None or a.annual_revenue is None or a.country is None
    ]
    assert len(gaps) >= 3
    for account in gaps:
        pages = by_domain[account.domain or ""]
        about = next(p for p in pages if p.kind == "company")
        assert _fact(about, "Industry") and _fact(about, "Headquarters")
        if account.annual_revenue is None:
            finance = next(p for p in pages if p.kind == "finance")
            assert _fact(finance, "Annual revenue")
    assert sum(1 for a in sample.accounts if a.number_of_employees is None) >= 3


def test_web_facts_mostly_agree_with_the_crm(sample: Sample) -> None:
    about = {p.domain: p for p in sample.pages if p.kind == "company"}
    same_city = total = same_employees = with_employees = 0
    for account in sample.accounts:
        page = about.get(account.domain or "")
        if page is None:
            continue
        total += 1
        same_city += (_fact(page, "Headquarters") or "").startswith(f"{account.city},")
        web_employees = _fact(page, "Employees")
        if web_employees and account.number_of_employees:
            with_employees += 1
            same_employees += int(web_employees.replace(",", "")) == account.number_of_employees
    assert same_city == total
    assert 0.7 * with_employees <= same_employees < with_employees  # a few are more recent


def test_pages_parse_and_have_the_expected_sections(sample: Sample) -> None:
    kinds = Counter(p.kind for p in sample.pages)
    assert kinds["company"] > 50 and kinds["finance"] > 40 and kinds["news"] > 40
    about = next(p for p in sample.pages if p.kind == "company")
    reread = read_page(sample.corpus / about.domain / "about.md")
    assert reread == about
    assert about.url == f"https://{about.domain}/about"
    for section in ("## Overview", "## Products and services", "## Key facts", "## Mission"):
        assert section in about.content
    for page in sample.pages:
        if page.kind == "company":
            assert _fact(page, "Industry") and _fact(page, "Founded")
        elif page.kind == "finance":
            assert re.search(r"^- Annual revenue: \$[\d.]+ (million|billion) \(FY\d{4}\)$",
                             page.content, re.MULTILINE)  # fmt: skip
            assert page.url.endswith("/investors")
        else:
            assert page.published_on is not None
            assert NOW.date() - timedelta(days=120) <= page.published_on <= NOW.date()
            assert "/news/" in page.url
    erp = re.compile(r"\b(ERP|SAP|WMS|warehouse management|supply chain planning)\b")
    company_pages = [p for p in sample.pages if p.kind == "company"]
    with_erp = sum(1 for p in company_pages if erp.search(p.content))
    assert 0.2 * len(company_pages) < with_erp < 0.8 * len(company_pages)
    assert any(_fact(p, "Employees") is None for p in company_pages)


def test_texts_are_varied(sample: Sample) -> None:
    overviews = [
        p.content.split("## Overview\n", 1)[1].split("\n", 1)[0]
        for p in sample.pages
        if p.kind == "company"
    ]
    openings = Counter(" ".join(o.split()[3:6]) for o in overviews)
    assert len(set(overviews)) == len(overviews)
    assert openings.most_common(1)[0][1] < 0.3 * len(overviews)
    titles = [p.title for p in sample.pages if p.kind == "news"]
    assert len(set(titles)) == len(titles)


def test_opportunities_and_activities(sample: Sample) -> None:
    db = sample.session
    opps = list(db.exec(select(Opportunity)))
    assert {o.state for o in opps} == set(OpportunityState)
    assert all(10_000 <= o.estimated_value <= 900_000 for o in opps)
    leads = {lead.id: lead for lead in sample.leads}
    originated = [o for o in opps if o.originating_lead_id]
    assert originated
    assert all(leads[o.originating_lead_id].status is LeadStatus.OPEN for o in originated)  # type: ignore[index]

    internal: dict[str, set[str]] = {}
    external: dict[str, set[str]] = {}
    for p in db.exec(select(ActivityParticipant)):
        if p.is_internal:
            assert p.user_id and not p.email
            internal.setdefault(p.activity_id, set()).add(p.user_id)
        else:
            assert p.email and not p.user_id
            external.setdefault(p.email, set()).add(p.activity_id)
    acts = {a.id: a for a in db.exec(select(Activity))}
    assert all(NOW - timedelta(days=181) <= as_utc(a.occurred_on) <= NOW for a in acts.values())
    known_by = [
        {u for act in external.get(lead.email or "", ()) for u in internal[act]}
        for lead in sample.leads
    ]
    with_coworkers = [k for k in known_by if k]
    assert len(with_coworkers) >= 0.3 * len(sample.leads)
    assert max(len(k) for k in with_coworkers) >= 3
    assert any(a.regarding_lead_id for a in acts.values())


def test_refuses_a_crm_with_leads_unless_replace(tmp_path: Path) -> None:
    summary, session = _generate(tmp_path, n_accounts=10, n_leads=30)
    session.add(
        LeadInsight(
            lead_id="LEAD-0001", fit_level="exact", recommendation="Engage now",
            engine="offline", thread_id="t", payload={},
        )
    )  # fmt: skip
    session.add(AgentSetting(name="icp", value={"kept": True}))
    session.commit()
    with pytest.raises(ValueError, match=r"already has 30 leads.*replace=True"):
        generate_sample_crm(session, tmp_path / "web", now=NOW)

    again = generate_sample_crm(
        session, tmp_path / "web", seed=3, now=NOW, n_accounts=12, n_leads=40, replace=True
    )
    assert again.leads == session.exec(select(func.count()).select_from(Lead)).one() == 40
    assert session.exec(select(func.count()).select_from(Account)).one() == 12
    assert session.get(LeadInsight, "LEAD-0001") is None  # research on the old lead is gone
    assert session.get(AgentSetting, "icp") is not None  # settings are not CRM rows
    assert summary.leads == 30


def test_scales_to_a_thousand_leads(tmp_path: Path) -> None:
    started = time.perf_counter()
    summary, _ = _generate(tmp_path, n_accounts=200, n_leads=1000)
    assert time.perf_counter() - started < 8
    assert summary.accounts == 200 and summary.leads == 1000
