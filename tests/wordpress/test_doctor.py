"""`depeche wp check` as a connection doctor: each classic failure made real on the test
WordPress (a mu-plugin does what the server or a security plugin would) is named with its
fix; on a healthy site the doctor says nothing."""

from __future__ import annotations

import pytest

from bot.publish.wordpress import check_site
from bot.publish.wordpress.transport import PLUGIN_VERSION
from tests.wordpress.conftest import DEPECHE_PLUGIN, PLUGINS

pytestmark = pytest.mark.wordpress


def check(wp, **settings) -> tuple[bool, str]:
    ok, lines = check_site(wp.settings(**settings), wp.password)
    return ok, "\n".join(lines)


def install_variant(wp, tmp_path, old: str, new: str) -> None:
    """The mu-plugin changed, under another file name: PHP's opcache may serve a file
    replaced in place for two more seconds, which would leak into the next test."""
    source = DEPECHE_PLUGIN.read_text(encoding="utf-8")
    assert old in source
    variant = tmp_path / f"depeche-variant-{tmp_path.name}.php"
    variant.write_text(source.replace(old, new), encoding="utf-8")
    wp.remove_plugin("depeche.php")
    wp.install_plugin(variant)


@pytest.mark.parametrize("api", ["rest", "xmlrpc"])
def test_a_healthy_site_raises_no_connection_alarm(wp, api):
    ok, text = check(wp, api=api)
    assert ok, text
    for alarm in ("Authorization", "application passwords are disabled", "closed", "blocked"):
        assert alarm not in text


def test_a_stripped_authorization_header_is_named_with_the_server_fix(wp):
    wp.install_plugin(PLUGINS / "strip-authorization.php")
    ok, text = check(wp)
    assert not ok
    assert "[fail] REST API: logged out although a password was sent" in text
    assert "CGIPassAuth On" in text and "fastcgi_param HTTP_AUTHORIZATION" in text
    # Not mistaken for a wrong password: that has its own message.
    assert "application password is wrong" not in text.split("CGIPassAuth")[0]


def test_a_wrong_password_is_not_taken_for_a_stripped_header(wp):
    ok, lines = check_site(wp.settings(), "wrong password")
    assert not ok
    assert "CGIPassAuth" not in "\n".join(lines)


def test_a_stripped_header_is_found_without_the_new_mu_plugin_too(wp, tmp_path):
    # An older mu-plugin has no credentials-seen route: XML-RPC logging in tells instead.
    install_variant(wp, tmp_path, "/credentials-seen", "/gone")
    wp.install_plugin(PLUGINS / "strip-authorization.php")
    ok, text = check(wp)
    assert not ok and "CGIPassAuth On" in text


def test_disabled_application_passwords_are_named(wp):
    wp.install_plugin(PLUGINS / "no-app-passwords.php")
    ok, text = check(wp)
    assert not ok
    assert "[fail] REST API: application passwords are disabled" in text


def test_a_rest_api_closed_by_a_security_plugin_is_named(wp):
    wp.install_plugin(PLUGINS / "rest-closed.php")
    ok, text = check(wp)
    assert not ok
    assert "the REST API is closed by a security plugin" in text
    assert "whitelist the routes wp/v2 and depeche/v1" in text


def test_xmlrpc_blocked_by_the_host_suggests_rest(wp):
    wp.install_plugin(PLUGINS / "xmlrpc-blocked.php")
    ok, text = check(wp, api="rest")
    assert ok, text  # REST is configured: a warning only
    assert "[warn] XML-RPC: /xmlrpc.php answers HTTP 403" in text
    ok, text = check(wp, api="xmlrpc")
    assert not ok
    assert "[fail] XML-RPC: /xmlrpc.php answers HTTP 403" in text
    assert 'set [wordpress] api = "rest"' in text


def test_an_older_mu_plugin_is_named_with_the_fix(wp, tmp_path):
    current = f"const DEPECHE_PLUGIN_VERSION = '{PLUGIN_VERSION}';"
    install_variant(wp, tmp_path, current, "const DEPECHE_PLUGIN_VERSION = '1';")
    ok, text = check(wp)
    assert not ok
    assert f"is version 1, older than this bot's ({PLUGIN_VERSION})" in text
    assert "depeche wp plugin" in text
