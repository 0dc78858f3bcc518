"""Hostile bodies against a real server: huge, bombs, odd encodings."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from bot.errors import GiveUpStory
from bot.net.http import FetchError, Limits, fetch
from tests.servers.web import Reply, WebServer, gzip_bomb, lazy_bytes

LOCAL = Limits(allow_private=True)
MB = 1024 * 1024


def test_a_100_mb_body_is_cut_at_the_cap(web_server: WebServer) -> None:
    url = web_server.route("/huge", Reply(stream=lazy_bytes(100 * MB)))
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=LOCAL)
    assert caught.value.reason == f"body exceeds {10 * MB} bytes"
    assert isinstance(caught.value, GiveUpStory)


def test_an_announced_content_length_over_the_cap_is_refused_before_reading(
    web_server: WebServer,
) -> None:
    url = web_server.route(
        "/huge", Reply(stream=lazy_bytes(100 * MB), headers={"Content-Length": str(100 * MB)})
    )
    with pytest.raises(FetchError, match=r"Content-Length 104857600"):
        fetch(url, limits=LOCAL)


def test_a_body_exactly_at_the_cap_is_accepted(web_server: WebServer) -> None:
    url = web_server.route("/exact", Reply(stream=lazy_bytes(MB)))
    response = fetch(url, limits=Limits(allow_private=True, max_bytes=MB))
    assert len(response.content) == MB


def test_a_gzip_bomb_is_stopped_without_inflating_it(web_server: WebServer) -> None:
    bomb = gzip_bomb(64 * MB)
    assert len(bomb) < 100 * 1024
    url = web_server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    limits = Limits(allow_private=True, max_bytes=MB)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=f"body exceeds {MB} bytes"):
            fetch(url, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # httpx alone would hold a whole inflated network chunk (up to ~64 MB here).
    assert peak < 8 * MB


def test_a_gzip_bomb_against_the_default_cap(web_server: WebServer) -> None:
    url = web_server.route(
        "/bomb", Reply(body=gzip_bomb(20 * MB), headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(FetchError, match=f"body exceeds {10 * MB} bytes"):
        fetch(url, limits=LOCAL)


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # the standard: zlib-wrapped
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # what IIS sends
        ("gzip", lambda data: gzip.compress(data[:7]) + gzip.compress(data[7:])),  # two members
        ("identity", lambda data: data),
    ],
)
def test_encoded_bodies_are_decoded(web_server: WebServer, encoding: str, encode) -> None:
    text = "<rss><title>Crue de l'Isère : la préfecture lève l'alerte</title></rss>".encode()
    url = web_server.route(
        "/feed", Reply(body=encode(text), headers={"Content-Encoding": encoding})
    )
    assert fetch(url, limits=LOCAL).content == text


def test_gzip_is_asked_for_and_brotli_is_not(web_server: WebServer) -> None:
    url = web_server.route("/feed", Reply(body="ok"))
    fetch(url, limits=LOCAL)
    assert web_server.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        ("br", b"\x0b\x02\x80ok\x03", "unsupported Content-Encoding 'br'"),
        ("gzip, gzip", gzip.compress(gzip.compress(b"ok")), "stacked Content-Encoding"),
        ("gzip", b"\x1f\x8bthis is not gzip at all", "corrupt gzip body"),
    ],
)
def test_bodies_we_cannot_decode_are_refused(
    web_server: WebServer, encoding: str, body: bytes, reason: str
) -> None:
    url = web_server.route("/odd", Reply(body=body, headers={"Content-Encoding": encoding}))
    with pytest.raises(FetchError, match=reason) as caught:
        fetch(url, limits=LOCAL)
    assert isinstance(caught.value, GiveUpStory)
