"""The real commands against a real llama.cpp server (llama-cpp-python) serving a tiny
random-weight model: the protocol and the bot's handling, never the prose."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from bot.net.retry import RetryPolicy
from bot.writer.chat import ChatModel
from bot.writer.llm import CallRecord, ModelError, ModelStopped
from bot.writer.server_errors import Fault
from tests.llamacpp.conftest import WINDOW
from tests.pipeline.test_model_setup import LYON
from tests.pipeline.test_run_once import invoke, rss
from tests.servers.llamacpp import ALIAS, LlamaServer
from tests.servers.tiny_gguf import write_tiny_model
from tests.servers.web import Reply, WebServer

SHORT = "Lyon ouvre trois pistes cyclables le long du Rhône.\n\nLes travaux ont duré huit mois."


def chat(server: LlamaServer, **settings: object) -> ChatModel:
    options: dict = {"timeout": 60, "max_tokens": 256, "json_mode": True, **settings}
    return ChatModel(
        base_url=server.base_url,
        api_key="",
        model="gpt-4o-mini",  # the default when DEPECHE_LLM_MODEL is unset
        policy=RetryPolicy(attempts=1),
        **options,
    )


def test_run_once_json_mode_accepted_and_the_model_recorded_as_the_server_named_it(
    make_config, llama_server: LlamaServer, web_server: WebServer
):
    feed = web_server.route("/rss", Reply(body=rss(LYON)))
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llama_server.base_url, "attempts": 1, "max_tokens": 256},
        quality={"max_repairs": 1},
    )
    result = invoke(config, "run", "--once")
    assert result.exit_code == 0, result.output
    shown = json.loads(invoke(config, "stories", "show", "1", "--json").output)
    calls = shown["calls"]
    assert calls and all(call["error"] is None for call in calls)  # json_object accepted
    assert {call["model"] for call in calls} == {ALIAS}  # not the requested gpt-4o-mini
    assert all(call["prompt_tokens"] > 0 and call["finish_reason"] for call in calls)
    assert all(call["duration_ms"] > 0 for call in calls)
    assert shown["state"] in ("held", "written")  # gibberish is the gate's business


def test_the_window_is_counted_with_the_servers_tokenizer(llama_server: LlamaServer):
    model = chat(llama_server)
    messages = [{"role": "user", "content": SHORT}]
    completion = model.complete(messages, purpose="write", record=lambda c: None)
    assert model.server is not None and model.server.kind == "llama.cpp"
    counted = model.counter.count(messages)
    # The server's own count of the same prompt, chat template included.
    assert completion.prompt_tokens is not None
    assert abs(counted - completion.prompt_tokens) <= 16


def test_a_context_overflow_is_told_in_the_servers_words_with_the_fix(
    llama_server: LlamaServer, tmp_path: Path
):
    article = tmp_path / "long.txt"
    article.write_text("Grenoble agrandit ses écoles\n\n" + "\n\n".join([SHORT] * 250))
    calls: list[CallRecord] = []
    model = chat(llama_server)
    with pytest.raises(ModelStopped) as raised:
        model.complete(
            [{"role": "user", "content": article.read_text()}], purpose="write", record=calls.append
        )
    line = str(raised.value)
    assert raised.value.fault is Fault.CONTEXT
    assert f"maximum context length is {WINDOW} tokens" in line
    assert "augmentez `-c`/`num_ctx`" in line
    assert calls[0].error == line
    # The window the server named is kept: the next prompt is fitted before it is sent.
    assert model.window == WINDOW


def test_rewrite_command_says_the_overflow_and_its_fix(
    llama_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    article = tmp_path / "long.txt"
    article.write_text("Grenoble agrandit ses écoles\n\n" + "\n\n".join([SHORT] * 250))
    monkeypatch.chdir(tmp_path)
    result = invoke_rewrite(article, llama_server)
    assert result.exit_code == 2
    assert f"maximum context length is {WINDOW} tokens" in result.output
    assert "augmentez `-c`/`num_ctx`" in result.output
    assert "could not be reached" not in result.output


def invoke_rewrite(article: Path, server: LlamaServer):
    from click.testing import CliRunner

    from bot.cli.common import cli

    env = {"OPENAI_BASE_URL": server.base_url}
    return CliRunner().invoke(cli, ["rewrite", str(article)], env=env, catch_exceptions=False)


def test_a_cut_off_answer_is_detected(llama_server: LlamaServer):
    model = chat(llama_server, json_mode=False, max_tokens=8)
    completion = model.complete(
        [{"role": "user", "content": SHORT}], purpose="write", record=lambda c: None
    )
    if completion.finish_reason == "stop":  # the random model ended first: ask again
        completion = model.complete(
            [{"role": "user", "content": SHORT + " Encore."}], purpose="write", record=lambda c: None
        )
    assert completion.finish_reason == "length" and completion.cut_off
    assert completion.completion_tokens == 8


@pytest.mark.slow
def test_a_server_killed_mid_request_is_told_at_once(tmp_path: Path):
    # Wider and deeper: a long prompt takes it seconds, time to kill it mid-request.
    model_file = write_tiny_model(tmp_path / "wide.gguf", embed=384, layers=6)
    server = LlamaServer(model_file, n_ctx=4096, log=tmp_path / "log").start()
    calls: list[CallRecord] = []
    raised: list[BaseException] = []
    model = chat(server, json_mode=False, timeout=120)
    prompt = [{"role": "user", "content": " ".join([SHORT] * 30)}]

    def call() -> None:
        try:
            model.complete(prompt, purpose="write", record=calls.append)
        except ModelError as error:
            raised.append(error)

    try:
        worker = threading.Thread(target=call)
        worker.start()
        time.sleep(1.5)
        assert worker.is_alive(), "the server answered before it could be killed"
        killed_at = time.monotonic()
        server.kill()
        worker.join(30)
        assert not worker.is_alive()
        assert time.monotonic() - killed_at < 5  # not the 120 s timeout
    finally:
        server.stop()
    (error,) = raised
    assert isinstance(error, ModelError) and error.fault is Fault.DOWN
    assert calls[-1].error == str(error) and calls[-1].duration_ms >= 1000


def test_streamed_answers_come_token_by_token_with_their_finish_reason(llama_server: LlamaServer):
    model = chat(llama_server, json_mode=False, max_tokens=16, stream=True, first_token_timeout=30)
    calls: list[CallRecord] = []
    completion = model.complete(
        [{"role": "user", "content": SHORT}], purpose="write", record=calls.append
    )
    assert completion.finish_reason in ("stop", "length")
    assert completion.model == ALIAS
    assert calls[0].error is None and calls[0].finish_reason == completion.finish_reason
