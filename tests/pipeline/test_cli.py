"""The small commands: init, rewrite, seo check, feeds list, stories, db upgrade."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from click.testing import CliRunner

from bot.cli.common import cli
from tests.servers.llm import ScriptedLLM, answer

DATA = Path(__file__).parents[1] / "quality" / "data"
SOURCE = json.loads((DATA / "source_grenoble.json").read_text(encoding="utf-8"))
GOOD = (DATA / "draft_grenoble.json").read_text(encoding="utf-8")


def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(cli, list(args), env=env or {}, input=input, catch_exceptions=False)


def test_init_writes_a_commented_config_that_loads(tmp_path: Path):
    target = tmp_path / "bot.toml"
    result = invoke("init", "--path", str(target))
    assert result.exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("#") > 20 and tomllib.loads(text)["publish"]["target"] == "outbox"
    assert invoke("init", "--path", str(target)).exit_code == 2  # never overwritten silently
    assert invoke("--config", str(target), "feeds", "list").exit_code == 0


def test_rewrite_one_article_through_the_model(make_config, llm: ScriptedLLM, tmp_path: Path):
    config = make_config(feeds=[], llm={"base_url": llm.base_url})
    llm.script(answer(GOOD))
    source = json.dumps({"title": SOURCE["title"], "text": SOURCE["text"], "url": SOURCE["url"]})
    env = {"OPENAI_API_KEY": "sk-test-throwaway"}
    result = invoke("--config", str(config), "rewrite", "-", "--json", env=env, input=source)
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    # The title comes back with French typography: a narrow no-break space before the colon.
    assert draft["title"] == json.loads(GOOD)["title"].replace(" :", "\u202f:")
    assert draft["seo"]["seo_score"] > 0
    assert "gate passed" in result.stderr
    assert not (tmp_path / "depeche.db").exists()  # nothing stored


def test_rewrite_offline_from_a_text_file(make_config, tmp_path: Path):
    config = make_config(feeds=[])
    article = tmp_path / "article.txt"
    article.write_text(SOURCE["title"] + "\n" + SOURCE["text"], encoding="utf-8")
    result = invoke("--config", str(config), "rewrite", str(article))
    assert result.exit_code == 0
    assert result.stdout.startswith("<h1>") and "<h2>" in result.stdout
    assert "writer offline" in result.stderr


def test_seo_check_of_a_draft_json(tmp_path: Path):
    draft = tmp_path / "draft.json"
    draft.write_text(GOOD, encoding="utf-8")
    result = invoke("seo", "check", str(draft), "--json")
    report = json.loads(result.stdout)
    assert {"seo_score", "readability_score"} <= set(report)
    table = invoke("seo", "check", str(draft))
    assert "keyphraseDensity" in table.stdout
    html = tmp_path / "a.html"
    html.write_text("<p>Texte</p>", encoding="utf-8")
    assert invoke("seo", "check", str(html)).exit_code == 2  # an HTML file needs --keyphrase


def test_db_upgrade_is_idempotent(make_config):
    config = make_config(feeds=[])
    first = invoke("--config", str(config), "db", "upgrade")
    second = invoke("--config", str(config), "db", "upgrade")
    assert "was empty" in first.stdout and "was" not in second.stdout
