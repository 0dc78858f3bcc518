"""[store] keep_prompts and `depeche db vacuum` (issue 15 §6): the bodies of old
published stories' calls go, their token counts stay; recent ones are untouched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.common import cli
from bot.config import ConfigError, load
from bot.store import LLMCall, State, Story
from bot.store.models import utcnow
from tests.conftest import ROOT

SAMPLE = ROOT / "config" / "sample" / "feed.xml"
PROMPT = [{"role": "user", "content": "Réécris cette dépêche sur le marché de producteurs. " * 40}]


def story_with_a_call(session, uid: str, state: State, days_ago: int) -> int:
    story = Story(uid=uid, guid=uid, title=uid, state=state)
    story.state_changed_at = utcnow() - timedelta(days=days_ago)
    session.add(story)
    session.flush()
    session.add(
        LLMCall(
            story_id=story.id,
            model="m",
            purpose="write",
            messages=PROMPT,
            response="{\"title\": \"Un marché\"}" * 50,
            prompt_tokens=900,
            completion_tokens=1200,
        )
    )
    session.commit()
    return story.id


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The migrated database (`sessions`, tests/conftest.py) is the one bot.toml names."""
    return sqlite_url


def test_vacuum_drops_old_published_bodies_and_keeps_the_counts(make_config, sessions):
    config = make_config(feeds=[{"url": str(SAMPLE)}], store={"keep_prompts": "30d"})
    with sessions() as session:
        old = story_with_a_call(session, "old", State.PUBLISHED, 40)
        recent = story_with_a_call(session, "recent", State.PUBLISHED, 5)
        waiting = story_with_a_call(session, "held", State.HELD, 40)

    result = CliRunner().invoke(cli, ["--config", str(config), "db", "vacuum"])
    assert result.exit_code == 0, result.output
    assert "1 model call(s) of stories published more than 30d ago" in result.output

    with sessions() as session:
        calls = {c.story_id: c for c in session.scalars(select(LLMCall))}
    assert calls[old].messages == [] and calls[old].response is None
    assert (calls[old].prompt_tokens, calls[old].completion_tokens) == (900, 1200)
    for kept in (recent, waiting):  # too young, or not published: an editor may need it
        assert calls[kept].messages == PROMPT and calls[kept].response


def test_a_wrong_keep_prompts_is_said_at_load(make_config):
    config = make_config(feeds=[{"url": str(SAMPLE)}], store={"keep_prompts": "a month"})
    with pytest.raises(ConfigError, match=r"store\.keep_prompts"):
        load(config)
