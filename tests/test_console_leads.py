"""The seller's lead list and lead page: who sees which lead, the filters and pages, each
section of the insights page, the email and connect corrections (what `qualify email` and
`qualify connect` store; errors at the field with nothing saved), CSRF, hostile lead data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from store.agent_ratings import AgentLeadRating
from store.agent_records import EmailOverride, LeadInsight
from store.crm import Contact, Lead, LeadStatus
from store.db import get_db_engine, session_scope
from store.research_requests import ResearchRequest
from store.seller_routing import SellerTeam, TeamMember
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, client_as, console_copy

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMAGE = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def crm(researched_console_template: tuple[SampleCrm, list[str]], tmp_path: Path) -> SampleCrm:
    return console_copy(researched_console_template[0], tmp_path / "crm")


def _researched_lead_of(crm: SampleCrm, owner_id: str, **where: object) -> Lead:
    with Session(get_db_engine(crm.database_url)) as session:
        query = (
            select(Lead)
            .join(LeadInsight, col(LeadInsight.lead_id) == col(Lead.id))
            .where(Lead.owner_id == owner_id, Lead.status == LeadStatus.OPEN)
            .order_by(col(Lead.id))
        )
        for name, value in where.items():
            query = query.where(getattr(LeadInsight, name) == value)
        lead = session.exec(query).first()
    assert lead is not None
    return lead


def _every_page(client, **params: object) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    leads: list[dict] = []
    page, total = 1, 0
    while True:
        response = client.get("/api/leads", params={**params, "page": page})
        assert response.status_code == 200, response.text
        body = response.json()
        total = body["total"]
        leads.extend(body["leads"])
        if page >= body["pages"]:
            return total, leads
        page += 1


def test_a_seller_sees_only_their_own_leads_in_the_list_and_by_url(crm: SampleCrm) -> None:
    with Session(get_db_engine(crm.database_url)) as session:
        owned = session.exec(
            select(func.count())
            .select_from(Lead)
            .where(Lead.owner_id == LOGINS.seller_user_id, Lead.status == LeadStatus.OPEN)
        ).one()
    others = _researched_lead_of(crm, LOGINS.other_seller_user_id)
    with client_as(crm.database_url, LOGINS.seller) as client:
        total, leads = _every_page(client)
        assert total == owned == len(leads) and owned > 0
        assert {lead["owner_id"] for lead in leads} == {LOGINS.seller_user_id}
        # The owner filter cannot widen what a seller sees.
        widened = client.get("/api/leads", params={"owner": LOGINS.other_seller_user_id})
        assert widened.json()["total"] == 0
        assert others.id not in client.get("/leads", params={"status": "any"}).text
        assert client.get(f"/leads/{others.id}").status_code == 403
        assert client.get(f"/api/leads/{others.id}").status_code == 403
        refused = client.post(f"/leads/{others.id}/email", data={"email_type": "work"})
        assert refused.status_code == 403
    with session_scope(crm.database_url) as session:
        assert session.get(EmailOverride, others.id) is None
        # A team mate's leads are the seller's team's: now they show.
        session.add(SellerTeam(name="North"))
        session.flush()
        session.add(TeamMember(team_name="North", user_id=LOGINS.seller_user_id))
        session.add(TeamMember(team_name="North", user_id=LOGINS.other_seller_user_id))
    with client_as(crm.database_url, LOGINS.seller) as client:
        assert client.get(f"/leads/{others.id}").status_code == 200
        _, leads = _every_page(client)
        assert {lead["owner_id"] for lead in leads} == {
            LOGINS.seller_user_id,
            LOGINS.other_seller_user_id,
        }


def test_a_supervisor_sees_every_lead_and_filters_by_owner(crm: SampleCrm) -> None:
    with Session(get_db_engine(crm.database_url)) as session:
        every_open = session.exec(
            select(func.count()).select_from(Lead).where(Lead.status == LeadStatus.OPEN)
        ).one()
        everything = session.exec(select(func.count()).select_from(Lead)).one()
        daniels = session.exec(
            select(func.count())
            .select_from(Lead)
            .where(Lead.owner_id == LOGINS.other_seller_user_id, Lead.status == LeadStatus.OPEN)
        ).one()
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        assert client.get("/api/leads").json()["total"] == every_open
        assert client.get("/api/leads", params={"status": "any"}).json()["total"] == everything
        by_owner = client.get("/api/leads", params={"owner": LOGINS.other_seller_user_id})
        assert by_owner.json()["total"] == daniels
        page = client.get("/leads")
        assert page.status_code == 200 and 'name="owner"' in page.text
    with client_as(crm.database_url, LOGINS.seller) as client:
        assert 'name="owner"' not in client.get("/leads").text


def test_filters_and_pages(crm: SampleCrm) -> None:
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        first = client.get("/api/leads").json()
        assert first["page_size"] == 50 and len(first["leads"]) == 50 and first["pages"] > 1
        second = client.get("/api/leads", params={"page": 2}).json()
        assert not {lead["lead_id"] for lead in first["leads"]} & {
            lead["lead_id"] for lead in second["leads"]
        }
        created = [lead["created_on"] for lead in first["leads"] + second["leads"]]
        assert created == sorted(created, reverse=True)  # newest first, across pages

        total, exact = _every_page(client, fit="exact")
        assert total > 0 and {lead["fit_level"] for lead in exact} == {"exact"}
        assert {lead["recommendation"] for lead in exact} == {"Engage now"}
        _, not_engage = _every_page(client, recommendation="do-not-engage")
        assert {lead["fit_badge"] for lead in not_engage} == {"none"}
        _, never = _every_page(client, fit="unresearched")
        assert never and {lead["fit_level"] for lead in never} == {None}
        contradiction = client.get(
            "/api/leads", params={"fit": "exact", "recommendation": "do-not-engage"}
        )
        assert contradiction.json()["total"] == 0

        _, hot_or_warm = _every_page(client, agent_rating=["hot", "warm"])
        assert hot_or_warm and {lead["agent_rating"] for lead in hot_or_warm} <= {"hot", "warm"}

        one = first["leads"][0]
        found = client.get("/api/leads", params={"q": one["company"].upper()}).json()
        assert one["lead_id"] in {lead["lead_id"] for lead in found["leads"]}
        assert all(lead["company"] == one["company"] for lead in found["leads"]) or any(
            one["company"].lower() in (lead["name"] + (lead["email"] or "")).lower()
            for lead in found["leads"]
        )
        assert client.get("/api/leads", params={"q": "%"}).json()["total"] == 0  # LIKE escaped

        # The page: a bookmarkable GET form; the pager keeps the filters.
        page = client.get("/leads", params={"fit": "exact", "page": 1})
        assert page.status_code == 200
        assert f"{total} lead" in page.text.replace(",", "")
        if total > 50:
            assert "fit=exact&amp;page=2" in page.text
        assert client.get("/api/leads", params={"page": 0}).status_code == 422
        assert client.get("/api/leads", params={"fit": "great"}).status_code == 422


def test_the_lead_page_shows_each_section_of_a_researched_lead(crm: SampleCrm) -> None:
    lead = _researched_lead_of(crm, LOGINS.seller_user_id, fit_level="exact")
    with client_as(crm.database_url, LOGINS.seller) as client:
        page = client.get(f"/leads/{lead.id}")
        api = client.get(f"/api/leads/{lead.id}")
    assert page.status_code == 200, page.text
    for section in (
        "Engage now",
        "Key insights",
        "Agent rating",
        "Email validation",
        "About lead",
        "About account",
        "Company facts",
        "Who knows whom",
        "Mark valid",
        "Mark invalid",
        "Personal",
        "Correct the email",
        f"/leads/{lead.id}/draft",
        f"/leads/{lead.id}/conversation",
        f"/traces/{lead.id}",
    ):
        assert section in page.text, section
    body = api.json()
    assert body["insights"]["icp"]["fit_level"] == "exact"
    with Session(get_db_engine(crm.database_url)) as session:
        never = session.exec(
            select(Lead)
            .outerjoin(LeadInsight, col(LeadInsight.lead_id) == col(Lead.id))
            .where(Lead.owner_id == LOGINS.seller_user_id, col(LeadInsight.lead_id).is_(None))
        ).first()
    assert never is not None
    with client_as(crm.database_url, LOGINS.seller) as client:
        unresearched = client.get(f"/leads/{never.id}")
        assert client.get(f"/api/leads/{never.id}").json()["insights"] is None
        assert client.get("/leads/LEAD-NONE").status_code == 404
    assert unresearched.status_code == 200 and "Not researched yet" in unresearched.text
    assert "Correct the email" in unresearched.text and "Email validation" in unresearched.text
    assert body["insights"]["research"]["email_check"]["email"] == lead.email
    for verdict in body["insights"]["icp"]["verdicts"][:3]:
        assert verdict["label"] in page.text


def test_an_email_correction_stores_what_the_cli_would_and_a_bad_one_saves_nothing(
    crm: SampleCrm,
) -> None:
    lead = _researched_lead_of(crm, LOGINS.seller_user_id)
    with client_as(crm.database_url, LOGINS.seller) as client:
        bad = client.post(f"/leads/{lead.id}/email", data={"address": "not an email"})
        assert bad.status_code == 422
        assert 'id="address-error"' in bad.text and "nothing changed" in bad.text
        assert 'aria-invalid="true"' in bad.text and 'value="not an email"' in bad.text
        with Session(get_db_engine(crm.database_url)) as session:
            assert session.get(Lead, lead.id).email == lead.email  # type: ignore[union-attr]
            assert session.get(EmailOverride, lead.id) is None
            assert not session.exec(select(ResearchRequest)).all()

        saved = client.post(f"/leads/{lead.id}/email", data={"address": " Pat.Lee@Gmail.com "})
        assert saved.status_code == 303
        assert saved.headers["location"].startswith(f"/leads/{lead.id}?notice=email-requeued")
        marked = client.post(f"/leads/{lead.id}/email", data={"email_type": "work"})
        assert marked.status_code == 303
        page = client.get(marked.headers["location"])
        assert "Labels overridden by seller" in page.text and "queued" not in page.text
    with Session(get_db_engine(crm.database_url)) as session:
        stored = session.get(Lead, lead.id)
        override = session.get(EmailOverride, lead.id)
        insights = session.get(LeadInsight, lead.id)
        requests = session.exec(select(ResearchRequest)).all()
    # What `qualify email --set` then `--type work` store: the address, the seller's label,
    # the lead queued for research, and the page's check redone at once.
    assert stored is not None and stored.email in ("pat.lee@gmail.com", "Pat.Lee@gmail.com")
    assert override is not None and override.email == stored.email
    assert override.email_type == "work" and override.set_by == LOGINS.seller_user_id
    assert [(r.lead_id, r.reasons) for r in requests] == [(lead.id, "email_valid")]
    check = insights.payload["research"]["email_check"]  # type: ignore[union-attr]
    assert check["email"] == stored.email and check["email_type"] == "work"
    assert check["overridden"] is True


def test_the_api_corrects_an_email_with_errors_naming_the_field(crm: SampleCrm) -> None:
    lead = _researched_lead_of(crm, LOGINS.seller_user_id)
    with client_as(crm.database_url, LOGINS.seller) as client:
        bad = client.post(f"/api/leads/{lead.id}/email", json={"address": "nope@"})
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["field"] == "address"
        empty = client.post(f"/api/leads/{lead.id}/email", json={})
        assert empty.status_code == 422
        personal = client.post(f"/api/leads/{lead.id}/email", json={"email_type": "personal"})
        assert personal.status_code == 200, personal.text
        body = personal.json()
    assert body["email_check"]["email_type"] == "personal" and body["requeued"] is False
    with Session(get_db_engine(crm.database_url)) as session:
        assert session.get(EmailOverride, lead.id).email_type == "personal"  # type: ignore[union-attr]


def test_connect_applies_what_qualify_connect_applies(crm: SampleCrm) -> None:
    lead = _researched_lead_of(crm, LOGINS.seller_user_id)
    with Session(get_db_engine(crm.database_url)) as session:
        contacts = session.exec(select(Contact).where(col(Contact.account_id).is_not(None))).all()
    account_id = contacts[0].account_id
    elsewhere = next(c for c in contacts if c.account_id != account_id)
    with client_as(crm.database_url, LOGINS.seller) as client:
        done = client.post(f"/leads/{lead.id}/connect", data={"account": account_id})
        assert done.status_code == 303 and "notice=connected" in done.headers["location"]
        mismatched = client.post(f"/leads/{lead.id}/connect", data={"contact": elsewhere.id})
        assert mismatched.status_code == 422
        assert 'id="contact-error"' in mismatched.text and "works at" in mismatched.text
        unknown = client.post(f"/leads/{lead.id}/connect", data={"account": "ACC-NONE"})
        assert unknown.status_code == 422 and 'id="account-error"' in unknown.text
    with Session(get_db_engine(crm.database_url)) as session:
        stored = session.get(Lead, lead.id)
        requests = session.exec(select(ResearchRequest)).all()
    assert stored is not None and stored.parent_account_id == account_id
    assert stored.connected_by == "seller" and stored.parent_contact_id != elsewhere.id
    assert [(r.lead_id, r.reasons) for r in requests] == [(lead.id, "connected")]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(crm: SampleCrm) -> None:
    lead = _researched_lead_of(crm, LOGINS.seller_user_id)
    with client_as(crm.database_url, LOGINS.seller) as client:
        del client.headers["X-CSRF-Token"]
        for path, data in (
            (f"/leads/{lead.id}/email", {"email_type": "personal"}),
            (f"/leads/{lead.id}/connect", {"account": "ACC-001"}),
        ):
            assert client.post(path, data=data).status_code == 403
        forged = client.post(
            f"/leads/{lead.id}/email", data={"email_type": "personal", "csrf_token": "forged"}
        )
        assert forged.status_code == 403
        assert client.post(f"/api/leads/{lead.id}/email", json={"valid": True}).status_code == 403
    with Session(get_db_engine(crm.database_url)) as session:
        assert session.get(EmailOverride, lead.id) is None
        assert session.get(Lead, lead.id).parent_account_id == lead.parent_account_id  # type: ignore[union-attr]


def test_hostile_lead_data_is_shown_as_text_everywhere(crm: SampleCrm) -> None:
    lead = _researched_lead_of(crm, LOGINS.seller_user_id)
    with session_scope(crm.database_url) as session:
        stored = session.get(Lead, lead.id)
        assert stored is not None
        stored.first_name, stored.last_name = SCRIPT, IMAGE
        stored.company_name, stored.job_title = IMAGE, SCRIPT
        session.add(stored)
        row = session.get(LeadInsight, lead.id)
        assert row is not None
        payload = dict(row.payload)
        payload["research"]["lead"]["company_name"] = IMAGE
        payload["research"]["lead_summary"] = SCRIPT
        payload["icp"]["reason"] = IMAGE
        row.payload = payload
        session.add(row)
        rating = session.get(AgentLeadRating, lead.id)
        if rating is not None:
            rating.reasons = [SCRIPT]
            session.add(rating)
    with client_as(crm.database_url, LOGINS.seller) as client:
        pages = [
            client.get("/leads", params={"q": "alert(1)"}),
            client.get(f"/leads/{lead.id}"),
            client.post(f"/leads/{lead.id}/email", data={"address": SCRIPT}),
        ]
        listing = client.get("/api/leads", params={"q": "onerror"}).json()
    assert [page.status_code for page in pages] == [200, 200, 422]
    for page in pages:
        assert SCRIPT not in page.text and "<img src=x" not in page.text
        assert ESCAPED_SCRIPT in page.text
    assert ESCAPED_IMAGE in pages[0].text and ESCAPED_IMAGE in pages[1].text
    assert [item["company"] for item in listing["leads"]] == [IMAGE]


HOSTILE = [
    "0",
    "-1",
    "9223372036854775808",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "a" * 300,
    "%F0%9F%92%A5",
    "<script>alert(1)</script>",
    "%25_%5C",
    "run%0Aname",
]


def test_hostile_paths_queries_and_bodies_answer_4xx_never_500(crm: SampleCrm) -> None:
    lead = _researched_lead_of(crm, LOGINS.seller_user_id)
    urls = [f"/api/leads/{value}" for value in HOSTILE]
    urls += [f"/leads/{value}" for value in HOSTILE]
    for name in ("page", "q", "owner", "fit", "recommendation", "agent_rating", "status"):
        urls += [f"/api/leads?{name}={value}" for value in HOSTILE]
        urls += [f"/leads?{name}={value}" for value in HOSTILE]
    bodies = [
        {"address": "\x00"},
        {"address": "a" * 400},
        {"address": SCRIPT},
        {"valid": "maybe"},
        {"email_type": "alien"},
        {"address": None, "valid": None, "email_type": None},
        [],
        "text",
    ]
    wrong = []
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                wrong.append(f"GET {url}: {status}")
        for body in bodies:
            status = client.post(f"/api/leads/{lead.id}/email", json=body).status_code
            if status != 422:
                wrong.append(f"POST {body!r}: {status}")
        for value in HOSTILE:
            status = client.post(f"/api/leads/{value}/email", json={"valid": True}).status_code
            if status not in (404, 422):
                wrong.append(f"POST /api/leads/{value}/email: {status}")
    assert not wrong, wrong
    with Session(get_db_engine(crm.database_url)) as session:
        assert session.get(Lead, lead.id).email == lead.email  # type: ignore[union-attr]
        assert session.get(EmailOverride, lead.id) is None
