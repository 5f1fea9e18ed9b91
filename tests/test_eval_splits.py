"""Dev and test splits: where they are found, how a split's files load as one dataset, the
end-to-end hand-off case (reply → reading → rules) and dev beside test in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import evals.dataset_loader as dataset_loader
from app.cli.main import app
from evals.dataset_loader import load_datasets, split_datasets
from evals.report import markdown_report
from evals.run_folder import load_run
from evals.runner import RunOptions, run_eval
from evals.schemas import HandoffCase
from graphs.knowledge.product_catalog import product_faq, shipped_products

OUTREACH = {"subject": "Fewer no-shows", "body": "Hi, would reminders help your clinic?"}


def _handoff_reply_case(case_id: str, reply: str, **expected: object) -> dict:
    return {
        "id": case_id,
        "source": "hand-written (unit test)",
        "input": {
            "product": "clinicflow",
            "reply": reply,
            "outreach": OUTREACH,
            "job_title": "Practice Manager",
            "received_on": "2026-03-04T09:00:00Z",
            "headers": {},
            "fit_level": "exact",
        },
        "expected": {"target": None, "rule": None} | expected,
    }


def _write(path: Path, cases: list[dict]) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return path


def test_dev_is_the_suite_file_and_test_the_frozen_files() -> None:
    assert split_datasets("replies", "dev") == [dataset_loader.DATASETS_DIR / "replies.jsonl"]
    test = split_datasets("replies", "test")
    assert test and all(
        p.parent.name == "frozen" and p.name.startswith("replies-test") for p in test
    )
    assert split_datasets("journeys", "test") == []  # a suite with no frozen split yet
    with pytest.raises(ValueError, match="use dev or test"):
        split_datasets("replies", "train")


def test_a_split_in_several_files_loads_as_one_and_refuses_a_repeated_id(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.jsonl", [_handoff_reply_case("handoff-test-0001", "Yes.")])
    second = _write(
        tmp_path / "b.jsonl",
        [
            _handoff_reply_case("handoff-test-0002", "No."),
            _handoff_reply_case("handoff-test-0001", "Again."),
        ],
    )
    dataset = load_datasets([first, second], "handoff")
    assert [c.id for c in dataset.cases] == ["handoff-test-0001", "handoff-test-0002"]
    [problem] = dataset.problems
    assert problem.case_id == "handoff-test-0001" and "also used in" in problem.message


def test_a_handoff_case_gives_facts_or_a_reply_never_both() -> None:
    case = HandoffCase.model_validate(_handoff_reply_case("handoff-test-0001", "Hi"))
    assert case.input.reply is not None and case.input.reply.product == "clinicflow"
    both = _handoff_reply_case("handoff-test-0002", "Hi")
    both["input"] = {"facts": {}, "reply": both["input"]}
    with pytest.raises(ValidationError, match="either `facts` or a reply"):
        HandoffCase.model_validate(both)


def test_end_to_end_the_reply_is_read_then_the_product_faq_and_rules_decide(
    tmp_path: Path,
) -> None:
    cases = [
        _handoff_reply_case(
            "handoff-test-0001",
            "Could we talk on Thursday at 10am? I'd like to see the reminders.",
            target="seller",
            rule="meeting_request",
            intent="meeting_request",
        ),
        # Clinicflow's FAQ answers pricing: the agent keeps talking.
        _handoff_reply_case(
            "handoff-test-0002", "What does it cost per practitioner?", intent="question"
        ),
        # Nothing in Clinicflow's FAQ covers a veterinary module: the seller answers.
        _handoff_reply_case(
            "handoff-test-0003",
            "Do you have a module for veterinary clinics?",
            target="seller",
            rule="unanswered_question",
        ),
    ]
    dataset = _write(tmp_path / "handoff-e2e.jsonl", cases)
    run = run_eval(RunOptions(suites=["handoff"], dataset=dataset, engine="offline"))
    [suite] = run.suites
    got = {r.id: (r.got["rule"], r.got["intent"], r.passed) for r in suite.results}
    assert got == {
        "handoff-test-0001": ("meeting_request", "meeting_request", True),
        "handoff-test-0002": (None, "question", True),
        "handoff-test-0003": ("unanswered_question", "question", True),
    }
    assert suite.results[0].fields["intent"].match


def test_every_product_has_a_faq_and_an_unknown_one_is_named() -> None:
    assert set(shipped_products()) >= {"northwind", "clinicflow", "fleetline", "ledgerly"}
    assert product_faq("fleetline").match("how much is it per vehicle?") is not None
    with pytest.raises(ValueError, match="known: clinicflow, fleetline"):
        product_faq("acme")


def test_the_report_puts_dev_beside_test_with_the_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = tmp_path / "frozen"
    frozen.mkdir()
    monkeypatch.setattr(dataset_loader, "TEST_DIR", frozen)
    _write(
        frozen / "handoff-test-x.jsonl",
        [_handoff_reply_case("handoff-test-0001", "Please remove me from your list.")],
    )
    run = run_eval(RunOptions(suites=["handoff"], engine="offline", out_dir=tmp_path / "run"))
    assert [s.label for s in run.suites] == ["handoff (dev)", "handoff (test)"]
    # Each split keeps its own results, and the folder reads back the same.
    assert (tmp_path / "run" / "results-handoff-dev.jsonl").is_file()
    assert (tmp_path / "run" / "results-handoff-test.jsonl").is_file()
    loaded = load_run(tmp_path / "run")
    assert [len(s.results) for s in loaded.suites] == [len(s.results) for s in run.suites]
    report = markdown_report(run)
    dev = run.suites[0].metrics.accuracy
    assert run.suites[1].metrics.accuracy == 0.0
    assert f"| handoff | {dev:.1%} | 0.0% | +{dev * 100:.1f} pts |" in report


def test_cli_refuses_an_unknown_split() -> None:
    result = CliRunner().invoke(app, ["eval", "run", "handoff", "--split", "train"])
    assert result.exit_code != 0
    assert "use 'dev' or 'test'" in result.output


def test_a_country_the_faq_covers_by_region_or_in_another_language_is_answered() -> None:
    faq = product_faq("fleetline")  # its coverage answer: the EU, the UK, Mexico and Brazil
    assert faq.answer_for("Funktioniert das auch in Irland und Spanien?") is not None
    assert faq.answer_for("Vos boîtiers fonctionnent-ils au Mexique ?") is not None
    assert faq.answer_for("¿El equipo funciona en Colombia?") is None


def test_names_the_faq_knows_in_context_do_not_leave_a_question_unanswered() -> None:
    northwind, ledgerly = product_faq("northwind"), product_faq("ledgerly")
    # A competitor named as context, a region the answers cover, a known product's full name.
    assert northwind.answer_for("We looked at Relex; how long does implementation take?")
    assert product_faq("clinicflow").answer_for("Are patient data hosted in Europe?")
    assert ledgerly.answer_for("Typical implementation time with Dynamics 365 Business Central?")
    assert ledgerly.answer_for("Do you integrate with Xero?") is None
