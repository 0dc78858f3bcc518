"""The labelled pairs of tests/cluster/data/pairs.toml, and precision and recall of a
near-duplicate measure on them (shared by the test and bench/cluster_quality.py)."""

from __future__ import annotations

import itertools
import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PAIRS_FILE = Path(__file__).parent / "data" / "pairs.toml"


@dataclass(frozen=True)
class Telling:
    event: str
    feed: str
    title: str
    text: str


@dataclass(frozen=True)
class Pair:
    kind: str  # same | different | update
    a: Telling
    b: Telling

    @property
    def joins(self) -> bool:
        """Should b join a's story?"""
        return self.kind != "different"


def events() -> list[dict]:
    return tomllib.loads(PAIRS_FILE.read_text(encoding="utf-8"))["event"]


def _tellings(event: dict) -> list[Telling]:
    return [Telling(event["id"], s["feed"], s["title"], s["text"]) for s in event["source"]]


def pairs() -> list[Pair]:
    """same: the first source of each event against each other one; update: its first source and its update;
    different: each source of an event against the other source of every other event of
    its topic (same week, same words, another place, other names and figures)."""
    found: list[Pair] = []
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for event in events():
        first, second, *others = _tellings(event)
        found += [Pair("same", first, told) for told in (second, *others)]
        if update := event.get("update"):
            found.append(Pair("update", first, Telling(event["id"], "update", **update)))
        by_topic[event["topic"]].append(event)
    for topic_events in by_topic.values():
        for one, other in itertools.combinations(topic_events, 2):
            (a1, a2, *_), (b1, b2, *_) = _tellings(one), _tellings(other)
            found += [Pair("different", a1, b2), Pair("different", a2, b1)]
    return found


@dataclass(frozen=True)
class Score:
    threshold: float
    precision: float
    recall: float
    recall_updates: float
    false_joins: int
    missed: int


def score(similarity: Callable[[Telling, Telling], float], threshold: float,
          labelled: list[Pair]) -> Score:
    """Precision and recall of "b joins a's story" at `threshold`."""
    said = [(pair, similarity(pair.a, pair.b) >= threshold) for pair in labelled]
    true_joins = sum(1 for pair, joins in said if joins and pair.joins)
    false_joins = sum(1 for pair, joins in said if joins and not pair.joins)
    missed = sum(1 for pair, joins in said if not joins and pair.joins)
    updates = [joins for pair, joins in said if pair.kind == "update"]
    return Score(
        threshold=threshold,
        precision=true_joins / (true_joins + false_joins) if true_joins + false_joins else 1.0,
        recall=true_joins / (true_joins + missed) if true_joins + missed else 1.0,
        recall_updates=sum(updates) / len(updates) if updates else 1.0,
        false_joins=false_joins,
        missed=missed,
    )
