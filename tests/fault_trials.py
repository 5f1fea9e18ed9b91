"""Crash trials: `kill -9` at a random point of research or engage, restart, and check that
nothing was done twice and nothing was lost (issue 13's fault suite).

Each trial copies a prepared home, runs the real `qualify` command against the real SMTP
test server, kills it with SIGKILL after a random delay, runs the command again to the end,
then lets the agent go on (follow-ups, replies) and checks what the server received and
what the store says:
- no Message-ID twice, no lead given the same step twice (recipient, subject, In-Reply-To);
- no reply lost: every reply dropped in the inbox is imported once and read;
- no email left unconfirmed without its lead held for a person's decision;
- every thread at rest: none stopped between nodes after the restart;
- research: every eligible lead researched, once, whatever was killed.

`tests/test_fault_trials.py` runs a few in CI; for longer runs:
`python -m tests.fault_trials --trials 200` prints a table of what the trials found.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from tests.smtp_test_server import SmtpTestServer, smtp_server

FIRST_DAY = "2026-12-07T14:00:00Z"  # a Monday afternoon: in business hours nearly everywhere
LATER_DAY = "2026-12-11T14:00:00Z"  # past the follow-up delay
REPLIES = 3


def qualify_command() -> str:
    """The installed `qualify` command beside this Python."""
    return str(Path(sys.executable).with_name("qualify"))


def qualify_env(home: Path, smtp: SmtpTestServer | None = None) -> dict[str, str]:
    """The environment a `qualify` process runs with: this home, this SMTP test server."""
    env = {**os.environ, "QUALIFY_HOME": str(home), "COLUMNS": "200"}
    if smtp is not None:
        env |= {
            "QUALIFY_SMTP_HOST": smtp.host,
            "QUALIFY_SMTP_PORT": str(smtp.port),
            "QUALIFY_SMTP_STARTTLS": "false",  # the test server is a trusted local relay
        }
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `qualify ARGS` to the end."""
    return subprocess.run(
        [qualify_command(), *args], env=env, capture_output=True, text=True, timeout=600
    )


def prepare_homes(root: Path, leads: int = 20, accounts: int = 6) -> tuple[Path, Path]:
    """A home with its sample CRM only, and a copy researched: the trials' starting points."""
    bare = root / "bare"
    done = run(qualify_env(bare), "init", "--leads", str(leads), "--accounts", str(accounts))
    assert done.returncode == 0, done.stdout + done.stderr
    researched = root / "researched"
    shutil.copytree(bare, researched)
    done = run(qualify_env(researched), "research")
    assert done.returncode == 0, done.stdout + done.stderr
    return bare, researched


@dataclass
class TrialResult:
    """What one trial did and found."""

    kind: str
    seed: int
    killed_after_s: float
    killed: bool = False
    emails: int = 0
    duplicate_ids: int = 0
    duplicate_steps: int = 0
    replies_lost: int = 0
    unconfirmed: int = 0
    undecided: int = 0
    stuck_threads: int = 0
    researched: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No duplicate, no loss, no undecided email, no stuck thread, no failed command."""
        return not (
            self.duplicate_ids
            or self.duplicate_steps
            or self.replies_lost
            or self.undecided
            or self.stuck_threads
            or self.problems
        )


def _kill_after(env: dict[str, str], delay: float, *args: str) -> bool:
    """Start `qualify ARGS`, SIGKILL it after `delay` seconds; whether it was still running."""
    process = subprocess.Popen(
        [qualify_command(), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    running = process.poll() is None
    if running:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return running


def _must(result: TrialResult, done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0 or "Traceback" in done.stdout + done.stderr:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        result.problems.append(f"{what} exited {done.returncode}: {' | '.join(tail)}")


def _write_replies(home: Path, smtp: SmtpTestServer) -> int:
    """The first leads answer the agent's first email: .eml files in the home's inbox."""
    inbox = home / "inbox"
    inbox.mkdir(exist_ok=True)
    firsts = [m.message for m in smtp.messages if not m.message["In-Reply-To"]][:REPLIES]
    for number, sent in enumerate(firsts):
        reply = MimeMessage()
        reply["From"] = str(sent["To"])
        reply["To"] = str(sent["From"])
        reply["Subject"] = f"Re: {sent['Subject']}"
        reply["Date"] = format_datetime(sent.get("Date").datetime)  # type: ignore[union-attr]
        reply["Message-ID"] = make_msgid(domain="lead.example")
        reply["In-Reply-To"] = str(sent["Message-ID"])
        reply["References"] = str(sent["Message-ID"])
        reply.set_content("Thanks, interesting. What does it cost for a team of 20?")
        (inbox / f"reply-{number}.eml").write_bytes(bytes(reply))
    return len(firsts)


def sent_counts(smtp: SmtpTestServer) -> tuple[Counter[str], Counter[tuple[str, str, str]]]:
    """What the server received: per Message-ID, and per step (to, subject, In-Reply-To)."""
    ids: Counter[str] = Counter()
    steps: Counter[tuple[str, str, str]] = Counter()
    for mail in smtp.messages:
        message = mail.message
        ids[str(message["Message-ID"])] += 1
        steps[(str(message["To"]), str(message["Subject"]), str(message["In-Reply-To"]))] += 1
    return ids, steps


def _check_mail(result: TrialResult, smtp: SmtpTestServer) -> None:
    ids, steps = sent_counts(smtp)
    result.emails = sum(ids.values())
    result.duplicate_ids = sum(n - 1 for n in ids.values() if n > 1)
    result.duplicate_steps = sum(n - 1 for n in steps.values() if n > 1)


def _check_store(result: TrialResult, home: Path, replies: int) -> None:
    with closing(sqlite3.connect(home / "crm.db")) as db:
        inbound = db.execute(
            "SELECT lead_id, id FROM emailmessage WHERE direction = 'INBOUND'"
        ).fetchall()
        read_up_to = dict(db.execute("SELECT lead_id, last_read_inbound_id FROM conversation"))
        unconfirmed = db.execute(
            "SELECT lead_id, message_id FROM emailmessage WHERE status = 'UNCONFIRMED'"
        ).fetchall()
        held = dict(db.execute("SELECT lead_id, held_for FROM conversation"))
    read = sum(1 for lead, row in inbound if (read_up_to.get(lead) or 0) >= row)
    result.replies_lost = replies - read
    result.unconfirmed = len(unconfirmed)
    result.undecided = sum(1 for lead, message_id in unconfirmed if held.get(lead) != message_id)


def _check_threads(result: TrialResult, home: Path) -> None:
    from graphs.checkpointing import open_checkpointer
    from graphs.engage.graph import build_engage_graph
    from memory.thread_ids import thread_id_for

    with closing(sqlite3.connect(home / "crm.db")) as db:
        leads = [row[0] for row in db.execute("SELECT lead_id FROM conversation")]
    with open_checkpointer(str(home / "checkpoints.db")) as saver:
        graph = build_engage_graph(saver)
        for lead in leads:
            state = graph.get_state({"configurable": {"thread_id": thread_id_for(lead, "engage")}})
            if state.next and not state.interrupts:
                result.stuck_threads += 1


@dataclass(frozen=True)
class KillWindows:
    """How long each command the trials kill runs uninterrupted on this machine now, in
    seconds: kill times are drawn within them, so most kills land mid-run however fast
    the code or the machine is."""

    first_tick: float
    later_tick: float
    research: float


def measure_windows(bare: Path, researched: Path, work: Path) -> KillWindows:
    """Run each killed command once to its end, on copies of the trials' homes."""

    def timed(env: dict[str, str], *args: str) -> float:
        started = time.perf_counter()
        done = run(env, *args)
        if done.returncode != 0:
            raise RuntimeError(f"qualify {' '.join(args)} failed: {done.stderr[-500:]}")
        return time.perf_counter() - started

    engage, research = work / "timing-engage", work / "timing-research"
    shutil.copytree(researched, engage)
    shutil.copytree(bare, research)
    with smtp_server() as smtp:
        env = qualify_env(engage, smtp)
        first = timed(env, "engage", "tick", "--at", FIRST_DAY)
        _write_replies(engage, smtp)
        later = timed(env, "engage", "tick", "--at", LATER_DAY)
    windows = KillWindows(first, later, timed(qualify_env(research), "research"))
    shutil.rmtree(engage, ignore_errors=True)
    shutil.rmtree(research, ignore_errors=True)
    return windows


def _kill_time(rng: random.Random, window: float) -> float:
    return round(rng.uniform(0.8, max(window, 1.0)), 2)


def engage_trial(researched: Path, work: Path, seed: int, windows: KillWindows) -> TrialResult:
    """Kill a tick (the first one, or the one reading replies), restart, go on, check."""
    rng = random.Random(seed)
    home = work / f"engage-{seed}"
    shutil.copytree(researched, home)
    kill_first = rng.random() < 0.5
    window = windows.first_tick if kill_first else windows.later_tick
    result = TrialResult(kind="engage", seed=seed, killed_after_s=_kill_time(rng, window))
    with smtp_server() as smtp:
        env = qualify_env(home, smtp)
        if kill_first:
            result.killed = _kill_after(
                env, result.killed_after_s, "engage", "tick", "--at", FIRST_DAY
            )
        _must(result, run(env, "engage", "tick", "--at", FIRST_DAY), "first tick")
        replies = _write_replies(home, smtp)
        if not kill_first:
            result.killed = _kill_after(
                env, result.killed_after_s, "engage", "tick", "--at", LATER_DAY
            )
        _must(result, run(env, "engage", "tick", "--at", LATER_DAY), "later tick")
        _check_mail(result, smtp)
    _check_store(result, home, replies)
    _check_threads(result, home)
    shutil.rmtree(home, ignore_errors=True)
    return result


def research_trial(
    bare: Path, work: Path, seed: int, expected: int, windows: KillWindows
) -> TrialResult:
    """Kill a research batch, restart it: every eligible lead researched once."""
    rng = random.Random(seed)
    home = work / f"research-{seed}"
    shutil.copytree(bare, home)
    result = TrialResult(
        kind="research", seed=seed, killed_after_s=_kill_time(rng, windows.research)
    )
    env = qualify_env(home)
    result.killed = _kill_after(env, result.killed_after_s, "research")
    _must(result, run(env, "research"), "restarted research")
    with closing(sqlite3.connect(home / "crm.db")) as db:
        result.researched = db.execute("SELECT count(*) FROM leadinsight").fetchone()[0]
    if result.researched != expected:
        result.problems.append(f"researched {result.researched} leads of {expected}")
    shutil.rmtree(home, ignore_errors=True)
    return result


def researched_count(researched: Path) -> int:
    """How many leads an uninterrupted research batch stored."""
    with closing(sqlite3.connect(researched / "crm.db")) as db:
        return int(db.execute("SELECT count(*) FROM leadinsight").fetchone()[0])


def run_trials(trials: int, seed: int = 0, workers: int = 2) -> list[TrialResult]:
    """Alternate engage and research trials, `workers` at a time; the results in order."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bare, researched = prepare_homes(work)
        expected = researched_count(researched)
        windows = measure_windows(bare, researched, work)

        def trial(number: int) -> TrialResult:
            trial_seed = seed * 100_000 + number
            if number % 2 == 0:
                return engage_trial(researched, work, trial_seed, windows)
            return research_trial(bare, work, trial_seed, expected, windows)

        # Each trial is its own processes and home: threads only wait on them.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(trial, range(trials)))


def main() -> None:
    parser = argparse.ArgumentParser(description="kill -9 trials of research and engage")
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="trials at a time")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run_trials(args.trials, args.seed, args.workers)
    print(f"{len(results)} trials in {time.perf_counter() - started:.0f} s")
    print("| kind | trials | killed mid-run | emails | dup Message-IDs | dup steps | replies lost "
          "| unconfirmed | undecided | stuck threads | failed commands |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in ("engage", "research"):
        mine = [r for r in results if r.kind == kind]
        print(
            f"| {kind} | {len(mine)} | {sum(r.killed for r in mine)} | "
            f"{sum(r.emails for r in mine)} | {sum(r.duplicate_ids for r in mine)} | "
            f"{sum(r.duplicate_steps for r in mine)} | {sum(r.replies_lost for r in mine)} | "
            f"{sum(r.unconfirmed for r in mine)} | {sum(r.undecided for r in mine)} | "
            f"{sum(r.stuck_threads for r in mine)} | {sum(len(r.problems) for r in mine)} |"
        )
    for result in results:
        if not result.ok:
            print(f"seed {result.seed} ({result.kind}, killed at {result.killed_after_s} s): "
                  f"{result}")  # fmt: skip


if __name__ == "__main__":
    main()
