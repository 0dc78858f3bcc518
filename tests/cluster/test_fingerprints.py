"""Signatures are stored: the ones computed today must be the ones stored last week.
tests/cluster/data/fingerprints.json holds what the implementation before the caches
(bot.cluster.features, bot.cluster.minhash) gave for every labelled telling and a few odd
texts (accents, ligatures, figures, acronyms, wire markers, too few words: `buckets` null).
Its buckets are those migration 0010 stored in story_bands: the in-memory index works out
its own (tests/cluster/test_index_migration.py checks that the downgrade gives 0010's back)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.cluster import fingerprint, minhash
from bot.cluster.features import features
from tests.cluster.pairs import events

EXPECTED = json.loads((Path(__file__).parent / "data" / "fingerprints.json").read_text())


def _telling(entry: dict) -> tuple[str, str]:
    if "title" in entry:
        return entry["title"], entry["text"]
    event = next(e for e in events() if e["id"] == entry["event"])
    told = [*event["source"], *([event["update"]] if "update" in event else [])][entry["n"]]
    return told["title"], told["text"]


@pytest.mark.parametrize("entry", EXPECTED, ids=lambda e: e.get("event", "odd"))
def test_signatures_are_those_stored_before(entry):
    title, text = _telling(entry)
    for _ in range(2):  # cold caches, then warm ones
        found = fingerprint(title, text)
        if entry["buckets"] is None:
            assert found is None
            continue
        assert found is not None
        assert hashlib.sha256(found.to_bytes()).hexdigest() == entry["signature_sha256"]


def test_the_cached_signature_is_the_plain_one():
    """The cached digests give the signature of each feature's copies, computed plainly."""
    for entry in EXPECTED[:10]:
        weighted = features(*_telling(entry))
        plain = minhash.signature([c for f, w in weighted.items() for c in minhash.copies(f, w)])
        assert (minhash.weighted_signature(weighted) == plain).all()
