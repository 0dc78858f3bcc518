"""JSON Feed 1.0 and 1.1 read to the letter of the spec (jsonfeed.org/version/1.1).

The cases are the spec's rules, each in a small feed written here: plain-text fields,
required ids, authors of 1.0 and 1.1, attachments, external_url, _extensions, the
version, plus what hostile documents do (deep nesting, wrong types, a BOM).
"""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest

from bot.errors import FeedError
from bot.feeds.parse import ParsedFeed, parse_feed

V11 = "https://jsonfeed.org/version/1.1"


def read(document: dict[str, Any] | str, content_type: str = "application/feed+json") -> ParsedFeed:
    content = document if isinstance(document, str) else json.dumps(document)
    return parse_feed(content.encode("utf-8"), content_type=content_type,
                      base_url="https://vallon.example/feed.json")


def feed(*items: dict[str, Any], version: str = V11, **fields: Any) -> dict[str, Any]:
    return {"version": version, "title": "Le Fil du Vallon", "items": list(items), **fields}


def test_title_content_text_and_summary_are_plain_text():
    item = {
        "id": "1",
        "title": "</example> et <b>gras</b> : le code du jour",
        "content_text": "Tapez <script>alert(1)</script> dans la case, puis validez & attendez.",
    }
    summary = {"id": "2", "title": "Résumé", "summary": "Le tri <sélectif> change lundi."}
    first, second = read(feed(item, summary, title="Fil <b>du</b> Vallon")).items
    assert first.title == "</example> et <b>gras</b> : le code du jour"
    assert first.text == "Tapez <script>alert(1)</script> dans la case, puis validez & attendez."
    assert second.text == "Le tri <sélectif> change lundi."
    assert read(feed(item, title="Fil <b>du</b> Vallon")).title == "Fil <b>du</b> Vallon"


def test_content_html_is_html_and_wins_over_content_text():
    item = {"id": "1", "title": "Piscine", "content_html": "<p>Rouverte <b>samedi</b>.</p>",
            "content_text": "Rouverte samedi (texte)."}
    assert read(feed(item)).items[0].text == "Rouverte samedi."


def test_plain_text_keeps_its_paragraphs():
    item = {"id": "1", "title": "Deux", "content_text": "Premier paragraphe.\n\nSecond paragraphe."}
    assert read(feed(item)).items[0].text == "Premier paragraphe.\n\nSecond paragraphe."


def test_items_without_an_id_are_discarded_and_a_number_id_is_a_string():
    items = [
        {"title": "Sans identifiant", "content_text": "Perdu."},
        {"id": "", "title": "Identifiant vide", "content_text": "Perdu."},
        {"id": {"x": 1}, "title": "Identifiant objet", "content_text": "Perdu."},
        {"id": 42, "title": "Identifiant nombre", "content_text": "Gardé."},
    ]
    parsed = read(feed(*items))
    assert [(i.guid, i.title) for i in parsed.items] == [("42", "Identifiant nombre")]
    assert parsed.warnings == [
        "JSON Feed: ignored 1 'id' that is a dict, not a string",
        "JSON Feed: ignored 3 item without an id (the spec requires one)",
    ]


def test_fields_of_the_wrong_type_are_ignored_with_a_warning():
    item = {"id": "1", "url": {"x": 1}, "title": ["liste"], "content_text": "Texte.",
            "image": 7, "date_published": 20261121, "tags": "un-seul"}
    parsed = read(feed(item))
    (only,) = parsed.items
    assert (only.url, only.title, only.image_url, only.published_at) == ("", "", None, None)
    assert only.categories == ()
    assert only.guid == "1" and only.text == "Texte."
    assert sorted(parsed.warnings) == [
        "JSON Feed: ignored 1 'date_published' that is a int, not a string",
        "JSON Feed: ignored 1 'image' that is a int, not a string",
        "JSON Feed: ignored 1 'tags' that is not a list of strings",
        "JSON Feed: ignored 1 'title' that is a list, not a string",
        "JSON Feed: ignored 1 'url' that is a dict, not a string",
    ]


def test_version_1_0_with_author_and_1_1_with_authors():
    old = {"id": "a", "title": "Ancien", "content_text": "Texte.", "author": {"name": "Léa"}}
    new = {"id": "b", "title": "Nouveau", "content_text": "Texte.",
           "authors": [{"name": "Studio Vallon"}, {"url": "https://x.example"}]}
    (item,) = read(feed(old, version="https://jsonfeed.org/version/1")).items
    assert item.image_credit == "Léa"
    (item,) = read(feed(new)).items
    assert item.image_credit == "Studio Vallon"
    inherited = {"id": "c", "title": "Hérité", "content_text": "Texte."}
    (item,) = read(feed(inherited, authors=[{"name": "Rédaction"}])).items
    assert item.image_credit == "Rédaction"


@pytest.mark.parametrize(
    "version", ["https://jsonfeed.org/version/2", "1.1", 1.1, None, "https://example.test/version/1"]
)
def test_other_versions_are_not_json_feeds(version: Any):
    with pytest.raises(FeedError, match="not a JSON Feed"):
        read({"version": version, "items": []})


def test_external_url_attachments_tags_dates_and_extensions():
    item = {
        "id": "1",
        "external_url": "https://source.example/original",
        "title": "Concert",
        "content_html": "<p>Le concert a lieu dimanche.</p>",
        "date_published": "2026-11-21T10:00:00+01:00",
        "attachments": [
            {"url": "/audio.mp3", "mime_type": "audio/mpeg"},
            {"url": "/img/affiche.jpg", "mime_type": "image/jpeg"},
        ],
        "tags": ["Culture", "Musique", "Culture"],
        "language": "fr-BE",
        "_extensions": {"_blue_shed": {"about": "https://blueshed.example", "x": [[[1]]]}},
        "_vallon": {"url": {"not": "a url"}},
    }
    parsed = read(feed(item, language="fr", _private={"a": 1}))
    (only,) = parsed.items
    assert only.url == "https://source.example/original"
    assert only.image_url == "https://vallon.example/img/affiche.jpg"
    assert only.categories == ("Culture", "Musique")
    assert only.language == "fr-BE" and parsed.language == "fr"
    assert only.published_at is not None and only.published_at.hour == 9
    assert parsed.warnings == []


def test_deep_nesting_is_refused_before_the_parser_recurses():
    deep = f'{{"version": "{V11}", "items": [], "_x": {"[" * 1000}{"]" * 1000}}}'
    with pytest.raises(FeedError, match="nested 1001 levels deep"):
        read(deep)
    # Brackets inside strings are words, not nesting.
    brackets = {"id": "1", "title": "[[[[" * 100, "content_text": "{{{{" * 100}
    assert read(feed(brackets)).items[0].title == "[[[[" * 100


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/json; charset=utf-8"])
def test_a_utf8_bom_is_accepted_whatever_the_type(content_type: str):
    body = codecs.BOM_UTF8 + json.dumps(
        feed({"id": "1", "title": "Été", "content_text": "Texte."}), ensure_ascii=False
    ).encode("utf-8")
    parsed = parse_feed(body, content_type=content_type)
    assert [item.title for item in parsed.items] == ["Été"]
