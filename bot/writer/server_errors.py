"""A model server's refusal, in its own words, sorted into what the newsroom can do.

llama.cpp, vLLM, Ollama and OpenAI each say what is wrong in their error body
(a context too small, a parameter they refuse, a model they do not have). That
text is kept, cut to a line and with secrets masked, and sorted into a `Fault`
whose action decides the story's fate: wait and retry (the server is busy or
down), give this story up (the server refused this request only), or stop the
writing stage (the configuration is wrong: every story would fail the same way).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

# Enough for "maximum context length is 1024 tokens … 1530 in the messages, 4096 in
# the completion" and its neighbours; a server that sends a page sends no more.
MAX_WORDS_CHARS = 300

_SECRET = re.compile(
    r"(?i)(sk-[a-z0-9_\-]{6,}|bearer\s+\S+|(?:api[_-]?key|token|password)[\"'=:\s]+\S+)"
)
_TAG = re.compile(r"<[^>]+>")


class Action(StrEnum):
    RETRY = "retry"  # the story waits for the next run
    GIVE_UP = "give up"  # this story is failed at once
    STOP = "stop"  # the writing stage stops: no story would fare better


class Fault(StrEnum):
    CONTEXT = "context overflow"
    PARAMETER = "unsupported parameter"
    MODEL = "unknown model"
    URL = "wrong URL"
    AUTH = "auth"
    RATE_LIMIT = "rate limit"
    DOWN = "server down"
    TIMEOUT = "timeout"
    REFUSED = "request refused"  # any other 4xx: about this request, not the setup


ACTIONS = {
    Fault.CONTEXT: Action.STOP,
    Fault.PARAMETER: Action.STOP,
    Fault.MODEL: Action.STOP,
    Fault.URL: Action.STOP,
    Fault.AUTH: Action.STOP,
    Fault.RATE_LIMIT: Action.RETRY,
    Fault.DOWN: Action.RETRY,
    Fault.TIMEOUT: Action.RETRY,
    Fault.REFUSED: Action.GIVE_UP,
}

_CONTEXT_WORDS = re.compile(
    r"(?i)context (?:length|size|window)|n_ctx|exceed_context|too many tokens"
    r"|prompt is too long|maximum context|context_length_exceeded"
)
_PARAMETER_WORDS = re.compile(
    r"(?i)response_format|json_object|json mode|not supported|unsupported|unrecognized"
    r"|unknown (?:field|parameter|argument)|extra (?:inputs|fields)|not permitted"
)
_MODEL_WORDS = re.compile(
    r"(?i)model\W+\S*\W*(?:not found|does not exist|is not available)|unknown model"
    r"|no such model|model_not_found|invalid model|try pulling it"
)
_QUOTA_WORDS = re.compile(r"(?i)insufficient_quota|exceeded your current quota|billing")
# "maximum context length is 1024 tokens", "available context size (8,192 tokens)",
# "n_ctx": 2048, "num_ctx=4096": the window the server has, when it says so.
_WINDOW = re.compile(
    r"(?i)(?:maximum context length is|context size \(|\"?n_ctx\"?\s*[:=]|num_ctx\s*[:=]?)"
    r"\s*([0-9][0-9,.\u202f\u00a0 ]*)"
)


@dataclass(frozen=True)
class ServerError:
    fault: Fault
    words: str  # the server's own message, one line, secrets masked
    status: int | None = None
    window: int | None = None  # the context size the server named, if it did

    @property
    def action(self) -> Action:
        return ACTIONS[self.fault]

    def line(self, *, context_tokens: int | None = None, max_tokens: int | None = None) -> str:
        """The log line, the story's reason and llm_calls.error: what, the words, the fix."""
        head = f"model server: {self.fault}"
        if self.status is not None:
            head += f" (HTTP {self.status})"
        parts = [head]
        if self.words:
            parts.append(f"« {self.words} »")
        fix = self.fix(context_tokens=context_tokens, max_tokens=max_tokens)
        if fix:
            parts.append(fix)
        return " — ".join(parts)

    def fix(self, *, context_tokens: int | None = None, max_tokens: int | None = None) -> str:
        window = self.window or context_tokens
        if self.fault is Fault.CONTEXT:
            size = f" ({_thousands(window)} jetons)" if window else ""
            return (
                f"le contexte du serveur{size} est trop petit pour cet article : augmentez "
                "`-c`/`num_ctx` ou baissez `[llm] max_tokens`"
                + (f" (aujourd'hui {max_tokens})" if max_tokens else "")
                + ", ou donnez `[llm] context_tokens`"
            )
        return _FIXES.get(self.fault, "")


_FIXES = {
    Fault.PARAMETER: "le serveur refuse un paramètre : pour `response_format`, "
    "mettez `[llm] json_mode = false`",
    Fault.MODEL: "le serveur n'a pas ce modèle : corrigez `[llm] model` "
    "(ou DEPECHE_LLM_MODEL) avec un nom de son /v1/models",
    Fault.URL: "adresse introuvable : `[llm] base_url` (ou OPENAI_BASE_URL) doit finir par "
    "/v1, par ex. http://127.0.0.1:8080/v1",
    Fault.AUTH: "clé refusée : vérifiez OPENAI_API_KEY (ou `[llm] api_key_file`)",
    Fault.RATE_LIMIT: "le serveur demande d'attendre : l'article sera repris plus tard",
    Fault.DOWN: "serveur arrêté ou surchargé : l'article sera repris plus tard",
    Fault.TIMEOUT: "pas de réponse à temps : l'article sera repris plus tard "
    "(`[llm] timeout`, ou `stream = true` pour un serveur lent)",
}


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def server_words(body: str, *, secrets: tuple[str, ...] = ()) -> str:
    """The message in an error body (JSON in the usual shapes, or text or HTML),
    on one line, cut to MAX_WORDS_CHARS, secrets masked."""
    text = body.strip()
    try:
        text = _message_in(json.loads(text)) or text
    except ValueError:
        text = _TAG.sub(" ", text)
    for secret in secrets:
        if len(secret) >= 6:
            text = text.replace(secret, "***")
    text = _SECRET.sub("***", " ".join(text.split()))
    if len(text) > MAX_WORDS_CHARS:
        text = text[: MAX_WORDS_CHARS - 1].rstrip() + "…"
    return text


def _message_in(data: object) -> str:
    """OpenAI and llama.cpp: {"error": {"message"}}; Ollama: {"error": "…"};
    vLLM: {"message"}; FastAPI's validation: {"detail": …}."""
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        message = error.get("message") or ""
        # llama.cpp names the numbers apart from its sentence: keep them.
        numbers = {k: error[k] for k in ("n_prompt_tokens", "n_ctx") if k in error}
        extra = " ".join(f"{k}={v}" for k, v in numbers.items())
        code = error.get("code") if isinstance(error.get("code"), str) else ""
        return " ".join(part for part in (str(message), extra, code) if part)
    for key in ("message", "detail"):
        if data.get(key):
            value = data[key]
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return ""


def classify(status: int, words: str) -> Fault:
    """The fault an HTTP error status and the server's words point to."""
    if status in (401, 403):
        return Fault.AUTH
    if status == 429:
        return Fault.AUTH if _QUOTA_WORDS.search(words) else Fault.RATE_LIMIT
    if status >= 500:
        # llama.cpp answers 500 for a prompt past its window on some builds.
        return Fault.CONTEXT if _CONTEXT_WORDS.search(words) else Fault.DOWN
    if _CONTEXT_WORDS.search(words):
        return Fault.CONTEXT
    if _MODEL_WORDS.search(words):
        return Fault.MODEL
    if status in (404, 405):
        return Fault.URL
    if _PARAMETER_WORDS.search(words):
        return Fault.PARAMETER
    return Fault.REFUSED


def window_named(words: str) -> int | None:
    """The context size a server's error names, if it names one."""
    match = _WINDOW.search(words)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    return int(digits) if digits else None


def from_http(status: int, body: str, *, secrets: tuple[str, ...] = ()) -> ServerError:
    words = server_words(body, secrets=secrets)
    return ServerError(classify(status, words), words, status, window_named(words))
