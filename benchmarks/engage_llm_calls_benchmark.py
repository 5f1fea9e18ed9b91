"""Benchmark: the model calls one engage tick makes to start leads.

A local OpenAI-compatible server (the tests' one) counts every request and answers each
with an error, so the engine falls back to the offline engine and nothing needs
scripting. One `EngageRunner.tick()` on the sample CRM with room for `--slots`
conversations researches the leads the assignment criteria could take and starts the
best ones. Prints the leads started, the calls in all and per started lead, and the
calls by kind (the structured-output schema asked for).
Run: `python -m benchmarks.engage_llm_calls_benchmark [--slots 30]`.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime

from benchmarks.sample_home import counting_model_endpoint, home_context, sample_home
from core.clock import ManualClock
from graphs.checkpointing import open_checkpointer
from graphs.engage.runner import EngageRunner
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from graphs.services import services_for
from tools.mail.settings import MailSettings

MONDAY_AFTERNOON = datetime(2026, 12, 7, 14, tzinfo=UTC)


def main() -> None:
    """One tick with room for `--slots` leads; the calls it made."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slots", type=int, default=30, help="Free conversation slots.")
    args = parser.parse_args()
    root, database_url = sample_home("qualify-engage-calls-")
    settings = load_engage_settings(database_url)
    settings.assignment.max_active_conversations = args.slots
    save_engage_settings(database_url, settings)
    with counting_model_endpoint() as server:
        context = home_context(
            root, database_url, engine="llm", clock=ManualClock(MONDAY_AFTERNOON)
        )
        services_for(context).web.sync()  # type: ignore[attr-defined]
        mail = MailSettings(outbox_dir=root / "outbox", mailboxes=["alex@northwind.example"])
        with open_checkpointer(str(root / "checkpoints.db")) as saver:
            report = EngageRunner(context, saver, mail).tick()
        kinds = Counter((request.schema or {}).get("title", "text") for request in server.requests)
    calls = len(server.requests)
    print(f"started {report.started} leads; {calls} model calls "
          f"({calls / max(report.started, 1):.1f} per started lead)")  # fmt: skip
    print("by kind: " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()))


if __name__ == "__main__":
    main()
