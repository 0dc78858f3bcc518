"""A story already posted to the outbox gets a new source or a correction, through
`depeche run --once` with feeds served on 127.0.0.1 and the scripted model server: an
untouched draft is rewritten in place (same file, one file); an edited one keeps its
files and gets a dated note beside them."""

from __future__ import annotations

import json
import signal
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.common import cli
from bot.cli.run import EXIT_WRITING_STOPPED
from bot.store.models import clock
from tests.faults.harness import BotProcess, frozen, wait_for
from tests.revise.wires import (
    CORRECTED_DRAFT,
    CORRECTION_TEXT,
    CORRECTION_TITLE,
    FIRST,
    FIRST_DRAFT,
    SECOND_TEXT,
    SECOND_TITLE,
    UPDATED_DRAFT,
    an_hour_later,
    as_json,
    rss,
)
from tests.servers.llm import ScriptedLLM, answer, openai_unknown_model
from tests.servers.web import Reply, WebServer


@pytest.fixture(autouse=True)
def store_clock() -> Iterator[None]:
    yield
    clock.offset = timedelta(0)


def run_once(config: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "run", "--once"],
        env={"OPENAI_API_KEY": "sk-test-throwaway"}, catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


def shown(config: Path) -> dict:
    result = CliRunner().invoke(cli, ["--config", str(config), "stories", "show", "1", "--json"])
    return json.loads(result.output)


def drafts(outbox: Path) -> list[Path]:
    return sorted(outbox.glob("*.json"))


@pytest.fixture
def posted(llm: ScriptedLLM, web_server: WebServer, make_config, tmp_path):
    """The first wire's story written by the model and in the outbox; the second wire's
    feed still empty. (config, outbox, the web server)."""
    web_server.route("/alpes", Reply(body=rss("Fil Alpes", ("a-1", FIRST["title"], FIRST["text"]))))
    web_server.route("/sud", Reply(body=rss("Fil Sud")))
    config = make_config(
        feeds=[{"url": web_server.url + "/alpes"}, {"url": web_server.url + "/sud"}],
        llm={"base_url": llm.base_url},
        cluster={"wait": "0"},
    )
    llm.script(answer(as_json(FIRST_DRAFT)))
    run_once(config)
    outbox = tmp_path / "outbox"
    assert len(drafts(outbox)) == 1
    return config, outbox, web_server


def test_a_second_source_an_hour_later_updates_the_untouched_draft_in_place(llm, posted):
    config, outbox, web = posted
    [draft] = drafts(outbox)
    calls_before = an_hour_later(
        web, llm, ("/sud", "Fil Sud"), ("s-1", SECOND_TITLE, SECOND_TEXT), UPDATED_DRAFT
    )

    run_once(config)

    assert drafts(outbox) == [draft]  # the same file, and only it
    record = json.loads(draft.read_text(encoding="utf-8"))
    assert "17 entreprises de l'agglomération" in record["body_html"]
    [line] = [w for w in record["warnings"] if w.startswith("Mis à jour le ")]
    assert "nouvelle source — Fil Sud" in line and "faits nouveaux : nombre 17" in line
    [call] = llm.calls[calls_before:]
    assert "17 entreprises de l'agglomération" in call["messages"][-1]["content"]
    story = shown(config)
    assert [e["outcome"] for e in story["events"] if e["stage"] == "revise"] == ["updated"]
    # Nothing left to do: the next cycle neither calls the model nor writes again.
    run_once(config)
    assert len(llm.calls) == calls_before + 1


def test_a_correction_after_an_editor_changed_the_draft_is_a_note_beside_it(llm, posted):
    config, outbox, web = posted
    [draft] = drafts(outbox)
    page = draft.with_suffix(".html")
    page.write_text(page.read_text(encoding="utf-8").replace("lundi 3 mars", "lundi"), "utf-8")
    edited = (draft.read_bytes(), page.read_bytes())
    calls_before = an_hour_later(
        web, llm, ("/alpes", "Fil Alpes"), ("a-1", CORRECTION_TITLE, CORRECTION_TEXT)
    )

    run_once(config)

    assert (draft.read_bytes(), page.read_bytes()) == edited  # the editor's work untouched
    assert len(llm.calls) == calls_before  # nothing rewritten
    [note] = draft.with_suffix(".notes.txt").read_text(encoding="utf-8").splitlines()
    assert note.startswith("⚠ CORRECTION le ")
    assert "faits nouveaux : nombre 43" in note and "remplacés : nombre 41" in note
    assert shown(config)["events"][-1]["outcome"] == "noted"


def test_a_correction_of_an_untouched_draft_is_applied_and_flagged(llm, posted):
    config, outbox, web = posted
    [draft] = drafts(outbox)
    calls_before = an_hour_later(
        web, llm, ("/alpes", "Fil Alpes"), ("a-1", CORRECTION_TITLE, CORRECTION_TEXT),
        CORRECTED_DRAFT,
    )

    run_once(config)

    assert drafts(outbox) == [draft]
    record = json.loads(draft.read_text(encoding="utf-8"))
    assert "43 voix pour" in record["body_html"] and "41 voix pour" not in record["body_html"]
    [line] = [w for w in record["warnings"] if "Corrigé le" in w]
    assert line.startswith("⚠ Corrigé le ") and "⚠ CORRECTION — Fil Alpes" in line
    assert "faits nouveaux : nombre 43 ; retirés : nombre 41" in line
    [call] = llm.calls[calls_before:]
    assert "43 voix pour" in call["messages"][-1]["content"]  # the wire's latest version


def test_a_model_set_up_wrong_stops_writing_not_publishing(llm, posted):
    """The model's setup refused during a revision: exit 9 (writing stopped), never 4
    (publishing stopped); the draft and its mark stay for a fixed setup."""
    config, outbox, web = posted
    [draft] = drafts(outbox)
    before = draft.read_bytes()
    an_hour_later(web, llm, ("/sud", "Fil Sud"), ("s-1", SECOND_TITLE, SECOND_TEXT))
    llm.default = lambda request: openai_unknown_model("gpt-4o-mini")

    result = CliRunner().invoke(
        cli, ["--config", str(config), "run", "--once"],
        env={"OPENAI_API_KEY": "sk-test-throwaway"}, catch_exceptions=False,
    )

    assert result.exit_code == EXIT_WRITING_STOPPED, result.output
    assert draft.read_bytes() == before
    story = shown(config)
    assert story["state"] == "published" and story["sources_changed_at"]


def test_the_database_is_free_while_a_revision_posts(llm, posted):
    """A revision reaches the site holding no database lock: the poller, the claims and
    the model calls' records of the same daemon write meanwhile. `run --once` is frozen
    (SIGSTOP) just before it updates the post; another writer takes SQLite's write lock
    at once, then the run goes on and updates the draft."""
    config, outbox, web = posted
    [draft] = drafts(outbox)
    web.route("/sud", Reply(body=rss("Fil Sud", ("s-1", SECOND_TITLE, SECOND_TEXT))))
    llm.script(answer(as_json(UPDATED_DRAFT)))
    bot = BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway"})
    with bot.running("run", "--once", "--all-feeds", failpoint="revision-posting:stop") as run:
        wait_for(lambda: run.poll() is not None or frozen(run), 60, "the run at the site call")
        try:
            assert run.poll() is None
            # timeout=0: "database is locked" at once if the frozen run holds the lock.
            database = config.parent / "depeche.db"
            with closing(sqlite3.connect(database, timeout=0, isolation_level=None)) as other:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
        finally:
            run.send_signal(signal.SIGCONT)
        _, stderr = run.communicate(timeout=60)
    assert run.returncode == 0, stderr
    assert drafts(outbox) == [draft]
    assert "17 entreprises de l'agglomération" in json.loads(draft.read_text("utf-8"))["body_html"]
    assert shown(config)["events"][-1]["outcome"] == "updated"
