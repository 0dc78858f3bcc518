"""Story clusters: the same event told by several sources, in other words, is one story.

Entry point: `fingerprint(title, text)` gives a story's `Fingerprint`: a MinHash
signature of its weighted word features (bot.cluster.features: French normalisation,
stop words dropped, names and numbers weighing more, the wires' update markers taken
out of the title by bot.cluster.wire) and the LSH buckets of that signature, which
the store's window index holds in memory (bot.store.window, from the signatures stored
on story_sources) so that finding the stories an item may belong to is a few lookups of
a sorted array, the same on SQLite and PostgreSQL.
`Fingerprint.similarity()` estimates how much two stories share; an item joins the
closest story of the window from `[cluster] threshold` on.

Why MinHash over weighted single words, not SimHash nor shingles of several words:
two agencies telling one event share few word PAIRS (each writes its own sentences)
but many words, names and figures. SimHash over the same features estimates a cosine
similarity, whose band index needs many more tables for a Hamming radius this wide;
MinHash's bands turn "shares enough features" into equal buckets directly. Measured on
the labelled pairs (tests/cluster/data/pairs.toml, `python bench/cluster_quality.py`);
the table and the choice of the threshold are in the README ("Story clusters").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.cluster import minhash
from bot.cluster.features import DEFAULT_WEIGHTS, Weights, features
from bot.cluster.wire import SourceKind, source_kind, split_markers

__all__ = ["Fingerprint", "SourceKind", "fingerprint", "source_kind", "split_markers"]


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """A story's MinHash signature, with its LSH buckets."""

    signature: np.ndarray

    def similarity(self, other: Fingerprint) -> float:
        """The estimated weighted Jaccard similarity of both stories' features (0 to 1)."""
        return minhash.similarity(self.signature, other.signature)

    def similarities(self, signatures: Sequence[bytes]) -> np.ndarray:
        """similarity() with each of these stored signatures, in one vectorised step."""
        return minhash.similarities(self.signature, signatures)

    @cached_property  # indexed, then looked up: worked out once
    def buckets(self) -> list[int]:
        return minhash.buckets(self.signature)

    def to_bytes(self) -> bytes:
        return minhash.to_bytes(self.signature)

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        return cls(minhash.from_bytes(data))


# Fewer distinct words than this cannot tell two events apart (two council notices that
# differ by a figure would look alike): such an item never joins, like the exact-text
# dedup's floor (bot.store.dedup.text_fingerprint).
MIN_FEATURES = 12


def fingerprint(title: str, text: str, weights: Weights = DEFAULT_WEIGHTS) -> Fingerprint | None:
    """The story's fingerprint; None when it has too few words to compare (it never joins)."""
    found = features(title, text, weights)
    if len(found) < MIN_FEATURES:
        return None
    return Fingerprint(minhash.weighted_signature(found))
