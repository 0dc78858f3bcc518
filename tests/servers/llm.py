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
    finish_reason: str = "stop"
    served_model: str | None = None  # the name the server answers with; the requested one if None


def answer(content: str, **kwargs: Any) -> Step:
    return Step(content=content, **kwargs)


def error(
    status: int, *, retry_after: str | None = None, body: str = '{"error": {"message": "scripted"}}'
) -> Step:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return Step(status=status, body=body, headers=headers)


def hang(seconds: float) -> Step:
    return Step(content="{}", delay=seconds)


def cut_off(content: str, **kwargs: Any) -> Step:
    """An answer stopped at max_tokens or at the end of the window."""
    return Step(content=content, finish_reason="length", **kwargs)


# Error bodies as each server shapes them (texts written for these tests).


def llamacpp_context(n_prompt: int, n_ctx: int) -> Step:
    """llama.cpp's llama-server: a prompt past the slot's window."""
    body = {
        "error": {
            "code": 400,
            "message": f"the request ({n_prompt:,} tokens) exceeds the available context "
            f"size ({n_ctx:,} tokens), try increasing it",
            "type": "exceed_context_size_error",
            "n_prompt_tokens": n_prompt,
            "n_ctx": n_ctx,
        }
    }
    return error(400, body=json.dumps(body))


def openai_style_context(window: int, messages: int, completion: int) -> Step:
    """llama-cpp-python's server and OpenAI: the same sentence, in an OpenAI error."""
    body = {
        "error": {
            "message": f"This model's maximum context length is {window} tokens. However, you "
            f"requested {messages + completion} tokens ({messages} in the messages, "
            f"{completion} in the completion). Please reduce the length of the messages "
            "or completion.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }
    return error(400, body=json.dumps(body))


def vllm_context(window: int, requested: int) -> Step:
    """vLLM: a flat error object."""
    body = {
        "object": "error",
        "message": f"This model's maximum context length is {window} tokens. However, you "
        f"requested {requested} tokens in the messages. Please reduce the length.",
        "type": "BadRequestError",
        "param": None,
        "code": 400,
    }
    return error(400, body=json.dumps(body))


def ollama_unknown_model(name: str) -> Step:
    return error(404, body=json.dumps({"error": f'model "{name}" not found, try pulling it first'}))


def openai_unknown_model(name: str) -> Step:
    body = {
        "error": {
            "message": f"The model `{name}` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
    }
    return error(404, body=json.dumps(body))


def json_mode_refused() -> Step:
    body = {
        "error": {
            "message": "response_format of type json_object is not supported by this server",
            "type": "invalid_request_error",
            "param": "response_format",
        }
    }
    return error(400, body=json.dumps(body))


def auth_refused(key: str) -> Step:
    """OpenAI's wording echoes part of the key: the bot must mask it."""
    body = {
        "error": {
            "message": f"Incorrect API key provided: {key}. You can find your API key "
            "in your account settings.",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    return error(401, body=json.dumps(body))


def not_found_page() -> Step:
    """A base URL without /v1: the server's plain 404."""
    return Step(
        status=404,
        body="<html><body><h1>404 Not Found</h1>File Not Found</body></html>",
        headers={"Content-Type": "text/html"},
    )


Responder = Callable[[dict[str, Any]], Step]


class ScriptedLLM:
    def __init__(self, web: WebServer):
        self.web = web
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self.default: Responder | None = None
        self.calls: list[dict[str, Any]] = []  # the JSON body of every chat request
        self.call_times: list[float] = []  # time.monotonic() when each one arrived
        # Chat calls the server holds now (answering takes each step's delay), and the most
        # it ever held at once: what a concurrency limit is measured by.
        self.in_flight = 0
        self.max_in_flight = 0
        web.route("/v1/chat/completions", self._handle)

    def speak_as_llamacpp(self, n_ctx: int) -> None:
        """Answer /props as llama-server does, with this window per slot."""
        props = {"default_generation_settings": {"n_ctx": n_ctx}, "total_slots": 1}
        self.web.route("/props", Reply(body=json.dumps(props)))

    def speak_as_ollama(self, *, num_ctx: int | None = None, trained: int = 32768) -> None:
        """Answer /api/version and /api/show as Ollama does (num_ctx when the Modelfile sets it)."""
        show = {
            "parameters": f"num_ctx {num_ctx}\nstop <|im_end|>" if num_ctx else "",
            "model_info": {"general.architecture": "llama", "llama.context_length": trained},
        }
        self.web.route("/api/version", Reply(body=json.dumps({"version": "0.9.0"})))
        self.web.route("/api/show", Reply(body=json.dumps(show)))

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
            self.call_times.append(time.monotonic())
            if self._steps:
                return self._steps.popleft()
        if self.default:
            return self.default(request)
        return error(500, body='{"error": {"message": "script exhausted"}}')

    def _handle(self, recorded: RecordedRequest) -> Reply:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        request = json.loads(recorded.body or b"{}")
        try:
            step = self._next(request)
            self.web._pause(step.delay)  # held here, so that in_flight counts it
        finally:
            with self._lock:
                self.in_flight -= 1
        return self._reply(step, request)

    def _reply(self, step: Step, request: dict[str, Any]) -> Reply:
        if step.body is not None or step.status != 200:
            return Reply(
                status=step.status,
                body=step.body or "",
                headers={"Content-Type": "application/json", **step.headers},
            )
        completion = {
            "id": f"chatcmpl-{len(self.calls)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": step.served_model or request.get("model", "scripted"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": step.finish_reason,
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
            headers={"Content-Type": "application/json", **step.headers},
        )


@pytest.fixture
def llm() -> Iterator[ScriptedLLM]:
    with WebServer() as web:
        yield ScriptedLLM(web)
