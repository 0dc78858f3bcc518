"""Secrets never leave the process (issue 5 §8): a full run, with errors that
tempt a leak, then grep EVERYTHING the bot wrote for the secrets it was given."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pytest

from tests.faults.harness import BotProcess, good_answer, rss, wire_stories
from tests.servers.llm import ScriptedLLM, error
from tests.servers.web import Reply, WebServer
from tests.wordpress.conftest import LocalWordPress

XML = {"Content-Type": "application/rss+xml"}


def written_by_the_bot(folder: Path) -> dict[str, bytes]:
    """Every file the bot wrote in its folder: the database (with its WAL), the
    outbox, the lock file; bot.toml excepted (the test wrote it)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and path.name != "bot.toml"
    }


@pytest.mark.wordpress
def test_no_secret_in_anything_the_bot_wrote(
    make_config,
    llm: ScriptedLLM,
    web_server: WebServer,
    empty_site: LocalWordPress,
    tmp_path: Path,
):
    api_key = "sk-proj-" + secrets.token_urlsafe(40)
    wrong_password = " ".join(secrets.token_hex(2) for _ in range(6))
    password = empty_site.password
    feed = web_server.route("/rss", Reply(body=rss(wire_stories(2)), headers=XML))
    # A model proxy that echoes the key it was given, as some do in their errors.
    echo = json.dumps({"error": {"message": f"Incorrect API key provided: {api_key}"}})
    llm.script(error(401, body=echo), error(429, retry_after="0", body=echo))
    llm.default = good_answer
    config = make_config(
        feeds=[{"url": feed}, {"url": web_server.url + "/gone"}],  # the second one 404s
        llm={"base_url": llm.base_url, "attempts": 2, "timeout": 20},
        scheduler={"max_attempts": 1},
        publish={"target": "wordpress"},
        wordpress={"url": empty_site.url, "user": empty_site.user, "api": "rest", "timeout": 20},
    )
    outputs: list[str] = []

    def bot(password: str, log_format: str, *args: str) -> str:
        env = {"OPENAI_API_KEY": api_key, "DEPECHE_WP_APP_PASSWORD": password}
        done = BotProcess(config, env).run(*args, log_format=log_format)
        outputs.extend([done.stdout, done.stderr])
        return done.stdout

    # 1. The 401 stops writing (the key is the setup's fault): both stories wait in `new`.
    bot(wrong_password, "human", "run", "--once")
    assert "Writing stopped:" in outputs[-2]  # the run's table, on stdout
    # 1b. The next run writes them after a 429; WordPress refuses the wrong password and
    #     publishing stops.
    bot(wrong_password, "human", "run", "--once", "--all-feeds")
    assert "publishing stopped" in outputs[-1]  # WordPress refused the wrong password
    # 2. The right password; the failed story put back by hand, then written.
    bot(password, "json", "stories", "retry", "--all-failed")
    bot(password, "json", "run", "--once", "--all-feeds")
    bot(password, "human", "status")
    status = json.loads(bot(password, "json", "status", "--json"))
    shown = [
        json.loads(bot(password, "human", "stories", "show", str(n), "--json")) for n in (1, 2)
    ]
    bot(password, "human", "feeds", "list")

    assert status["states"]["published"] == 2, outputs  # the run did go through the errors
    assert any("401" in text for text in outputs) and any("404" in text for text in outputs)
    everything = {f"output {n}": text.encode() for n, text in enumerate(outputs)}
    everything.update(written_by_the_bot(tmp_path))
    assert "depeche.db" in everything
    # What the bot sent to WordPress, as an editor sees it.
    for story in shown:
        post = empty_site.post(story["post_id"])
        everything[f"post {story['post_id']}"] = json.dumps(post, ensure_ascii=False).encode()
    for name, secret in (("api key", api_key), ("password", password), ("wrong", wrong_password)):
        leaks = [where for where, data in everything.items() if secret.encode() in data]
        assert not leaks, f"the {name} is in {leaks}"
        # WordPress shows application passwords in groups of four; look for them bare too.
        bare = secret.replace(" ", "").encode()
        assert not [where for where, data in everything.items() if bare in data]
    # The model server did get the key: what is checked above is not a key never used.
    assert any(r.headers.get("authorization") == f"Bearer {api_key}" for r in llm.web.requests)


def key_file_config(make_config, tmp_path: Path, mode: int, llm: ScriptedLLM) -> Path:
    key = tmp_path / "openai.key"
    key.write_text("sk-from-a-file-" + secrets.token_hex(16) + "\n", encoding="utf-8")
    os.chmod(key, mode)
    return make_config(feeds=[], llm={"base_url": llm.base_url, "api_key_file": "openai.key"})


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_a_key_file_others_can_read_is_refused_with_the_fix(make_config, tmp_path, llm, mode):
    config = key_file_config(make_config, tmp_path, mode, llm)
    done = BotProcess(config).run("status")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"depeche: llm.api_key_file: {tmp_path / 'openai.key'} is readable by others; "
        f"run chmod 600 {tmp_path / 'openai.key'}"
    )


def test_a_key_file_only_its_owner_reads_is_used(make_config, tmp_path, llm: ScriptedLLM):
    config = key_file_config(make_config, tmp_path, 0o600, llm)
    key = (tmp_path / "openai.key").read_text(encoding="utf-8").strip()
    llm.default = good_answer
    source = tmp_path / "article.txt"
    (story,) = wire_stories(1)
    source.write_text(story.title + "\n" + story.html, encoding="utf-8")
    done = BotProcess(config).run("rewrite", str(source))
    assert done.returncode == 0, done.stderr
    # One chat call; the server's description (/props, /v1/models...) is asked with it.
    assert len(llm.calls) == 1
    assert {r.headers.get("authorization") for r in llm.web.requests} == {f"Bearer {key}"}
    assert key not in done.stdout + done.stderr
