"""The context budget against a real llama.cpp server (issue 16).

    python bench/token_budget.py

Starts `python -m llama_cpp.server` (llama-cpp-python, built by .ci/run; `.[llamacpp]`)
on the tiny random-weight GGUF of the tests, with a window of WINDOW tokens, and sends
the writer's real prompts for the French test sources, each whole and cut to 1/4, 1/2
and 3/4 of its paragraphs, repeated 1 to 3 times (longer wires). Two figures, each beside
its baseline measured in the same run:

1. Counting: the bot's count of each prompt (the server's tokenizer, plus the chat
   template's allowance) against the `usage.prompt_tokens` the server reports, beside
   the plain 3-characters-a-token estimate and that estimate after learning from one
   reported usage.
2. Overflows: how many of the requests the server refuses as too long for its window,
   sent as before (max_tokens = [llm] max_tokens, whatever the prompt) and as now (the
   window read, max_tokens fitted, the source cut when even that cannot fit).

The model's answers are gibberish: only the protocol and the counts matter.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import openai

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import default_prompts_dir  # noqa: E402
from bot.config.quality import QualitySettings  # noqa: E402
from bot.net.retry import RetryPolicy  # noqa: E402
from bot.story import SourceArticle  # noqa: E402
from bot.writer import Writer  # noqa: E402
from bot.writer.budget import TokenCounter  # noqa: E402
from bot.writer.chat import ChatModel  # noqa: E402
from bot.writer.llm import CallRecord, ModelError  # noqa: E402
from bot.writer.prompt import Prompts  # noqa: E402
from tests.servers.llamacpp import LlamaServer  # noqa: E402
from tests.servers.tiny_gguf import write_tiny_model  # noqa: E402

WINDOW = 8192
MAX_TOKENS = 4096  # the shipped [llm] max_tokens
TESTS = ROOT / "tests"


def sources() -> list[SourceArticle]:
    out = []
    for path in (TESTS / "quality" / "data" / "source_grenoble.json",
                 TESTS / "writer" / "data" / "source_english.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = data["text"].split("\n\n")
        for repeat in (1, 2, 3):
            for quarter in (1, 2, 3, 4):
                kept = paragraphs[: max(1, len(paragraphs) * quarter // 4)]
                out.append(
                    SourceArticle(title=data["title"], text="\n\n".join(kept * repeat), url="")
                )
    return out


def main() -> None:
    prompts = Prompts.load(default_prompts_dir())
    articles = sources()
    with tempfile.TemporaryDirectory() as folder:
        model_file = write_tiny_model(Path(folder) / "tiny.gguf")
        server = LlamaServer(model_file, n_ctx=WINDOW, log=Path(folder) / "log").start()
        try:
            counting(server, prompts, articles)
            overflows(server, prompts, articles)
        finally:
            server.stop()


def counting(server: LlamaServer, prompts: Prompts, articles: list[SourceArticle]) -> None:
    model = ChatModel(
        base_url=server.base_url, api_key="", model="tiny", timeout=120,
        policy=RetryPolicy(attempts=1), max_tokens=256, json_mode=False,
        context_tokens=WINDOW * 4,  # counting only: nothing is fitted or refused here
    )  # fmt: skip
    plain, learnt = TokenCounter(), TokenCounter()
    errors: dict[str, list[float]] = {"server tokenizer": [], "3 chars/token": [], "learnt": []}
    for number, article in enumerate(articles):
        messages = prompts.messages([article], language="fr", min_words=700, category="")
        if sum(len(m["content"]) for m in messages) > WINDOW * 0.9:
            continue  # a prompt past the window: the counting needs an answer
        completion = model.complete(messages, purpose="write", record=lambda c: None)
        reported = completion.prompt_tokens or 0
        if number == 0:
            learnt.learn(messages, reported)  # one reported usage, then the estimate alone
            continue
        for name, count in (
            ("server tokenizer", model.counter.count(messages)),
            ("3 chars/token", plain.estimate(messages)),
            ("learnt", learnt.estimate(messages)),
        ):
            errors[name].append((count - reported) / reported)
    measured = len(errors["learnt"])
    print(f"1. Prompt tokens counted vs the server's usage.prompt_tokens ({measured} prompts)")
    for name, values in errors.items():
        mean = sum(abs(v) for v in values) / len(values)
        print(
            f"   {name:<17} mean |error| {mean:6.1%}, from {min(values):+.1%} to {max(values):+.1%}"
            + ("  (baseline)" if name == "3 chars/token" else "")
        )


def overflows(server: LlamaServer, prompts: Prompts, articles: list[SourceArticle]) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="no-key", max_retries=0, timeout=120)
    before = 0
    for article in articles:
        messages = prompts.messages([article], language="fr", min_words=700, category="")
        try:
            client.chat.completions.create(
                model="tiny", messages=messages, max_tokens=MAX_TOKENS  # type: ignore[arg-type]
            )
        except openai.BadRequestError:
            before += 1
    after = cut = 0
    model = ChatModel(
        base_url=server.base_url, api_key="", model="tiny", timeout=120,
        policy=RetryPolicy(attempts=1), max_tokens=MAX_TOKENS, json_mode=False,
        context_tokens=WINDOW,
    )  # fmt: skip
    writer = Writer(model=model, prompts=prompts, quality=QualitySettings(max_repairs=0))
    for article in articles:
        calls: list[CallRecord] = []
        try:
            writer.write([article], category="", record=calls.append)
        except ModelError:
            after += 1
            continue
        # Cut when the whole source is not in the prompt sent.
        cut += article.text not in calls[0].messages[1]["content"]
    print(f"2. Requests refused as too long for a {WINDOW}-token window ({len(articles)} prompts)")
    print(f"   before (max_tokens {MAX_TOKENS} always): {before}  (baseline)")
    print(f"   now (window read, max_tokens fitted, source cut): {after}; sources cut: {cut}")


if __name__ == "__main__":
    main()
