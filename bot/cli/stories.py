"""depeche stories list | show | write | retry: look at the stories one by one, and put one
back in the queue (`retry` a failed or held one, `write` a skipped or waiting one now).
`stories split` and `merge` correct the clusters (bot.cli.sources).

The store (SQLAlchemy) is imported by the commands that use it, not here: see bot.cli.
"""

from __future__ import annotations

import json
from typing import Any

import click

from bot.cli import render
from bot.cli.common import UserError, open_existing, with_config
from bot.config import Config
from bot.errors import AlreadyRunning
from bot.story import State


@click.group()
def stories() -> None:
    """List, show and retry stories."""


@stories.command("list")
@click.option("--state", type=click.Choice([s.value for s in State]))
@click.option("--limit", default=50, show_default=True)
@with_config
def stories_list(config: Config, state: str | None, limit: int) -> None:
    from bot.store import queries
    from bot.store.models import utcnow
    from bot.store.overview import timestamp

    brief = render.brief_time
    now = utcnow()
    with open_existing(config) as app, app.sessions() as session:
        rows = []
        for s in queries.stories(session, state=state, limit=limit):
            why, until = queries.wait_reason(s, now) or ("", None)
            until_text = f" until {brief(timestamp(until))}" if until else ""
            rows.append(
                [
                    s.id,
                    s.state,
                    s.title,
                    brief(timestamp(s.state_changed_at)),
                    render.short_location(s.post_url or "") or f"{why}{until_text}",
                ]
            )
    render.table("Stories", ["id", "state", "title", "since", "post or waiting"], rows)


@stories.command("show")
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@with_config
def stories_show(config: Config, story_id: int, as_json: bool) -> None:
    """One story: its sources, state, reasons, draft, history and model calls."""
    from bot.store import Story, overview
    from bot.store.models import utcnow

    with open_existing(config) as app, app.sessions() as session:
        story = session.get(Story, story_id)
        if story is None:
            raise UserError(f"no story {story_id}")
        data = overview.story_record(session, story, utcnow())
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    _print_story(data)


def _print_story(data: dict[str, Any]) -> None:
    for key in ("id", "uid", "state", "title", "url", "attempts", "last_error", "post_url"):
        click.echo(f"{key:>10}: {data[key] if data[key] is not None else ''}")
    if data["sources_changed_at"]:
        click.echo(f"   sources: changed {data['sources_changed_at']} UTC, since it was written")
    for reason in data["reasons"]:
        click.echo(f"    reason: {reason}")
    if data["waiting"]:
        click.echo(f"   waiting: {data['waiting']['why']}")
        if data["waiting"]["until"]:
            click.echo(f"     until: {data['waiting']['until']} UTC")
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
        "Sources",
        ["source", "kind", "feed", "title", "added"],
        [
            [s["id"], s["kind"], render.feed_label(s["feed"] or "", s["feed_name"]), s["title"],
             render.brief_time(s["added_at"])]
            for s in data["sources"]
        ],
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


@stories.command("write")
@click.argument("story_id", type=int)
@click.option("--force", is_flag=True, help="Past the day's quotas and budget too.")
@with_config
def stories_write(config: Config, story_id: int, force: bool) -> None:
    """Write (and publish) a skipped or waiting story now, whatever the filters said."""
    from bot.store import Story, choose_by_hand

    with open_existing(config) as app:
        with app.sessions() as session:
            story = session.get(Story, story_id)
            if story is None:
                raise UserError(f"no story {story_id}")
            if story.state not in (State.SKIPPED, State.NEW):
                raise UserError(f"story {story.id} is {story.state}, not skipped or new")
            choose_by_hand(session, story)
        try:
            pipeline = app.working_pipeline()
        except AlreadyRunning as error:
            click.echo(f"story {story_id}: back in new, chosen by hand; {error}, which writes it.")
            return
        outcomes = pipeline.write_chosen(story_id, force=force)
        with app.sessions() as session:
            story = session.get(Story, story_id)
            assert story is not None
            state, reasons = story.state, story.reasons or []
    for outcome in outcomes:
        click.echo(f"story {story_id}: {outcome.stage}: {outcome.state} {outcome.detail}".rstrip())
    if state == State.NEW:
        why = "; ".join(reasons) or "in another worker's hand"
        click.echo(f"story {story_id} waits in new ({why}); --force writes it now.")


@stories.command("retry")
@click.argument("story_id", type=int, required=False)
@click.option("--all-failed", is_flag=True, help="Every failed story.")
@with_config
def stories_retry(config: Config, story_id: int | None, all_failed: bool) -> None:
    """Put a failed or held story back in the queue."""
    from bot.store import Story, queries, retry

    if (story_id is None) == (not all_failed):
        raise UserError("give a story id or --all-failed")
    with open_existing(config) as app, app.sessions() as session:
        targets = (
            queries.stories(session, state=State.FAILED, limit=10_000)
            if all_failed
            else [s for s in [session.get(Story, story_id)] if s is not None]
        )
        if not targets and all_failed:
            click.echo("No failed story: nothing to retry.")
            return
        if not targets:
            raise UserError(f"no story {story_id}")
        for story in targets:
            if story.state not in (State.FAILED, State.HELD):
                raise UserError(f"story {story.id} is {story.state}, not failed or held")
            click.echo(f"story {story.id}: back to {retry(session, story).value}")
