"""depeche init | run | daemon | rewrite | db.

The stages are imported by the commands that run them, not here: see bot.cli.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli import render
from bot.cli.common import UserError, with_config
from bot.config import Config
from bot.errors import AlreadyRunning
from bot.story import CycleReport, SourceArticle, plain_text_paragraphs

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

SHIPPED = Path(__file__).resolve().parents[2] / "config"
EXAMPLE_CONFIG = SHIPPED / "bot.example.toml"
# The example's [[feeds]] url, relative to bot.toml: init puts the sample wire there.
SAMPLE_WIRE = Path("config") / "sample" / "feed.xml"

# `run --once` exit codes, for cron and systemd (README, "Exit codes"); 2 is a usage error.
EXIT_EVERY_FEED_FAILED = 3
EXIT_PUBLISHING_STOPPED = 4
EXIT_WRITING_STOPPED = 9


@click.command()
@click.option("--path", default="bot.toml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented bot.toml."""
    target = Path(path)
    if target.exists() and not force:
        raise UserError(f"{target} exists; use --force to overwrite it")
    target.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    # The config runs where it was written: its sample feed is copied beside it.
    wire = target.parent / SAMPLE_WIRE
    if not wire.exists():
        wire.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHIPPED / "sample" / "feed.xml", wire)
    click.echo(
        f"wrote {target} (its feed: the sample wire {wire}); "
        "edit its [[feeds]], then run: depeche run --once"
    )


@click.command()
@click.option("--once", is_flag=True, help="One cycle, then exit (for cron).")
@click.option("--all-feeds", is_flag=True, help="Poll every feed, due or not.")
@with_config
def run(config: Config, once: bool, all_feeds: bool) -> None:
    """Poll due feeds, store new stories, write, check and publish them."""
    if not once:
        from bot.scheduler import run_daemon

        run_daemon(config)
        return
    from bot.app import open_app
    from bot.publish.wordpress.decisions import look_back

    with open_app(config) as app:
        try:
            pipeline = app.working_pipeline()
        except AlreadyRunning as error:
            click.echo(f"{error}; nothing to do.")
            return
        from bot.pipeline.runner import STOP_GRACE_SECONDS

        pipeline.stop_on_signals(STOP_GRACE_SECONDS)
        with render.console.status("working…") as spinner:
            # The editors' decisions first: a rewrite asked in WordPress is done this cycle.
            look_back(app.sessions, config)
            report = pipeline.run_once(
                all_feeds=all_feeds, progress=lambda what: spinner.update(f"[dim]{what}")
            )
        next_due = None if report.feeds else _next_due(app.sessions, config)
    render.cycle(report, names={f.url: f.name for f in config.feeds}, next_due=next_due)
    sys.exit(exit_code(report))


def exit_code(report: CycleReport) -> int:
    """0 when all went well or there was nothing to do (held stories included: the
    gate did its job); otherwise what cron and systemd must hear about."""
    if report.skipped_publishing:
        return EXIT_PUBLISHING_STOPPED
    if report.skipped_writing:
        return EXIT_WRITING_STOPPED
    if report.feeds and all(feed.error for feed in report.feeds):
        return EXIT_EVERY_FEED_FAILED
    return 0


def _next_due(sessions: sessionmaker[Session], config: Config) -> str | None:
    """When the first configured feed is next due, for « No feed was due »."""
    from bot.store import queries

    urls = {feed.url for feed in config.feeds}
    with sessions() as session:
        due = [f.next_poll_at for f in queries.feeds(session) if f.url in urls and f.next_poll_at]
    return min(due).strftime("%Y-%m-%d %H:%M") if due else None


@click.command()
@with_config
def daemon(config: Config) -> None:
    """Run for good: each feed at its own interval, writing and publishing as jobs."""
    from bot.scheduler import run_daemon

    run_daemon(config)


@click.command()
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the draft as JSON.")
@with_config(optional=True)
def rewrite(config: Config, source: click.utils.LazyFile, as_json: bool) -> None:
    """Rewrite one article (a text file whose first line is the title, then one paragraph
    per line or per blank line; or JSON {"title","text"}; - for stdin) and print the
    draft. Nothing is stored, so no bot.toml is needed (the defaults are used)."""
    from bot.app import make_writer
    from bot.writer.llm import CallRecord, ModelError

    article = _read_source(source.read())
    calls: list[CallRecord] = []
    try:
        outcome = make_writer(config).write([article], category="", record=calls.append)
    except ModelError as error:
        # The line names the fault in the server's own words, and the fix.
        raise UserError(str(error)) from None
    tokens = sum((c.prompt_tokens or 0) + (c.completion_tokens or 0) for c in calls)
    if outcome.draft is None:
        click.echo("held: " + "\n      ".join(outcome.held_reasons), err=True)
        sys.exit(1)
    draft = outcome.draft
    # The same verdict line as `run` shows for a written story.
    click.echo(
        f"writer {draft.writer} · {len(calls)} call(s), {tokens} tokens · {outcome.summary()}",
        err=True,
    )
    for warning in draft.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(draft.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"<h1>{draft.title}</h1>\n{draft.body_html}")


def _read_source(text: str) -> SourceArticle:

    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
            if not (isinstance(data.get("title"), str) and isinstance(data.get("text"), str)):
                raise ValueError("'title' and 'text' must be strings")
            return SourceArticle(
                title=data["title"],
                text=plain_text_paragraphs(data["text"]),
                url=str(data.get("url") or ""),
                language=data.get("language"),
            )
        except (ValueError, AttributeError) as error:
            raise UserError(f"source: expected JSON with 'title' and 'text' ({error})") from None
    title, _, body = stripped.partition("\n")
    if not body.strip():
        raise UserError("source: the first line is the title, the text follows; got one line")
    return SourceArticle(title=title.strip(), text=plain_text_paragraphs(body))


@click.group()
def db() -> None:
    """Database schema, integrity and size."""


@db.command("upgrade")
@with_config
def db_upgrade(config: Config) -> None:
    """Apply pending migrations."""
    from bot.store import make_engine, upgrade

    before, after = upgrade(make_engine(config.database_url))
    click.echo(f"database at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@db.command("check")
@with_config
def db_check(config: Config) -> None:
    """Integrity (SQLite: every page; PostgreSQL: it answers) and migrations. Exit 0
    when sound, 7 when damaged, 1 when migrations are pending, 5 when unreachable."""
    from bot.faults import EXIT_DATABASE_CORRUPTED
    from bot.store.db import (
        current_revision,
        database_exists,
        describe,
        head_revision,
        integrity_problems,
        make_engine,
    )

    where = describe(config.database_url)
    if not database_exists(config.database_url):
        raise UserError(f"no database at {where} yet: `depeche run --once` creates it")
    engine = make_engine(config.database_url)
    try:
        problems = integrity_problems(engine)
        current, head = current_revision(engine), head_revision(engine)
    finally:
        engine.dispose()
    for problem in problems:
        click.echo(f"damaged: {problem}")
    if problems:
        click.echo(f"database {where} is damaged: restore it from a backup", err=True)
        sys.exit(EXIT_DATABASE_CORRUPTED)
    if current != head:
        click.echo(
            f"database {where}: schema at {current or 'empty'}, the code expects {head}: "
            "run `depeche db upgrade`"
        )
        sys.exit(1)
    click.echo(f"database {where}: ok (integrity checked, schema at {current})")


@db.command("vacuum")
@with_config
def db_vacuum(config: Config) -> None:
    """Drop the prompt and answer bodies older than [store] keep_prompts (token counts
    and costs kept), then give the room back (VACUUM)."""
    from datetime import timedelta

    from bot.store.db import database_exists, describe, make_engine, session_factory
    from bot.store.retention import drop_old_prompts, vacuum

    where = describe(config.database_url)
    if not database_exists(config.database_url):
        raise UserError(f"no database at {where} yet: `depeche run --once` creates it")
    engine = make_engine(config.database_url)
    try:
        if (seconds := config.store.keep_prompts_seconds()) is not None:
            with session_factory(engine)() as session:
                emptied = drop_old_prompts(session, timedelta(seconds=seconds))
            click.echo(
                f"{emptied} model call(s) of stories published more than "
                f"{config.store.keep_prompts} ago: prompt and answer dropped"
            )
        else:
            click.echo("[store] keep_prompts is not set: every prompt and answer is kept")
        vacuum(engine)
    finally:
        engine.dispose()
    click.echo(f"database {where} vacuumed")
