"""The context budget: how big the server's window is, how many tokens a prompt
takes, and what max_tokens leaves the answer room without overflowing.

The window is `[llm] context_tokens` when the newsroom set it; else what the
server says of itself: llama.cpp's `/props` (its slot's n_ctx), Ollama's
`/api/show` (the model's num_ctx, or its trained length capped at OLLAMA_WINDOW,
which the bot then sends as num_ctx so Ollama never cuts the prompt silently).
Other servers (OpenAI, vLLM) do not say: without context_tokens the bot learns
the window from the first overflow error that names it.

Counting: the server's own tokenizer when it has one (llama.cpp's `/tokenize`,
llama-cpp-python's `/extras/tokenize/count`): exact for the model served. Else
a conservative estimate of CHARS_PER_TOKEN characters a token, lowered to what
the server's reported usage shows (never raised): tiktoken would need its
vocabulary files from the network, and a model's real tokenizer is unknown to
us anyway. bench/token_budget.py measures the estimate against servers' usage.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

log = logging.getLogger(__name__)

Message = dict[str, str]

# French prose runs 3.5-4.5 characters a token on GPT, Llama 3 and Mistral
# vocabularies; 3 leaves room for names, figures and HTML.
CHARS_PER_TOKEN = 3.0
# The chat template's tokens around each message (<|im_start|>role … <|im_end|>).
TOKENS_PER_MESSAGE = 8
# Kept free between the prompt and the answer: the chat template's tokens our count
# misses (measured 0.1-0.3% of a prompt, bench/token_budget.py), rounding.
MARGIN = 64
# Ollama's window when nothing says otherwise: its own default (2,048 or 4,096)
# is too small for an article, and a model trained longer can afford this much.
OLLAMA_WINDOW = 8192


@dataclass(frozen=True)
class ServerInfo:
    kind: str  # llama.cpp | ollama | other
    window: int | None  # context tokens one request may use
    # POSTs {"content"|"input": text} and gives the count, when the server can.
    tokenize: Callable[[str], int] | None = None
    models: tuple[str, ...] = ()  # what /v1/models lists

    def served_name(self, answered: str, requested: str) -> str:
        """The model's real name: some servers (llama-cpp-python) echo the requested
        name whatever they serve; one that serves a single other model is named by it."""
        if answered == requested and requested not in self.models and len(self.models) == 1:
            return self.models[0]
        return answered


def api_root(base_url: str) -> str:
    """The server's root: base_url without its OpenAI path (/v1)."""
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


def probe(
    base_url: str, model: str, *, timeout: httpx.Timeout, headers: dict[str, str]
) -> ServerInfo | None:
    """Ask the server what it is and how big its window is. Quiet on any failure:
    a server that says nothing is an OpenAI-like server of unknown window; None when
    it cannot be reached (ask again next time)."""
    root = api_root(base_url)
    client = httpx.Client(timeout=timeout, headers=headers)
    try:
        info = _llama_cpp(client, root) or _ollama(client, root, model) or ServerInfo("other", None)
        listed = _json(client.get(f"{base_url.rstrip('/')}/models")) or {}
    except httpx.TransportError as error:
        log.debug("model server not reached: %s", error)
        return None
    except (httpx.HTTPError, ValueError) as error:
        log.debug("model server probe failed: %s", error)
        return ServerInfo("other", None)
    names = [m.get("id") for m in listed.get("data") or [] if isinstance(m, dict)]
    return replace(info, models=tuple(name for name in names if isinstance(name, str)))


def _json(response: httpx.Response) -> dict | None:
    if response.status_code != 200:
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _llama_cpp(client: httpx.Client, root: str) -> ServerInfo | None:
    props = _json(client.get(f"{root}/props"))
    if props is not None and isinstance(props.get("default_generation_settings"), dict):
        window = props["default_generation_settings"].get("n_ctx")
        return ServerInfo(
            "llama.cpp",
            window if isinstance(window, int) and window > 0 else None,
            _counter(client, f"{root}/tokenize", "content", lambda d: len(d["tokens"])),
        )
    # llama-cpp-python's server: no /props, but a tokenizer (its window comes from
    # context_tokens or its first overflow message).
    probe_count = client.post(f"{root}/extras/tokenize/count", json={"input": "a"})
    if _json(probe_count) is not None:
        counter = _counter(client, f"{root}/extras/tokenize/count", "input", lambda d: d["count"])
        return ServerInfo("llama.cpp", None, counter)
    return None


def _ollama(client: httpx.Client, root: str, model: str) -> ServerInfo | None:
    if _json(client.get(f"{root}/api/version")) is None:
        return None
    show = _json(client.post(f"{root}/api/show", json={"model": model})) or {}
    window = None
    for line in str(show.get("parameters", "")).splitlines():
        name, _, value = line.partition(" ")
        if name == "num_ctx" and value.strip().isdigit():
            window = int(value.strip())
    if window is None:
        trained = [
            v
            for k, v in (show.get("model_info") or {}).items()
            if k.endswith(".context_length") and isinstance(v, int)
        ]
        window = min([OLLAMA_WINDOW, *trained])
    return ServerInfo("ollama", window)


def _counter(
    client: httpx.Client, url: str, field: str, count: Callable[[dict], int]
) -> Callable[[str], int]:
    def tokens(text: str) -> int:
        data = _json(client.post(url, json={field: text}))
        if data is None:
            raise ValueError(f"{url} gave no count")
        return int(count(data))

    return tokens


class TokenCounter:
    """Counts a prompt's tokens: the server's tokenizer, else the estimate."""

    def __init__(self) -> None:
        self.chars_per_token = CHARS_PER_TOKEN
        self.tokenize: Callable[[str], int] | None = None

    def count(self, messages: list[Message]) -> int:
        overhead = TOKENS_PER_MESSAGE * len(messages) + TOKENS_PER_MESSAGE
        if self.tokenize is not None:
            try:
                return sum(self.tokenize(m["content"]) for m in messages) + overhead
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                log.info("server tokenizer unavailable (%s): estimating", error)
                self.tokenize = None
        return self.estimate(messages)

    def estimate(self, messages: list[Message]) -> int:
        chars = sum(len(m["content"]) for m in messages)
        return math.ceil(chars / self.chars_per_token) + TOKENS_PER_MESSAGE * (len(messages) + 1)

    def learn(self, messages: list[Message], prompt_tokens: int | None) -> None:
        """The server counted this prompt: if its tokens are shorter than assumed,
        estimate with its figure from now on (never the other way)."""
        if not prompt_tokens:
            return
        text_tokens = prompt_tokens - TOKENS_PER_MESSAGE * (len(messages) + 1)
        if text_tokens <= 0:
            return
        observed = sum(len(m["content"]) for m in messages) / text_tokens
        if observed < self.chars_per_token:
            self.chars_per_token = max(observed, 0.5)


def trimmed_history(messages: list[Message]) -> list[Message]:
    """A repair conversation cut to the system prompt, the source, the last answer and
    the last request: what the model needs, without every earlier answer."""
    if len(messages) <= 4:
        return messages
    return [*messages[:2], *messages[-2:]]
