from __future__ import annotations

import pytest

from bot.quality import QualitySettings
from bot.story import Draft, SourceArticle
from tests.quality.articles import load_draft, load_source


@pytest.fixture
def source() -> SourceArticle:
    return load_source()


@pytest.fixture
def good() -> Draft:
    return load_draft()


@pytest.fixture
def settings() -> QualitySettings:
    return QualitySettings()
