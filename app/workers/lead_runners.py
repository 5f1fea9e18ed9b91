"""The runners a worker process shares between its jobs, opened once and closed at exit."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from dataclasses import dataclass

from langgraph.checkpoint.base import BaseCheckpointSaver

from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.engage.runner import EngageRunner
from graphs.reasoning.llm.response_cache import cached_model_answers
from graphs.research.runner import ResearchRunner
from tools.mail.settings import MailSettings


@dataclass
class LeadRunners:
    """Research and engage runners over one checkpointer."""

    checkpointer: BaseCheckpointSaver
    research: ResearchRunner
    engage: EngageRunner


_lock = threading.Lock()
_open: tuple[ExitStack, LeadRunners] | None = None


def lead_runners() -> LeadRunners:
    """This process's runners, opened by the first job that needs them: opening a
    checkpointer (and its setup) per job would cost more than many jobs take."""
    global _open
    with _lock:
        if _open is None:
            settings = get_settings()
            stack = ExitStack()
            saver = stack.enter_context(open_checkpointer(settings.resolved_checkpoint_url))
            context = Context()
            stack.enter_context(
                cached_model_answers(context.engine, settings.home, settings.llm_cache)
            )
            _open = (
                stack,
                LeadRunners(
                    checkpointer=saver,
                    research=ResearchRunner(context, saver),
                    engage=EngageRunner(
                        context, saver, MailSettings.from_env(), inbox_dir=settings.home / "inbox"
                    ),
                ),
            )
        return _open[1]


def close_lead_runners() -> None:
    """Close the checkpointer the runners share (at worker exit)."""
    global _open
    with _lock:
        if _open is not None:
            _open[0].close()
            _open = None
