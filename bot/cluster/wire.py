"""The wires' update markers in a title: what kind of source an item is, and its title
without them (« MISE À JOUR 2- Séisme… » is compared as « Séisme… »)."""

from __future__ import annotations

import enum
import re


class SourceKind(enum.StrEnum):
    ORIGINAL = "original"
    UPDATE = "update"  # new facts on an event already told
    CORRECTION = "correction"  # the wire corrects what it sent


# Each marker as the wires write it at the head of a title, with its kind. A marker is
# in capitals or between brackets, so that a title that merely starts with the word
# (« Correction des copies du bac… », « Mise à jour de Windows… ») keeps it. It may
# carry a number (« MISE À JOUR 2 », "UPDATE 3", "REFILE-") or a separator (":", "-",
# "–", "|"); several may follow one another (« URGENT - MISE À JOUR »).
_MARKERS: dict[str, SourceKind] = {
    r"mise\s+[àa]\s+jour": SourceKind.UPDATE,
    r"actualis[ée]": SourceKind.UPDATE,
    r"update[ds]?": SourceKind.UPDATE,
    r"refile": SourceKind.UPDATE,
    r"urgent": SourceKind.ORIGINAL,
    r"flash": SourceKind.ORIGINAL,
    r"correction": SourceKind.CORRECTION,
    r"corrig[ée]": SourceKind.CORRECTION,
    r"rectificatif": SourceKind.CORRECTION,
    r"corrected": SourceKind.CORRECTION,
    r"erratum": SourceKind.CORRECTION,
}
_ONE_MARKER = re.compile(
    r"^\s*(?P<open>[\[(])?\s*(?P<word>" + "|".join(_MARKERS) + r")\b\s*\d*\s*[\])]?"
    r"\s*[:\-–—|/]*\s*\d*\s*[:\-–—|/]*\s*",
    re.IGNORECASE,
)
_KINDS = [(re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in _MARKERS.items()]
# A correction outranks an update, which outranks a plain flash.
_RANK = {SourceKind.ORIGINAL: 0, SourceKind.UPDATE: 1, SourceKind.CORRECTION: 2}


def split_markers(title: str) -> tuple[SourceKind, str]:
    """The kind the title's head markers say, and the title without them."""
    kind = SourceKind.ORIGINAL
    rest = title
    while match := _ONE_MARKER.match(rest):
        if match.end() == len(rest) or not (match.group("open") or match["word"].isupper()):
            break  # a title that is only a marker keeps it: nothing else to compare
        word_kind = next(k for pattern, k in _KINDS if pattern.fullmatch(match.group("word")))
        kind = max(kind, word_kind, key=_RANK.__getitem__)
        rest = rest[match.end() :]
    return kind, rest.strip()


def source_kind(title: str, *, changed: bool = False) -> SourceKind:
    """An item's kind: what its title says; a text changed under a known GUID is at
    least an update, even when the wire did not say so."""
    kind, _ = split_markers(title)
    if changed and kind is SourceKind.ORIGINAL:
        return SourceKind.UPDATE
    return kind
