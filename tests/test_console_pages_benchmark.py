"""The console pages benchmark still builds its home and times every page (at 1,000 leads,
a few requests): the script cannot rot unnoticed. Figures are printed, never asserted."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, func, select

from benchmarks.console_pages_benchmark import build_console_home, time_pages
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import get_db_engine


def test_the_benchmark_builds_its_home_and_times_each_page(tmp_path: Path) -> None:
    home = build_console_home(1_000, researched_share=0.5, root=tmp_path)
    with Session(get_db_engine(home.database_url)) as session:
        leads = session.exec(select(func.count()).select_from(Lead)).one()
        researched = session.exec(select(func.count()).select_from(LeadInsight)).one()
    assert leads >= 1_000 and 500 <= researched <= 520
    lines = time_pages(home, repeat=2)
    assert len(lines) == 9 and all("p95" in line for line in lines[1:])
