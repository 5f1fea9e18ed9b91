"""Researcher node: gathers what the insights page shows about a lead and its company."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from langgraph.runtime import Runtime
from sqlmodel import Session

from core.clock import utc_now
from core.findings import CompanyFacts, EmailCheck, LeadResearch
from graphs.context import Context
from graphs.research.account_research import research_company, research_key
from graphs.research.agent_settings import AgentSettings, settings_in_force
from graphs.research.state import NEW_RUN, ResearchState
from graphs.services import Services, services_for
from store.agent_records import EmailOverride
from store.crm import Account, Lead
from store.db import get_db_engine
from store.lead_time_zones import record_time_zone, settle_time_zone
from tools.crm import company_facts_from_account, email_domain
from tools.email_check import apply_override, check_email


def merge_company_facts(crm: CompanyFacts, web: CompanyFacts | None) -> CompanyFacts:
    """CRM fields win (the system of record); web facts fill the gaps, with their sources."""
    if web is None:
        return crm
    merged = crm.model_copy(deep=True)
    for name in CompanyFacts.model_fields:
        if name == "sources":
            continue
        if getattr(merged, name) in (None, []) and getattr(web, name) not in (None, []):
            setattr(merged, name, getattr(web, name))
            if name in web.sources:
                merged.sources[name] = web.sources[name]
    return merged


def email_check_for(services: Services, database_url: str, lead: Lead) -> EmailCheck:
    """The lead's email check with the seller's override applied, as the insights show it."""
    check = check_email(
        lead.email,
        check_deliverability=services.check_deliverability,
        dns_timeout_s=services.dns_timeout_s,
    )
    with Session(get_db_engine(database_url)) as session:
        override = session.get(EmailOverride, lead.id)
    if override is None:
        return check
    return apply_override(
        check, email=override.email, is_valid=override.is_valid, email_type=override.email_type
    )


def _find_account(services: Services, lead: Lead, check: EmailCheck) -> tuple[Account | None, str]:
    if lead.parent_account_id:
        account = services.crm.account(lead.parent_account_id)
        # Who linked it: a seller by hand, the agent, or the CRM (an import naming the
        # parent account, or a link made before this system saw the lead).
        how = {
            "seller": "connected by seller",
            "agent": "connected by the agent",
        }.get(lead.connected_by or "", "linked in the CRM")
        return account, how
    # Free-mail domains say nothing about the company, so only work addresses are matched.
    domain = email_domain(lead.email) if check.email_type in ("work", "role") else None
    if domain and (account := services.crm.find_account(domain=domain)):
        return account, "matched by email domain"
    if lead.company_name and (account := services.crm.find_account(name=lead.company_name)):
        return account, "matched by company name"
    return None, ""


def _digest_fresh_since(settings: AgentSettings) -> datetime:
    """The oldest company research still reused: any, when research is refreshed on
    changes only (no age limit)."""
    hours = settings.refresh.refresh_after_hours
    return (
        utc_now() - timedelta(hours=hours)
        if hours is not None
        else datetime.min.replace(tzinfo=UTC)
    )


def research_lead(
    services: Services,
    database_url: str,
    lead_id: str,
    fresh_since: datetime | None,
    settings: AgentSettings,
    *,
    sandbox: bool = False,
) -> tuple[LeadResearch, list[str]]:
    """Research one lead; returns the findings and the engine's fallback notes."""
    crm = services.crm
    lead = crm.lead(lead_id)
    notes: list[str] = []
    check = email_check_for(services, database_url, lead)

    account, how = _find_account(services, lead, check)
    # Leads imported before zones were inferred, or whose address changed, get one now.
    stored = (lead.time_zone, lead.time_zone_source, lead.time_zone_certain)
    zone = settle_time_zone(lead, account)
    changed = stored != (lead.time_zone, lead.time_zone_source, lead.time_zone_certain)
    if zone is not None and changed and not sandbox:
        with Session(get_db_engine(database_url)) as session:
            record_time_zone(session, lead.id, zone)
    if account is not None:
        company = company_facts_from_account(account)
    else:
        work_domain = email_domain(lead.email) if check.email_type in ("work", "role") else None
        company = CompanyFacts(name=lead.company_name, domain=work_domain)
        if lead.company_name:
            notes.append(f"No CRM account matches {lead.company_name!r}; facts come from the web.")
    if not lead.company_name and account is None:
        notes.append("The lead has no company name: company criteria stay unknown.")
    if not lead.email:
        notes.append("The lead has no primary email.")

    digest = None
    name = company.name or lead.company_name
    key = research_key(account.id if account else None, company.domain, name)
    if key and name:
        since = fresh_since or _digest_fresh_since(settings)
        digest, _reused = research_company(
            web=services.web,
            engine=services.reasoning,
            database_url=database_url,
            key=key,
            name=name,
            domain=company.domain,
            fresh_since=since,
            keep=not sandbox,
        )
        if digest is None:
            notes.append(f"No web pages found for {name!r}.")
    company = merge_company_facts(company, digest.facts if digest else None)

    contact_match = (
        crm.contact(lead.parent_contact_id)
        if lead.parent_contact_id
        else crm.contact_for_email(lead.email)
    )

    research = LeadResearch(
        lead=crm.lead_facts(lead, time_zone_place=zone.place if zone else None),
        email_check=check,
        account_id=account.id if account else None,
        account_match=how or None,
        contact_match=contact_match,
        company=company,
        digest=digest,
        who_knows_whom=crm.who_knows_whom(
            lead_id=lead.id, lead_email=lead.email, account_id=account.id if account else None
        ),
        lead_opportunities=crm.open_opportunities(lead_id=lead.id),
        account_opportunities=crm.open_opportunities(account_id=account.id) if account else [],
        suggested_contacts=[
            c
            for c in (crm.contacts_at_account(account.id) if account else [])
            if not contact_match or c.id != contact_match.id
        ],
        notes=notes,
    )
    return research, services.take_engine_notes()


def researcher(state: ResearchState, runtime: Runtime[Context]) -> dict:
    """Graph node: research the lead named in the state."""
    context = runtime.context or Context()
    since = state.get("company_research_since")
    research, notes = research_lead(
        services_for(context),
        context.database_url,
        state["lead_id"],
        datetime.fromisoformat(since) if since else None,
        settings_in_force(context),
        sandbox=context.sandbox,
    )
    # The first node of a run: the notes of the thread's earlier runs are not this run's.
    return {"research": research, "engine_notes": [NEW_RUN, *notes]}
