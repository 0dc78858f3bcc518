"""The real WordPress fixtures, shared with tests/wordpress (the same functions)."""

from __future__ import annotations

import pytest

from tests.wordpress.conftest import (  # noqa: F401  (fixtures)
    LocalWordPress,
    fresh_site,
    wordpress,
    wp,
)


@pytest.fixture
def empty_site(wp: LocalWordPress) -> LocalWordPress:  # noqa: F811  (the fixture)
    """No post left by an earlier test: every post counted here is this test's."""
    wp.script("reset")
    return wp
