"""The eval runner: dataset validation, every suite on small fixtures, the LLM cache,
reports, compare and the `qualify eval` commands."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import get_settings
from evals.compare import compare_runs, comparison_markdown
from evals.dataset_loader import guess_suite, load_dataset
from evals.run_folder import load_run
from evals.runner import RunOptions, RunProgress, parse_prompt_pins, run_eval
from evals.schemas import SUITE_NAMES
from graphs.reasoning.llm.response_cache import SqliteLlmCache
from tests.openai_compatible_server import OpenAICompatibleServer, running_openai_server

FIXTURES = Path(__file__).parent / "data" / "evals"


def _run(suite: str, tmp_path: Path, dataset: Path | None = None, **options: object):
    return run_eval(
        RunOptions(
            suites=[suite],
            dataset=dataset or FIXTURES / f"{suite}.jsonl",
            out_dir=tmp_path / f"run-{suite}",
            **options,  # type: ignore[arg-type]
        )
    )


# -- datasets ----------------------------------------------------------------------------


def test_bad_lines_are_reported_with_their_line_number_and_skipped() -> None:
    path = FIXTURES / "handoff_malformed.jsonl"
    dataset = load_dataset(path, "handoff")
    assert [c.id for c in dataset.cases] == ["handoff-0001", "handoff-0002"]
    problems = {p.line: p for p in dataset.problems}
    assert sorted(problems) == [2, 3, 5]
    assert "not valid JSON" in problems[2].message and problems[2].file == str(path)
    assert problems[3].case_id == "handoff-0098"
    assert "expected.target" in problems[3].message and "'seller' or 'supervisor'" in (
        problems[3].message
    )
    assert "already used on line 1" in problems[5].message
    assert str(problems[3]).startswith(f"{path}:3 (handoff-0098): ")


def test_the_run_goes_on_past_bad_lines(tmp_path: Path) -> None:
    run = _run("handoff", tmp_path, FIXTURES / "handoff_malformed.jsonl")
    [suite] = run.suites
    assert [r.id for r in suite.results] == ["handoff-0001", "handoff-0002"]
    assert all(r.passed for r in suite.results)
    assert [p.line for p in suite.problems] == [2, 3, 5]
    report = (tmp_path / "run-handoff" / "report.md").read_text()
    assert "handoff_malformed.jsonl:3 (handoff-0098)" in report


def test_schema_checks_that_evidence_is_quoted_from_the_reply(tmp_path: Path) -> None:
    line = json.loads((FIXTURES / "replies.jsonl").read_text().splitlines()[0])
    line["expected"]["bant"]["budget"]["evidence"] = "we have lots of money"
    path = tmp_path / "replies.jsonl"
    path.write_text(json.dumps(line) + "\n")
    [problem] = load_dataset(path, "replies").problems
    assert "expected.bant.budget.evidence" in problem.message and problem.line == 1


def test_a_missing_dataset_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.jsonl not found"):
        load_dataset(tmp_path / "nope.jsonl", "email")


def test_the_suite_of_a_file_is_guessed_from_its_name_or_ids(tmp_path: Path) -> None:
    assert guess_suite(FIXTURES / "handoff_malformed.jsonl") == "handoff"
    other = tmp_path / "cases.jsonl"
    shutil.copy(FIXTURES / "email.jsonl", other)
    assert guess_suite(other) == "email"


# -- every suite on its fixture ------------------------------------------------------------


@pytest.mark.parametrize("suite", [s for s in SUITE_NAMES if s != "journeys"])
def test_each_suite_passes_its_fixture_offline(suite: str, tmp_path: Path) -> None:
    run = _run(suite, tmp_path, concurrency=2)
    [result] = run.suites
    failed = [
        (r.id, r.label_expected, r.label_got, r.error) for r in result.results if not r.passed
    ]
    assert not failed
    assert result.metrics.accuracy == 1.0 and result.metrics.cases == len(result.results) >= 4
    assert result.problems == []
    assert all(r.cost_usd == 0.0 and r.llm_calls == 0 for r in result.results)
    # results keep the dataset's order whatever the concurrency
    expected_ids = [c.id for c in load_dataset(FIXTURES / f"{suite}.jsonl", suite).cases]
    assert [r.id for r in result.results] == expected_ids


def test_suite_specifics_are_scored(tmp_path: Path) -> None:
    replies = _run("replies", tmp_path).suites[0]
    assert replies.metrics.spans is not None and replies.metrics.spans.pairs == 2
    assert replies.metrics.field_accuracy["return_date"] == 1.0
    icp = _run("icp", tmp_path).suites[0]
    assert icp.metrics.calibration is not None
    assert {"verdict.employees", "fit_level"} <= set(icp.metrics.field_accuracy)
    email = _run("email", tmp_path).suites[0]
    assert "invalid" in email.metrics.confusion.labels


def test_journeys_play_scripted_replies_to_a_hand_off(tmp_path: Path) -> None:
    run = _run("journeys", tmp_path)
    results = {r.id: r for r in run.suites[0].results}
    assert all(r.passed for r in results.values()), {
        r.id: (r.got, r.error) for r in results.values()
    }
    silent = results["journeys-0002"].got
    assert (silent["rule"], silent["emails_sent"]) == ("no_reply_after_follow_ups", 3)
    assert results["journeys-0003"].got["replies_delivered"] == 2
    assert results["journeys-0003"].fields["emails_sent"].match


# -- reports and compare --------------------------------------------------------------------


def test_a_run_folder_holds_results_summary_and_reports(tmp_path: Path) -> None:
    _run("email", tmp_path)
    out = tmp_path / "run-email"
    lines = (out / "results-email.jsonl").read_text().splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["id"] == "email-0001"
    html = (out / "report.html").read_text()
    assert html.count("<svg") >= 2 and "<script" not in html
    assert "src=" not in html and "href=" not in html  # self-contained
    loaded = load_run(out)
    assert loaded.suites[0].metrics.cases == 6 and len(loaded.suites[0].results) == 6


def test_progress_is_told_after_every_case_of_every_suite(tmp_path: Path) -> None:
    told: list[RunProgress] = []
    run = run_eval(
        RunOptions(suites=["email", "titles"], splits=["dev"], concurrency=4),
        progress=told.append,
    )
    total = sum(s.metrics.cases for s in run.suites)
    assert told[0] == RunProgress(done=0, total=total)
    assert [t.done for t in told] == list(range(total + 1))
    assert {t.total for t in told} == {total}
    assert {t.suite for t in told[1:]} == {"email (dev)", "titles (dev)"}


def test_compare_shows_deltas_and_the_cases_that_changed(tmp_path: Path) -> None:
    run_a = _run("handoff", tmp_path)
    changed = tmp_path / "handoff.jsonl"
    rows = [json.loads(line) for line in (FIXTURES / "handoff.jsonl").read_text().splitlines()]
    rows[1]["expected"] = {"target": "supervisor", "rule": "bounced"}  # now fails
    changed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    run_b = run_eval(RunOptions(suites=["handoff"], dataset=changed, out_dir=tmp_path / "b"))
    comparison = compare_runs(run_a, run_b)
    [suite] = comparison.suites
    rows_by_name = {r.name: r for r in suite.rows}
    assert rows_by_name["accuracy"].delta == pytest.approx(-0.25)
    assert [(c.id, c.change) for c in suite.changes] == [("handoff-0002", "broke")]
    assert not suite.same_dataset
    text = comparison_markdown(comparison)
    assert "| accuracy | 100.0% | 75.0% | -25.0 pt ▼ |" in text
    assert "`handoff-0002` broke" in text

    cli = CliRunner().invoke(
        app, ["eval", "compare", str(tmp_path / "run-handoff"), str(tmp_path / "b"), "--plain"]
    )
    assert cli.exit_code == 0, cli.output
    assert "handoff-0002" in cli.output and "-25.0 pt" in cli.output


# -- the command line ----------------------------------------------------------------------


def test_cli_runs_a_dataset_by_path(tmp_path: Path) -> None:
    dataset = tmp_path / "my-cases.jsonl"
    shutil.copy(FIXTURES / "handoff_malformed.jsonl", dataset)
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "run",
            "handoff",
            "--dataset",
            str(dataset),
            "--out",
            str(tmp_path / "o"),
            "--plain",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "my-cases.jsonl:2" in result.output and "| handoff | 2 | 2 |" in result.output
    assert (tmp_path / "o" / "report.html").is_file()


def test_cli_refuses_bad_arguments(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "run", "nonsense"])
    assert result.exit_code == 1 and "unknown suite nonsense" in result.output
    result = runner.invoke(
        app, ["eval", "run", "email", "icp", "--dataset", str(FIXTURES / "email.jsonl")]
    )
    assert result.exit_code == 1 and "--dataset runs one suite" in result.output
    result = runner.invoke(app, ["eval", "run", "email", "--prompt", "reply_reader"])
    assert result.exit_code == 1 and "NODE=VERSION" in result.output
    result = runner.invoke(app, ["eval", "compare", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 1 and "summary.json not found" in result.output


def test_prompt_pins_are_parsed() -> None:
    assert parse_prompt_pins(["reply_reader=3", " llm_read_reply = default "]) == {
        "reply_reader": "3",
        "llm_read_reply": "default",
    }
    with pytest.raises(ValueError, match="'=3'"):
        parse_prompt_pins(["=3"])


# -- the LLM engine and its cache -----------------------------------------------------------

READING = {
    "intent": "interested",
    "purchase_interest": "high",
    "bant": {
        "budget": {
            "verdict": "met",
            "evidence": "have budget approved for a planning tool this quarter",
        },
        "authority": {"verdict": "unknown", "evidence": None},
        "need": {"verdict": "met", "evidence": "We struggle with stock-outs across our warehouses"},
        "timing": {"verdict": "unknown", "evidence": None},
    },
    "questions": [],
    "return_date": None,
    "check_in_date": None,
    "referral": None,
    "injection_suspected": False,
    "summary": "Interested, budget approved.",
}
MEETING = READING | {"intent": "meeting_request", "summary": "Asks for a call."}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAICompatibleServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with running_openai_server() as running:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", running.base_url)
        monkeypatch.setenv("QUALIFY_LLM_MAX_RETRIES", "0")
        get_settings.cache_clear()
        yield running
    get_settings.cache_clear()


def test_a_rerun_answers_from_the_cache_with_no_model_request(
    server: OpenAICompatibleServer, tmp_path: Path
) -> None:
    lines = (FIXTURES / "replies.jsonl").read_text().splitlines()
    dataset = tmp_path / "replies.jsonl"
    dataset.write_text(f"{lines[0]}\n{lines[3]}\n")  # interested, then a meeting request
    server.add_json(READING, prompt_tokens=300, completion_tokens=60)
    server.add_json(MEETING, prompt_tokens=280, completion_tokens=50)
    cache = tmp_path / "cache.sqlite"
    options = {"engine": "llm", "model": "gpt-4o-mini", "cache_path": cache}

    first = _run("replies", tmp_path, dataset, **options).suites[0]
    assert len(server.requests) == 2
    # structured output went through ChatOpenAI with the schema, and was cached
    assert server.requests[0].schema is not None
    assert [r.passed for r in first.results] == [True, True]
    assert [(r.tokens_in, r.tokens_out) for r in first.results] == [(300, 60), (280, 50)]
    assert [(r.llm_calls, r.cached_calls) for r in first.results] == [(1, 0), (1, 0)]
    # gpt-4o-mini list price: 300·0.15/1e6 + 60·0.60/1e6
    assert first.results[0].cost_usd == pytest.approx((300 * 0.15 + 60 * 0.60) / 1e6)
    assert SqliteLlmCache(cache).count() == 2

    second = _run("replies", tmp_path / "again", dataset, **options).suites[0]
    assert len(server.requests) == 2, "the re-run asked the model again"
    assert [r.got for r in second.results] == [r.got for r in first.results]
    assert [(r.llm_calls, r.cached_calls) for r in second.results] == [(1, 1), (1, 1)]
    assert all(r.cost_usd == 0.0 for r in second.results)
    assert second.metrics.usage.cached_calls == 2


def test_the_cache_key_holds_the_model(server: OpenAICompatibleServer, tmp_path: Path) -> None:
    dataset = tmp_path / "replies.jsonl"
    dataset.write_text((FIXTURES / "replies.jsonl").read_text().splitlines()[0] + "\n")
    cache = tmp_path / "cache.sqlite"
    server.add_json(READING)
    server.add_json(READING)
    _run("replies", tmp_path, dataset, engine="llm", model="model-a", cache_path=cache)
    _run("replies", tmp_path / "b", dataset, engine="llm", model="model-b", cache_path=cache)
    assert len(server.requests) == 2
    _run("replies", tmp_path / "c", dataset, engine="llm", model="model-a", cache_path=cache)
    assert len(server.requests) == 2


def test_a_failed_model_call_is_that_cases_error_not_an_offline_answer(
    server: OpenAICompatibleServer, tmp_path: Path
) -> None:
    dataset = tmp_path / "replies.jsonl"
    dataset.write_text((FIXTURES / "replies.jsonl").read_text().splitlines()[0] + "\n")
    server.fail_always(400)
    run = _run("replies", tmp_path, dataset, engine="llm", model="m", cache_path=tmp_path / "c")
    [result] = run.suites[0].results
    assert not result.passed and result.error and "EngineError" in result.error
    assert run.suites[0].metrics.errors == 1


def test_llm_engine_without_a_key_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "run",
            "handoff",
            "--engine",
            "llm",
            "--dataset",
            str(FIXTURES / "handoff.jsonl"),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 1 and "OPENAI_API_KEY" in result.output


def test_a_pinned_prompt_version_is_what_the_model_reads(
    server: OpenAICompatibleServer, tmp_path: Path
) -> None:
    versioning = pytest.importorskip("prompts.versioning")
    database_url = get_settings().resolved_database_url
    text = versioning.default_text("llm_read_reply").replace(
        "You read a sales lead's reply", "PINNED-V1. You read a sales lead's reply"
    )
    versioning.save_version(database_url, "llm_read_reply", text, "eval test", activate=False)
    dataset = tmp_path / "replies.jsonl"
    dataset.write_text((FIXTURES / "replies.jsonl").read_text().splitlines()[0] + "\n")
    server.add_json(READING)
    server.add_json(READING)
    options = {"engine": "llm", "model": "m", "use_cache": False}
    _run("replies", tmp_path, dataset, **options)
    assert "PINNED-V1" not in server.requests[0].prompt_text
    run = _run("replies", tmp_path / "b", dataset, prompt_pins={"reply_reader": "1"}, **options)
    assert "PINNED-V1" in server.requests[1].prompt_text
    assert run.prompt_versions == [("llm_read_reply", "1")]
