"""Issue 9's corpus of good French drafts (tests/quality/data/judgement_corpus, each with its source):
the default gate holds none of them and stays quiet, not even a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config.quality import QualitySettings
from bot.quality import apply_local_fixes, check
from bot.story import Draft, SourceArticle

CORPUS = sorted((Path(__file__).parent / "data" / "judgement_corpus").glob("*.json"))


def test_the_corpus_has_at_least_ten_stories():
    assert len(CORPUS) >= 10


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_the_default_gate_is_quiet_on_a_good_draft(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    source, draft = SourceArticle(**data["source"]), Draft(**data["draft"])
    settings = QualitySettings()
    result = check(apply_local_fixes(draft, [source], settings), [source], settings)
    assert result.failures == [] and result.flagged_facts == []
    assert result.report is not None and result.report.readability_score == 90
