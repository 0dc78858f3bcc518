"""Feeds in every declared encoding are read, and entities refused on the decoded text.

The cases follow the kinds in feedparser's own encoding tests (a charset declared in
the XML, in HTTP, both disagreeing, a byte-order mark, a wide encoding without one, a
byte above 0x7F in each single-byte code page) and the W3C validator's charset cases;
the feeds are ours, written here, short as the issue asks.
"""

from __future__ import annotations

import codecs

import pytest

from bot.errors import FeedError
from bot.feeds import poll
from bot.feeds.parse import parse_feed
from bot.net.http import Limits
from tests.servers.web import Reply, WebServer

# One headline per script, written for these tests.
HEADLINES = {
    "big5": "臺北市議會通過明年度預算",
    "shift_jis": "東京都が新しい防災計画を発表",
    "euc-jp": "大阪市で市民マラソンが開催",
    "euc-kr": "서울시가 새 버스 노선을 발표했다",
    "gb2312": "北京市公布新的公交线路",
    "windows-1252": "L’œuvre de l’été : « 20 € » à l’entrée",
    "iso-8859-15": "L'œuvre coûte 20 € à l'entrée, Ÿves s'en réjouit",
    "utf-8": "Le conseil municipal vote le budget de l’année",
}


def rss(title: str, encoding: str | None, *, body: str = "Un paragraphe.") -> str:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    return (
        f'{declaration}<rss version="2.0"><channel><title>{title}</title>'
        f"<item><guid>un</guid><title>{title}</title>"
        f"<description>{body}</description></item></channel></rss>"
    )


def only_title(content: bytes, content_type: str = "") -> str:
    feed = parse_feed(content, content_type=content_type, base_url="https://fil.example/")
    (item,) = feed.items
    assert feed.title == item.title
    return item.title


@pytest.mark.parametrize("encoding", sorted(HEADLINES))
def test_a_feed_declared_in_its_encoding_is_read(encoding: str):
    headline = HEADLINES[encoding]
    content = rss(headline, encoding).encode(encoding)
    assert only_title(content) == headline
    assert parse_feed(content).warnings == []  # read as declared: nothing to say


@pytest.mark.parametrize("encoding", ["big5", "shift_jis", "euc-kr", "gb2312", "euc-jp"])
def test_the_charset_in_http_alone_is_enough(encoding: str):
    headline = HEADLINES[encoding]
    content = rss(headline, None).encode(encoding)
    assert only_title(content, f"application/rss+xml; charset={encoding}") == headline


def test_http_charset_overrides_the_declaration():
    headline = HEADLINES["shift_jis"]
    content = rss(headline, "utf-8").encode("shift_jis")
    assert only_title(content, "application/xml; charset=Shift_JIS") == headline


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_byte_order_marks_and_wide_encodings_without_one(codec: str, bom: bytes):
    headline = HEADLINES["utf-8"] + " 東京"
    declared = "utf-16" if codec.startswith("utf-16") else None
    content = bom + rss(headline, declared).encode(codec)
    assert only_title(content) == headline


@pytest.mark.parametrize(
    "codec", ["cp437", "cp850", "cp852", "cp866", "koi8-r", "cp1250", "cp1251", "mac-roman"]
)
def test_a_byte_above_0x7f_reads_as_its_declared_code_page(codec: str):
    byte = bytes([0x80 + 0x22])
    expected = byte.decode(codec)
    content = rss(f"Octet {expected}", codec).encode(codec)
    assert only_title(content) == f"Octet {expected}"


def test_a_bogus_declared_encoding_gets_a_reading_and_a_warning():
    headline = HEADLINES["utf-8"]
    feed = parse_feed(rss(headline, "x-pas-un-charset").encode("utf-8"))
    assert feed.items[0].title == headline
    assert feed.warnings == ["declared as x-pas-un-charset, but read as utf-8"]


def test_a_lie_is_read_in_the_detected_charset_with_a_warning():
    # Detection needs prose: a few French sentences, as any real item has.
    body = (
        "Le conseil municipal a voté jeudi soir le budget de l’année prochaine. "
        "Les élus de l’opposition ont dénoncé une hausse des tarifs de la cantine, "
        "que le maire juge « modérée » après deux années de gel. Le théâtre rouvrira "
        "ses portes à l’automne, après dix-huit mois de travaux de rénovation."
    )
    content = rss(HEADLINES["windows-1252"], "utf-8", body=body).encode("windows-1252")
    feed = parse_feed(content)
    assert feed.items[0].title == HEADLINES["windows-1252"]
    assert feed.warnings == ["declared as utf-8, but read as cp1252"]


def test_a_document_no_charset_reads_is_a_clear_feed_error():
    # A byte-order mark of UTF-16 on an odd number of bytes, a bogus declaration,
    # and bytes that are neither UTF-8 nor anything charset-normalizer recognises.
    content = codecs.BOM_UTF16_LE + b"<\x00" + bytes(range(0x80, 0x100)) * 3 + b"\xff"
    with pytest.raises(FeedError, match="unknown character encoding: declared as x-bogus"):
        parse_feed(content, content_type="application/xml; charset=x-bogus")


@pytest.mark.parametrize("encoding", ["utf-16", "big5", "shift_jis", "euc-kr", "utf-32"])
def test_entities_are_refused_in_any_encoding(encoding: str):
    bomb = (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel>'
        "<title>&b;</title></channel></rss>"
    )
    with pytest.raises(FeedError, match="declares entities"):
        parse_feed(bomb.encode(encoding))


def test_a_big5_feed_served_over_http(web_server: WebServer):
    headline = HEADLINES["big5"]
    url = web_server.route(
        "/big5.xml",
        Reply(body=rss(headline, None).encode("big5"),
              headers={"Content-Type": "text/xml; charset=Big5"}),
    )
    result = poll(url, limits=Limits(allow_private=True, timeout=5))
    assert [item.title for item in result.items] == [headline]
    assert result.warnings == []


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "iso-8859-15"])
def test_utf8_declared_as_a_single_byte_charset_is_read_as_utf8(declared: str):
    headline = HEADLINES["windows-1252"]
    feed = parse_feed(rss(headline, declared).encode("utf-8"))
    assert feed.items[0].title == headline
    assert feed.warnings == [f"declared as {declared}, but read as utf-8"]


def test_a_single_byte_feed_that_is_ascii_or_not_utf8_keeps_its_declaration():
    # Only valid UTF-8 beyond ASCII is taken for UTF-8: a Latin-1 feed is not.
    for text in ("Le budget est voté", HEADLINES["iso-8859-15"]):
        feed = parse_feed(rss(text, "iso-8859-15").encode("iso-8859-15"))
        assert (feed.items[0].title, feed.warnings) == (text, [])
