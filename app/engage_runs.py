"""The Engage runner the CLI and the console share, on the configured checkpointer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from core.clock import ManualClock
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.engage.runner import EngageRunner
from graphs.reasoning.llm.response_cache import cached_model_answers
from tools.mail.settings import MailSettings


def inbox_dir() -> Path:
    """Where `engage tick` picks up reply .eml files (QUALIFY_HOME/inbox)."""
    return get_settings().home / "inbox"


@contextmanager
def engage_runner(
    at: datetime | None = None, *, database_url: str | None = None
) -> Iterator[EngageRunner]:
    """A runner on the embedded defaults (or `database_url`); `at` pins the clock
    (simulations, replays)."""
    overrides: dict[str, object] = {}
    if at is not None:
        overrides["clock"] = ManualClock(at)
    if database_url is not None:
        overrides["database_url"] = database_url
    context = Context(**overrides)  # type: ignore[arg-type]
    settings = get_settings()
    with (
        cached_model_answers(context.engine, settings.home, settings.llm_cache),
        open_checkpointer(settings.resolved_checkpoint_url) as saver,
    ):
        yield EngageRunner(context, saver, MailSettings.from_env(), inbox_dir=inbox_dir())
