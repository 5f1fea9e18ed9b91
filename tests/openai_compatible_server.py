"""A scripted OpenAI-compatible chat server for tests (stdlib only, 127.0.0.1, any port).

It speaks `POST /v1/chat/completions` with the real response shape and answers from a
queue: a JSON object becomes the message content (``response_format`` json_schema or
plain requests) or a forced tool call's arguments (requests that carry ``tools``).
It can fail with an HTTP status or answer malformed output, and records every request.

    with running_openai_server() as server:
        server.add_json({"summary": "..."})
        engine = LlmEngine("test-model", api_key="test-key", base_url=server.base_url, ...)
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ScriptedReply:
    """One scripted answer: a JSON payload, raw (possibly malformed) text, or an HTTP error."""

    payload: dict[str, Any] | None = None
    raw_text: str | None = None
    status: int = 200
    retry_after: float | None = None  # seconds, sent as Retry-After with an error status
    prompt_tokens: int = 11
    completion_tokens: int = 7


@dataclass
class RecordedRequest:
    """A request the server received."""

    path: str
    headers: dict[str, str]  # names lowercased
    body: dict[str, Any]

    @property
    def prompt_text(self) -> str:
        """All message contents joined, to assert on what the model was shown."""
        parts: list[str] = []
        for message in self.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(block.get("text", "")) for block in content)
        return "\n".join(parts)

    @property
    def schema(self) -> dict[str, Any] | None:
        """The JSON schema sent, from ``response_format`` or the first tool."""
        response_format = self.body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            return response_format["json_schema"].get("schema")
        tools = self.body.get("tools") or []
        if tools:
            return tools[0]["function"].get("parameters")
        return None


@dataclass
class OpenAICompatibleServer:
    """State shared with the request handler: the script and the requests log."""

    replies: deque[ScriptedReply] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    always_fail_status: int | None = None
    always_hang_s: float | None = None
    latency_s: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """What to pass as the OpenAI client's ``base_url``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def add_json(
        self, payload: dict[str, Any], *, prompt_tokens: int = 11, completion_tokens: int = 7
    ) -> None:
        """Queue a well-formed structured answer."""
        self.replies.append(
            ScriptedReply(
                payload=payload, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
        )

    def add_malformed(self, text: str = '{"summary": "cut off', *, times: int = 1) -> None:
        """Queue answers whose content (or tool arguments) is not valid for the schema."""
        for _ in range(times):
            self.replies.append(ScriptedReply(raw_text=text))

    def add_error(
        self, status: int = 500, *, times: int = 1, retry_after: float | None = None
    ) -> None:
        """Queue HTTP error answers (with a Retry-After header, if given)."""
        for _ in range(times):
            self.replies.append(ScriptedReply(status=status, retry_after=retry_after))

    def hang_always(self, seconds: float) -> None:
        """Accept every request and answer nothing for `seconds` (a hung endpoint)."""
        self.always_hang_s = seconds

    def fail_always(self, status: int = 500) -> None:
        """Answer every request with this HTTP status from now on."""
        self.always_fail_status = status

    def next_reply(self, request: RecordedRequest) -> ScriptedReply:
        """Record the request and pop the answer to it."""
        with self._lock:
            self.requests.append(request)
            if self.always_fail_status is not None:
                return ScriptedReply(status=self.always_fail_status)
            if not self.replies:
                # 400 so the client does not retry: the test forgot to script an answer.
                return ScriptedReply(status=400, raw_text="no scripted reply left")
            return self.replies.popleft()


def completion_body(request: dict[str, Any], reply: ScriptedReply) -> dict[str, Any]:
    """The chat.completion object answering `request` with `reply`."""
    text = reply.raw_text if reply.raw_text is not None else json.dumps(reply.payload)
    tools = request.get("tools") or []
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if tools:
        tool_name = tools[0]["function"]["name"]
        choice = request.get("tool_choice")
        if isinstance(choice, dict):
            tool_name = choice.get("function", {}).get("name", tool_name)
        message["tool_calls"] = [
            {
                "id": f"call_{int(time.time() * 1000)}",
                "type": "function",
                "function": {"name": tool_name, "arguments": text},
            }
        ]
        finish_reason = "tool_calls"
    else:
        message["content"] = text
        finish_reason = "stop"
    return {
        "id": f"chatcmpl-test-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "test-model"),
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def _handler_for(state: OpenAICompatibleServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

        def _send(
            self, status: int, body: dict[str, Any], retry_after: float | None = None
        ) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", f"{retry_after:g}")
            else:
                # The openai client honours this, so retried tests stay fast.
                self.send_header("retry-after-ms", "10")
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "x"}})
                return
            headers = {key.lower(): value for key, value in self.headers.items()}
            request = RecordedRequest(path=self.path, headers=headers, body=body)
            reply = state.next_reply(request)
            if state.latency_s:
                with state._lock:
                    state.in_flight += 1
                    state.max_in_flight = max(state.max_in_flight, state.in_flight)
                time.sleep(state.latency_s)  # a model thinking: requests overlap meanwhile
                with state._lock:
                    state.in_flight -= 1
            if state.always_hang_s is not None:
                time.sleep(state.always_hang_s)  # the client gives up first
                return
            if reply.status != 200:
                message = reply.raw_text or f"scripted failure {reply.status}"
                error = {"message": message, "type": "server_error", "param": None, "code": None}
                self._send(reply.status, {"error": error}, reply.retry_after)
                return
            self._send(200, completion_body(body, reply))

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """Says nothing when a client hangs up mid-answer (a killed worker, a timed-out call)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextmanager
def running_openai_server() -> Iterator[OpenAICompatibleServer]:
    """Run the scripted server on a free port in a background thread for the block."""
    state = OpenAICompatibleServer()
    httpd = _QuietServer(("127.0.0.1", 0), _handler_for(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    # A short poll interval keeps shutdown (and so each test's teardown) quick.
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.02,), name="openai-test-server", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def llm_engine_for(server: OpenAICompatibleServer, method: str = "json_schema") -> Any:
    """An LlmEngine talking to `server` with short timeouts and one retry."""
    from graphs.reasoning.llm.engine import LlmEngine

    return LlmEngine(
        "test-model",
        api_key="test-key",
        base_url=server.base_url,
        timeout_s=5,
        max_retries=1,
        method=method,  # type: ignore[arg-type]
    )
