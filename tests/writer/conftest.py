from __future__ import annotations

from typing import Any

from bot.config import default_prompts_dir
from bot.config.quality import QualitySettings
from bot.net.retry import RetryPolicy
from bot.writer import Writer
from bot.writer.chat import ChatModel
from bot.writer.prompt import Prompts
from tests.servers.llm import ScriptedLLM


def make_writer(
    llm: ScriptedLLM,
    *,
    model: str = "scripted",
    attempts: int = 1,
    chat: dict[str, Any] | None = None,
    **quality: object,
) -> Writer:
    """The real writer, its model pointed at the scripted server; fast retries.
    `chat`: more ChatModel settings (context_tokens, max_tokens, json_mode...)."""
    settings: dict[str, Any] = {"timeout": 5, **(chat or {})}
    model_client = ChatModel(
        base_url=llm.base_url,
        api_key="sk-test-throwaway",
        model=model,
        policy=RetryPolicy(attempts=attempts, base=0.05, cap=2.0),
        **settings,
    )
    return Writer(
        model=model_client, prompts=Prompts.load(default_prompts_dir()), quality=QualitySettings(**quality)
    )
