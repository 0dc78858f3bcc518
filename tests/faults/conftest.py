"""The real WordPress fixtures, shared with tests/wordpress (the same functions)."""

from __future__ import annotations

import subprocess

import pytest

from tests.wordpress.conftest import (  # noqa: F401  (fixtures)
    LocalWordPress,
    _read_env,
    fresh_site,
    wordpress,
    wp,
)


@pytest.fixture
def empty_site(wp: LocalWordPress) -> LocalWordPress:  # noqa: F811  (the fixture)
    """No post left by an earlier test: every post counted here is this test's."""
    wp.script("reset")
    _forget_privacy_page()
    return wp


def _forget_privacy_page() -> None:
    """`wordpress.sh reset` empties wp_posts but keeps wp_page_for_privacy_policy = 3,
    so whatever post next gets ID 3 counts as the privacy page, which only an
    administrator may edit: the bot's editor account then gets a 403 on its own
    draft. Until the reset clears it, this does."""
    env = _read_env()
    subprocess.run(
        [
            "mysql",
            "-h",
            "127.0.0.1",
            f"-u{env['WP_DB_USER']}",
            f"-p{env['WP_DB_PASSWORD']}",
            env["WP_DB_NAME"],
            "-e",
            f"UPDATE {env['WP_DB_PREFIX']}options SET option_value = '0'"
            " WHERE option_name = 'wp_page_for_privacy_policy'",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
