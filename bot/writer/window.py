"""The server's context window, and each request fitted to it: how big the window is
(configured, else read from the server once, else learnt from an error that names it),
how many tokens a prompt takes, and what max_tokens leaves the answer room.

How a server is asked and a prompt counted is bot.writer.budget's; this is the one
window a chat client keeps while it runs.
"""

from __future__ import annotations

import logging
import threading

import httpx

from bot.writer.budget import MARGIN, ServerInfo, TokenCounter, probe, trimmed_history
from bot.writer.llm import Message, ModelStopped
from bot.writer.server_errors import Fault, ServerError

log = logging.getLogger(__name__)

# Below this many tokens left for the answer, no article fits: the prompt is too big.
MIN_ANSWER_TOKENS = 1024


class ContextWindow:
    """One server's window, shared by every writer thread of one chat client."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str,
        timeout: httpx.Timeout,
        context_tokens: int,
        max_tokens: int,
    ):
        self._base_url = base_url
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout
        self._max_tokens = max_tokens
        self.size: int | None = context_tokens or None
        self.server: ServerInfo | None = None
        self._server_asked = threading.Lock()  # several writers start at once: one probe
        self.counter = TokenCounter()

    def know_server(self) -> None:
        """Once per process: what the server is and how big its window is."""
        with self._server_asked:
            self._ask_server()

    def _ask_server(self) -> None:
        if self.server is not None or not self._base_url:
            return
        self.server = probe(
            self._base_url, self._model, timeout=self._timeout, headers=self._headers
        )
        if self.server is None:
            return
        if self.size is None:
            self.size = self.server.window
        self.counter.tokenize = self.server.tokenize
        log.info(
            "model server: %s, context window %s",
            self.server.kind,
            self.size or "unknown (set [llm] context_tokens)",
        )

    @property
    def min_answer(self) -> int:
        return min(self._max_tokens, MIN_ANSWER_TOKENS)

    def excess(self, messages: list[Message]) -> int:
        """How many tokens this prompt must lose for an answer to fit the window
        (0 when it fits, or when the window is unknown)."""
        self.know_server()
        if self.size is None:
            return 0
        return max(0, self.counter.count(messages) + MARGIN + self.min_answer - self.size)

    def fit(self, messages: list[Message]) -> tuple[list[Message], int]:
        """The messages to send and the max_tokens that keeps them within the window."""
        if self.size is None:
            return messages, self._max_tokens
        prompt = self.counter.count(messages)
        if self.size - prompt - MARGIN < self.min_answer and len(messages) > 4:
            # A repair: the last answer and its failures are enough, not the whole history.
            messages = trimmed_history(messages)
            prompt = self.counter.count(messages)
        room = self.size - prompt - MARGIN
        if room < self.min_answer:
            error = ServerError(
                Fault.CONTEXT,
                f"prompt of about {prompt} tokens, {self.min_answer} more for the answer, "
                f"in a window of {self.size}",
                window=self.size,
            )
            raise ModelStopped(error.line(max_tokens=self._max_tokens), error=error)
        return messages, min(self._max_tokens, room)
