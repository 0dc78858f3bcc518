"""depeche status | stories list/show/retry/write | feeds list: read the store, print it
(and, for `stories retry` and `stories write`, put a story back in the queue).

The store (SQLAlchemy) is imported by the commands that read it, not here: see bot.cli.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from bot.cli import render
from bot.cli.common import UserError, with_config
from bot.config import Config
from bot.errors import AlreadyRunning
from bot.story import State

if TYPE_CHECKING:
    from bot.app import App
    from bot.store import Story


def open_existing(config: Config) -> App:
    """The app on a database a run has made; looking creates nothing: without one,
    say so and exit 0 (there is simply nothing to show yet)."""
    from sqlalchemy.engine import make_url

    from bot.app import open_app
    from bot.store.db import database_exists

    if not database_exists(config.database_url):
        where = make_url(config.database_url).render_as_string(hide_password=True)
        click.echo(f"No database yet ({where}): `depeche run --once` creates it.", err=True)
        sys.exit(0)
    return open_app(config)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _feed_rows(session: Any, config: Config) -> list[dict[str, Any]]:
    from bot.store import queries, review

    names = {feed.url: feed.name for feed in config.feeds}
    decisions = review.per_feed(session)
    none = review.FeedDecisions()
    return [
        {
            "url": f.url,
            "label": render.feed_label(f.url, names.get(f.url) or f.title),
            "title": f.title,
            "last_poll": _when(f.last_polled_at),
            "last_new_story": _when(f.last_new_story_at),
            "errors": f.error_count,
            "last_error": f.last_error,
            "next_poll": _when(f.next_poll_at),
            "interval_s": f.interval_seconds,
            **asdict(decisions.get(f.url, none)),
        }
        for f in queries.feeds(session)
    ]


@click.command()
@click.option("--json", "as_json", is_flag=True)
@with_config
def status(config: Config, as_json: bool) -> None:
    """Counts per state, per-feed health, the oldest waiting story, recent problems."""
    from bot.select.selection import Selection
    from bot.store import queries
    from bot.store.models import utcnow

    with open_existing(config) as app, app.sessions() as session:
        data = {
            "states": queries.state_counts(session),
            "oldest_waiting": {k: _when(v) for k, v in queries.oldest_waiting(session).items()},
            "feeds": _feed_rows(session, config),
            "llm": queries.token_totals(session),
            "skipped": queries.skip_reasons(session),
            "warnings": queries.warning_counts(session),
            "budget": Selection(config, app.sessions).today(session),
            "problems": [
                {
                    "id": s.id,
                    "state": s.state,
                    "title": s.title,
                    "reasons": s.reasons or ([s.last_error] if s.last_error else []),
                }
                for s in queries.recent_problems(session)
            ],
            "waiting": [
                {"id": s.id, "state": s.state, "title": s.title, "why": why, "until": _when(until)}
                for s, why, until in queries.waiting(session, utcnow())
            ],
            "in_flight": [
                {
                    "id": s.id,
                    "title": s.title,
                    "stage": queries.STAGE_OF.get(State(s.state), s.state),
                    "worker": s.lease_owner,
                    "since": _when(s.lease_since),
                    "lease_until": _when(s.lease_until),
                }
                for s in queries.in_flight(session, utcnow())
            ],
        }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    render.table(
        "Stories",
        ["state", "count", "oldest waiting since"],
        [[k, v, _brief(data["oldest_waiting"].get(k, ""))] for k, v in data["states"].items()],
    )
    _feed_table(data["feeds"], config)
    llm = data["llm"]
    click.echo(
        f"Model: {llm['calls']} calls, {llm['prompt_tokens']} prompt + "
        f"{llm['completion_tokens']} completion tokens"
    )
    if data["skipped"]:
        render.table("Skipped, why", ["reason", "count"], list(data["skipped"].items()))
    if data["warnings"]:
        render.table("Drafts with warnings, by rule", ["rule", "drafts"],
                     list(data["warnings"].items()))
    _budget_table(data["budget"], config)
    if data["in_flight"]:
        _dated_table("In flight now", ["id", "stage", "title", "worker", "since"],
                     data["in_flight"])
    if data["waiting"]:
        _dated_table("Waiting, why and until when", ["id", "state", "title", "why", "until"],
                     data["waiting"])
    if data["problems"]:
        render.table(
            "Recent problems",
            ["id", "state", "title", "reasons"],
            [[p["id"], p["state"], p["title"], "\n".join(p["reasons"])] for p in data["problems"]],
        )


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

    now = utcnow()
    with open_existing(config) as app, app.sessions() as session:
        rows = []
        for s in queries.stories(session, state=state, limit=limit):
            why, until = queries.wait_reason(s, now) or ("", None)
            until_text = f" until {_brief(_when(until))}" if until else ""
            rows.append(
                [
                    s.id,
                    s.state,
                    s.title,
                    _brief(_when(s.state_changed_at)),
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
    from bot.store import Story

    with open_existing(config) as app, app.sessions() as session:
        story = session.get(Story, story_id)
        if story is None:
            raise UserError(f"no story {story_id}")
        data = _story_data(session, story)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
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
             _brief(s["added_at"])]
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


def _story_data(session: Any, story: Story) -> dict[str, Any]:
    from bot.store import queries, sources
    from bot.store.models import utcnow

    waiting = queries.wait_reason(story, utcnow())
    return {
        "waiting": {"why": waiting[0], "until": _when(waiting[1])} if waiting else None,
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
        # Its sources, the first being the primary; each GUID in its latest version.
        "sources": [
            {
                "id": s.id,
                "kind": s.kind,
                "feed": s.feed.url if s.feed else None,
                "feed_name": s.feed.title if s.feed else "",
                "guid": s.guid,
                "url": s.url,
                "title": s.title,
                "added_at": _when(s.added_at),
            }
            for s in sources.of(session, story.id)
        ],
        "sources_changed_at": _when(story.sources_changed_at),
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
                "finish_reason": c.finish_reason,
                "error": c.error,
                "response": c.response,
            }
            for c in queries.story_calls(session, story.id)
        ],
    }


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


@click.group()
def feeds() -> None:
    """Feeds and their health."""


@feeds.command("list")
@with_config
def feeds_list(config: Config) -> None:
    from bot.pipeline.polling import FeedPoller

    with open_existing(config) as app:
        # The feeds alone: no writer is built, so no word about a model.
        FeedPoller(config, app.sessions).sync()
        with app.sessions() as session:
            rows = _feed_rows(session, config)
    _feed_table(rows, config)


def _feed_table(rows: list[dict[str, Any]], config: Config) -> None:
    _health_table(rows)
    # The outbox has no editors' decisions to read back: its drafts alone say little.
    if config.publish.target == "wordpress" and any(f["drafts"] for f in rows):
        render.table(
            "Editors' decisions",
            ["feed", "drafts", "published", "edited first", "rejected", "median to publish"],
            [
                [
                    f["label"],
                    f["drafts"],
                    f["published"],
                    f["edited"],
                    f["rejected"],
                    _duration(f["median_to_publish"]),
                ]
                for f in rows
                if f["drafts"]
            ],
        )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def _health_table(rows: list[dict[str, Any]]) -> None:
    render.table(
        "Feeds",
        ["feed", "new story", "next poll", "every", "errors", "last error"],
        [
            [
                f["label"],
                _brief(f["last_new_story"]),
                _brief(f["next_poll"]),
                _every(f["interval_s"]),
                f["errors"],
                f["last_error"],
            ]
            for f in rows
        ],
    )


def _dated_table(title: str, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """A table of status rows, one column per key, the last a time shown briefly."""
    *plain, when = keys
    render.table(title, keys, [[*(row[k] for k in plain), _brief(row[when])] for row in rows])


def _brief(when: str) -> str:
    """A table's time: month, day, hours and minutes (the year and seconds are in --json)."""
    return when[5:16]


def _every(seconds: int | None) -> str:
    if not seconds:
        return ""
    return f"{seconds // 3600} h" if seconds % 3600 == 0 else f"{round(seconds / 60)} min"


def _budget_table(today: dict[str, Any], config: Config) -> None:
    """Today's use against each limit that is set; nothing when none is."""
    rows = [
        [what, _amount(today[what]["used"]), _amount(today[what]["limit"])]
        for what in ("articles", "tokens", "cost")
        if today[what]["limit"]
    ]
    names = {feed.url: feed.name for feed in config.feeds}
    rows += [
        [render.feed_label(f["url"], names.get(f["url"], "")), f["used"], f["limit"]]
        for f in today["feeds"]
    ]
    if rows:
        title = f"Budget today ({today['timezone']}; {today['in_flight']} in flight)"
        render.table(title, ["limit", "used", "of"], rows)


def _amount(value: float | None) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
