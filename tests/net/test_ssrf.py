"""The SSRF guard: private targets refused before any connection, on every hop."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.errors import GiveUpStory, TryLater
from bot.net import guard
from bot.net.http import FetchError, Limits, fetch
from tests.servers.web import Reply, WebServer


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "private"),  # documentation range
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("2002:0a00:0001::", "private"),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 wrapping 127.0.0.1
    ],
)
def test_non_public_addresses_are_forbidden(address: str, category: str) -> None:
    reason = guard.forbidden_reason(ipaddress.ip_address(address), allow_private=False)
    assert reason is not None
    assert category in reason


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert guard.forbidden_reason(ipaddress.ip_address(address), allow_private=False) is None


def test_allow_private_opens_everything_but_cloud_metadata() -> None:
    for address in ("127.0.0.1", "10.0.0.1", "::1", "fe80::1", "100.64.0.1"):
        assert guard.forbidden_reason(ipaddress.ip_address(address), allow_private=True) is None
    for address in ("169.254.169.254", "fd00:ec2::254"):
        assert guard.forbidden_reason(ipaddress.ip_address(address), allow_private=True)


@pytest.fixture(params=["own client", "caller's client"])
def client(request: pytest.FixtureRequest) -> Iterator[httpx.Client | None]:
    """Both paths: the fetcher's guarded client (check at connect) and a caller's (pre-check).

    The fetcher's own client checks only in its network backend, which is wired
    into httpx's transport by hand: these tests fail if that wiring breaks.
    """
    if request.param == "own client":
        yield None
        return
    with httpx.Client(trust_env=False) as caller_client:
        yield caller_client


def test_the_local_server_is_refused_without_being_reached(
    web_server: WebServer, client: httpx.Client | None
) -> None:
    url = web_server.route("/", Reply(body="secret"))
    with pytest.raises(FetchError, match=r"127\.0\.0\.1: a loopback address") as caught:
        fetch(url, client=client)
    assert isinstance(caught.value, GiveUpStory)
    assert web_server.requests == []


@pytest.mark.parametrize(
    ("url", "category"),
    [
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[::1]:8080/", "loopback"),
        ("http://10.0.0.1/admin", "private"),
        ("https://0.0.0.0/", "unspecified"),
        ("http://localhost/", "loopback"),
    ],
)
def test_private_targets_are_refused_before_connecting(
    url: str, category: str, client: httpx.Client | None
) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=category) as caught:
        fetch(url, limits=Limits(timeout=5), client=client)
    # 10.0.0.1 would take the whole connect timeout if anything were sent.
    assert time.monotonic() - started < 0.5
    assert caught.value.status is None
    assert isinstance(caught.value, GiveUpStory)


def test_cloud_metadata_is_refused_even_with_allow_private() -> None:
    with pytest.raises(FetchError, match="cloud metadata"):
        fetch("http://169.254.169.254/latest/meta-data/", limits=Limits(allow_private=True))


def test_a_redirect_from_a_public_hop_to_loopback_is_refused(
    monkeypatch: pytest.MonkeyPatch, client: httpx.Client | None
) -> None:
    """The first hop plays "the internet": 127.0.0.2 is declared public for this test.

    Everything else is real: two servers, real sockets, the real guard for 127.0.0.1.
    """
    real_reason = guard.forbidden_reason

    def internet_at_127_0_0_2(address, *, allow_private: bool) -> str | None:
        if str(address) == "127.0.0.2":
            return None
        return real_reason(address, allow_private=allow_private)

    monkeypatch.setattr(guard, "forbidden_reason", internet_at_127_0_0_2)
    with WebServer(host="127.0.0.2") as public, WebServer() as internal:
        secret = internal.route("/admin", Reply(body="internal only"))
        url = public.route("/story", Reply.redirect(secret))
        with pytest.raises(FetchError, match=r"127\.0\.0\.1: a loopback address") as caught:
            fetch(url, client=client)
    assert caught.value.url == secret
    assert public.hits("/story") == 1
    assert internal.requests == []


def test_allow_private_reaches_the_local_server(web_server: WebServer) -> None:
    url = web_server.route("/wire", Reply(body="dépêche locale"))
    assert fetch(url, limits=Limits(allow_private=True)).content.decode() == "dépêche locale"


def test_an_unresolvable_host_is_retryable() -> None:
    with pytest.raises(FetchError, match="cannot resolve") as caught:
        fetch("http://no-such-host.invalid/feed.xml")
    assert isinstance(caught.value, TryLater)
