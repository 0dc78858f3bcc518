"""The total deadline: slow, trickling and stalled servers fail on time, never hang."""

from __future__ import annotations

import time

import httpx
import pytest

from bot.errors import TryLater
from bot.net.http import FetchError, Limits, fetch
from tests.servers.web import Reply, WebServer

TIMEOUT = 1.5
LIMITS = Limits(allow_private=True, timeout=TIMEOUT)


def _fails_on_time(url: str, **kwargs) -> FetchError:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=LIMITS, **kwargs)
    elapsed = time.monotonic() - started
    assert TIMEOUT - 0.1 <= elapsed <= TIMEOUT + 0.5, elapsed
    assert isinstance(caught.value, TryLater)
    return caught.value


def test_a_body_trickled_one_byte_at_a_time_hits_the_deadline(web_server: WebServer) -> None:
    url = web_server.route("/slow", Reply(body="x" * 1000, trickle=0.1))
    error = _fails_on_time(url)
    assert error.reason == f"no complete response within the {TIMEOUT:g} s deadline"


def test_trickled_headers_hit_the_deadline(web_server: WebServer) -> None:
    # httpx's per-read timeouts alone would wait for the headers byte by byte.
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
    url = web_server.route("/slow-headers", Reply(raw=raw, trickle=0.1))
    _fails_on_time(url)


def test_a_stalled_server_hits_the_deadline(web_server: WebServer) -> None:
    url = web_server.route("/stalled", Reply(body="late", delay=30))
    _fails_on_time(url)


def test_the_deadline_covers_the_whole_redirect_chain(web_server: WebServer) -> None:
    for hop in range(4):
        web_server.route(
            f"/hop{hop}", Reply(status=302, headers={"Location": f"/hop{hop + 1}"}, delay=0.6)
        )
    url = web_server.route("/hop4", Reply(body="arrived"))
    _fails_on_time(web_server.url + "/hop0")
    assert web_server.hits(url.removeprefix(web_server.url)) == 0


def test_a_callers_client_gets_the_deadline_on_a_trickled_body(web_server: WebServer) -> None:
    url = web_server.route("/slow", Reply(body="x" * 1000, trickle=0.1))
    with httpx.Client(trust_env=False) as client:
        _fails_on_time(url, client=client)


def test_a_quick_reply_is_well_within_the_deadline(web_server: WebServer) -> None:
    url = web_server.route("/quick", Reply(body="vite", delay=0.2))
    assert fetch(url, limits=LIMITS).content == b"vite"
