"""depeche status | feeds list: how the bot is doing, read from the store (bot.store.overview)
and printed: stories per state, each feed's health and its editors' decisions, the day's
budget, what is in flight, what waits and why, the recent problems.

The store (SQLAlchemy) is imported by the commands that read it, not here: see bot.cli.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from bot.cli import render
from bot.cli.common import open_existing, with_config
from bot.config import Config

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@click.command()
@click.option("--json", "as_json", is_flag=True)
@with_config
def status(config: Config, as_json: bool) -> None:
    """Counts per state, per-feed health, the oldest waiting story, recent problems."""
    from bot.select.selection import Selection
    from bot.store import overview, queries
    from bot.store.models import utcnow

    with open_existing(config) as app, app.sessions() as session:
        data = {
            "states": queries.state_counts(session),
            "oldest_waiting": overview.oldest_waiting(session),
            "feeds": _feed_rows(session, config),
            "llm": queries.token_totals(session),
            "skipped": queries.skip_reasons(session),
            "warnings": queries.warning_counts(session),
            "budget": Selection(config, app.sessions).today(session),
            "problems": overview.problems(session),
            "waiting": overview.waiting(session, utcnow()),
            "in_flight": overview.in_flight(session, utcnow()),
        }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_status(data, config)


def _print_status(data: dict[str, Any], config: Config) -> None:
    brief = render.brief_time
    render.table(
        "Stories",
        ["state", "count", "oldest waiting since"],
        [[k, v, brief(data["oldest_waiting"].get(k, ""))] for k, v in data["states"].items()],
    )
    _feed_tables(data["feeds"], config)
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
    _feed_tables(rows, config)


def _feed_rows(session: Session, config: Config) -> list[dict[str, Any]]:
    """Each feed's health, named as the config names it (else by its own title)."""
    from bot.store import overview

    names = {feed.url: feed.name for feed in config.feeds}
    return overview.feed_health(
        session, lambda f: render.feed_label(f.url, names.get(f.url) or f.title)
    )


def _feed_tables(rows: list[dict[str, Any]], config: Config) -> None:
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
                render.brief_time(f["last_new_story"]),
                render.brief_time(f["next_poll"]),
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
    render.table(
        title, keys, [[*(row[k] for k in plain), render.brief_time(row[when])] for row in rows]
    )


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
