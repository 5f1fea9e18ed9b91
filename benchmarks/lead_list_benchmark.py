"""Benchmark: selecting and listing eligible leads among many (SQLite, embedded home).

Makes a home with the sample CRM, adds `--leads` generated leads in bulk (spread over 60
days, every owner, every status, some without email or company), then times, `--repeat`
times each: the first page of eligible leads (50) and the per-rule counts, both as SQL
queries (`graphs/research/selection_query.py`); `qualify leads --limit 50` run in this
process (no interpreter start-up); and, for comparison, the rules applied in Python to
every lead loaded from the database, as `qualify leads` did before. Prints medians, the
eligible count both ways (they must agree) and the peak resident memory.
Run: `python -m benchmarks.lead_list_benchmark [--leads 100000]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select
from typer.testing import CliRunner

from benchmarks.sample_home import sample_home
from core.clock import utc_now
from graphs.research.selection import SelectionRules, check_eligibility
from graphs.research.selection_query import eligible_page, selection_counts
from store.crm import Lead, LeadStatus, User
from store.db import get_db_engine


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def _add_leads(database_url: str, count: int) -> None:
    now = utc_now()
    with Session(get_db_engine(database_url)) as session:
        owners = [user.id for user in session.exec(select(User))] + [None]
        statuses = list(LeadStatus)
        rows = [
            {
                "id": f"BULK-{n:07d}",
                "topic": "Bulk lead",
                "first_name": f"Ana{n}",
                "last_name": "Ruiz",
                "email": None if n % 29 == 0 else f"lead{n}@company{n % 5000}.example",
                "company_name": None if n % 31 == 0 else f"Company {n % 5000}",
                "status": statuses[n % len(statuses)] if n % 3 == 0 else LeadStatus.OPEN,
                "created_on": now - timedelta(minutes=(n * 7919) % (60 * 24 * 60)),
                "owner_id": owners[n % len(owners)],
                "rating": "WARM",
                "do_not_email": False,
                "do_not_contact": False,
            }
            for n in range(count)
        ]
        for start in range(0, count, 10_000):
            session.connection().execute(insert(Lead), rows[start : start + 10_000])
        session.commit()


def main() -> None:
    """Build the home, then time selection and listing."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    home, database_url = sample_home("qualify-leads-bench-")
    started = time.perf_counter()
    _add_leads(database_url, args.leads)
    print(f"{args.leads} leads added in {time.perf_counter() - started:.1f} s; home {home}")

    rules, now = SelectionRules(), utc_now()
    with Session(get_db_engine(database_url)) as session:
        page_ms, page = _median_ms(
            lambda: eligible_page(session, rules, now, limit=50), args.repeat
        )
        counts_ms, (total, eligible, _) = _median_ms(
            lambda: selection_counts(session, rules, now), args.repeat
        )

        def in_python() -> int:
            roles = {user.id: user.security_role for user in session.exec(select(User))}
            every = session.exec(select(Lead)).all()
            session.expunge_all()
            return sum(
                check_eligibility(lead, roles.get(lead.owner_id or ""), now, rules).eligible
                for lead in every
            )

        python_ms, python_eligible = _median_ms(in_python, max(1, args.repeat // 5))

    os.environ["QUALIFY_HOME"] = str(home)
    from app.cli.main import app

    cli = CliRunner()
    listing_ms, result = _median_ms(
        lambda: cli.invoke(app, ["leads", "--limit", "50"]), max(1, args.repeat // 2)
    )
    if result.exit_code != 0:
        raise SystemExit(result.output)
    print(f"leads in the table: {total}; eligible: {eligible} (rules in Python: {python_eligible})")
    print(f"first page of 50 eligible (SQL)        median {page_ms:8.1f} ms  ({len(page)} rows)")
    print(f"per-rule counts (SQL, one pass)        median {counts_ms:8.1f} ms")
    print(f"qualify leads --limit 50 (in process)  median {listing_ms:8.1f} ms")
    print(f"rules in Python over every lead        median {python_ms:8.1f} ms")
    print(
        f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
