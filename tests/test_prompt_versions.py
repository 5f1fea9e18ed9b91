"""Admin prompt versions: validation, history, diff, activate, rollback, and their use by runs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete, event
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.main import app
from core.findings import LeadInsights
from core.trace_records import PromptUse, StepTrace
from graphs.checkpointing import open_checkpointer
from graphs.engage.graph import graph as engage_graph
from graphs.research.graph import graph as research_graph
from graphs.research.runner import ResearchRunner
from graphs.tracing.trace_steps import steps_of
from memory.thread_ids import thread_id_for
from prompts.registry import PROMPTS_DIR, PromptError, load_prompt, use_prompt_versions
from prompts.versioning import (
    PROMPTS_BY_NODE,
    activate,
    activation_log,
    diff,
    expand_prompt_pins,
    history,
    list_prompts,
    prompt_names,
    rollback,
    save_version,
    show,
)
from store.agent_records import LeadInsight
from store.db import get_db_engine, session_scope
from store.prompt_versions import (
    PromptActivation,
    PromptRegistryRevision,
    PromptVersion,
    bump_revision,
)
from tests.conftest import SampleCrm

OUTREACH = "offline_outreach_email"
DEFAULT_TEXT = (PROMPTS_DIR / f"{OUTREACH}.md").read_text(encoding="utf-8")


def signed(sign_off: str) -> str:
    """The default outreach email with another sign-off line."""
    assert "Best regards," in DEFAULT_TEXT
    return DEFAULT_TEXT.replace("Best regards,", sign_off)


@contextmanager
def research_runner(crm: SampleCrm, **context: object) -> Iterator[ResearchRunner]:
    with open_checkpointer(crm.checkpoint_path) as saver:
        yield ResearchRunner(crm.context(**context), saver)


def research_one(
    crm: SampleCrm, lead_id: str | None = None, **context: object
) -> tuple[str, LeadInsights, list[StepTrace]]:
    """Research one lead (the first eligible by default); its insights and trace."""
    with research_runner(crm, **context) as runner:
        lead_id = lead_id or runner.eligible_leads()[0].lead_id
        [outcome] = runner.research([lead_id], force=True)
        assert outcome.status == "researched", outcome.message
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        entries = runner.graph.get_state(config).values["trace"]
    with Session(get_db_engine(crm.database_url)) as session:
        row = session.get(LeadInsight, lead_id)
    assert row is not None
    trace = steps_of(entries, crm.database_url)
    return lead_id, LeadInsights.model_validate(row.payload), trace


def last_step(trace: list[StepTrace], node: str) -> StepTrace:
    return [step for step in trace if step.node == node][-1]


def in_force(database_url: str, *names: str, pins: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The versions one node call would load."""
    reset = use_prompt_versions(database_url, pins)
    try:
        return [load_prompt(name).version for name in names]
    finally:
        reset()


# -- runs use the active version; rollback restores the exact earlier text ---------------


def test_offline_draft_follows_the_active_version_and_rollback(sample_crm: SampleCrm) -> None:
    db = sample_crm.database_url
    # Odd whitespace on purpose: rollback must give back the text byte for byte.
    first = signed("Kind regards from Northwind,  ").replace("{value} {proof}", "{value}  {proof}")
    v1 = save_version(db, OUTREACH, first, "ana", "warmer sign-off")
    v2 = save_version(db, OUTREACH, signed("Cheers,"), "ben", "shorter sign-off")
    assert (v1.version, v2.version, show(db, OUTREACH).version) == ("1", "2", "2")

    lead_id, insights, trace = research_one(sample_crm)
    assert insights.draft is not None
    assert "\nCheers,\n" in insights.draft.body and "Best regards" not in insights.draft.body
    assert PromptUse(name=OUTREACH, version="2") in last_step(trace, "outreach_writer").prompts
    assert PromptUse(name="offline_lead_summary", version="default") in (
        last_step(trace, "lead_summarizer").prompts
    )

    restored = rollback(db, OUTREACH)
    assert restored.version == "1" and restored.active
    assert show(db, OUTREACH).text.encode() == first.encode()

    _, insights, trace = research_one(sample_crm, lead_id)
    assert insights.draft is not None
    assert "Kind regards from Northwind," in insights.draft.body and "Cheers" not in (
        insights.draft.body
    )
    assert PromptUse(name=OUTREACH, version="1") in last_step(trace, "outreach_writer").prompts


def test_pinned_default_overrides_the_active_version(sample_crm: SampleCrm) -> None:
    db = sample_crm.database_url
    save_version(db, OUTREACH, signed("Cheers,"), "ana")
    pins = ((OUTREACH, "default"),)  # what `replay --prompt outreach_writer=default` passes
    _, insights, trace = research_one(sample_crm, prompt_versions=pins)
    assert insights.draft is not None
    assert "Best regards," in insights.draft.body and "Cheers" not in insights.draft.body
    assert PromptUse(name=OUTREACH, version="default") in (
        last_step(trace, "outreach_writer").prompts
    )


def test_pins_pick_stored_versions_and_name_missing_ones(sample_crm: SampleCrm) -> None:
    db = sample_crm.database_url
    with pytest.raises(PromptError, match="no versions are stored"):
        in_force(db, OUTREACH, pins=((OUTREACH, "1"),))
    save_version(db, OUTREACH, signed("Cheers,"), "ana", activate=False)
    assert in_force(db, OUTREACH) == ["default"]
    assert in_force(db, OUTREACH, pins=((OUTREACH, "1"),)) == ["1"]
    with pytest.raises(PromptError, match="has no version 7"):
        in_force(db, OUTREACH, pins=((OUTREACH, "7"),))
    with pytest.raises(PromptError, match="neither 'default' nor a version number"):
        in_force(db, OUTREACH, pins=((OUTREACH, "latest"),))


def test_prompts_in_force_are_cached_until_a_version_changes(sample_crm: SampleCrm) -> None:
    db = sample_crm.database_url
    names = (OUTREACH, "offline_follow_up", "offline_answer")
    save_version(db, OUTREACH, signed("Cheers,"), "ana")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = get_db_engine(db)
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert in_force(db, *names) == ["1", "default", "default"]
        statements.clear()
        assert in_force(db, *names) == ["1", "default", "default"]
        assert len(statements) == 1, statements  # the revision lookup, nothing else
        save_version(db, OUTREACH, signed("Thanks,"), "ben")
        assert in_force(db, *names) == ["2", "default", "default"]
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_stored_version_the_code_no_longer_fits_falls_back_to_the_file(
    sample_crm: SampleCrm,
) -> None:
    db = sample_crm.database_url
    # As if an upgrade added `signature` to the inputs after this version was saved.
    old = signed("Cheers,").replace("call_to_action, signature]", "call_to_action]")
    old = old.replace("\n{signature}", "\nAlex")
    with session_scope(db) as session:
        session.add(PromptVersion(name=OUTREACH, version=1, template=old, author="old"))
        session.add(PromptActivation(name=OUTREACH, version="1"))
        bump_revision(session)
    assert in_force(db, OUTREACH) == ["default"]


# -- validation refuses bad versions and the active one stays ----------------------------

BAD_VERSIONS = {
    "undeclared variable": (
        DEFAULT_TEXT.replace("{proof}", "{proof} {discount}"),
        r"undeclared variables \['discount'\]",
    ),
    "declared variable not used": (
        DEFAULT_TEXT.replace("{proof}", "our proof"),
        r"declared variables \['proof'\] are not used",
    ),
    "variable the code passes left out": (
        DEFAULT_TEXT.replace("proof, ", "").replace(" {proof}", ""),
        r"must be exactly .*missing \['proof'\]",
    ),
    "variable the code does not pass": (
        DEFAULT_TEXT.replace("signature]", "signature, discount]").replace(
            "{proof}", "{proof} {discount}"
        ),
        r"must be exactly .*unknown \['discount'\]",
    ),
    "unbalanced opening brace": (
        DEFAULT_TEXT.replace("{question}", "{question"),
        "does not parse",
    ),
    "unbalanced closing brace": (
        DEFAULT_TEXT.replace("{question}", "{question}}"),
        "does not parse",
    ),
    "front matter not YAML": (
        DEFAULT_TEXT.replace("engine: offline", "engine: [offline"),
        "front matter is not YAML",
    ),
    "no front matter": (DEFAULT_TEXT.split("---\n", 2)[2], "front matter block"),
    "front matter not a mapping": (
        "---\n- a list\n---\n" + DEFAULT_TEXT.split("---\n", 2)[2],
        "front matter must be 'key: value' lines",
    ),
    "positional field": (DEFAULT_TEXT.replace("{proof}", "{proof} {}"), "does not render"),
    "format spec for a number": (DEFAULT_TEXT.replace("{proof}", "{proof:d}"), "does not render"),
    "attribute access": (DEFAULT_TEXT.replace("{proof}", "{proof.text}"), "not a plain variable"),
    "engine switched": (
        DEFAULT_TEXT.replace("engine: offline", "engine: llm"),
        "engine must stay 'offline'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_VERSIONS))
def test_bad_versions_are_refused_and_the_active_one_stays(tmp_path: Path, case: str) -> None:
    db = f"sqlite:///{tmp_path / 'prompts.db'}"
    good = save_version(db, OUTREACH, signed("Cheers,"), "ana", "good one")
    text, message = BAD_VERSIONS[case]
    with pytest.raises(PromptError, match=message) as refused:
        save_version(db, OUTREACH, text, "mallory", "bad one")
    assert OUTREACH in str(refused.value)
    assert show(db, OUTREACH).text == good.text
    assert [info.version for info in history(db, OUTREACH)] == ["1", "default"]
    assert in_force(db, OUTREACH) == ["1"]


def test_unknown_prompt_names_the_known_ones(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'prompts.db'}"
    with pytest.raises(PromptError, match=r"no prompt named 'outreach'.*offline_outreach_email"):
        save_version(db, "outreach", DEFAULT_TEXT, "ana")


# -- history, diff, activate, rollback ------------------------------------------------------


def test_history_lists_author_time_note_and_diff_shows_the_change(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'prompts.db'}"
    save_version(db, OUTREACH, signed("Cheers,"), "ana", "shorter sign-off")
    save_version(db, OUTREACH, signed("Thanks,"), "ben", "try thanks", activate=False)
    versions = history(db, OUTREACH)
    assert [(v.version, v.author, v.note, v.active) for v in versions] == [
        ("2", "ben", "try thanks", False),
        ("1", "ana", "shorter sign-off", True),
        ("default", None, "the file in prompts/", False),
    ]
    assert versions[0].created_on is not None and versions[0].created_on >= versions[1].created_on

    changes = diff(db, OUTREACH, 1, "2")
    assert changes.startswith(f"--- {OUTREACH}@1\n+++ {OUTREACH}@2\n")
    assert "\n-Cheers,\n" in changes and "\n+Thanks,\n" in changes
    assert "\n-Best regards,\n" in diff(db, OUTREACH, "default", 1)
    assert diff(db, OUTREACH, 2, 2) == ""
    with pytest.raises(PromptError, match="has no version 3"):
        diff(db, OUTREACH, 1, 3)


def _clear_prompt_versions(database_url: str) -> None:
    with session_scope(database_url) as session:
        for table in (PromptActivation, PromptVersion, PromptRegistryRevision):
            session.execute(delete(table))


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database for the prompt versions; PostgreSQL is shared by the session, so cleared."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'prompts.db'}"
        return
    url = request.getfixturevalue("postgres_url").replace("postgresql://", "postgresql+psycopg://")
    _clear_prompt_versions(url)
    yield url
    _clear_prompt_versions(url)


def test_activate_and_rollback_walk_back_to_the_file(store_url: str) -> None:
    db = store_url
    with pytest.raises(PromptError, match="nothing to roll back"):
        rollback(db, OUTREACH)
    save_version(db, OUTREACH, signed("Cheers,"), "ana")
    save_version(db, OUTREACH, signed("Thanks,"), "ben")
    assert activate(db, OUTREACH, "1", by="cleo").active
    activate(db, OUTREACH, 1)  # already active: no new step to undo
    assert [a.version for a in activation_log(db, OUTREACH)] == ["1", "2", "1"]
    assert in_force(db, OUTREACH) == ["1"]

    assert rollback(db, OUTREACH).version == "2"
    assert in_force(db, OUTREACH) == ["2"]
    assert rollback(db, OUTREACH).version == "1"
    restored = rollback(db, OUTREACH)
    assert restored.version == "default" and restored.text == DEFAULT_TEXT
    assert in_force(db, OUTREACH) == ["default"]
    assert [a.rolled_back for a in activation_log(db, OUTREACH)] == [True, True, True]
    with pytest.raises(PromptError, match="has no version 9"):
        activate(db, OUTREACH, 9)
    summary = {p.name: p for p in list_prompts(db)}[OUTREACH]
    assert (summary.engine, summary.active_version, summary.versions) == ("offline", "default", 2)


# -- replay pins: node names or prompt names ---------------------------------------------


def test_prompts_by_node_match_the_graphs_and_the_files() -> None:
    nodes = set(research_graph.nodes) | set(engage_graph.nodes)
    assert set(PROMPTS_BY_NODE) <= nodes
    mapped = {prompt for prompts in PROMPTS_BY_NODE.values() for prompt in prompts}
    assert mapped == set(prompt_names())


def test_expand_prompt_pins(tmp_path: Path) -> None:
    assert expand_prompt_pins({"outreach_writer": "default"}) == (
        ("llm_write_outreach", "default"),
        (OUTREACH, "default"),
    )
    # A prompt pin wins over its node's pin, whatever the order.
    assert expand_prompt_pins({OUTREACH: "2", "outreach_writer": "default"}) == (
        ("llm_write_outreach", "default"),
        (OUTREACH, "2"),
    )
    with pytest.raises(PromptError, match=r"neither a node.*researcher.*nor a prompt.*offline"):
        expand_prompt_pins({"writer": "1"})
    with pytest.raises(PromptError, match="neither 'default' nor a version number"):
        expand_prompt_pins({"outreach_writer": "new"})

    db = f"sqlite:///{tmp_path / 'prompts.db'}"
    save_version(db, "offline_follow_up", (PROMPTS_DIR / "offline_follow_up.md").read_text(), "a")
    assert expand_prompt_pins({"message_writer": "1"}, db) == (("offline_follow_up", "1"),)
    with pytest.raises(PromptError, match="none of its prompts"):
        expand_prompt_pins({"outreach_writer": "1"}, db)
    with pytest.raises(PromptError, match="has no version 1"):
        expand_prompt_pins({OUTREACH: "1"}, db)


# -- the command line ----------------------------------------------------------------------

cli = CliRunner()


def qualify(*args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, f"qualify {' '.join(args)}:\n{result.output}"
    return result.output


def test_prompts_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    qualify("init", "--leads", "60", "--accounts", "20")
    assert OUTREACH in qualify("prompts", "list")
    assert cli.invoke(app, ["prompts", "show", OUTREACH]).stdout == DEFAULT_TEXT

    warm = tmp_path / "warm.md"
    warm.write_text(signed("Warm wishes,"), encoding="utf-8")
    out = qualify(
        "prompts", "edit", OUTREACH, "--file", str(warm), "--author", "ana", "--note", "warm"
    )
    assert "version 1 now active" in out
    assert "same text" in qualify("prompts", "edit", OUTREACH, "--file", str(warm))

    bad = tmp_path / "bad.md"
    bad.write_text(DEFAULT_TEXT.replace("{proof}", "{proof} {discount}"), encoding="utf-8")
    out = qualify("prompts", "edit", OUTREACH, "--file", str(bad), code=1)
    assert "discount" in out and "active version is unchanged" in out
    assert cli.invoke(app, ["prompts", "show", OUTREACH]).stdout == signed("Warm wishes,")

    # $EDITOR edits a temporary copy of the active text.
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import pathlib, sys\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('Warm wishes,', 'Talk soon,'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    out = qualify("prompts", "edit", OUTREACH, "--author", "ben", "--note", "soon", "--no-activate")
    assert "version 2 saved, not active" in out

    out = qualify("prompts", "history", OUTREACH)
    assert "ana" in out and "warm" in out and "ben" in out and "soon" in out
    out = qualify("prompts", "diff", OUTREACH, "1", "2")
    assert "-Warm wishes," in out and "+Talk soon," in out
    assert "version 2 is active" in qualify("prompts", "activate", OUTREACH, "2")
    assert "Talk soon," in cli.invoke(app, ["prompts", "show", OUTREACH]).stdout
    assert "version 1 is active" in qualify("prompts", "rollback", OUTREACH)
    shown = cli.invoke(app, ["prompts", "show", OUTREACH, "--version", "default"]).stdout
    assert shown == DEFAULT_TEXT
    assert "has no version 5" in qualify("prompts", "show", OUTREACH, "--version", "5", code=1)
    assert "no prompt named" in qualify("prompts", "history", "nope", code=1)


def test_a_regenerated_draft_uses_the_active_version_and_leaves_a_trace_step(
    sample_crm: SampleCrm,
) -> None:
    db = sample_crm.database_url
    lead_id, before, trace = research_one(sample_crm)
    assert before.draft is not None and "Best regards," in before.draft.body
    save_version(db, OUTREACH, signed("Warmly,"), "ana", "warmer sign-off")  # active now
    with research_runner(sample_crm) as runner:
        runner.redraft(lead_id)
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        entries = runner.graph.get_state(config).values["trace"]
    with Session(get_db_engine(db)) as session:
        row = session.get(LeadInsight, lead_id)
    assert row is not None
    after = LeadInsights.model_validate(row.payload)
    assert after.draft is not None and "\nWarmly,\n" in after.draft.body
    # The research and its time are kept; the trace has the writer and recorder steps.
    assert after.researched_on == before.researched_on
    assert after.research == before.research and after.icp == before.icp
    steps = steps_of(entries, db)
    assert [s.node for s in steps[len(trace) :]] == ["outreach_writer", "insights_recorder"]
    assert PromptUse(name=OUTREACH, version="1") in last_step(steps, "outreach_writer").prompts
    _, again, _ = research_one(sample_crm, lead_id)  # a research run records its own time
    assert again.researched_on > before.researched_on


def test_draft_regenerate_on_the_command_line_goes_through_the_graph(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("QUALIFY_HOME", str(sample_crm.root))
    get_settings.cache_clear()
    lead_id, _, trace = research_one(sample_crm)
    save_version(sample_crm.database_url, OUTREACH, signed("Cheers,"), "ben", "short")
    result = CliRunner().invoke(app, ["draft", lead_id, "--regenerate"])
    assert result.exit_code == 0, result.output
    assert "Cheers," in result.output
    with research_runner(sample_crm) as runner:
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
        steps = steps_of(runner.graph.get_state(config).values["trace"], sample_crm.database_url)
    assert len(steps) == len(trace) + 2
