"""The language rule's detection (bot.quality.language): quiet on French, anglicisms and
names included, sure on English and the other candidates, whose blocks it names."""

from __future__ import annotations

import pytest

from bot.quality.language import CANDIDATES, detect
from tests.quality.articles import FOREIGN, LANGUAGES, french_draft_blocks


def test_french_stays_quiet():
    french = french_draft_blocks() + LANGUAGES["fr"]
    assert len(french) > 400
    assert [text for text in french if detect(text)] == []


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_foreign_blocks_are_caught_and_named(code: str):
    assert [detect(text) for text in FOREIGN[code]] == [CANDIDATES[code]] * len(FOREIGN[code])


def test_english_is_caught_whatever_the_target():
    """The high-accuracy judge decides between the target and the suspected language."""
    english = FOREIGN["en"][0]
    assert detect(english, "fr") == "anglais"
    assert detect(english, "en") is None
    assert detect(LANGUAGES["fr"][0], "en") == "français"
