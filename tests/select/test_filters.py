"""Filters per feed and global (issue 11 §1), on a wire served on 127.0.0.1: what is
turned away is stored as `skipped` with its reason; what is not stays quiet."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.config import ConfigError, load
from bot.select.filters import Candidate, Filters, Matcher, fold
from tests.conftest import write_config
from tests.select.conftest import Bot, hours_ago, item, rss, serve, text
from tests.servers.web import Reply, WebServer


def matcher(*values: str) -> Callable[[str], str | None]:
    m = Matcher(values, "test")
    return lambda t: m.first(t, fold(t))


def test_words_match_whole_words_whatever_the_case_and_accents():
    first = matcher("football", "Élysée", "grève SNCF", "/Ligue \\d/")
    assert first("Le FOOTBALL amateur en deuil") == "football"
    assert first("Réunion à l'elysee ce matin") == "Élysée"
    assert first("Une GREVE   sncf annoncée") == "grève SNCF"
    assert first("La ligue 1 reprend") == "/Ligue \\d/"
    # Quiet on good input: a longer word, another word, a phrase cut in two.
    assert first("Le footballeur a signé") is None
    assert first("Les élysées de la mode") is None
    assert first("La grève continue ; la SNCF répond") is None


def test_the_feed_says_its_language_or_it_is_detected():
    keep_french = Filters(include=(), exclude=(), categories=(), languages=["fr"], key="t")
    english = Candidate(
        "Council votes budget", "The council voted the budget last night.", (), None
    )
    french = Candidate("Le conseil vote", text("Vizille"), (), None)
    assert keep_french.reason(english) == "language: en"
    assert keep_french.reason(french) is None
    assert keep_french.reason(Candidate("Council", "x", (), "fr-FR")) is None  # the feed said


def test_each_filter_on_a_real_feed(make_bot: Callable[..., Bot], web_server: WebServer):
    fresh = hours_ago(2)
    feed = serve(
        web_server,
        "/national.xml",
        rss(
            item("1", "Grenoble : la rocade fermée la nuit", text("Grenoble"), published=fresh,
                 categories=("Société",)),
            item("2", "Football : Grenoble Foot 38 s'impose", text("Échirolles"), published=fresh,
                 categories=("Société",)),
            item("3", "Paris : un nouveau musée", text("Paris"), published=fresh,
                 categories=("Société",)),
            item("4", "Grenoble : le marché de Noël", text("Saint-Égrève"), published=fresh,
                 categories=("Loisirs",)),
            item("5", "Grenoble : brève", "Trois lignes seulement sur Grenoble.", published=fresh,
                 categories=("Société",)),
        ),
    )  # fmt: skip
    bot = make_bot(
        feeds=[{"url": feed, "include": ["grenoble"], "min_words": 20}],
        select={"exclude": ["football"], "categories": ["société", "politique"]},
    )
    report = bot.cycle()
    # The brief is stored `new`: its page is read before min_words counts its words.
    assert (report.feeds[0].new, report.feeds[0].skipped) == (2, 3)
    states = bot.states()
    assert states["Grenoble : la rocade fermée la nuit"][0] == "published"
    assert states["Football : Grenoble Foot 38 s'impose"] == ("skipped", ["exclude: football"])
    assert states["Paris : un nouveau musée"] == ("skipped", ["include: no word matched"])
    assert states["Grenoble : le marché de Noël"] == (
        "skipped",
        ["categories: Loisirs not wanted"],
    )
    # Its page (its guid is its address) was read first, and said no more.
    assert states["Grenoble : brève"] == ("skipped", ["min_words: 5 < 20"])


def test_languages_from_the_feed_and_detected(make_bot: Callable[..., Bot], web_server: WebServer):
    said = serve(web_server, "/en.xml", rss(item("e1", "Grenoble", text("Crolles")), language="en"))
    unsaid = serve(
        web_server,
        "/mixed.xml",
        rss(
            item("m1", "Le tram prolongé à Meylan", text("Meylan")),
            item("m2", "Council approves new tram line",
                 "The city council approved the new tram line on Thursday evening after a "
                 "long debate about its cost and the works planned for next spring."),
        ),
    )  # fmt: skip
    bot = make_bot(feeds=[{"url": said}, {"url": unsaid}], select={"languages": ["fr"]})
    bot.cycle()
    states = bot.states()
    assert states["Grenoble"] == ("skipped", ["language: en"])
    assert states["Le tram prolongé à Meylan"][0] == "published"
    assert states["Council approves new tram line"] == ("skipped", ["language: en"])


def test_min_words_counts_the_article_page(make_bot: Callable[..., Bot], web_server: WebServer):
    long_page = f"<html><body><article><p>{text('Voiron', 260)}</p></article></body></html>"
    page = web_server.route("/page/voiron", Reply(body=long_page))
    feed = serve(
        web_server, "/short.xml", rss(item("s1", "Voiron : la piscine rouvre", "Court.", link=page))
    )
    bot = make_bot(feeds=[{"url": feed}], select={"min_words": 200})
    bot.cycle()
    assert bot.states()["Voiron : la piscine rouvre"][0] == "published"
    assert web_server.hits("/page/voiron") == 1


def test_no_filter_means_everything_is_written(make_bot: Callable[..., Bot], web_server: WebServer):
    """The default config turns nothing away but the items older than 48 hours."""
    feed = serve(
        web_server,
        "/all.xml",
        rss(*(item(f"a{i}", f"Sujet {i}", text(f"Commune{i}"), published=hours_ago(i))
              for i in range(5))),
    )  # fmt: skip
    bot = make_bot(feeds=[{"url": feed}])
    bot.cycle()
    assert {state for state, _ in bot.states().values()} == {"published"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"exclude": ["/[unclosed/"]}, "select.exclude: /[unclosed/ is not a regular expression"),
        ({"max_age": "soon"}, "select.max_age: 'soon' is not an interval"),
        ({"min_words": -1}, "select.min_words: -1 is below 0"),
    ],
)
def test_a_wrong_rule_is_the_configs_error(tmp_path, table, message):
    path = write_config(tmp_path, feeds=[{"url": "https://wire.example/rss"}], select=table)
    with pytest.raises(ConfigError, match=message.replace("[", "\\[").replace("/", "/")):
        load(path, environ={})


def test_a_story_skipped_in_one_feed_is_written_from_another(
    make_bot: Callable[..., Bot], web_server: WebServer
):
    """The same item in two feeds: the first feed's rule turns it away, the second's
    does not; it is written once, never the duplicate of a story that is not written."""
    story = item("x1", "Football et urbanisme à Fontaine", text("Fontaine"))
    first = serve(web_server, "/sport.xml", rss(story))
    second = serve(
        web_server,
        "/local.xml",
        rss(story.replace("x1", "y1").replace("Football et urbanisme", "Urbanisme et football")),
    )
    bot = make_bot(feeds=[{"url": first, "exclude": ["football"]}, {"url": second}])
    bot.cycle()
    states = [state for state, _ in bot.states().values()]
    # Feeds are polled at once, so either item may be stored first: the excluded one is
    # skipped and the other written, or the other is written first and the excluded one
    # is its duplicate. Never a duplicate of a story that is not written.
    assert sorted(states) in (["published", "skipped"], ["duplicate", "published"])
