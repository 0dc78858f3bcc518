"""`depeche run --once` end to end: real feeds over HTTP, a real database, the outbox."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.common import cli
from bot.story import DRAFT_KEYS
from tests.conftest import ROOT, tmpfs
from tests.servers.llm import ScriptedLLM, answer, error
from tests.servers.web import Reply, WebServer

DATA = Path(__file__).parents[1] / "quality" / "data"
SOURCE = json.loads((DATA / "source_grenoble.json").read_text(encoding="utf-8"))
GOOD = json.loads((DATA / "draft_grenoble.json").read_text(encoding="utf-8"))
# The draft's keys, then what the outbox adds.
OUTBOX_KEYS = {
    *DRAFT_KEYS,
    "source_url",
    "source_title",
    "language",
    "word_count",
    "writer",
    "seo",
    "warnings",
}


def rss(*items: tuple[str, str, str, str]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<description><![CDATA[{text}]]></description></item>"
        for guid, title, link, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Fil test</title>{body}</channel></rss>"
    )


# The made-up stories' links (https://wire.example/...) lead nowhere: a short story's
# article page would cost seconds of retries (bot.net.retry.BRIEF) and prove nothing
# where the page is not the point. Its tests: tests/feeds/test_article.py, tests/hostile.
NO_PAGE_READ = {"fetch_article_below_words": 0}

GRENOBLE = (
    "grenoble-1",
    SOURCE["title"],
    "https://wire.example/grenoble-ecoles",
    "".join(f"<p>{p}</p>" for p in SOURCE["text"].split("\n\n")),
)


def invoke(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--config", str(config), *args], env=env or {}, catch_exceptions=False
    )


def outbox(folder: Path) -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((folder / "outbox").glob("*.json"))
    ]


def test_fresh_clone_default_config_produces_offline_drafts(tmp_path: Path):
    """The README's first command, as a real process, on the shipped bot.toml."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "config", checkout / "config")
    shutil.copy(ROOT / "bot.toml", checkout / "bot.toml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DEPECHE_"))}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--once"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "published" in run.stdout
    drafts = outbox(checkout)
    assert len(drafts) == 3
    for draft in drafts:
        assert set(draft) >= OUTBOX_KEYS
        assert draft["writer"] == "offline" and draft["rewritten"] is False
        assert "<h2>" in draft["body_html"]
        assert any("non réécrit" in w for w in draft["warnings"])
        # The sample stories are short: the draft says so instead of claiming 700 words.
        assert any("sous l'objectif de 700 mots" in w for w in draft["warnings"])
    assert (checkout / "outbox" / f"{drafts[0]['slug']}.html").exists()
    again = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--once", "--all-feeds"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0 and len(outbox(checkout)) == 3  # nothing twice


def test_model_rewrite_reaches_the_outbox_with_seo_report(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    feed = web_server.route(
        "/rss", Reply(body=rss(GRENOBLE), headers={"Content-Type": "application/rss+xml"})
    )
    config = make_config(
        feeds=[{"url": feed, "category": "Société"}], llm={"base_url": llm.base_url}
    )
    llm.script(answer(json.dumps(GOOD, ensure_ascii=False)))
    result = invoke(config, "run", "--once", env={"OPENAI_API_KEY": "sk-test-throwaway"})
    assert result.exit_code == 0, result.output
    (draft,) = outbox(tmp_path)
    assert draft["writer"] == "scripted-model" or draft["writer"] == "gpt-4o-mini"
    assert draft["rewritten"] is True and draft["category"] == "Société"
    assert draft["seo"]["seo_score"] > 0 and draft["word_count"] >= 700
    assert draft["source_url"] == "https://wire.example/grenoble-ecoles"
    status = json.loads(invoke(config, "status", "--json").output)
    assert status["states"]["published"] == 1
    assert status["llm"]["calls"] == 1 and status["llm"]["prompt_tokens"] == 900


def test_conditional_get_and_a_broken_feed_that_stops_nothing(
    make_config, web_server: WebServer, tmp_path: Path
):
    good = web_server.route(
        "/good",
        lambda request: (
            Reply(status=304)
            if request.headers.get("if-none-match") == '"v1"'
            else Reply(body=rss(GRENOBLE), headers={"ETag": '"v1"', "Content-Type": "text/xml"})
        ),
    )
    broken = web_server.route(
        "/broken",
        Reply(body="<rss><channel><title>oups</tit", headers={"Content-Type": "text/xml"}),
    )
    down = "http://127.0.0.1:9/unreachable"  # the discard port: nothing listens
    config = make_config(feeds=[{"url": broken}, {"url": down}, {"url": good}])
    first = invoke(config, "run", "--once")
    assert first.exit_code == 0
    assert len(outbox(tmp_path)) == 1
    second = invoke(config, "run", "--once", "--all-feeds")
    assert "not modified" in second.output
    assert [r.headers.get("if-none-match") for r in web_server.requests if r.path == "/good"] == [
        None,
        '"v1"',
    ]
    feeds = {f["url"]: f for f in json.loads(invoke(config, "status", "--json").output)["feeds"]}
    assert feeds[broken]["errors"] == 2 and "malformed" in feeds[broken]["last_error"]
    assert feeds[down]["errors"] == 2 and feeds[down]["last_error"]
    assert feeds[good]["errors"] == 0 and feeds[good]["next_poll"]


def test_model_down_keeps_the_story_with_its_reason_then_it_is_written(
    make_config, llm: ScriptedLLM, web_server: WebServer, tmp_path: Path
):
    feed = web_server.route("/rss", Reply(body=rss(GRENOBLE)))
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 2},
        scheduler={"max_attempts": 2},
    )
    llm.script(error(503), error(503), error(503))
    assert invoke(config, "run", "--once").exit_code == 0
    status = json.loads(invoke(config, "status", "--json").output)
    assert status["states"]["new"] == 1
    # An outage is not the story's fault: no attempt counted; it says why it waits.
    (waiting,) = status["waiting"]
    assert waiting["why"].startswith("model server unavailable since ")
    assert "(server down); next probe " in waiting["why"]
    shown = json.loads(invoke(config, "stories", "show", "1", "--json").output)
    assert shown["attempts"] == 0 and len(shown["calls"]) == 3  # then the breaker opened
    # The story is parked until its retry time; `stories retry` only takes failed or held ones.
    assert invoke(config, "stories", "retry", "1").exit_code == 2


def test_the_same_story_in_two_feeds_is_published_once(
    make_config, web_server: WebServer, tmp_path: Path
):
    one = web_server.route("/one", Reply(body=rss(GRENOBLE)))
    other_copy = ("autre-guid", "Titre repris", GRENOBLE[2] + "?utm_source=partenaire", GRENOBLE[3])
    two = web_server.route("/two", Reply(body=rss(other_copy)))
    config = make_config(feeds=[{"url": one}, {"url": two}])
    assert invoke(config, "run", "--once").exit_code == 0
    assert len(outbox(tmp_path)) == 1
    states = json.loads(invoke(config, "status", "--json").output)["states"]
    assert states["published"] == 1 and states["duplicate"] == 1


@pytest.mark.postgres
def test_run_once_on_postgresql(
    make_config, web_server: WebServer, tmp_path: Path, postgres_url: str
):
    feed = web_server.route("/rss", Reply(body=rss(GRENOBLE)))
    config = make_config(feeds=[{"url": feed}])
    result = invoke(config, "run", "--once", env={"DEPECHE_DATABASE_URL": postgres_url})
    assert result.exit_code == 0, result.output
    assert len(outbox(tmp_path)) == 1
    assert not (tmp_path / "depeche.db").exists()


def test_a_second_run_on_the_same_sqlite_exits_at_once(make_config, tmp_path: Path):
    from bot.store.lock import InstanceLock

    config = make_config(feeds=[])
    holder = InstanceLock(f"sqlite:///{tmp_path / 'depeche.db'}")
    holder.acquire()
    try:
        result = invoke(config, "run", "--once")
    finally:
        holder.release()
    assert result.exit_code == 0
    assert "another Dépêche" in result.output and "nothing to do" in result.output


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[database]\nurl = "sqlite:///x.db"\n[[feeds]]\nurl = "a.xml"\nevery = "soon"\n',
            "feeds[0].every",
        ),
        ('[database]\nurl = "sqlite:///x.db"\n[publish]\ntarget = "fax"\n', "publish.target"),
        (
            '[database]\nurl = "sqlite:///x.db"\n[llm]\napi_key = "sk-x"\n',
            "llm.api_key: secrets never",
        ),
        ('[database]\nurl = "sqlite:///x.db"\n[writer]\nmin_words = "many"\n', "writer.min_words"),
        ('[databse]\nurl = "sqlite:///x.db"\n', "databse: unknown section"),
        ("[database\n", "not valid TOML"),
        ('database = "x"\n', "database: expected a [database] table"),
        ('[database]\nurl = "mysql://db/news"\n', "database.url: no driver for 'mysql'"),
        ('[database]\nurl = "notaurl"\n', "database.url: 'notaurl' is not a database URL"),
        ("[scheduler]\nbatch = 0\n", "scheduler.batch: 0 is out of range"),
        ("[fetch]\nmax_bytes = -1\n", "fetch.max_bytes: -1 is out of range"),
        ('[writer]\nprompts_dir = "/nonexistent"\n', "writer.prompts_dir: no system.md"),
    ],
)
def test_a_wrong_config_is_one_line_and_exit_2(tmp_path: Path, toml: str, message: str):
    config = tmp_path / "bot.toml"
    config.write_text(toml, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_feed_with_its_own_deadline(make_config, web_server: WebServer, tmp_path: Path):
    """[[feeds]] timeout: a slow wire gets its own deadline, the others keep [fetch] timeout."""
    slow = web_server.route("/slow", Reply(body=rss(GRENOBLE), trickle=0.2))
    config = make_config(feeds=[{"url": slow, "timeout": 1}], fetch={"timeout": 30})
    started = time.monotonic()
    result = invoke(config, "run", "--once")
    assert result.exit_code == 3 and time.monotonic() - started < 10  # its only feed failed: exit 3
    (feed,) = json.loads(invoke(config, "status", "--json").output)["feeds"]
    assert "1 s deadline" in feed["last_error"]
    assert "published" not in result.output


def test_an_unforeseen_error_is_the_storys_failed_attempt_not_the_runs_end(
    make_config, web_server: WebServer, tmp_path: Path
):
    """A full disk (an outbox on a file system of one page): each story's attempt fails
    with the reason, the run goes on and exits 0, nothing is lost."""
    full = tmp_path / "full"
    two = [GRENOBLE, ("autre", "Autre titre", "https://wire.example/autre", "<p>Un texte tout à fait différent, sur un autre sujet, avec assez de mots pour ne pas être pris pour le premier.</p>")]
    feed = web_server.route("/rss", Reply(body=rss(*two)))
    config = make_config(
        feeds=[{"url": feed}], publish={"outbox_dir": str(full)}, writer=NO_PAGE_READ
    )
    with tmpfs(full, "size=4k"):
        result = invoke(config, "run", "--once")
    assert result.exit_code == 0
    status = json.loads(invoke(config, "status", "--json").output)
    assert status["states"]["written"] == 2
    assert all("unexpected error: " in p["reasons"][0] for p in status["problems"])
    assert len(status["problems"]) == 2  # the first story's failure did not stop the second
