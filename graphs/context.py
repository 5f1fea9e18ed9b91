"""Run settings passed to the graphs as `context_schema` (not checkpointed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from core.clock import Clock, SystemClock
from core.settings import get_settings

if TYPE_CHECKING:  # graphs.research imports this module: a type-only import, no cycle
    from graphs.research.agent_settings import AgentSettings

# One shared wall clock, so default contexts stay equal (services are cached per context).
SYSTEM_CLOCK = SystemClock()


@dataclass(frozen=True, kw_only=True)
class Context:
    """Per-run settings; unset fields come from the environment (`core.settings`).

    Frozen and hashable so the services built from a context can be cached.
    `sandbox=True` (replays) writes nothing to the CRM: no insights, no email, no hand-off.
    `prompt_versions` pins prompt versions by prompt name, e.g. (("llm_write_outreach", "3"),).
    """

    database_url: str = field(default_factory=lambda: get_settings().resolved_database_url)
    corpus_dir: str = field(default_factory=lambda: str(get_settings().resolved_corpus_dir))
    chroma_dir: str = field(default_factory=lambda: str(get_settings().resolved_chroma_dir))
    engine: Literal["offline", "llm"] = field(
        default_factory=lambda: get_settings().resolved_engine
    )
    model: str = field(default_factory=lambda: get_settings().model)
    product: str = field(default_factory=lambda: get_settings().product)
    draft_outreach: bool = True
    sandbox: bool = False
    prompt_versions: tuple[tuple[str, str], ...] = ()
    clock: Clock = SYSTEM_CLOCK
    # The admin settings a batch runs with, read once by its runner (None: each node reads
    # them). Left out of equality and the hash: services do not depend on them.
    agent_settings: AgentSettings | None = field(default=None, compare=False, hash=False)
