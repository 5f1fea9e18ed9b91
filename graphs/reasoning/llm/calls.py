"""The model call: building the chat model, asking for a structured answer, recording it.

ChatOpenAI retries a failed request itself (`max_retries`); every answer's tokens are
added to the usage counters and recorded in the step's trace with their estimated cost.
Whatever goes wrong surfaces as an EngineError naming the model, the endpoint and the task.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Literal, TypeVar

import httpx
import openai
from langchain_core.exceptions import LangChainException, OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.rate_limiters import BaseRateLimiter
from pydantic import BaseModel, ValidationError

from core.trace_records import LlmCall, record_llm_call
from graphs.reasoning.base import EngineError
from graphs.reasoning.llm_pricing import estimate_cost

StructuredMethod = Literal["json_schema", "function_calling"]
"""How ChatOpenAI asks for structured output: strict `response_format`, or a forced tool call."""

_Out = TypeVar("_Out", bound=BaseModel)

REPAIR_PROMPT = (
    "Your answer could not be read as {schema}: {error}\n"
    "Answer again with the same content, as {schema} only, with every required field and "
    "only the allowed values."
)


class StructuredCalls:
    """Structured calls to one chat model on an OpenAI-compatible endpoint, with usage."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str,
        base_url: str | None,
        timeout_s: float,
        max_retries: int,
        chat_model: BaseChatModel | None,
        method: StructuredMethod,
        rate_limiter: BaseRateLimiter | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.method: StructuredMethod = method
        self.last_usage: dict[str, Any] = {}
        self.usage: dict[str, int] = {"tokens_in": 0, "tokens_out": 0, "calls": 0}
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._chat_model = chat_model
        self._rate_limiter = rate_limiter
        self._lock = threading.Lock()

    def chat_model(self) -> BaseChatModel:
        """The chat model, built on first use unless one was injected."""
        if self._chat_model is None:
            from langchain_openai import ChatOpenAI

            try:
                self._chat_model = ChatOpenAI(
                    model=self.model,
                    api_key=self._api_key,
                    base_url=self.base_url,
                    timeout=self._timeout_s,
                    max_retries=self._max_retries,
                    temperature=0,
                    rate_limiter=self._rate_limiter,
                )
            except (ValueError, openai.OpenAIError) as exc:
                raise EngineError(f"{self._where()}: cannot set up the chat model: {exc}") from exc
        return self._chat_model

    def ask(self, task: str, prompt: str, schema: type[_Out]) -> _Out:
        """Send one prompt and return the validated structured answer, or raise EngineError.

        An answer that does not parse is sent back once with what was wrong (a repair
        prompt): models often fix a missing field or a wrong enum value when told.
        """
        runnable = self.chat_model().with_structured_output(
            schema, method=self.method, include_raw=True
        )
        messages: list[BaseMessage] = [HumanMessage(content=prompt)]
        result = self._invoke(task, runnable, messages)
        problem = _parse_problem(result, schema)
        if problem is not None:
            raw = result.get("raw")
            answer = str(getattr(raw, "content", "") or "") or _tool_arguments(raw)
            # When the parser raised, its error quotes the answer; the model sees that.
            messages += [
                AIMessage(content=answer or "(no answer)"),
                HumanMessage(content=REPAIR_PROMPT.format(schema=schema.__name__, error=problem)),
            ]
            result = self._invoke(task, runnable, messages)
        error = result.get("parsing_error")
        parsed = result.get("parsed")
        if error is not None:
            raise EngineError(
                f"{self._where()} failed on {task}: the answer does not match "
                f"{schema.__name__}, even after a repair prompt: {_describe(error)}"
            ) from error
        if not isinstance(parsed, schema):
            raise EngineError(
                f"{self._where()} failed on {task}: no {schema.__name__} in the answer "
                f"({_why_unparsed(result.get('raw'))}); if the server ignores "
                f"method={self.method!r}, try the other structured-output method"
            ) from OutputParserException("no structured output")
        return parsed

    def _invoke(self, task: str, runnable: Any, messages: list[BaseMessage]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            result = runnable.invoke(messages)
        except (ValidationError, OutputParserException, json.JSONDecodeError) as exc:
            # With a strict response format the parser raises instead of reporting.
            return {"raw": None, "parsed": None, "parsing_error": exc}
        except (
            openai.OpenAIError,
            httpx.HTTPError,
            LangChainException,  # ModelError and the like
        ) as exc:
            raise EngineError(f"{self._where()} failed on {task}: {_describe(exc)}") from exc
        self._record(task, result.get("raw"), (time.perf_counter() - started) * 1000)
        return result

    def _record(self, task: str, raw: Any, duration_ms: float = 0.0) -> None:
        usage = getattr(raw, "usage_metadata", None) or {}
        tokens_in = int(usage.get("input_tokens", 0) or 0)
        tokens_out = int(usage.get("output_tokens", 0) or 0)
        with self._lock:
            self.last_usage = {
                "task": task,
                "model": self.model,
                "tokens_in": tokens_in,
                "tokens_out": tokens_out,
            }
            self.usage["tokens_in"] += tokens_in
            self.usage["tokens_out"] += tokens_out
            self.usage["calls"] += 1
        record_llm_call(
            LlmCall(
                task=task,
                model=self.model,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                cost_usd=estimate_cost(self.model, tokens_in, tokens_out),
                duration_ms=duration_ms,
            )
        )

    def _where(self) -> str:
        return f"LLM engine (model {self.model!r} at {self.base_url or 'the OpenAI API'})"


def _parse_problem(result: dict[str, Any], schema: type[BaseModel]) -> str | None:
    """What is wrong with a structured answer, or None when it parsed."""
    error = result.get("parsing_error")
    if error is not None:
        return _describe(error)
    if not isinstance(result.get("parsed"), schema):
        return _why_unparsed(result.get("raw"))
    return None


def _tool_arguments(raw: Any) -> str:
    """The arguments of the raw answer's (invalid) tool call, to show the model its answer."""
    calls = list(getattr(raw, "tool_calls", None) or []) + list(
        getattr(raw, "invalid_tool_calls", None) or []
    )
    if not calls:
        return ""
    args = calls[0].get("args")
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


def _why_unparsed(raw: Any) -> str:
    """What the raw answer held instead of a structured one."""
    invalid = getattr(raw, "invalid_tool_calls", None)
    if invalid:
        return f"tool call arguments are not valid JSON: {_short(invalid[0].get('error') or '?')}"
    content = getattr(raw, "content", "")
    if content:
        return f"plain text instead: {_short(str(content))}"
    return "an empty answer"


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_short(str(exc))}"
