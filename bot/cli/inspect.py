"""depeche status | stories list/show/retry | feeds list: read the store, print it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from bot.app import open_app
from bot.cli import render
from bot.cli.common import UserError, with_config
from bot.config import Config
from bot.store import State, Story, queries, retry


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _feed_rows(session: Any) -> list[dict[str, Any]]:
    return [
        {
            "url": f.url,
            "title": f.title,
            "last_poll": _when(f.last_polled_at),
            "last_new_story": _when(f.last_new_story_at),
            "errors": f.error_count,
            "last_error": f.last_error,
            "next_poll": _when(f.next_poll_at),
            "interval_s": f.interval_seconds,
        }
        for f in queries.feeds(session)
    ]


@click.command()
@click.option("--json", "as_json", is_flag=True)
@with_config
def status(config: Config, as_json: bool) -> None:
    """Counts per state, per-feed health, the oldest waiting story, recent problems."""
    with open_app(config) as app, app.sessions() as session:
        data = {
            "states": queries.state_counts(session),
            "oldest_waiting": {k: _when(v) for k, v in queries.oldest_waiting(session).items()},
            "feeds": _feed_rows(session),
            "llm": queries.token_totals(session),
            "problems": [
                {
                    "id": s.id,
                    "state": s.state,
                    "title": s.title,
                    "reasons": s.reasons or ([s.last_error] if s.last_error else []),
                }
                for s in queries.recent_problems(session)
            ],
        }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    render.table(
        "Stories",
        ["state", "count", "oldest waiting since"],
        [[k, v, data["oldest_waiting"].get(k, "")] for k, v in data["states"].items()],
    )
    render.table(
        "Feeds",
        ["feed", "last poll", "last new story", "errors", "last error", "next poll"],
        [
            [
                f["url"],
                f["last_poll"],
                f["last_new_story"],
                f["errors"],
                f["last_error"],
                f["next_poll"],
            ]
            for f in data["feeds"]
        ],
    )
    llm = data["llm"]
    click.echo(
        f"Model: {llm['calls']} calls, {llm['prompt_tokens']} prompt + "
        f"{llm['completion_tokens']} completion tokens"
    )
    if data["problems"]:
        render.table(
            "Recent problems",
            ["id", "state", "title", "reasons"],
            [
                [p["id"], p["state"], p["title"][:60], "\n".join(p["reasons"])]
                for p in data["problems"]
            ],
        )


@click.group()
def stories() -> None:
    """List, show and retry stories."""


@stories.command("list")
@click.option("--state", type=click.Choice([s.value for s in State]))
@click.option("--limit", default=50, show_default=True)
@with_config
def stories_list(config: Config, state: str | None, limit: int) -> None:
    with open_app(config) as app, app.sessions() as session:
        rows = [
            [s.id, s.state, s.title[:70], _when(s.state_changed_at), s.post_url or ""]
            for s in queries.stories(session, state=state, limit=limit)
        ]
    render.table("Stories", ["id", "state", "title", "since", "post"], rows)


@stories.command("show")
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@with_config
def stories_show(config: Config, story_id: int, as_json: bool) -> None:
    """One story: source, state, reasons, draft, history and model calls."""
    with open_app(config) as app, app.sessions() as session:
        story = session.get(Story, story_id)
        if story is None:
            raise UserError(f"no story {story_id}")
        data = _story_data(session, story)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    for key in ("id", "uid", "state", "title", "url", "attempts", "last_error", "post_url"):
        click.echo(f"{key:>10}: {data[key] if data[key] is not None else ''}")
    for reason in data["reasons"]:
        click.echo(f"    reason: {reason}")
    draft = data["draft"] or {}
    for warning in draft.get("warnings", []):
        click.echo(f"   warning: {warning}")
    if draft:
        seo = draft.get("seo") or {}
        click.echo(
            f"     draft: {draft.get('title')} (SEO {seo.get('seo_score')}, "
            f"lisibilité {seo.get('readability_score')}, writer {draft.get('writer')})"
        )
    render.table(
        "History",
        ["at", "stage", "outcome", "detail"],
        [[e["at"], e["stage"], e["outcome"], e["detail"]] for e in data["events"]],
    )
    render.table(
        "Model calls",
        ["at", "model", "purpose", "prompt", "completion", "ms", "error"],
        [
            [
                c["at"],
                c["model"],
                c["purpose"],
                c["prompt_tokens"],
                c["completion_tokens"],
                c["duration_ms"],
                c["error"],
            ]
            for c in data["calls"]
        ],
    )


def _story_data(session: Any, story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "uid": story.uid,
        "state": story.state,
        "title": story.title,
        "url": story.url,
        "attempts": story.attempts,
        "last_error": story.last_error,
        "reasons": story.reasons or [],
        "post_id": story.post_id,
        "post_url": story.post_url,
        "draft": story.draft,
        "source_text": story.source_text,
        "events": [
            {"at": _when(e.at), "stage": e.stage, "outcome": e.outcome, "detail": e.detail}
            for e in queries.story_events(session, story.id)
        ],
        "calls": [
            {
                "at": _when(c.at),
                "model": c.model,
                "purpose": c.purpose,
                "prompt_tokens": c.prompt_tokens,
                "completion_tokens": c.completion_tokens,
                "duration_ms": c.duration_ms,
                "error": c.error,
                "response": c.response,
            }
            for c in queries.story_calls(session, story.id)
        ],
    }


@stories.command("retry")
@click.argument("story_id", type=int, required=False)
@click.option("--all-failed", is_flag=True, help="Every failed story.")
@with_config
def stories_retry(config: Config, story_id: int | None, all_failed: bool) -> None:
    """Put a failed or held story back in the queue."""
    if (story_id is None) == (not all_failed):
        raise UserError("give a story id or --all-failed")
    with open_app(config) as app, app.sessions() as session:
        targets = (
            queries.stories(session, state=State.FAILED, limit=10_000)
            if all_failed
            else [s for s in [session.get(Story, story_id)] if s is not None]
        )
        if not targets:
            raise UserError(f"no story {story_id}" if story_id else "no failed story")
        for story in targets:
            if story.state not in (State.FAILED, State.HELD):
                raise UserError(f"story {story.id} is {story.state}, not failed or held")
            click.echo(f"story {story.id}: back to {retry(session, story).value}")


@click.group()
def feeds() -> None:
    """Feeds and their health."""


@feeds.command("list")
@with_config
def feeds_list(config: Config) -> None:
    with open_app(config) as app:
        app.pipeline().feeds.sync()
        with app.sessions() as session:
            rows = _feed_rows(session)
    render.table(
        "Feeds",
        [
            "feed",
            "title",
            "last poll",
            "last new story",
            "errors",
            "last error",
            "next poll",
            "interval (s)",
        ],
        [
            [
                f["url"],
                f["title"],
                f["last_poll"],
                f["last_new_story"],
                f["errors"],
                f["last_error"],
                f["next_poll"],
                f["interval_s"],
            ]
            for f in rows
        ],
    )
