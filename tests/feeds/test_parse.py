"""Every feed format the bot reads, from the test data beside this file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import FeedError
from bot.feeds.parse import parse_feed

DATA = Path(__file__).parent / "data"


def parse(name: str):
    return parse_feed((DATA / name).read_bytes(), base_url=f"https://example.test/{name}")


def test_rss_091_in_latin1():
    feed = parse("rss091.xml")
    assert feed.title == "Gazette de l'Orge"
    (item,) = feed.items
    assert item.title == "Fermeture du pont des Lavandières pour travaux"
    assert item.guid == "https://gazette.example/pont-lavandieres"  # no GUID: the link stands in


def test_rss_10_rdf():
    (item,) = parse("rss10.rdf").items
    assert item.title == "La fête de la pomme attire les foules"
    assert item.published_at is not None and item.published_at.year == 2026


def test_rss_20_sample_wire_of_the_repo():
    feed = parse_feed((Path(__file__).parents[2] / "config/sample/feed.xml").read_bytes())
    assert len(feed.items) == 3
    assert feed.ttl_seconds == 15 * 60
    first = feed.items[0]
    assert "Hélène Garnier" in first.text
    assert "\n\n" in first.text  # paragraphs kept apart


def test_atom_with_media_and_script_removed():
    (item,) = parse("atom.xml").items
    assert item.image_url == "https://courrier.example/img/mediatheque.jpg"
    assert item.image_credit == "Photo : Léa Fontaine"
    assert "alert" not in item.text
    assert item.text.startswith("La médiathèque municipale")


def test_json_feed_11():
    feed = parse("jsonfeed.json")
    assert feed.title == "Le Fil du Vallon"
    html_item, text_item = feed.items
    assert html_item.image_url == "https://vallon.example/img/piscine.jpg"
    assert html_item.image_credit == "Studio Vallon"
    assert (
        html_item.text == "Les nageurs retrouvent leur bassin dès samedi.\n\nUn second paragraphe."
    )
    assert text_item.text == "Un texte sans HTML."
    assert text_item.published_at is None  # 1970 is a feed's mistake


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty document"),
        (b"<html><body>Not a feed</body></html>", "not a feed"),
        (b'{"version": "1", "items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": ', "malformed JSON Feed"),
        (b"<rss><channel><title>x</titl", "malformed feed"),
    ],
)
def test_broken_documents_say_why(content: bytes, reason: str):
    with pytest.raises(FeedError, match=reason):
        parse_feed(content)


def test_entity_declarations_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel>'
        b"<title>&b;</title></channel></rss>"
    )
    with pytest.raises(FeedError, match="declares entities"):
        parse_feed(bomb)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>&x;</title></channel></rss>'
    )
    with pytest.raises(FeedError, match="declares entities"):
        parse_feed(external)
