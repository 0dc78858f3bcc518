"""The writer against a scripted OpenAI-compatible server, through the official client."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from bot.story import SourceArticle
from bot.writer.llm import CallRecord, ModelError, ModelUnavailable
from tests.servers.llm import ScriptedLLM, answer, error
from tests.writer.conftest import make_writer

DATA = Path(__file__).parents[1] / "quality" / "data"
SOURCE = json.loads((DATA / "source_grenoble.json").read_text(encoding="utf-8"))
GOOD = json.loads((DATA / "draft_grenoble.json").read_text(encoding="utf-8"))


def source() -> SourceArticle:
    return SourceArticle(**{k: SOURCE[k] for k in ("title", "text", "url", "source_name")})


def good_answer() -> str:
    return json.dumps(GOOD, ensure_ascii=False)


def test_one_call_gives_a_checked_draft_with_its_cost_recorded(llm: ScriptedLLM):
    llm.script(answer(good_answer(), prompt_tokens=1500, completion_tokens=1100))
    calls: list[CallRecord] = []
    outcome = make_writer(llm, model="scripted-model", attempts=3).write(
        [source()], category="Société", record=calls.append
    )
    assert outcome.draft is not None and outcome.repairs == 0
    assert outcome.draft.writer == "scripted-model" and outcome.draft.rewritten
    assert outcome.draft.seo and outcome.draft.seo["seo_score"] > 0
    (call,) = calls
    assert (call.model, call.purpose, call.prompt_tokens, call.completion_tokens) == (
        "scripted-model",
        "write",
        1500,
        1100,
    )
    assert call.response == good_answer()
    request = llm.calls[0]
    assert request["model"] == "scripted-model"
    assert request["response_format"] == {"type": "json_object"}
    # The source goes in as delimited data, inside the user message.
    user = request["messages"][1]["content"]
    assert "<source>" in user and SOURCE["title"] in user


def test_answer_in_a_code_fence_is_accepted(llm: ScriptedLLM):
    llm.script(answer(f"Voici l'article :\n```json\n{good_answer()}\n```"))
    assert (
        make_writer(llm, model="scripted-model", attempts=3)
        .write([source()], category="", record=lambda c: None)
        .draft
        is not None
    )


def test_a_429_pauses_every_writer_for_its_retry_after_then_the_call_goes_again(
    llm: ScriptedLLM,
):
    """Issue 10 §2: the writer that heard the 429 waits its Retry-After and asks again;
    a second writer that starts meanwhile waits for the same pause (the shared limiter),
    so nothing reaches the server before it ends; the breaker stays closed."""
    llm.script(error(429, retry_after="1"), answer(good_answer()), answer(good_answer()))
    calls: list[CallRecord] = []
    writer = make_writer(llm, model="scripted-model", attempts=3)

    def second_writer() -> None:
        while not llm.calls:  # starts once the 429 was heard, during its pause
            time.sleep(0.01)
        time.sleep(0.2)
        writer.write([source()], category="", record=calls.append)

    second = threading.Thread(target=second_writer)
    second.start()
    outcome = writer.write([source()], category="", record=calls.append)
    second.join(10)
    assert outcome.draft is not None
    assert calls[0].error is not None
    assert calls[0].error.startswith("model server: rate limit (HTTP 429) — « scripted »")
    assert [call.error for call in calls[1:]] == [None, None]
    assert len(llm.calls) == 3 and writer.breaker is not None and not writer.breaker.is_open
    # Both calls after the 429 left once its second had passed, none sooner.
    waited = [at - llm.call_times[0] for at in llm.call_times[1:]]
    assert min(waited) >= 0.95, waited


def test_a_429_asking_longer_than_a_retry_waits_gives_the_story_back_at_once(llm: ScriptedLLM):
    """Issue 15 §1: a Retry-After beyond what a retry waits here (the policy's cap): the
    story goes back at once (the thread does not sleep), and the model's breaker holds
    writing for that long."""
    llm.script(error(429, retry_after="30"))
    calls: list[CallRecord] = []
    writer = make_writer(llm, model="scripted-model", attempts=3)
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="HTTP 429"):
        writer.write([source()], category="", record=calls.append)
    assert time.monotonic() - started < 1
    assert writer.breaker is not None and writer.breaker.blocked()
    assert len(llm.calls) == 1


def test_server_errors_that_persist_raise_model_error(llm: ScriptedLLM):
    llm.script(error(503), error(502), error(500))
    calls: list[CallRecord] = []
    with pytest.raises(ModelError, match="HTTP 500"):
        make_writer(llm, model="scripted-model", attempts=3).write(
            [source()], category="", record=calls.append
        )
    assert len(calls) == 3 and all(c.error for c in calls)


def test_malformed_json_is_sent_back_and_repaired(llm: ScriptedLLM):
    llm.script(answer('{"title": "Écoles de Grenoble", "body_html": '), answer(good_answer()))
    calls: list[CallRecord] = []
    outcome = make_writer(llm, model="scripted-model", attempts=3).write(
        [source()], category="", record=calls.append
    )
    assert outcome.draft is not None and outcome.repairs == 1
    assert [c.purpose for c in calls] == ["write", "repair"]
    follow_up = llm.calls[1]["messages"]
    # Same conversation: system, user, the broken answer, then the targeted request.
    assert [m["role"] for m in follow_up] == ["system", "user", "assistant", "user"]
    assert "JSON" in follow_up[-1]["content"]


def test_garbage_every_time_is_held_with_the_reason(llm: ScriptedLLM):
    llm.script(answer("Je ne peux pas répondre."), answer("[]"), answer("{}"))
    outcome = make_writer(llm, model="scripted-model", attempts=3, max_repairs=2).write(
        [source()], category="", record=lambda c: None
    )
    assert outcome.draft is None
    assert any("missing keys" in reason for reason in outcome.held_reasons)
    assert len(llm.calls) == 3


def test_an_answer_nested_too_deeply_is_sent_back(llm: ScriptedLLM):
    llm.script(answer("[" * 100_000 + "]" * 100_000), answer(good_answer()))
    outcome = make_writer(llm, model="scripted-model").write([source()], category="", record=lambda c: None)
    assert outcome.draft is not None and outcome.repairs == 1
    assert "nested too deeply" in llm.calls[1]["messages"][-1]["content"]
