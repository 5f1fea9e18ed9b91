"""Where a lead thread's last run stands, read from its latest state snapshot."""

from __future__ import annotations

from langgraph.types import StateSnapshot


def stopped_mid_run(snapshot: StateSnapshot) -> bool:
    """Whether the thread's last run stopped before it finished (a crash, a kill), so it
    must go on from its checkpoint: steps are due and none waits on an interrupt.

    `snapshot.next` alone misses one case: a step that finished, its writes saved, when the
    process died before the checkpoint after it was written. That step is no longer "next",
    yet the run has still to apply its writes and go on.
    """
    return bool(snapshot.tasks) and not snapshot.interrupts
