"""Triage with a cheaper model (issue 11 §6), `depeche stories write` (§3) and what
`depeche status` says of the selection, through the real command."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.common import cli
from bot.select.triage import parse_verdict
from bot.store import LLMCall
from tests.select.conftest import Bot, hours_ago, item, rss, serve, text
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import WebServer


def depeche(bot: Bot, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(bot.config.path), *args], env={})
    assert result.exit_code == 0, result.output
    return result.output


def two_paragraphs(sujet: str) -> str:
    return f"{text(sujet, 30)}</p><p>SECOND PARAGRAPHE. {text(sujet + '-bis', 60)}"


def test_triage_scores_each_candidate_and_skips_the_low_ones(
    make_bot: Callable[..., Bot], llm: ScriptedLLM, web_server: WebServer
):
    feed = serve(
        web_server,
        "/wire.xml",
        rss(
            item("t1", "Grenoble : le tram de nuit", two_paragraphs("Grenoble"),
                 published=hours_ago(1)),
            item("t2", "Lille : un concours de belote", two_paragraphs("Lille"),
                 published=hours_ago(2)),
        ),
    )  # fmt: skip

    def model(request: dict) -> object:
        if request["model"] == "petit-modele":
            wanted = "Grenoble" in request["messages"][1]["content"]
            score, why = (85, "local et pratique") if wanted else (23, "loin de nos lecteurs")
            return answer(json.dumps({"score": score, "reason": why}), completion_tokens=20)
        return answer("{}")  # the writer's answer: held, one call

    llm.default = model
    bot = make_bot(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "model": "grand-modele"},
        quality={"max_repairs": 0},
        triage={"model": "petit-modele", "min_score": 40},
    )
    bot.cycle()
    stories = bot.stories()
    kept, dropped = stories["Grenoble : le tram de nuit"], stories["Lille : un concours de belote"]
    assert (kept.triage_score, kept.triage_reason, kept.state) == (85, "local et pratique", "held")
    assert (dropped.triage_score, dropped.state, dropped.reasons) == (
        23,
        "skipped",
        ["triage 23/100"],
    )
    # One short call each, on the title and the first paragraph only.
    triage = [c for c in llm.calls if c["model"] == "petit-modele"]
    assert len(triage) == 2 and len([c for c in llm.calls if c["model"] == "grand-modele"]) == 1
    (asked,) = [c["messages"][1]["content"] for c in triage if "Grenoble" in str(c["messages"])]
    assert asked.startswith("Titre : Grenoble") and "SECOND PARAGRAPHE" not in asked
    assert "Notre public" in triage[0]["messages"][0]["content"]  # config/prompts/triage.md
    with bot.app.sessions() as session:
        purposes = [c.purpose for c in session.scalars(select(LLMCall).order_by(LLMCall.id))]
    assert sorted(purposes) == ["triage", "triage", "write"]  # two stories written at once
    # Logged and counted in the budget like the others.
    status = json.loads(depeche(bot, "status", "--json"))
    assert status["budget"]["tokens"]["used"] == 900 + 20 + 900 + 1200 + 900 + 20


def test_an_unusable_triage_answer_turns_nothing_away():
    assert parse_verdict("je ne sais pas").score is None
    assert parse_verdict('{"score": 140}').score is None
    assert parse_verdict('```json\n{"score": "7", "reason": "hors zone"}\n```').score == 7


def test_stories_write_ignores_the_filters_not_the_budget_unless_forced(
    make_bot: Callable[..., Bot], web_server: WebServer
):
    wire = [
        item("s1", "Horoscope du jour", text("Bélier"), published=hours_ago(1)),
        item("s2", "Vieille nouvelle", text("Jarrie"), published=hours_ago(24 * 5)),
        item("s3", "La crue de l'Isère", text("Pontcharra"), published=hours_ago(2)),
    ]
    feed = serve(web_server, "/wire.xml", rss(*wire))
    bot = make_bot(
        feeds=[{"url": feed}],
        select={"exclude": ["horoscope"]},
        budget={"articles_per_day": 2},
    )
    out = depeche(bot, "run", "--once", "--all-feeds")
    assert "skipped" in out  # the run table's column
    ids = {title: s.id for title, s in bot.stories().items()}
    status = json.loads(depeche(bot, "status", "--json"))
    assert status["states"]["skipped"] == 2 and status["states"]["published"] == 1
    assert status["skipped"] == {"exclude": 1, "too old": 1}
    assert status["budget"]["articles"] == {"used": 1, "limit": 2}
    assert "Budget today" in depeche(bot, "status")

    out = depeche(bot, "stories", "write", str(ids["Horoscope du jour"]))
    assert "publish: published" in out
    out = depeche(bot, "stories", "write", str(ids["Vieille nouvelle"]))
    assert "waits in new (budget: 2/2 articles today)" in out
    assert bot.states()["Vieille nouvelle"] == ("new", ["budget: 2/2 articles today"])
    out = depeche(bot, "stories", "write", str(ids["Vieille nouvelle"]), "--force")
    assert "publish: published" in out
    assert [s for s, _ in bot.states().values()] == ["published"] * 3
    history = json.loads(depeche(bot, "stories", "show", str(ids["Horoscope du jour"]), "--json"))
    assert [e["detail"] for e in history["events"]][:2] == ["exclude: horoscope", "chosen by hand"]
