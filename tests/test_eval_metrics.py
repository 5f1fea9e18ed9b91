"""Eval metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from evals.metrics import (
    accuracy,
    calibration,
    confusion_matrix,
    macro_f1,
    per_class_scores,
    percentile,
    span_overlap,
    summarize,
    token_f1,
)
from evals.schemas import CaseResult, FieldCheck, SpanPair

# Ten cases, three classes:
#   expected: a a a a b b b c c c
#   given:    a a b b b c c c c a
EXPECTED = list("aaaabbbccc")
GIVEN = list("aabbbcccca")


def test_confusion_matrix_rows_are_expected_columns_given() -> None:
    matrix = confusion_matrix(EXPECTED, GIVEN)
    # a: 2 right, 2 given as b; b: 1 right, 2 given as c; c: 1 given as a, 2 right.
    assert matrix.labels == ["a", "b", "c"]
    assert matrix.counts == [[2, 2, 0], [0, 1, 2], [1, 0, 2]]
    assert matrix.count("c", "a") == 1


def test_precision_recall_f1_and_macro_f1_by_hand() -> None:
    scores = per_class_scores(confusion_matrix(EXPECTED, GIVEN))
    # a: precision 2/(2+0+1) = 2/3, recall 2/4 = 1/2, F1 = 2·(2/3·1/2)/(2/3+1/2) = 4/7
    assert scores["a"].precision == pytest.approx(2 / 3)
    assert scores["a"].recall == pytest.approx(1 / 2)
    assert scores["a"].f1 == pytest.approx(4 / 7)
    # b: precision 1/(2+1+0) = 1/3, recall 1/3, F1 = 1/3
    assert scores["b"].precision == pytest.approx(1 / 3)
    assert scores["b"].recall == pytest.approx(1 / 3)
    assert scores["b"].f1 == pytest.approx(1 / 3)
    # c: precision 2/(0+2+2) = 1/2, recall 2/3, F1 = 2·(1/2·2/3)/(1/2+2/3) = 4/7
    assert scores["c"].precision == pytest.approx(1 / 2)
    assert scores["c"].recall == pytest.approx(2 / 3)
    assert scores["c"].f1 == pytest.approx(4 / 7)
    assert (scores["a"].support, scores["a"].predicted) == (4, 3)
    # macro-F1 = (4/7 + 1/3 + 4/7) / 3 = 31/63
    assert macro_f1(scores) == pytest.approx(31 / 63)
    # accuracy = 5 right of 10
    assert accuracy(EXPECTED, GIVEN) == pytest.approx(0.5)


def test_a_class_never_given_has_precision_zero_not_an_error() -> None:
    scores = per_class_scores(confusion_matrix(["x", "y"], ["x", "x"]))
    assert scores["y"].precision == 0.0 and scores["y"].recall == 0.0 and scores["y"].f1 == 0.0
    # x: precision 1/2, recall 1 -> F1 2/3; macro over x and y = 1/3
    assert macro_f1(scores) == pytest.approx(1 / 3)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="3 expected values but 2 given"):
        confusion_matrix(["a", "b", "c"], ["a", "b"])


def test_token_f1_of_evidence_spans() -> None:
    # expected tokens: budget approved for q3 (4); given: we have budget approved (4);
    # common: budget, approved (2) -> precision 2/4, recall 2/4, F1 1/2
    assert token_f1("budget approved for Q3", "We have budget approved") == pytest.approx(0.5)
    assert token_f1("Budget approved.", "budget   approved") == 1.0
    assert token_f1("budget approved", None) == 0.0
    overlap = span_overlap(
        [
            ("budget", "budget approved for Q3", "We have budget approved"),
            ("need", "stock-outs hurt", "Stock-outs hurt"),
            ("timing", "this quarter", None),
        ]
    )
    # mean of 0.5, 1 and 0 = 0.5; one exact match of three; one missing of three
    assert overlap.mean_token_f1 == pytest.approx(0.5)
    assert overlap.exact_match == pytest.approx(1 / 3)
    assert overlap.missing == pytest.approx(1 / 3)
    assert overlap.by_name == {"budget": 0.5, "need": 1.0, "timing": 0.0}


def test_calibration_bins_brier_and_ece_by_hand() -> None:
    scores = [0.1, 0.3, 0.9, 0.8, 0.5]
    outcomes = [False, False, True, False, True]
    cal = calibration(scores, outcomes, bins=5)
    # Brier = (0.1² + 0.3² + 0.1² + 0.8² + 0.5²) / 5 = (0.01+0.09+0.01+0.64+0.25)/5 = 0.2
    assert cal.brier == pytest.approx(0.2)
    # bins of 0.2: [0,.2) {0.1: no}, [.2,.4) {0.3: no}, [.4,.6) {0.5: yes}, [.8,1] {0.9 yes,
    # 0.8 no}. ECE = 1/5·0.1 + 1/5·0.3 + 1/5·0.5 + 2/5·|0.85-0.5| = 0.02+0.06+0.1+0.14 = 0.32
    assert cal.ece == pytest.approx(0.32)
    assert [b.count for b in cal.bins] == [1, 1, 1, 0, 2]
    assert cal.bins[4].mean_score == pytest.approx(0.85)
    assert cal.bins[4].positive_rate == pytest.approx(0.5)
    assert cal.bins[3].mean_score is None
    # A perfect score of 1 lands in the last bin, not past it.
    assert calibration([1.0], [True], bins=5).bins[4].count == 1
    with pytest.raises(ValueError, match="outside"):
        calibration([1.2], [True])


def test_percentiles_interpolate_between_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, 50) == pytest.approx(25.0)  # halfway between 20 and 30
    assert percentile(values, 95) == pytest.approx(38.5)  # rank 2.85: 30 + 0.85·10
    assert percentile([], 50) == 0.0


def _result(case_id: str, expected: str, got: str, **extra: object) -> CaseResult:
    return CaseResult(
        id=case_id,
        suite="icp",
        label_expected=expected,
        label_got=got,
        passed=expected == got,
        fields={"fit_level": FieldCheck(expected=expected, got=got, match=expected == got)},
        **extra,  # type: ignore[arg-type]
    )


def test_summarize_a_suite() -> None:
    results = [
        _result(
            "1",
            "exact",
            "exact",
            score=0.9,
            latency_ms=10,
            tokens_in=100,
            tokens_out=20,
            cost_usd=0.002,
            llm_calls=1,
        ),
        _result(
            "2",
            "none",
            "close",
            score=0.6,
            latency_ms=30,
            tokens_in=50,
            tokens_out=10,
            cost_usd=0.001,
            llm_calls=1,
            cached_calls=1,
        ),
        _result(
            "3",
            "close",
            "close",
            score=0.55,
            latency_ms=20,
            spans=[SpanPair(name="need", expected="stock outs", got="stock outs")],
        ),
    ]
    m = summarize("icp", results)
    assert (m.cases, m.passed, m.errors) == (3, 2, 0)
    assert m.accuracy == pytest.approx(2 / 3)
    # close: precision 1/2, recall 1 -> 2/3; exact: 1; none: 0 -> macro (2/3 + 1 + 0)/3
    assert m.macro_f1 == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert m.field_accuracy == {"fit_level": pytest.approx(2 / 3)}
    assert m.calibration is not None and m.calibration.cases == 3
    # Brier against "expected exact": (0.1² + 0.6² + 0.55²)/3
    assert m.calibration.brier == pytest.approx((0.01 + 0.36 + 0.3025) / 3)
    assert m.spans is not None and m.spans.mean_token_f1 == 1.0
    assert m.usage.latency_p50_ms == 20 and m.usage.tokens_in_per_case == pytest.approx(50)
    assert m.usage.cost_usd_total == pytest.approx(0.003)
    assert (m.usage.llm_calls, m.usage.cached_calls) == (2, 1)
    assert not math.isnan(m.usage.latency_p95_ms)
