"""Redirects followed by hand: counted, loop-checked, each hop re-checked."""

from __future__ import annotations

import pytest

from bot.errors import GiveUpStory
from bot.net.http import FetchError, Limits, fetch
from tests.servers.web import Reply, WebServer

LOCAL = Limits(allow_private=True)


def _chain(server: WebServer, length: int) -> str:
    """/r{length} -> /r{length-1} -> ... -> /r0, which answers 200."""
    for step in range(length, 0, -1):
        server.route(f"/r{step}", Reply.redirect(f"/r{step - 1}"))
    server.route("/r0", Reply(body="fin de la chaîne"))
    return f"{server.url}/r{length}"


def test_five_redirects_are_followed(web_server: WebServer) -> None:
    response = fetch(_chain(web_server, 5), limits=LOCAL)
    assert response.status == 200
    assert response.url == web_server.url + "/r0"
    assert response.content.decode() == "fin de la chaîne"


def test_six_redirects_are_refused(web_server: WebServer) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects") as caught:
        fetch(_chain(web_server, 6), limits=LOCAL)
    assert isinstance(caught.value, GiveUpStory)
    assert web_server.hits("/r0") == 0


def test_max_redirects_zero_follows_none(web_server: WebServer) -> None:
    with pytest.raises(FetchError, match="more than 0 redirects"):
        fetch(_chain(web_server, 1), limits=Limits(allow_private=True, max_redirects=0))


def test_a_redirect_loop_is_detected(web_server: WebServer) -> None:
    web_server.route("/a", Reply.redirect("/b", status=301))
    url = web_server.route("/b", Reply.redirect(web_server.url + "/a", status=308))
    with pytest.raises(FetchError, match="redirect loop") as caught:
        fetch(url, limits=LOCAL)
    assert isinstance(caught.value, GiveUpStory)
    assert len(web_server.requests) == 2


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed_with_a_get(web_server: WebServer, status: int) -> None:
    web_server.route("/new", Reply(body="ici"))
    url = web_server.route("/old?x=1", Reply.redirect("new?y=2", status=status))
    response = fetch(url, limits=LOCAL)
    assert response.content == b"ici"
    assert [(r.method, r.path) for r in web_server.requests] == [
        ("GET", "/old?x=1"),
        ("GET", "/new?y=2"),
    ]


def test_a_redirect_to_another_scheme_is_refused(web_server: WebServer) -> None:
    url = web_server.route("/leak", Reply.redirect("file:///etc/passwd"))
    with pytest.raises(FetchError, match="bad redirect: unsupported scheme 'file'"):
        fetch(url, limits=LOCAL)


def test_a_redirect_without_location_is_an_error(web_server: WebServer) -> None:
    url = web_server.route("/nowhere", Reply(status=302))
    with pytest.raises(FetchError, match="without a Location header"):
        fetch(url, limits=LOCAL)


def test_credentials_are_not_carried_to_another_origin(web_server: WebServer) -> None:
    with WebServer(host="127.0.0.2") as other:
        target = other.route("/page", Reply(body="autre site"))
        url = web_server.route("/go", Reply.redirect(target))
        fetch(url, limits=LOCAL, headers={"Authorization": "Bearer throwaway", "X-Trace": "1"})
    assert web_server.requests[0].headers["authorization"] == "Bearer throwaway"
    assert "authorization" not in other.requests[0].headers
    assert other.requests[0].headers["x-trace"] == "1"
