"""Benchmark: the console's lead list and lead page over many leads (SQLite, embedded home).

Builds a home: the sample CRM (20 accounts, 40 leads), a few of its leads researched by
the offline engine (full insights), then `--leads` generated leads in bulk, every owner,
every status, spread over 60 days; `--researched` of them (a share) get an insights row
(a slim payload: the fit, the ICP fingerprint and the email check the list reads) and an
agent rating. Console accounts: the seller USR-01 and a supervisor. Then times `--repeat`
requests of each page through a TestClient (in process: no network, no server start):
the seller's first page, the supervisor's first page, a filtered page, a deep page, the
API list and a fully researched lead's page. Prints p50 / p95 / max in ms per page.
Run: `python -m benchmarks.console_pages_benchmark [--leads 100000] [--repeat 50]`.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.web.accounts import add_account
from app.web.server import create_app
from core.clock import utc_now
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from sample_crm.generator import generate_sample_crm
from store.agent_ratings import AgentLeadRating
from store.agent_records import LeadInsight
from store.console_accounts import ConsoleRole
from store.crm import Lead, LeadStatus, User
from store.db import get_db_engine

PASSWORD = "benchmark password"
SELLER_ID = "USR-01"
SUPERVISOR_LOGIN = "supervisor@benchmark.example"
FITS = ("exact", "close", "none")
RATINGS = ("hot", "warm", "cold")


@dataclass(frozen=True)
class ConsoleHome:
    """A built home: its database, the seller's login and a fully researched lead."""

    root: Path
    database_url: str
    seller_login: str
    researched_lead_id: str
    leads: int


def _research_a_few(root: Path, database_url: str, count: int) -> list[str]:
    """Research `count` eligible sample leads with the offline engine; their ids."""
    context = Context(
        database_url=database_url,
        corpus_dir=str(root / "web"),
        chroma_dir=str(root / "chroma"),
        engine="offline",
    )
    services_for(context).web.sync()  # type: ignore[attr-defined]
    with open_checkpointer(str(root / "checkpoints.db")) as saver:
        runner = ResearchRunner(context, saver)
        wanted = [row.lead_id for row in runner.eligible_leads(owner_id=SELLER_ID, limit=count)]
        done = [o.lead_id for o in runner.research(wanted) if o.status == "researched"]
    if not done:
        raise SystemExit("no sample lead could be researched")
    return done


def _slim_payload(template: dict[str, Any], lead_id: str, n: int) -> dict[str, Any]:
    """What the list reads of an insights row, from a real one: fit and email check."""
    icp = copy.copy(template["icp"])
    icp["fit_level"] = FITS[n % 3]
    check = dict(template["research"]["email_check"])
    check["is_valid"] = n % 17 != 0
    check["email_type"] = "personal" if n % 5 == 0 else "work"
    return {"lead_id": lead_id, "icp": icp, "research": {"email_check": check}}


def _add_leads(database_url: str, count: int, researched_share: float) -> None:
    now = utc_now()
    with Session(get_db_engine(database_url)) as session:
        owners = [user.id for user in session.exec(select(User).order_by(col(User.id)))]
        template = session.exec(select(LeadInsight)).first()
        assert template is not None
        statuses = list(LeadStatus)
        leads, insights, ratings = [], [], []
        for n in range(count):
            lead_id = f"BULK-{n:07d}"
            leads.append(
                {
                    "id": lead_id,
                    "topic": "Bulk lead",
                    "first_name": f"Ana{n}",
                    "last_name": "Ruiz",
                    "job_title": "Head of Operations",
                    "email": None if n % 29 == 0 else f"lead{n}@company{n % 5000}.example",
                    "company_name": f"Company {n % 5000}",
                    "status": statuses[(n // 3) % len(statuses)] if n % 3 == 0 else LeadStatus.OPEN,
                    "created_on": now - timedelta(minutes=(n * 7919) % (60 * 24 * 60)),
                    "owner_id": owners[n % len(owners)],
                    "rating": "warm",
                    "do_not_email": False,
                    "do_not_contact": False,
                }
            )
            if (n % 100) < researched_share * 100:
                fit = FITS[n % 3]
                insights.append(
                    {
                        "lead_id": lead_id,
                        "researched_on": now,
                        "fit_level": fit,
                        "recommendation": fit,
                        "engine": "offline",
                        "thread_id": f"research:{lead_id}",
                        "payload": _slim_payload(template.payload, lead_id, n),
                    }
                )
                ratings.append(
                    {
                        "lead_id": lead_id,
                        "level": RATINGS[(n // 3) % 3],
                        "score": 50,
                        "rated_on": now,
                        "reasons": [],
                        "components": {},
                        "signals": [],
                    }
                )
        for table, rows in ((Lead, leads), (LeadInsight, insights), (AgentLeadRating, ratings)):
            for start in range(0, len(rows), 10_000):
                session.connection().execute(insert(table), rows[start : start + 10_000])
        session.commit()


def build_console_home(
    leads: int, *, researched_share: float = 0.6, root: Path | None = None
) -> ConsoleHome:
    """A home with the sample CRM, a few researched leads and `leads` more in bulk."""
    root = root or Path(tempfile.mkdtemp(prefix="qualify-console-bench-"))
    database_url = f"sqlite:///{root / 'crm.db'}"
    with Session(get_db_engine(database_url)) as session:
        generate_sample_crm(session, root / "web", n_accounts=20, n_leads=40)
        session.commit()
    researched = _research_a_few(root, database_url, 3)
    _add_leads(database_url, leads, researched_share)
    with Session(get_db_engine(database_url)) as session:
        seller = session.get(User, SELLER_ID)
        assert seller is not None
        seller_login = seller.email
        add_account(session, seller_login, PASSWORD, ConsoleRole.SELLER, full_name=None)
        add_account(session, SUPERVISOR_LOGIN, PASSWORD, ConsoleRole.SUPERVISOR, full_name=None)
        session.commit()
    return ConsoleHome(root, database_url, seller_login, researched[0], leads)


def _signed_in(client: TestClient, login: str) -> TestClient:
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "login": login,
            "password": PASSWORD,
            "csrf_token": client.cookies.get("qualify_login_csrf", path="/login") or "",
        },
        follow_redirects=False,
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in of {login} failed: {response.status_code}")
    return client


def _timed(fetch: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each request (CPU: this process's, the server's
    thread included; it holds steady when other work shares the machine)."""
    fetch()  # warm: templates compiled, statements prepared
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = fetch()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{response.request.url}: {response.status_code}")
    return wall, cpu


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _line(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"{label:<40} p50 {statistics.median(wall):7.1f}  p95 {_p95(wall):7.1f}  "
        f"max {max(wall):7.1f} ms  (CPU p50 {statistics.median(cpu):6.1f}, "
        f"p95 {_p95(cpu):6.1f} ms)"
    )


def time_pages(home: ConsoleHome, repeat: int) -> list[str]:
    """Each page timed `repeat` times; one printed line per page."""
    app = create_app(home.database_url)
    lines = []
    with (
        _signed_in(TestClient(app), home.seller_login) as seller,
        _signed_in(TestClient(app), SUPERVISOR_LOGIN) as supervisor,
    ):
        total = supervisor.get("/api/leads", params={"status": "any"}).json()["total"]
        deep = max(1, supervisor.get("/api/leads").json()["pages"] // 2)
        cases: Sequence[tuple[str, TestClient, str, dict[str, Any]]] = (
            ("seller: first page", seller, "/leads", {}),
            (
                "seller: fit exact, agent rating hot",
                seller,
                "/leads",
                {"fit": "exact", "agent_rating": "hot"},
            ),
            ("supervisor: first page (every owner)", supervisor, "/leads", {}),
            ("supervisor: search 'company 42'", supervisor, "/leads", {"q": "company 42"}),
            (f"supervisor: deep page {deep}", supervisor, "/leads", {"page": deep}),
            ("supervisor: API first page", supervisor, "/api/leads", {}),
            ("seller: lead page (researched)", seller, f"/leads/{home.researched_lead_id}", {}),
            ("seller: API lead", seller, f"/api/leads/{home.researched_lead_id}", {}),
        )
        lines.append(f"{total:,} leads in the table; {repeat} requests per page (TestClient)")
        for label, client, path, params in cases:
            wall, cpu = _timed(lambda c=client, p=path, q=params: c.get(p, params=q), repeat)
            lines.append(_line(label, wall, cpu))
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Build the home, then time the pages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--researched", type=float, default=0.6, help="Share with insights.")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    home = build_console_home(args.leads, researched_share=args.researched)
    print(f"home built in {time.perf_counter() - started:.1f} s: {home.root}")
    for line in time_pages(home, args.repeat):
        print(line)


if __name__ == "__main__":
    main()
