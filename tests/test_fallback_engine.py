"""FallbackEngine: an LlmEngine whose endpoint always fails, falling back to a rules engine."""

from __future__ import annotations

import time

import pytest

from core.findings import (
    AccountDigest,
    CompanyFacts,
    EmailCheck,
    LeadFacts,
    LeadResearch,
    OutreachDraft,
)
from core.icp_profile import FreeTextCriterion
from core.icp_verdicts import CriterionVerdict, FitLevel, IcpAssessment, Verdict
from graphs.reasoning.base import EngineError, ReasoningEngine
from graphs.reasoning.circuit_breaker import CircuitBreaker
from graphs.reasoning.fallback import FallbackEngine
from graphs.reasoning.llm.engine import LlmEngine
from graphs.reasoning.time_budget import lead_time_budget
from tests.openai_compatible_server import OpenAICompatibleServer
from tools.web_search.results import WebResult


class RulesEngine:
    """A tiny real engine: first sentences, keyword matching and a template."""

    name = "rules"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def digest_account(self, company_name: str, pages: list[WebResult]) -> AccountDigest:
        self.calls.append("digest_account")
        overview = " ".join(page.content.split(".")[0] + "." for page in pages)
        # Leaves `engine` at its default: the wrapper must label it.
        return AccountDigest(
            company_name=company_name,
            business_overview=overview or "Nothing found.",
            finances="No financial information in the sources.",
            sources=[page.url for page in pages],
        )

    def summarize_lead(self, research: LeadResearch) -> str:
        self.calls.append("summarize_lead")
        lead = research.lead
        return f"{lead.full_name} is {lead.job_title} at {lead.company_name}."

    def judge_free_text(
        self, criterion: FreeTextCriterion, company: CompanyFacts, digest: AccountDigest | None
    ) -> CriterionVerdict:
        self.calls.append("judge_free_text")
        text = digest.business_overview.lower() if digest else ""
        hit = next((word for word in criterion.keywords if word.lower() in text), None)
        return CriterionVerdict(
            criterion_id=criterion.id or criterion.kind,
            label=criterion.label or criterion.description,
            importance=criterion.importance,
            verdict=Verdict.MET if hit else Verdict.UNKNOWN,
            evidence=f"The overview mentions {hit!r}." if hit else "No keyword in the research.",
            source=digest.sources[0] if hit and digest and digest.sources else None,
        )

    def write_outreach(
        self, research: LeadResearch, icp: IcpAssessment, sender_name: str
    ) -> OutreachDraft:
        self.calls.append("write_outreach")
        first_name = research.lead.full_name.split()[0]
        return OutreachDraft(
            subject=research.lead.topic or "Hello",
            body=f"Hi {first_name},\n\nCould we meet next week?\n\n{sender_name}",
        )


class BrokenEngine(RulesEngine):
    """An engine with a bug: its errors are not engine failures and must not be hidden."""

    name = "broken"

    def summarize_lead(self, research: LeadResearch) -> str:
        raise KeyError("lead_id")


class FailingEngine(RulesEngine):
    """An engine that always reports an engine failure."""

    name = "failing"

    def summarize_lead(self, research: LeadResearch) -> str:
        raise EngineError("failing engine is down")


@pytest.fixture
def server(openai_server: OpenAICompatibleServer) -> OpenAICompatibleServer:
    return openai_server


def llm_engine(server: OpenAICompatibleServer) -> LlmEngine:
    return LlmEngine(
        "test-model", api_key="test-key", base_url=server.base_url, timeout_s=2, max_retries=1
    )


def research() -> LeadResearch:
    return LeadResearch(
        lead=LeadFacts(
            lead_id="lead-1",
            full_name="Ingrid Berg",
            job_title="VP Operations",
            company_name="Contoso Robotics",
            topic="Fleet analytics",
        ),
        email_check=EmailCheck(email=None, is_valid=False, validity_reason="No email."),
    )


def pages() -> list[WebResult]:
    return [
        WebResult(
            title="About",
            url="https://contoso.example/about",
            content="Contoso builds warehouse robots. It is based in Oslo.",
        )
    ]


def assessment() -> IcpAssessment:
    return IcpAssessment(
        fit_level=FitLevel.CLOSE,
        recommendation="Engage only after you've exhausted your best leads",
        score=0.6,
        reason="Right industry, size unknown.",
        verdicts=[],
    )


def test_every_method_falls_back_when_the_llm_keeps_failing(
    server: OpenAICompatibleServer,
) -> None:
    server.fail_always(500)
    rules = RulesEngine()
    # A breaker that stays closed: every method is asked of the model first.
    engine: ReasoningEngine = FallbackEngine(
        llm_engine(server), rules, breaker=CircuitBreaker(failures_to_trip=10)
    )
    criterion = FreeTextCriterion(id="robots", description="Builds robots", keywords=["robots"])

    digest = engine.digest_account("Contoso Robotics", pages())
    summary = engine.summarize_lead(research())
    verdict = engine.judge_free_text(criterion, CompanyFacts(), digest)
    draft = engine.write_outreach(research(), assessment(), "Sam Seller")

    assert engine.name == "llm:test-model (fallback rules)"
    assert rules.calls == ["digest_account", "summarize_lead", "judge_free_text", "write_outreach"]
    assert digest.business_overview == "Contoso builds warehouse robots."
    assert digest.engine == "rules"
    assert summary == "Ingrid Berg is VP Operations at Contoso Robotics."
    assert (verdict.verdict, verdict.source) == (Verdict.MET, "https://contoso.example/about")
    assert draft.subject == "Fleet analytics" and draft.body.endswith("Sam Seller")
    assert draft.engine == "rules"
    # Each failed call was tried once and retried once (max_retries=1).
    assert len(server.requests) == 8


def test_notes_say_what_failed_and_are_taken_once(server: OpenAICompatibleServer) -> None:
    server.fail_always(503)
    engine = FallbackEngine(llm_engine(server), RulesEngine())

    engine.summarize_lead(research())
    engine.digest_account("Contoso Robotics", pages())
    notes = engine.take_notes()

    assert len(notes) == 2
    assert notes[0].startswith("llm:test-model failed on summarize_lead (")
    assert notes[0].endswith("); used the rules engine")
    assert "503" in notes[0] and server.base_url in notes[0]
    assert "failed on digest_account" in notes[1]
    assert engine.take_notes() == []
    assert engine.notes == []


def test_a_working_llm_is_used_without_notes(server: OpenAICompatibleServer) -> None:
    server.add_json(
        {"subject": "Fleet analytics", "body": "Hi Ingrid,\n\nSam Seller", "grounded_on": []}
    )
    rules = RulesEngine()
    engine = FallbackEngine(llm_engine(server), rules)

    draft = engine.write_outreach(research(), assessment(), "Sam Seller")

    assert draft.engine == "llm:test-model"
    assert rules.calls == []
    assert engine.take_notes() == []


def test_bugs_in_the_primary_are_not_hidden() -> None:
    rules = RulesEngine()
    engine = FallbackEngine(BrokenEngine(), rules)

    with pytest.raises(KeyError):
        engine.summarize_lead(research())
    assert rules.calls == []
    assert engine.notes == []


def test_when_both_fail_the_fallback_error_is_raised() -> None:
    engine = FallbackEngine(FailingEngine(), FailingEngine())

    with pytest.raises(EngineError, match="failing engine is down"):
        engine.summarize_lead(research())
    assert engine.notes == []


def test_an_open_circuit_stops_asking_a_failing_llm(server: OpenAICompatibleServer) -> None:
    server.fail_always(500)
    breaker = CircuitBreaker(failures_to_trip=2, cool_down_s=3600)
    engine = FallbackEngine(llm_engine(server), RulesEngine(), breaker=breaker)

    for _ in range(4):
        assert engine.summarize_lead(research()).startswith("Ingrid Berg")

    assert breaker.state == "open"
    assert len(server.requests) == 4  # two failed calls, each tried twice; then skipped
    notes = engine.take_notes()
    assert [note.split(" (")[0].split(" after")[0] for note in notes] == [
        "llm:test-model failed on summarize_lead",
        "llm:test-model failed on summarize_lead",
        "llm:test-model skipped on summarize_lead",
        "llm:test-model skipped on summarize_lead",
    ]


def test_a_success_resets_the_failure_count(server: OpenAICompatibleServer) -> None:
    server.add_error(500, times=2)
    server.add_json({"summary": "From the model."})
    breaker = CircuitBreaker(failures_to_trip=2)
    engine = FallbackEngine(llm_engine(server), RulesEngine(), breaker=breaker)

    assert engine.summarize_lead(research()).startswith("Ingrid Berg")
    assert engine.failures_in_a_row == 1
    assert engine.summarize_lead(research()) == "From the model."
    assert engine.failures_in_a_row == 0 and breaker.state == "closed"


def test_after_the_cool_down_one_probe_closes_or_reopens_the_circuit() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures_to_trip=2, cool_down_s=60, clock=lambda: now[0])
    breaker.failed()
    breaker.failed()
    assert breaker.state == "open" and not breaker.allows()
    now[0] = 61
    assert breaker.allows() and not breaker.allows()  # one probe at a time
    breaker.failed()  # the probe failed: open for another cool-down
    assert breaker.state == "open" and not breaker.allows()
    now[0] = 122
    assert breaker.allows()
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.allows()


def test_a_spent_lead_budget_sends_the_rest_of_the_lead_to_the_fallback(
    server: OpenAICompatibleServer,
) -> None:
    server.add_json({"summary": "From the model."})
    engine = FallbackEngine(llm_engine(server), RulesEngine())
    with lead_time_budget(0.0):
        assert engine.summarize_lead(research()).startswith("Ingrid Berg")
    assert server.requests == [] and "0 s for the model were spent" in engine.take_notes()[0]
    with lead_time_budget(60.0):
        assert engine.summarize_lead(research()) == "From the model."


def test_a_429_with_retry_after_is_retried_after_that_wait(server: OpenAICompatibleServer) -> None:
    server.add_error(429, times=1, retry_after=1)
    server.add_json({"summary": "From the model."})
    engine = FallbackEngine(llm_engine(server), RulesEngine())
    started = time.monotonic()
    assert engine.summarize_lead(research()) == "From the model."  # the client's own retry
    assert time.monotonic() - started >= 0.9 and len(server.requests) == 2


def test_every_engine_on_an_endpoint_shares_one_request_pacer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.request_pacers import rate_limiter_for
    from core.settings import get_settings
    from graphs.context import Context
    from graphs.services import build_reasoning_engine

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("QUALIFY_LLM_REQUESTS_PER_MINUTE", "90")
    get_settings.cache_clear()
    engines = [build_reasoning_engine(Context(engine="llm", model=m)) for m in ("a", "b")]
    pacer = rate_limiter_for("http://127.0.0.1:9/v1", 90)
    assert pacer is not None and pacer.requests_per_second == 1.5
    for engine in engines:
        assert engine.primary._calls.chat_model().rate_limiter is pacer  # type: ignore[attr-defined]
    assert rate_limiter_for("http://127.0.0.1:9/v1", None) is None
