"""Logging: one line per event with the story, the feed and the stage.

Human-readable by default, JSON lines with --log-format json. Every secret
the config holds is masked in every record, whatever the code logged.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

CONTEXT_FIELDS = ("story", "feed", "stage")

# Per thread (the daemon's jobs) and per task: what the current work is about.
_context: ContextVar[Mapping[str, str]] = ContextVar("log_context", default=MappingProxyType({}))


@contextmanager
def context(**fields: object) -> Iterator[None]:
    """Every line logged inside carries these fields (story, feed, stage) on top of
    an enclosing context's: the pipeline sets them around each feed and each story,
    so no call has to repeat them, and a library's line gets them too."""
    given = {key: str(value) for key, value in fields.items() if value not in (None, "")}
    token = _context.set({**_context.get(), **given})
    try:
        yield
    finally:
        _context.reset(token)


class AddContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):  # an explicit extra= wins
                setattr(record, key, value)
        return True


class RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Masks every secret in the finished line: message, context and traceback alike."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__(sys.stderr)
        # Short values would mask ordinary words; real keys are long.
        self.secrets = [s for s in secrets if len(s) >= 6]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, "***")
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in CONTEXT_FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class HumanFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(
            f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if hasattr(record, k)
        )
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.getMessage()}"
        line = f"{line} [{context}]" if context else line
        if record.exc_info:  # an unexpected error: the traceback is what a developer needs
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def setup(*, level: str = "INFO", fmt: str = "human", secrets: Iterable[str] = ()) -> None:
    handler = RedactingHandler(secrets)
    handler.setFormatter(JsonFormatter() if fmt == "json" else HumanFormatter())
    handler.addFilter(AddContext())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # The bot's own lines at the asked level; libraries' chatter (every HTTP request,
    # scheduler ticks) only from WARNING up, unless debugging.
    root.setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)
    logging.getLogger("bot").setLevel(level.upper())
