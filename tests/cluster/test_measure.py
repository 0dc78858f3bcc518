"""The near-duplicate measure on the labelled French pairs, and the wires' markers."""

from __future__ import annotations

import pytest

from bot.cluster import Fingerprint, SourceKind, fingerprint, source_kind, split_markers
from bot.config.cluster import DEFAULT_THRESHOLD
from tests.cluster.pairs import Telling, pairs, score


def _similarity(a: Telling, b: Telling) -> float:
    """As the store decides: no shared LSH bucket, no candidate at all."""
    fa, fb = fingerprint(a.title, a.text), fingerprint(b.title, b.text)
    assert fa is not None and fb is not None
    return fa.similarity(fb) if set(fa.buckets) & set(fb.buckets) else 0.0


def test_the_labelled_set_holds_every_kind_of_pair():
    kinds = [pair.kind for pair in pairs()]
    assert kinds.count("same") >= 25
    assert kinds.count("different") >= 25
    assert kinds.count("update") >= 10


def test_precision_and_recall_at_the_default_threshold():
    """Measured by bench/cluster_quality.py: precision 1.00, recall 0.98 at 0.25 (README)."""
    measured = score(_similarity, DEFAULT_THRESHOLD, pairs())
    assert measured.precision >= 0.95, measured
    assert measured.recall >= 0.95, measured
    assert measured.recall_updates >= 0.9, measured


def test_two_different_events_of_one_topic_stay_apart_even_at_a_low_threshold():
    """The weight of names and numbers is what keeps them apart (another town, other dead)."""
    different = [pair for pair in pairs() if pair.kind == "different"]
    assert max(_similarity(pair.a, pair.b) for pair in different) < DEFAULT_THRESHOLD


def test_a_signature_survives_the_database_and_another_process():
    """Stable hashes (not Python's salted hash()): a stored signature compares with today's."""
    telling = pairs()[0].a
    a = fingerprint(telling.title, telling.text)
    assert a is not None
    again = Fingerprint.from_bytes(a.to_bytes())
    assert again.similarity(a) == 1.0 and again.buckets == a.buckets


def test_a_text_too_short_to_tell_events_apart_never_joins():
    assert fingerprint("Conseil", "Le conseil a adopté la délibération 3.") is None


@pytest.mark.parametrize(
    ("title", "kind", "bare"),
    [
        ("MISE À JOUR 2- Séisme au Japon", SourceKind.UPDATE, "Séisme au Japon"),
        ("URGENT - MISE À JOUR : Grève chez Keolis", SourceKind.UPDATE, "Grève chez Keolis"),
        ("UPDATE 1-Irak : attentat à Bagdad", SourceKind.UPDATE, "Irak : attentat à Bagdad"),
        ("REFILE-Ouragan Milo", SourceKind.UPDATE, "Ouragan Milo"),
        ("CORRECTION-Turquie : un séisme", SourceKind.CORRECTION, "Turquie : un séisme"),
        ("RECTIFICATIF - Portugal", SourceKind.CORRECTION, "Portugal"),
        ("[Rectificatif] Le maire condamné", SourceKind.CORRECTION, "Le maire condamné"),
        ("URGENT Séisme en Turquie", SourceKind.ORIGINAL, "Séisme en Turquie"),
        # A title that only starts with the word, in lower case, keeps it.
        ("Correction des copies du bac : les délais", SourceKind.ORIGINAL,
         "Correction des copies du bac : les délais"),
        ("Mise à jour de Windows : une panne", SourceKind.ORIGINAL,
         "Mise à jour de Windows : une panne"),
        ("Flash-ball : un policier mis en examen", SourceKind.ORIGINAL,
         "Flash-ball : un policier mis en examen"),
    ],
)
def test_the_wires_markers_are_taken_out_of_the_title(title, kind, bare):
    assert split_markers(title) == (kind, bare)


def test_a_text_changed_under_its_guid_is_at_least_an_update():
    assert source_kind("Séisme au Japon", changed=True) is SourceKind.UPDATE
    assert source_kind("CORRECTION Séisme au Japon", changed=True) is SourceKind.CORRECTION
    assert source_kind("Séisme au Japon") is SourceKind.ORIGINAL
