"""The research runner as a command or the console opens it: on the configured
checkpointer, with the model answer cache the settings ask for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.reasoning.llm.response_cache import cached_model_answers
from graphs.research.runner import ResearchRunner


@contextmanager
def research_runner(context: Context) -> Iterator[ResearchRunner]:
    """A research runner on the configured checkpointer, closed on exit."""
    settings = get_settings()
    with (
        cached_model_answers(context.engine, settings.home, settings.llm_cache),
        open_checkpointer(settings.resolved_checkpoint_url) as saver,
    ):
        yield ResearchRunner(context, saver)
