"""Benchmark: importing a large lead export, twice, in the three CRM header dialects.

Generates `--rows` leads split over three files with Dynamics 365, Salesforce and HubSpot
headers (every 13th row opted out, in that dialect's own column), imports them into an
empty SQLite database, then imports the same files again. Prints rows per second for each
pass, the leads stored after each pass (a second pass must create none), the opted-out
leads, the process's peak resident memory after a small warm-up import and after the full
run, and the Python heap's peak (tracemalloc, untimed) importing 1,000 rows and one whole
file into fresh databases: rows are streamed in batches, so the peak should not grow with
the file's size.
Run: `python benchmarks/import_benchmark.py [--rows 100000]`.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlmodel import Session, func, select

from store.crm import Lead
from store.db import get_db_engine
from store.imports import import_csv

DIALECTS = {
    "dynamics": [
        "Topic", "First Name", "Last Name", "Email", "Company Name", "Job Title",
        "Do Not Email", "Created On", "Lead Source",
    ],
    "salesforce": [
        "FirstName", "LastName", "Email", "Company", "Title", "HasOptedOutOfEmail",
        "CreatedDate", "LeadSource",
    ],
    "hubspot": [
        "First Name", "Last Name", "Email", "Company Name", "Job Title",
        "Unsubscribed from all email", "Create Date", "Original Source",
    ],
}  # fmt: skip


def write_export(path: Path, dialect: str, start: int, rows: int) -> None:
    """`rows` leads numbered from `start`, with `dialect`'s headers."""
    header = DIALECTS[dialect]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(start, start + rows):
            opted_out = "Yes" if n % 13 == 0 else "No"
            values = {
                "topic": f"Demand planning {n % 50}",
                "first": f"Ana{n}",
                "last": f"Ruiz{n % 997}",
                "email": f"lead{n}@company{n % 5000}.example",
                "company": f"Company {n % 5000} GmbH",
                "title": ("Head of Supply Chain", "CFO", "Planner", "Buyer")[n % 4],
                "opt": opted_out,
                "created": f"2026-03-{1 + n % 28:02d}",
                "source": ("Web", "Event", "Partner")[n % 3],
            }
            row = [values["topic"]] if dialect == "dynamics" else []
            row += [values[k] for k in ("first", "last", "email", "company", "title", "opt")]
            row += [values["created"], values["source"]]
            writer.writerow(row)


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_all(url: str, files: list[Path]) -> tuple[float, int, int, int]:
    """Import each file; seconds taken, rows created, updated and skipped."""
    started = time.perf_counter()
    created = updated = skipped = 0
    for path in files:
        with Session(get_db_engine(url)) as session:
            report = import_csv("leads", session, path)
        created, updated, skipped = (
            created + report.imported,
            updated + report.updated,
            skipped + report.skipped,
        )
    return time.perf_counter() - started, created, updated, skipped


def stored(url: str) -> tuple[int, int]:
    """Leads stored, and those marked do-not-email."""
    with Session(get_db_engine(url)) as session:
        total = session.exec(select(func.count()).select_from(Lead)).one()
        opted = session.exec(select(func.count()).select_from(Lead).where(Lead.do_not_email)).one()
    return total, opted


def heap_peak_mb(url: str, path: Path) -> float:
    """The Python heap's peak while importing `path` into `url`, in MB."""
    tracemalloc.start()
    try:
        import_all(url, [path])
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        warm_up = root / "warm-up.csv"
        write_export(warm_up, "dynamics", 10_000_000, 1_000)
        import_all(f"sqlite:///{root / 'warm-up.db'}", [warm_up])
        after_warm_up = peak_mb()
        per_file = args.rows // len(DIALECTS)
        files = []
        for index, dialect in enumerate(DIALECTS):
            path = root / f"{dialect}.csv"
            write_export(path, dialect, index * per_file, per_file)
            files.append(path)
        rows = per_file * len(DIALECTS)
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        url = f"sqlite:///{root / 'crm.db'}"
        print(f"{rows:,} rows in {len(files)} files ({size_mb:.1f} MB): Dynamics, Salesforce, "
              "HubSpot headers")  # fmt: skip
        for label in ("first import", "second import"):
            seconds, created, updated, skipped = import_all(url, files)
            total, opted = stored(url)
            print(
                f"{label:<14} {rows / seconds:8,.0f} rows/s ({seconds:.1f} s)   created "
                f"{created:,}  updated {updated:,}  skipped {skipped:,}   leads stored "
                f"{total:,}  do-not-email {opted:,}"
            )
        print(
            f"peak resident memory: {after_warm_up:.0f} MB after a 1,000-row import, "
            f"{peak_mb():.0f} MB after {2 * rows:,} rows"
        )
        small = heap_peak_mb(f"sqlite:///{root / 'heap-small.db'}", warm_up)
        large = heap_peak_mb(f"sqlite:///{root / 'heap-large.db'}", files[0])
        print(
            f"Python heap peak: {small:.1f} MB importing 1,000 rows, {large:.1f} MB importing "
            f"{per_file:,} rows"
        )


if __name__ == "__main__":
    main()
