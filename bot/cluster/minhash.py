"""MinHash signatures and their LSH bands, vectorised with numpy.

Each of PERMUTATIONS hash functions is a multiply-shift hash of a feature's stable
64-bit digest (blake2b: Python's own hash() changes between processes, and a
signature is stored). The fraction of equal positions in two signatures estimates
the (weighted) Jaccard similarity of their features. The signature is cut into BANDS
of ROWS positions; two stories share a band's bucket when all its rows are equal,
which happens with probability J**ROWS: the index looks up candidates by bucket.
Buckets are never stored (bot.store.window works them out from the signatures): how
they are computed may change, signatures may not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from hashlib import blake2b
from itertools import chain

import numpy as np

PERMUTATIONS = 128
ROWS = 2
BANDS = 20  # the first BANDS * ROWS positions are indexed; all PERMUTATIONS are compared

# Fixed seeds: a signature computed today must match one stored last week.
_SEEDS = np.random.default_rng(20261202)
_MULTIPLIERS = _SEEDS.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + 1
_OFFSETS = _SEEDS.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
# A band's two 32-bit rows are its bucket's 64 bits, exactly; XOR-ed with a constant of
# its own so that one sorted array can hold every band (two bands meet by chance: 2**-64).
_BAND_SALTS = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
assert ROWS == 2, "a band's rows are packed into one 64-bit bucket"
_EMPTY = np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)


def _digest(feature: str) -> int:
    return int.from_bytes(blake2b(feature.encode(), digest_size=8).digest(), "little")


def copies(feature: str, weight: int) -> list[str]:
    """A weight w as w distinct copies, so a set-based MinHash weighs the feature w times."""
    return [f"{feature}\x00{n}" for n in range(weight)]


@lru_cache(maxsize=1 << 15)  # a newsroom's vocabulary; about 150 bytes a feature
def _copy_digests(feature: str, weight: int) -> tuple[int, ...]:
    return tuple(_digest(copy) for copy in copies(feature, weight))


def signature(features: Sequence[str]) -> np.ndarray:
    """The PERMUTATIONS minimum hashes of `features` (uint32 each)."""
    return _min_hashes(np.fromiter(map(_digest, features), dtype=np.uint64, count=len(features)))


def weighted_signature(weighted: Mapping[str, int]) -> np.ndarray:
    """signature() of each feature's copies (copies()), the digests of a feature cached:
    a word comes back in story after story."""
    digests = chain.from_iterable(_copy_digests(f, w) for f, w in weighted.items())
    return _min_hashes(np.fromiter(digests, dtype=np.uint64))


def _min_hashes(digests: np.ndarray) -> np.ndarray:
    if not len(digests):
        return _EMPTY.copy()
    # uint64 arithmetic wraps modulo 2**64, which is what multiply-shift hashing wants.
    hashed = (digests[:, None] * _MULTIPLIERS[None, :] + _OFFSETS[None, :]) >> np.uint64(32)
    return hashed.min(axis=0).astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity: the share of positions where both agree."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def similarities(sig: np.ndarray, stored: Sequence[bytes]) -> np.ndarray:
    """similarity() of `sig` with each stored signature (to_bytes()), as one array."""
    matrix = np.frombuffer(b"".join(stored), dtype="<u4").reshape(len(stored), PERMUTATIONS)
    return np.count_nonzero(matrix == sig[None, :], axis=1) / PERMUTATIONS


def buckets(sig: np.ndarray) -> list[int]:
    """One signed 64-bit bucket per band (bucket_matrix of one signature)."""
    return bucket_matrix(sig.reshape(1, PERMUTATIONS))[0].tolist()


def bucket_matrix(signatures: np.ndarray) -> np.ndarray:
    """The buckets of many signatures (one per row) at once: (rows, BANDS), int64."""
    bands = signatures[:, : BANDS * ROWS].astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    packed = (bands[:, :, 0] << np.uint64(32)) | bands[:, :, 1]
    return (packed ^ _BAND_SALTS).view(np.int64)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
