"""depeche stories split | merge: correct the story clusters by hand (bot.store.sources).
`stories show` lists a story's sources (bot.cli.stories)."""

from __future__ import annotations

import click

from bot.cli.common import UserError, open_existing, with_config
from bot.cli.stories import stories
from bot.config import Config


@stories.command("split")
@click.argument("story_id", type=int)
@click.argument("source_id", type=int)
@with_config
def stories_split(config: Config, story_id: int, source_id: int) -> None:
    """Detach a wrongly joined source (`stories show` lists them) into a story of its own."""
    from bot.store import Story, sources
    from bot.store.models import StorySource

    with open_existing(config) as app, app.sessions() as session:
        story = session.get(Story, story_id)
        source = session.get(StorySource, source_id)
        if story is None:
            raise UserError(f"no story {story_id}")
        if source is None or source.story_id != story_id:
            raise UserError(f"story {story_id} has no source {source_id} (see: stories show)")
        feed_url = source.feed.url if source.feed else None
        category = next(
            (f.category for f in config.feeds if f.url == feed_url and f.category), story.category
        )
        try:
            alone = sources.split(session, story, source, category)
        except ValueError as error:
            raise UserError(str(error)) from None
        click.echo(f"source {source_id} is now story {alone.id} (new); story {story_id} keeps "
                   f"{len(sources.of(session, story_id))} source(s)")


@stories.command("merge")
@click.argument("keep_id", type=int)
@click.argument("other_id", type=int)
@with_config
def stories_merge(config: Config, keep_id: int, other_id: int) -> None:
    """The second story tells the first one's event: its sources join the first."""
    from bot.store import Story, sources

    with open_existing(config) as app, app.sessions() as session:
        keep, other = session.get(Story, keep_id), session.get(Story, other_id)
        for wanted, found in ((keep_id, keep), (other_id, other)):
            if found is None:
                raise UserError(f"no story {wanted}")
        assert keep is not None and other is not None
        try:
            sources.merge(session, keep, other)
        except ValueError as error:
            raise UserError(str(error)) from None
        click.echo(f"story {other_id} merged into story {keep_id}, which has "
                   f"{len(sources.of(session, keep_id))} source(s)")
