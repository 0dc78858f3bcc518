"""URLs, statuses and headers: what is returned, what is an error, what is retryable."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.errors import GiveUpStory, TryLater
from bot.net.http import FetchError, Limits, fetch, loggable_url, retry_fetch
from bot.net.retry import RetryPolicy
from tests.servers.web import Reply, WebServer

LOCAL = Limits(allow_private=True)
FAST = RetryPolicy(attempts=4, base=0.01, cap=5, jitter=0)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ftp.example.org/pub/",
        "gopher://example.org/",
        "data:text/plain,bonjour",
        "javascript:alert(1)",
    ],
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="unsupported scheme") as caught:
        fetch(url, limits=LOCAL)
    assert isinstance(caught.value, GiveUpStory)


def test_urls_with_credentials_are_refused_and_not_repeated(web_server: WebServer) -> None:
    url = web_server.url.replace("http://", "http://redac:throwaway-pass@") + "/feed"
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=LOCAL)
    assert "throwaway-pass" not in str(caught.value)
    assert "throwaway-pass" not in caught.value.url
    assert web_server.requests == []


def test_loggable_url_drops_query_and_credentials() -> None:
    assert loggable_url("https://u:p@example.org/feed?key=abc#top") == "https://example.org/feed"


def test_a_2xx_response_is_returned_with_headers(web_server: WebServer) -> None:
    url = web_server.route(
        "/feed", Reply(status=203, body="<rss/>", headers={"ETag": '"v1"', "X-Extra": "1"})
    )
    response = fetch(url, limits=LOCAL)
    assert (response.status, response.content, response.url) == (203, b"<rss/>", url)
    assert response.headers["etag"] == '"v1"'


def test_our_user_agent_and_conditional_headers_are_sent(web_server: WebServer) -> None:
    url = web_server.route("/feed", Reply(status=304))
    response = fetch(url, limits=LOCAL, headers={"If-None-Match": '"v1"'})
    assert (response.status, response.content) == (304, b"")
    sent = web_server.requests[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["user-agent"] == Limits().user_agent


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_other_4xx_are_final(web_server: WebServer, status: int) -> None:
    url = web_server.route("/gone", Reply(status=status, body="non"))
    with pytest.raises(FetchError) as caught:
        retry_fetch(url, limits=LOCAL, policy=FAST, sleep=lambda _: None)
    assert caught.value.status == status and isinstance(caught.value, GiveUpStory)
    assert caught.value.reason.startswith(f"HTTP {status} ")
    assert web_server.hits("/gone") == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_429_and_5xx_are_retryable(web_server: WebServer, status: int) -> None:
    url = web_server.route("/busy", Reply(status=status))
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=LOCAL)
    assert caught.value.status == status and isinstance(caught.value, TryLater)


def test_retry_after_in_seconds_is_parsed(web_server: WebServer) -> None:
    url = web_server.route("/busy", Reply(status=429, headers={"Retry-After": "7"}))
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=LOCAL)
    assert caught.value.retry_after == 7.0


def test_retry_after_as_an_http_date_is_parsed(web_server: WebServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    url = web_server.route("/busy", Reply(status=429, headers={"Retry-After": later}))
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=LOCAL)
    assert caught.value.retry_after is not None
    assert 87 <= caught.value.retry_after <= 90


def test_a_503_is_retried_until_it_succeeds(web_server: WebServer) -> None:
    replies = iter([Reply(status=503), Reply(status=503, headers={"Retry-After": "0"})])
    url = web_server.route("/feed", lambda _request: next(replies, Reply(body="enfin")))
    failures, waits = [], []
    response = retry_fetch(
        url,
        limits=LOCAL,
        policy=FAST,
        on_failure=lambda attempt, error, wait: failures.append((attempt, error.status, wait)),
        sleep=waits.append,
    )
    assert response.content == b"enfin"
    assert web_server.hits("/feed") == 3
    assert failures == [(1, 503, 0.01), (2, 503, 0.0)]  # the server's Retry-After wins
    assert waits == [0.01, 0.0]


def test_a_retry_after_beyond_the_cap_stops_retrying(web_server: WebServer) -> None:
    url = web_server.route("/busy", Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError) as caught:
        retry_fetch(url, limits=LOCAL, policy=FAST, sleep=lambda _: None)
    assert caught.value.retry_after == 3600.0  # left for the scheduler
    assert web_server.hits("/busy") == 1


def test_a_404_is_not_retried(web_server: WebServer) -> None:
    url = web_server.route("/missing", Reply(status=404))
    failures = []
    with pytest.raises(FetchError):
        retry_fetch(url, limits=LOCAL, policy=FAST, on_failure=lambda *a: failures.append(a))
    assert web_server.hits("/missing") == 1
    assert [(attempt, wait) for attempt, _, wait in failures] == [(1, None)]


def test_a_refused_connection_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="network error") as caught:
        fetch(f"http://127.0.0.1:{closed_port}/feed", limits=LOCAL)
    assert isinstance(caught.value, TryLater)
    assert caught.value.status is None


def test_garbage_instead_of_http_is_a_retryable_network_error(web_server: WebServer) -> None:
    url = web_server.route("/junk", Reply(raw=b"\x00\x01 not http at all\r\n\r\n"))
    with pytest.raises(FetchError, match="network error") as caught:
        fetch(url, limits=LOCAL)
    assert isinstance(caught.value, TryLater)
