"""Hostile lead data is shown as text on every page: a lead whose name, company, title and
account hold markup, on a researched copy of the sample CRM. Each role's pages are crawled
from its main page (every same-site link, GET only) and every page route is opened with the
hostile lead's id; no page may carry the markup unescaped."""

from __future__ import annotations

import re
import shutil
from collections import deque
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from sqlmodel import Session, select

from app.web.server import create_app
from store.agent_records import LeadInsight
from store.crm import Account, Lead
from store.db import get_db_engine
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, client_as

HOSTILE = {
    "first_name": "<script>alert(1)</script>",
    "last_name": '"><img src=x onerror=alert(2)>',
    "company_name": "<script>alert(3)</script> Corp",
    "job_title": "<b onmouseover=alert(4)>CTO</b>",
}
ACCOUNT_NAME = "<svg onload=alert(5)>Holdings"
# What must never reach a page as markup; the templates themselves use none of it.
RAW = ("<script>alert(", "<img src=x onerror", "<b onmouseover", "<svg onload")
LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/logout", "/api/docs")


@pytest.fixture(scope="module")
def hostile_world(
    researched_console_template: tuple[SampleCrm, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[SampleCrm, str]:
    """A researched copy where one of the seller's researched leads is hostile."""
    template, _ = researched_console_template
    root = Path(tmp_path_factory.mktemp("hostile")) / "crm"
    shutil.copytree(template.root, root)
    crm = SampleCrm(root)
    with Session(get_db_engine(crm.database_url)) as session:
        lead = session.exec(
            select(Lead)
            .join(LeadInsight, LeadInsight.lead_id == Lead.id)
            .where(Lead.owner_id == LOGINS.seller_user_id)
        ).first()
        assert lead is not None
        for field, value in HOSTILE.items():
            setattr(lead, field, value)
        session.add(lead)
        if lead.parent_account_id and (account := session.get(Account, lead.parent_account_id)):
            account.name = ACCOUNT_NAME
            session.add(account)
        session.commit()
        lead_id = lead.id
    return crm, lead_id


def _page_routes(lead_id: str) -> list[str]:
    paths = []
    for route in create_app("sqlite://").routes:
        if (
            isinstance(route, APIRoute)
            and "GET" in route.methods
            and not route.path.startswith("/api/")
        ):
            if re.search(r"\{(?!lead_id)", route.path):
                continue  # other ids are reached by the crawl, from the pages that link them
            paths.append(route.path.replace("{lead_id}", lead_id))
    return paths


@pytest.mark.parametrize("login", [LOGINS.seller, LOGINS.supervisor, LOGINS.admin])
def test_no_page_renders_lead_data_as_markup(
    hostile_world: tuple[SampleCrm, str], login: str
) -> None:
    crm, lead_id = hostile_world
    seen: set[str] = set()
    escaped_somewhere = False
    unsafe: list[str] = []
    with client_as(crm.database_url, login) as client:
        queue = deque(["/", *_page_routes(lead_id)])
        while queue and len(seen) < 150:
            path = queue.popleft()
            if path in seen or path.startswith(SKIP):
                continue
            seen.add(path)
            response = client.get(path, follow_redirects=True)
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            page = response.text
            unsafe += [f"{path}: {raw}" for raw in RAW if raw in page]
            escaped_somewhere |= "&lt;script&gt;alert(1)&lt;/script&gt;" in page
            queue.extend(LINK.findall(page))
    assert not unsafe, unsafe
    assert escaped_somewhere, f"the hostile lead was shown on none of {sorted(seen)}"
