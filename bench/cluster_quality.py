"""Precision and recall of the near-duplicate measure (bot.cluster) on the labelled French
pairs of tests/cluster/data/pairs.toml, at several thresholds, beside two baselines
measured in the same run: the same MinHash over plain words (no name or number weight),
and over word pairs (shingles of two words).

    .venv/bin/python bench/cluster_quality.py
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cluster import fingerprint, minhash
from bot.cluster.features import Weights, features
from bot.config.cluster import DEFAULT_THRESHOLD
from tests.cluster.pairs import Pair, Telling, pairs, score

THRESHOLDS = (0.15, 0.18, 0.20, 0.22, 0.25, 0.28, 0.30, 0.35, 0.40)


def _indexed(a: minhash.np.ndarray, b: minhash.np.ndarray) -> float:
    """As the store decides: no shared LSH bucket, no candidate."""
    if not set(minhash.buckets(a)) & set(minhash.buckets(b)):
        return 0.0
    return minhash.similarity(a, b)


def ours(a: Telling, b: Telling) -> float:
    fa, fb = fingerprint(a.title, a.text), fingerprint(b.title, b.text)
    return _indexed(fa.signature, fb.signature) if fa and fb else 0.0


def plain_words(a: Telling, b: Telling) -> float:
    flat = Weights(name=1, number=1)
    sa, sb = (minhash.weighted_signature(features(t.title, t.text, flat)) for t in (a, b))
    return _indexed(sa, sb)


def word_pairs(a: Telling, b: Telling) -> float:
    def shingles(t: Telling) -> list[str]:
        words = list(features(t.title, t.text, Weights(name=1, number=1)))
        return list(Counter(f"{x} {y}" for x, y in itertools.pairwise(words)))

    return _indexed(minhash.signature(shingles(a)), minhash.signature(shingles(b)))


def table(name: str, similarity, labelled: list[Pair]) -> None:
    print(f"\n{name}")
    print("| threshold | precision | recall | updates joined | false joins | missed |")
    print("|---|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        s = score(similarity, threshold, labelled)
        mark = " (default)" if threshold == DEFAULT_THRESHOLD else ""
        print(f"| {threshold:.2f}{mark} | {s.precision:.2f} | {s.recall:.2f} | "
              f"{s.recall_updates:.2f} | {s.false_joins} | {s.missed} |")


def main() -> None:
    labelled = pairs()
    kinds = Counter(pair.kind for pair in labelled)
    print(f"{len(labelled)} labelled pairs: {kinds['same']} same event in other words, "
          f"{kinds['different']} different events of one topic, {kinds['update']} updates")
    print(f"MinHash: {minhash.PERMUTATIONS} permutations, index of {minhash.BANDS} bands "
          f"x {minhash.ROWS} rows")
    started = time.perf_counter()
    tellings = [t for pair in labelled for t in (pair.a, pair.b)]
    for t in tellings:
        fingerprint(t.title, t.text)
    each = (time.perf_counter() - started) / len(tellings) * 1000
    print(f"fingerprint: {each:.2f} ms per story")
    table("bot.cluster (names x3, numbers x2, words cut to 6 letters)", ours, labelled)
    table("baseline: same MinHash, every word weighs 1", plain_words, labelled)
    table("baseline: MinHash of word pairs (2-shingles)", word_pairs, labelled)


if __name__ == "__main__":
    main()
