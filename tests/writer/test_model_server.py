"""Model servers as they really are, spoken by the scripted server: their own error
words, their windows, cut-off answers, the model name they answer with."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from bot.app import make_writer as make_app_writer
from bot.config import load
from bot.net.retry import RetryPolicy
from bot.writer.budget import MARGIN, OLLAMA_WINDOW
from bot.writer.chat import ChatModel
from bot.writer.llm import (
    CallRecord,
    ModelError,
    ModelRefused,
    ModelStopped,
    ModelUnavailable,
)
from bot.writer.server_errors import Fault, classify, from_http, server_words, window_named
from tests.conftest import ROOT
from tests.servers.llm import (
    ScriptedLLM,
    Step,
    answer,
    auth_refused,
    cut_off,
    error,
    json_mode_refused,
    llamacpp_context,
    not_found_page,
    ollama_unknown_model,
    openai_style_context,
    openai_unknown_model,
    vllm_context,
)
from tests.writer.conftest import make_writer
from tests.writer.test_model_writer import good_answer, source

# A window no article fits in, whatever counts the prompt: the refit fails too.
TINY = 600


@pytest.mark.parametrize(
    ("step", "kind", "fault", "words", "fix"),
    [
        (
            llamacpp_context(9052, TINY),
            ModelStopped,
            Fault.CONTEXT,
            "the request (9,052 tokens) exceeds the available context size (600 tokens)",
            "le contexte du serveur (600 jetons) est trop petit pour cet article : augmentez "
            "`-c`/`num_ctx` ou baissez `[llm] max_tokens`",
        ),
        (
            openai_style_context(TINY, 1530, 4096),
            ModelStopped,
            Fault.CONTEXT,
            "maximum context length is 600 tokens. However, you requested 5626 tokens "
            "(1530 in the messages, 4096 in the completion)",
            "augmentez `-c`/`num_ctx`",
        ),
        (
            vllm_context(TINY, 2600),
            ModelStopped,
            Fault.CONTEXT,
            "maximum context length is 600 tokens",
            "augmentez `-c`/`num_ctx`",
        ),
        (
            ollama_unknown_model("mistral-nemo"),
            ModelStopped,
            Fault.MODEL,
            'model "mistral-nemo" not found, try pulling it first',
            "corrigez `[llm] model`",
        ),
        (
            openai_unknown_model("gpt-4o-mini"),
            ModelStopped,
            Fault.MODEL,
            "The model `gpt-4o-mini` does not exist",
            "corrigez `[llm] model`",
        ),
        (
            json_mode_refused(),
            ModelStopped,
            Fault.PARAMETER,
            "response_format of type json_object is not supported by this server",
            "mettez `[llm] json_mode = false`",
        ),
        (
            not_found_page(),
            ModelStopped,
            Fault.URL,
            "404 Not Found File Not Found",
            "doit finir par /v1",
        ),
        (
            error(400, body='{"error": {"message": "content rejected by the moderation filter"}}'),
            ModelRefused,
            Fault.REFUSED,
            "content rejected by the moderation filter",
            "",
        ),
        (
            error(503, body='{"error": {"code": 503, "message": "Loading model"}}'),
            ModelUnavailable,  # a server down: its breaker hears it (issue 15)
            Fault.DOWN,
            "Loading model",
            "repris plus tard",
        ),
    ],
)
def test_errors_are_kept_in_the_servers_words_with_their_fault_and_fix(
    llm: ScriptedLLM, step: Step, kind: type, fault: Fault, words: str, fix: str
):
    llm.script(step)
    calls: list[CallRecord] = []
    with pytest.raises(ModelError) as raised:
        make_writer(llm, attempts=1).write([source()], category="", record=calls.append)
    assert type(raised.value) is kind
    assert raised.value.fault is fault
    line = str(raised.value)
    assert f"model server: {fault}" in line and words in line and fix in line
    # The same line in llm_calls.error: one call only, none of them retried.
    assert [c.error for c in calls] == [line]
    assert "\n" not in line and len(line) < 700


def test_a_key_echoed_by_the_server_is_masked(llm: ScriptedLLM):
    llm.script(auth_refused("sk-test-throwaway"))
    calls: list[CallRecord] = []
    with pytest.raises(ModelStopped) as raised:
        make_writer(llm).write([source()], category="", record=calls.append)
    assert raised.value.fault is Fault.AUTH
    assert "sk-test-throwaway" not in str(raised.value)
    assert "Incorrect API key provided: ***" in str(raised.value)
    assert "OPENAI_API_KEY" in str(raised.value)


def test_rate_limits_and_a_server_down_are_retried_not_stopped(llm: ScriptedLLM):
    llm.script(error(429, retry_after="0"), error(502), answer(good_answer()))
    calls: list[CallRecord] = []
    outcome = make_writer(llm, attempts=3).write([source()], category="", record=calls.append)
    assert outcome.draft is not None
    assert [c.error.split(" — ")[0] for c in calls if c.error] == [
        "model server: rate limit (HTTP 429)",
        "model server: server down (HTTP 502)",
    ]


def test_an_error_page_that_is_not_json_is_cut_to_a_line():
    words = server_words("<html><body>" + "<p>Bad gateway</p>" * 200 + "</body></html>")
    assert words.startswith("Bad gateway Bad gateway") and len(words) <= 300
    assert words.endswith("…")


def test_ordinary_refusals_are_not_mistaken_for_a_window_or_a_setup_error():
    """A tightened check stays quiet on the errors it is not about."""
    assert classify(400, "temperature must be between 0 and 2") is Fault.REFUSED
    assert classify(400, "messages: the last message must be from the user") is Fault.REFUSED
    assert classify(500, "CUDA error: out of memory") is Fault.DOWN
    assert classify(429, "Rate limit reached for requests") is Fault.RATE_LIMIT
    assert classify(429, "You exceeded your current quota") is Fault.AUTH
    assert window_named("Rate limit reached: 200 requests per minute") is None
    assert from_http(400, '{"error": "bad"}').window is None


def test_the_window_named_by_an_overflow_is_learnt_and_the_request_fitted(llm: ScriptedLLM):
    llm.script(llamacpp_context(5455, 4096), answer(good_answer()))
    calls: list[CallRecord] = []
    writer = make_writer(llm, chat={"max_tokens": 4096})
    outcome = writer.write([source()], category="", record=calls.append)
    assert outcome.draft is not None
    first, second = llm.calls
    assert first["max_tokens"] == 4096
    assert 1024 <= second["max_tokens"] < 4096 - MARGIN
    assert writer.model.window == 4096


def test_llamacpp_props_give_the_window_and_max_tokens_fits_it(llm: ScriptedLLM):
    llm.speak_as_llamacpp(n_ctx=4096)
    llm.script(answer(good_answer()))
    writer = make_writer(llm, chat={"max_tokens": 4096})
    assert writer.write([source()], category="", record=lambda c: None).draft is not None
    sent = llm.calls[0]
    prompt_chars = sum(len(m["content"]) for m in sent["messages"])
    # The estimate: 3 characters a token, 8 tokens around each message, MARGIN to spare.
    assert sent["max_tokens"] <= 4096 - prompt_chars // 3 - MARGIN
    assert "options" not in sent  # num_ctx is Ollama's alone


def test_a_configured_window_needs_no_probe_and_a_big_one_changes_nothing(llm: ScriptedLLM):
    llm.script(answer(good_answer()))
    calls: list[CallRecord] = []
    outcome = make_writer(llm, chat={"context_tokens": 128_000}).write(
        [source()], category="", record=calls.append
    )
    assert outcome.draft is not None and outcome.draft.warnings == []
    assert llm.calls[0]["max_tokens"] == 4096
    assert llm.calls[0]["messages"][1]["content"].count(source().text[:200]) == 1


def test_a_source_too_long_for_the_window_is_cut_and_the_editor_told(llm: ScriptedLLM):
    long_source = source()
    long_source.text = "\n".join([long_source.text] * 6)
    llm.script(answer(good_answer()))
    writer = make_writer(llm, chat={"context_tokens": 3000, "max_tokens": 1200})
    outcome = writer.write([long_source], category="", record=lambda c: None)
    assert outcome.draft is not None
    note = [w for w in outcome.draft.warnings if w.startswith("Source tronquée")]
    assert len(note) == 1 and f"sur {len(long_source.text.split())}" in note[0]
    sent = llm.calls[0]
    assert len(sent["messages"][1]["content"]) < len(long_source.text)
    assert sent["max_tokens"] >= 1024


def test_a_window_too_small_for_any_prompt_stops_with_the_fix(llm: ScriptedLLM):
    with pytest.raises(ModelStopped) as raised:
        make_writer(llm, chat={"context_tokens": 1100}).write(
            [source()], category="", record=lambda c: None
        )
    assert raised.value.fault is Fault.CONTEXT
    assert "augmentez `-c`/`num_ctx`" in str(raised.value)
    assert llm.calls == []  # nothing was sent that could not fit


@pytest.mark.parametrize(
    ("modelfile", "configured", "expected"),
    [(None, 0, OLLAMA_WINDOW), (4096, 0, 4096), (4096, 16384, 16384)],
)
def test_ollama_is_sent_its_num_ctx(
    llm: ScriptedLLM, modelfile: int | None, configured: int, expected: int
):
    llm.speak_as_ollama(num_ctx=modelfile)
    llm.script(answer(good_answer()))
    writer = make_writer(llm, chat={"context_tokens": configured, "max_tokens": 2048})
    assert writer.write([source()], category="", record=lambda c: None).draft is not None
    assert llm.calls[0]["options"] == {"num_ctx": expected}


def test_a_cut_off_answer_is_said_so_and_asked_shorter(llm: ScriptedLLM):
    llm.script(cut_off(good_answer()[:900]), answer(good_answer()))
    calls: list[CallRecord] = []
    outcome = make_writer(llm).write([source()], category="", record=calls.append)
    assert outcome.draft is not None and outcome.repairs == 1
    assert [c.finish_reason for c in calls] == ["length", "stop"]
    repair = llm.calls[1]["messages"]
    assert "coupée" in repair[-1]["content"] and "plus court" in repair[-1]["content"]
    assert len(repair[-2]["content"]) < 300  # the cut answer is not sent back whole


def test_answers_cut_every_time_are_held_as_cut_not_as_bad_json(llm: ScriptedLLM):
    llm.default = lambda request: cut_off('{"title": "Grenoble')
    outcome = make_writer(llm, max_repairs=1).write([source()], category="", record=lambda c: None)
    assert outcome.draft is None
    assert outcome.held_reasons == ["réponse coupée (max_tokens / contexte)"]


def test_the_model_recorded_is_the_one_the_server_named(llm: ScriptedLLM):
    llm.script(answer(good_answer(), served_model="qwen2.5-0.5b-instruct-q4_k_m.gguf"))
    calls: list[CallRecord] = []
    outcome = make_writer(llm, model="gpt-4o-mini").write(
        [source()], category="", record=calls.append
    )
    assert calls[0].model == "qwen2.5-0.5b-instruct-q4_k_m.gguf"
    assert outcome.draft is not None
    assert outcome.draft.writer == "qwen2.5-0.5b-instruct-q4_k_m.gguf"


def test_a_failed_call_records_its_real_duration(llm: ScriptedLLM):
    slow_failure = error(503)
    slow_failure.delay = 0.4
    llm.script(slow_failure)
    calls: list[CallRecord] = []
    with pytest.raises(ModelError):
        make_writer(llm).write([source()], category="", record=calls.append)
    assert calls[0].duration_ms >= 400


def test_a_dead_host_is_known_by_the_connect_timeout_not_the_read_one(llm: ScriptedLLM):
    base_url = llm.base_url
    llm.web.stop()  # nothing listens on the port any more
    chat = ChatModel(
        base_url=base_url,
        api_key="",
        model="scripted",
        timeout=60,
        connect_timeout=2,
        policy=RetryPolicy(attempts=1),
    )
    calls: list[CallRecord] = []
    started = time.monotonic()
    with pytest.raises(ModelError) as raised:
        chat.complete([{"role": "user", "content": "Bonjour"}], purpose="write", record=calls.append)
    assert time.monotonic() - started < 10
    assert raised.value.fault is Fault.DOWN
    assert "refused" in str(raised.value).lower()
    assert calls[0].error == str(raised.value)


def test_repairs_send_the_last_answer_not_the_whole_history_when_the_window_is_tight(
    llm: ScriptedLLM,
):
    bad = json.loads(good_answer())
    bad["title"] = "Un titre " + "beaucoup trop long " * 12
    llm.default = lambda request: answer(json.dumps(bad, ensure_ascii=False))
    make_writer(llm, max_repairs=3, chat={"context_tokens": 6000, "max_tokens": 1100}).write(
        [source()], category="", record=lambda c: None
    )
    sizes = [len(call["messages"]) for call in llm.calls]
    assert sizes[0] == 2 and max(sizes) <= 6
    assert all(call["max_tokens"] >= 1024 for call in llm.calls)


def test_the_readmes_ollama_example_sends_its_window(llm: ScriptedLLM, tmp_path: Path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Ollama, tested example") :]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example
    (tmp_path / "bot.toml").write_text(example.group(1), encoding="utf-8")
    # The scripted server stands in for Ollama at the example's address.
    config = load(tmp_path / "bot.toml", environ={"OPENAI_BASE_URL": llm.base_url})
    llm.speak_as_ollama()
    llm.script(answer(good_answer()))
    outcome = make_app_writer(config).write([source()], category="", record=lambda c: None)
    assert outcome.draft is not None
    sent = llm.calls[0]
    assert sent["model"] == "mistral-nemo" and sent["options"] == {"num_ctx": 16384}
    assert sent["max_tokens"] <= 4096


def test_streamed_a_silent_server_is_taken_for_hung_after_the_first_token_timeout(
    llm: ScriptedLLM,
):
    silent = answer(good_answer())
    silent.delay = 5
    llm.script(silent)
    chat = ChatModel(
        base_url=llm.base_url,
        api_key="",
        model="scripted",
        timeout=60,
        stream=True,
        first_token_timeout=0.5,
        policy=RetryPolicy(attempts=1),
    )
    calls: list[CallRecord] = []
    started = time.monotonic()
    with pytest.raises(ModelError) as raised:
        chat.complete([{"role": "user", "content": "Bonjour"}], purpose="write", record=calls.append)
    assert time.monotonic() - started < 4  # not the 60 s timeout, nor the 5 s delay
    assert raised.value.fault is Fault.TIMEOUT
    assert "no token within 0.5 s (streamed)" in str(raised.value)
    assert llm.calls[0]["stream"] is True
    assert 400 <= calls[0].duration_ms < 4000
