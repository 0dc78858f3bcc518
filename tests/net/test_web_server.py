"""The shared test server itself: routing, lazy bodies, prompt shutdown."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from bot.errors import TryLater
from bot.net.http import FetchError, Limits, fetch
from tests.servers.web import Reply, WebServer, lazy_bytes


def _client() -> httpx.Client:
    # No proxy from the environment between the test and 127.0.0.1.
    return httpx.Client(trust_env=False)


def test_a_route_without_query_matches_any_query(web_server: WebServer) -> None:
    web_server.route("/feed", Reply(body="any"))
    web_server.route("/feed?page=2", Reply(body="page two"))
    with httpx.Client(base_url=web_server.url, trust_env=False) as client:
        assert client.get("/feed?page=1").text == "any"
        assert client.get("/feed?page=2").text == "page two"
        assert client.get("/feed").text == "any"
        assert client.get("/other").status_code == 404
    assert web_server.hits("/feed") == 3
    assert web_server.hits("/feed?page=2") == 1
    assert [request.path for request in web_server.requests][-1] == "/other"


def test_a_callable_route_sees_the_request(web_server: WebServer) -> None:
    url = web_server.route("/echo", lambda request: Reply(body=request.body[::-1]))
    with httpx.Client(trust_env=False) as client:
        response = client.post(url, content=b"abc", headers={"X-Test": "oui"})
    assert response.content == b"cba"
    assert web_server.requests[0].method == "POST"
    assert web_server.requests[0].headers["x-test"] == "oui"


def test_a_failing_callable_route_answers_500(web_server: WebServer) -> None:
    url = web_server.route("/bug", lambda request: 1 / 0)
    with _client() as client:
        assert client.get(url).status_code == 500


def test_a_lazy_body_is_sent_chunked_and_whole(web_server: WebServer) -> None:
    url = web_server.route("/big", Reply(stream=lazy_bytes(3 * 1024 * 1024 + 5)))
    with _client() as client:
        response = client.get(url)
    assert response.headers["transfer-encoding"] == "chunked"
    assert len(response.content) == 3 * 1024 * 1024 + 5


def test_headers_keep_their_case_and_content_length_is_added(web_server: WebServer) -> None:
    url = web_server.route("/page", Reply(body="é", headers={"Content-Type": "text/html"}))
    with _client() as client:
        response = client.get(url)
        assert client.head(url).content == b""
    assert response.headers["content-type"] == "text/html"
    assert response.headers["content-length"] == "2"


def test_stop_is_prompt_while_a_reply_trickles() -> None:
    server = WebServer().start()
    url = server.route("/slow", Reply(body="x" * 10_000, trickle=0.5))
    errors: list[FetchError] = []

    def slow_fetch() -> None:
        try:
            fetch(url, limits=Limits(allow_private=True, timeout=60))
        except FetchError as error:
            errors.append(error)

    client = threading.Thread(target=slow_fetch)
    client.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1
    client.join(timeout=5)
    assert not client.is_alive()
    assert errors and isinstance(errors[0], TryLater)  # the body was cut short: a network error


def test_stop_is_idempotent_and_the_url_needs_a_start() -> None:
    server = WebServer()
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    server.stop()
    server.stop()
