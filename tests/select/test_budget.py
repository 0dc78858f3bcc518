"""Quotas and budget (issue 11 §4) and priority (§5): the newsroom's day (clock
injected), per feed and global, tokens and cost with calls in flight; a limit
reached leaves the stories in `new` with the reason, and the next day writes them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.config import LLMSettings
from bot.config.select import BudgetSettings, TriageSettings
from bot.select.budget import Budget, Usage, day_start
from bot.store import LLMCall
from bot.store.models import utcnow
from tests.select.conftest import Bot, hours_ago, item, rss, serve, text
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import WebServer

# One call per story, whatever the answer: "{}" is held at once, with no repair.
ONE_CALL = {"quality": {"max_repairs": 0}}


def feed_of(web: WebServer, name: str, count: int, hours: float = 1) -> str:
    items = [
        item(f"{name}{i}", f"{name} {i}", text(f"{name}ville{i}"), published=hours_ago(hours + i))
        for i in range(count)
    ]
    return serve(web, f"/{name}.xml", rss(*items))


def test_the_day_starts_at_the_newsrooms_midnight():
    paris = BudgetSettings(timezone="Europe/Paris")
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 00:30 on the 2nd in Paris
    assert day_start(late, paris) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 21, 59, tzinfo=UTC)  # 23:59 in Paris, summer time
    assert day_start(summer, paris) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_tokens_and_cost_never_hold_back_the_offline_writer():
    limits = BudgetSettings(tokens_per_day=1000, cost_per_day=0.01)
    usage = Usage(day_start=utcnow(), first_call_tokens=4096)
    offline = Budget(limits, LLMSettings(price_output=1.0), TriageSettings())
    assert offline.article_limit(usage) is None
    model = Budget(limits, LLMSettings(base_url="http://127.0.0.1:1/v1"), TriageSettings())
    assert model.article_limit(usage) == "budget: 0/1000 tokens today"


def test_global_and_per_feed_quotas_across_a_day_boundary(
    make_bot: Callable[..., Bot], web_server: WebServer, database_url: str
):
    wire = feed_of(web_server, "wire", 3)
    local = feed_of(web_server, "local", 2)
    bot = make_bot(
        feeds=[{"url": wire, "per_day": 1}, {"url": local}],
        budget={"articles_per_day": 3},
        select={"max_age": "5d"},
        database={"url": database_url},
    )
    bot.cycle()

    def states(name: str) -> list[str]:
        return [s for t, (s, _) in bot.states().items() if t.startswith(name)]

    assert states("wire") == ["published", "new", "new"]  # its freshest first
    assert states("local") == ["published", "published"]
    assert bot.states()["wire 1"] == ("new", ["budget: 3/3 articles today"])
    bot.cycle()  # the same day: nothing more
    assert states("wire") == ["published", "new", "new"]

    bot.later(days=1)
    bot.cycle()
    assert states("wire") == ["published", "published", "new"]
    assert bot.states()["wire 2"] == ("new", ["budget: 1/1 articles today from this feed"])
    bot.later(days=1)
    bot.cycle()
    assert states("wire") == ["published"] * 3


def test_priority_then_the_freshest(make_bot: Callable[..., Bot], web_server: WebServer):
    regional = feed_of(web_server, "regional", 2, hours=1)
    premium = feed_of(web_server, "premium", 2, hours=5)
    bot = make_bot(feeds=[{"url": regional}, {"url": premium, "priority": 10}])
    report = bot.cycle()
    written = [s.title for s in report.stories if s.stage == "write"]
    assert written == ["premium 0", "premium 1", "regional 0", "regional 1"]


@pytest.mark.parametrize(
    ("budget", "prices", "waiting_reason"),
    [
        ({"tokens_per_day": 4200}, {}, "budget: 0/4200 tokens today"),
        # Before the first answer a call counts max_tokens at the output price: 0.42.
        (
            {"cost_per_day": 0.90},
            {"price_input": 100, "price_output": 200},
            "budget: 0.00/0.90 cost today",
        ),
    ],
    ids=["tokens", "cost"],
)
def test_the_budget_counts_the_calls_in_flight(
    make_bot: Callable[..., Bot],
    llm: ScriptedLLM,
    web_server: WebServer,
    budget: dict,
    prices: dict,
    waiting_reason: str,
):
    """Three workers at once, room for two calls: the third makes none, though no call
    has answered yet when it starts."""
    llm.default = lambda request: answer("{}", delay=1.5)  # 900 + 1,200 tokens each
    bot = make_bot(
        feeds=[{"url": feed_of(web_server, "f", 3)}],
        llm={"base_url": llm.base_url, "max_tokens": 2100, **prices},
        budget=budget,
        **ONE_CALL,
    )
    bot.pipeline.feeds.sync()
    (feed,) = bot.pipeline.feeds.due()
    bot.pipeline.feeds.poll(feed)
    workers = [bot.new_pipeline(worker=f"w{n}") for n in range(3)]
    threads = [threading.Thread(target=w.write_batch, kwargs={"limit": 1}) for w in workers]
    for thread in threads:
        thread.start()
        time.sleep(0.3)
    for thread in threads:
        thread.join(timeout=30)
    assert len(llm.calls) == 2
    waiting = [r for s, r in bot.states().values() if s == "new"]
    assert waiting == [[waiting_reason]]
    bot.cycle()
    assert len(llm.calls) == 2  # spent: 4,200 tokens of 4,200, or 0.66 + 0.33 > 0.90
    bot.later(days=1)
    bot.cycle()
    assert len(llm.calls) == 3 and "new" not in [s for s, _ in bot.states().values()]


def test_no_call_past_the_budget_even_within_a_story(
    make_bot: Callable[..., Bot], llm: ScriptedLLM, web_server: WebServer
):
    """The budget is asked before every call: a repair that would pass it is not made,
    and the story waits whole for the next day (not a failed attempt)."""
    llm.default = lambda request: answer("{}")
    bot = make_bot(
        feeds=[{"url": feed_of(web_server, "r", 1)}],
        llm={"base_url": llm.base_url, "max_tokens": 2100},
        quality={"max_repairs": 1},
        budget={"tokens_per_day": 3000},
    )
    bot.cycle()
    assert len(llm.calls) == 1
    story = bot.stories()["r 0"]
    assert (story.state, story.reasons, story.attempts) == (
        "new",
        ["budget: 2100/3000 tokens today"],
        0,
    )


def test_cost_budget_priced_per_million_tokens(
    make_bot: Callable[..., Bot], llm: ScriptedLLM, web_server: WebServer
):
    llm.default = lambda request: answer("{}")
    bot = make_bot(
        feeds=[{"url": feed_of(web_server, "c", 3)}],
        llm={"base_url": llm.base_url, "max_tokens": 2100, "price_input": 100, "price_output": 200},
        budget={"cost_per_day": 0.70},
        **ONE_CALL,
    )
    bot.cycle()  # each call: 900 × 100 + 1,200 × 200 per million = 0.33
    assert len(llm.calls) == 2
    assert [r for s, r in bot.states().values() if s == "new"] == [["budget: 0.66/0.70 cost today"]]
    with bot.app.sessions() as session:
        assert len(session.scalars(select(LLMCall)).all()) == 2
