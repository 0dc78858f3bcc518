"""[cluster]: how items told by several sources become one story (bot.cluster)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config.select import age, parse_age
from bot.config.tables import parse_interval, setting

# Measured on tests/cluster/data/pairs.toml: bench/cluster_quality.py prints the
# precision and recall at each threshold (README, "Story clusters").
DEFAULT_THRESHOLD = 0.25


def _interval(text: Any, key: str) -> Any:
    """An interval such as 72h, kept as written."""
    parse_interval(text, key)
    return str(text)


@dataclass(frozen=True)
class ClusterSettings:
    window: str = setting(
        "72h", "an item is compared with the stories stored this long ago or less",
        parse=_interval,
    )
    threshold: float = setting(
        DEFAULT_THRESHOLD,
        "estimated similarity (0 to 1) from which an item joins a story as another source",
        above=0, high=1,
    )
    wait: str = setting(
        "10m", "a new story waits this long after its first source, for others to join; "
        "0: written at once", parse=age,
    )

    @property
    def window_seconds(self) -> int:
        return parse_interval(self.window, "cluster.window")

    @property
    def wait_seconds(self) -> int:
        return parse_age(self.wait, "cluster.wait") or 0
