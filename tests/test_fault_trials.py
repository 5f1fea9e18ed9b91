"""kill -9 at random points of research and engage, 20 trials (issue 13's fault suite).

The trials themselves are in `tests/fault_trials.py` (`python -m tests.fault_trials
--trials 200` runs longer ones). Each trial's process is really killed with SIGKILL.
"""

from __future__ import annotations

from tests.fault_trials import run_trials

TRIALS = 20


def test_twenty_kill_9_trials_lose_nothing_and_do_nothing_twice() -> None:
    results = run_trials(TRIALS, seed=13)
    failed = [result for result in results if not result.ok]
    assert not failed, failed
    assert len(results) == TRIALS
    # Most kills must land mid-run, or the trials prove little.
    assert sum(result.killed for result in results) >= TRIALS * 3 // 4
    engage = [result for result in results if result.kind == "engage"]
    assert all(result.emails > 0 for result in engage)
