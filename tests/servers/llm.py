"""A scripted OpenAI-compatible server on 127.0.0.1, built on the test WebServer.

The official openai client talks to it over HTTP, exactly as it would to
OpenAI, Mistral, Ollama, vLLM or llama.cpp. Each chat call takes the next
step of the script: an answer, an HTTP error (429 with Retry-After, 5xx), a
garbled body, or a hang. When the script runs out, ``default`` answers (if
set), else the call fails with 500 so a test never passes by accident.

    llm.script(answer(json.dumps(draft)), error(429, retry_after="1"), answer("..."))
    env = {"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "test-key"}
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.servers.web import RecordedRequest, Reply, WebServer


@dataclass
class Step:
    status: int = 200
    content: str | None = None  # the assistant message, for a 200
    body: str | None = None  # raw body instead of a completion (garbled answers)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 900
    completion_tokens: int = 1200


def answer(content: str, **kwargs: Any) -> Step:
    return Step(content=content, **kwargs)


def error(
    status: int, *, retry_after: str | None = None, body: str = '{"error": {"message": "scripted"}}'
) -> Step:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return Step(status=status, body=body, headers=headers)


def hang(seconds: float) -> Step:
    return Step(content="{}", delay=seconds)


Responder = Callable[[dict[str, Any]], Step]


class ScriptedLLM:
    def __init__(self, web: WebServer):
        self.web = web
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self.default: Responder | None = None
        self.calls: list[dict[str, Any]] = []  # the JSON body of every chat request
        web.route("/v1/chat/completions", self._handle)

    @property
    def base_url(self) -> str:
        return f"{self.web.url}/v1"

    def script(self, *steps: Step) -> None:
        with self._lock:
            self._steps.extend(steps)

    @property
    def remaining(self) -> int:
        return len(self._steps)

    def _next(self, request: dict[str, Any]) -> Step:
        with self._lock:
            self.calls.append(request)
            if self._steps:
                return self._steps.popleft()
        if self.default:
            return self.default(request)
        return error(500, body='{"error": {"message": "script exhausted"}}')

    def _handle(self, recorded: RecordedRequest) -> Reply:
        request = json.loads(recorded.body or b"{}")
        step = self._next(request)
        if step.body is not None or step.status != 200:
            return Reply(
                status=step.status,
                body=step.body or "",
                delay=step.delay,
                headers={"Content-Type": "application/json", **step.headers},
            )
        completion = {
            "id": f"chatcmpl-{len(self.calls)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "scripted"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": step.content},
                }
            ],
            "usage": {
                "prompt_tokens": step.prompt_tokens,
                "completion_tokens": step.completion_tokens,
                "total_tokens": step.prompt_tokens + step.completion_tokens,
            },
        }
        return Reply(
            body=json.dumps(completion),
            delay=step.delay,
            headers={"Content-Type": "application/json", **step.headers},
        )


@pytest.fixture
def llm() -> Iterator[ScriptedLLM]:
    with WebServer() as web:
        yield ScriptedLLM(web)
