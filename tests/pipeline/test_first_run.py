"""A first run as a new user makes it (issue 14): init where you are, exit codes cron can
read, tables at 80 columns, reading commands that create nothing, seo check of an outbox
page, rewrite of a plain text file without a bot.toml. Each through the real command."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli.common import cli
from tests.conftest import ROOT
from tests.pipeline.test_run_once import GRENOBLE, rss
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer

GOOD = (ROOT / "tests" / "quality" / "data" / "draft_grenoble.json").read_text(encoding="utf-8")


def invoke(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--config", str(config), *args], env=env or {}, catch_exceptions=False
    )


def depeche(*args: str, cwd: Path) -> Result:
    """The command run where a user stands (`cwd`), in this process: the model is
    loaded once for every test. Output is not a terminal, so rich draws 80 columns."""
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), env={}, catch_exceptions=False)
    finally:
        os.chdir(here)


def test_init_then_run_where_it_was_written_then_nothing_due(tmp_path: Path):
    folder = tmp_path / "newsroom"
    folder.mkdir()
    assert depeche("init", cwd=folder).exit_code == 0
    assert (folder / "config" / "sample" / "feed.xml").is_file()  # the wire, beside it
    first = depeche("run", "--once", cwd=folder)
    assert first.exit_code == 0, first.output
    drafts = [json.loads(p.read_text(encoding="utf-8")) for p in (folder / "outbox").glob("*.json")]
    assert len(drafts) == 3
    # Each item's own <category> is a tag; the configured one stays the category.
    by_title = {d["title"]: d for d in drafts}
    assert "Société" in by_title[next(t for t in by_title if "conseil municipal" in t)]["tags"]
    assert {d["category"] for d in drafts} == {"Actualités"}
    again = depeche("run", "--once", cwd=folder)
    assert again.exit_code == 0
    said = " ".join(again.stdout.split())
    assert "No feed was due; next due 20" in said and "--all-feeds" in said


def test_run_table_at_80_columns_one_row_per_story(tmp_path: Path):
    folder = tmp_path / "newsroom"
    folder.mkdir()
    depeche("init", cwd=folder)
    run = depeche("run", "--once", cwd=folder)
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if line.startswith("│") and "│ published" in line]
    assert len(rows) == 3  # written then published: one row each
    assert all(row.split("│")[2].rstrip().endswith("…") for row in rows)  # long titles cut
    assert any(line.startswith("│ feed.xml ") for line in lines)  # not its whole path
    assert str(folder) not in run.stdout


def test_exit_code_when_every_due_feed_failed(make_config, web_server: WebServer):
    broken = web_server.route("/broken", Reply(body="<rss><channel><title>oups</tit"))
    down = "http://127.0.0.1:9/unreachable"
    result = invoke(make_config(feeds=[{"url": broken}, {"url": down}]), "run", "--once")
    assert result.exit_code == 3
    assert "127.0.0.1" in result.output  # each feed by its host


def test_held_stories_are_not_an_error(make_config, llm: ScriptedLLM, web_server: WebServer):
    feed = web_server.route("/rss", Reply(body=rss(GRENOBLE)))
    config = make_config(feeds=[{"url": feed}], llm={"base_url": llm.base_url})
    invented = GOOD.replace("41 voix pour", "43 voix pour")  # a figure the source lacks
    llm.script(answer(invented), answer(invented), answer(invented))
    result = invoke(config, "run", "--once", env={"OPENAI_API_KEY": "sk-test-throwaway"})
    assert result.exit_code == 0 and "held" in result.output
    assert json.loads(invoke(config, "status", "--json").output)["states"]["held"] == 1


def test_reading_commands_create_nothing_and_need_no_model(make_config, tmp_path: Path):
    config = make_config(feeds=[{"url": str(ROOT / "config" / "sample" / "feed.xml")}])
    for command in (["status"], ["feeds", "list"], ["stories", "list"]):
        shown = depeche("--config", str(config), *command, cwd=tmp_path)
        assert shown.exit_code == 0
        assert "No database yet" in shown.stderr and "depeche run --once" in shown.stderr
        assert "model" not in shown.stderr
    assert not (tmp_path / "depeche.db").exists()
    assert depeche("--config", str(config), "run", "--once", cwd=tmp_path).exit_code == 0
    listed = depeche("--config", str(config), "feeds", "list", cwd=tmp_path)
    assert listed.exit_code == 0 and "model" not in listed.stderr
    assert "Dépêches de Val-d" in listed.stdout  # the feed's own title
    status = depeche("--config", str(config), "status", cwd=tmp_path)
    assert "model" not in status.stderr and max(map(len, status.stdout.splitlines())) <= 80
    retried = depeche("--config", str(config), "stories", "retry", "--all-failed", cwd=tmp_path)
    assert retried.exit_code == 0 and "nothing to retry" in retried.stdout


def test_seo_check_scores_an_outbox_page_as_its_json(tmp_path: Path):
    folder = tmp_path / "newsroom"
    folder.mkdir()
    depeche("init", cwd=folder)
    depeche("run", "--once", cwd=folder)
    for record in sorted((folder / "outbox").glob("*.json")):
        page = record.with_suffix(".html")
        from_json = json.loads(depeche("seo", "check", "--json", str(record), cwd=folder).stdout)
        from_page = json.loads(depeche("seo", "check", "--json", str(page), cwd=folder).stdout)
        assert from_page == from_json  # the same fields, the same article, the same score
        assert "Expression clé" in page.read_text(encoding="utf-8")  # the box is there


def test_rewrite_a_text_file_one_paragraph_per_line_without_bot_toml(tmp_path: Path):
    source = json.loads(
        (ROOT / "tests" / "quality" / "data" / "source_grenoble.json").read_text(encoding="utf-8")
    )
    paragraphs = source["text"].split("\n\n")
    article = tmp_path / "article.txt"
    article.write_text(source["title"] + "\n" + "\n".join(paragraphs) + "\n", encoding="utf-8")
    result = depeche("rewrite", "--json", str(article), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)["body_html"]
    assert body.count("<p>") == len(paragraphs) and "<h2>" in body
    assert not (tmp_path / "bot.toml").exists() and not (tmp_path / "data").exists()
