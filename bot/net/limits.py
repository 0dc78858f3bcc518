"""What one fetch may cost: deadline, body size, redirects, reachable addresses.

Apart from the fetcher so that the configuration can build these without
importing httpx (bot.config is read by every command, `depeche --help` too).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    timeout: float = 20.0  # TOTAL deadline for the whole exchange incl. redirects and body, seconds
    connect_timeout: float = 10.0
    max_bytes: int = 10 * 1024 * 1024  # cap on the DECOMPRESSED body (gzip bombs); raw bytes too
    max_redirects: int = 5
    allow_private: bool = False  # allow loopback/private/link-local targets (local wires; tests)
    user_agent: str = "Depeche/0.1 (newsroom feed bot)"

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.connect_timeout <= 0:
            raise ValueError("Limits.timeout and connect_timeout must be > 0")
        if self.max_bytes < 0 or self.max_redirects < 0:
            raise ValueError("Limits.max_bytes and max_redirects must be >= 0")
