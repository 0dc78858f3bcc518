"""Freshness (issue 11 §2): max_age, global and per feed; a new feed's backlog is never
written on its first poll; a story that ages while it waits is skipped, not written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.select.freshness import age_text, too_old
from bot.store.models import utcnow
from tests.select.conftest import Bot, hours_ago, item, rss, serve, text
from tests.servers.web import WebServer


def test_reasons_say_the_age_in_its_largest_unit():
    now = utcnow()
    assert too_old(now - timedelta(days=3, hours=5), now, 48 * 3600) == "too old: 3 days"
    assert too_old(now - timedelta(hours=47), now, 48 * 3600) is None
    assert too_old(None, now, 3600) is None  # undated: the caller's date, never a guess
    assert too_old(now - timedelta(days=900), now, None) is None  # max_age = "0"
    assert age_text(timedelta(hours=5, minutes=10)) == "5 hours"


def test_first_poll_of_a_new_feed_writes_only_the_last_48_hours(
    make_bot: Callable[..., Bot], web_server: WebServer
):
    """The issue's new user: a feed whose items date from February 2024."""
    backlog = [
        item(f"old{i}", f"Archive {i}", text(f"Archive{i}"), published=hours_ago(24 * 660 + i))
        for i in range(4)
    ]
    fresh = item("new", "Hier soir à Vif", text("Vif"), published=hours_ago(20))
    feed = serve(web_server, "/backlog.xml", rss(fresh, *backlog))
    bot = make_bot(feeds=[{"url": feed}])
    report = bot.cycle()
    assert (report.feeds[0].new, report.feeds[0].skipped) == (1, 4)
    states = bot.states()
    assert states["Hier soir à Vif"][0] == "published"
    state, (reason,) = states["Archive 0"]
    assert state == "skipped" and reason.startswith("too old: 66") and reason.endswith(" days")


def test_per_feed_max_age_and_the_global_one(make_bot: Callable[..., Bot], web_server: WebServer):
    six_hours = item("a", "Six heures à Domène", text("Domène"), published=hours_ago(6))
    quick = serve(web_server, "/quick.xml", rss(six_hours))
    slow = serve(
        web_server,
        "/slow.xml",
        rss(item("b", "Trois jours à Eybens", text("Eybens"), published=hours_ago(72))),
    )
    bot = make_bot(feeds=[{"url": quick, "max_age": "4h"}, {"url": slow}], select={"max_age": "4d"})
    bot.cycle()
    assert bot.states() == {
        "Six heures à Domène": ("skipped", ["too old: 6 hours"]),
        "Trois jours à Eybens": ("published", []),
    }


def one_a_day(
    make_bot: Callable[..., Bot], web_server: WebServer, path: str, *items: str, **feed: str
) -> Bot:
    """A bot writing one story a day from a feed of `items`, after its first cycle."""
    url = serve(web_server, path, rss(*items))
    bot = make_bot(feeds=[{"url": url, **feed}], budget={"articles_per_day": 1})
    bot.cycle()
    return bot


def test_a_story_that_aged_while_it_waited_is_skipped_at_writing(
    make_bot: Callable[..., Bot], web_server: WebServer
):
    """Later polls: stored fresh, but the budget kept it waiting past max_age."""
    bot = one_a_day(
        make_bot, web_server, "/wait.xml",
        item("w1", "Quarante heures à Sassenage", text("Sassenage"), published=hours_ago(40)),
        item("w2", "Une heure à Seyssins", text("Seyssins"), published=hours_ago(1)),
    )
    assert bot.states()["Une heure à Seyssins"][0] == "published"  # the freshest first
    assert bot.states()["Quarante heures à Sassenage"] == (
        "new",
        ["budget: 1/1 articles today"],
    )
    bot.later(days=1)
    bot.cycle()
    assert bot.states()["Quarante heures à Sassenage"] == ("skipped", ["too old: 2 days"])


def test_an_undated_item_counts_its_age_from_when_it_was_stored(
    make_bot: Callable[..., Bot], web_server: WebServer
):
    bot = one_a_day(
        make_bot, web_server, "/undated.xml",
        item("u1", "Sans date à Claix", text("Claix")),
        item("u2", "Sans date à Varces", text("Varces")),
        max_age="2h",
    )
    # Its first poll writes one (never guessed old), the quota keeps the other waiting...
    assert sorted(state for state, _ in bot.states().values()) == ["new", "published"]
    bot.later(days=1)
    bot.cycle()
    # ...and a day after it was stored, it is too old.
    assert sorted(bot.states().values()) == [("published", []), ("skipped", ["too old: 1 day"])]
