"""Polling: fetch each due feed, store its items, and decide when to come back.

The feed's validators (ETag, Last-Modified) and its next poll are saved only
after every item is stored, so a crash in between refetches the feed and the
dedup keys absorb the repeat.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import feeds
from bot.config import Config, FeedSettings
from bot.errors import FeedError, unexpected
from bot.failpoints import failpoint
from bot.feeds.cadence import backoff, jittered, next_interval
from bot.feeds.parse import parse_feed
from bot.feeds.processes import Parser, parser_for
from bot.log import context as log_context
from bot.net.transport import SharedClient
from bot.pipeline.enrich import enrich_story, needs_page
from bot.select.selection import Selection
from bot.store import Feed, IngestResult, Story, store_items
from bot.store.db import DatabaseUnavailable, redoable
from bot.store.digest import digest_all
from bot.store.models import utcnow
from bot.store.window import WindowIndex
from bot.story import FeedOutcome

log = logging.getLogger(__name__)

# What a fetch thread hands back: the parsed feed, or why it could not be had.
Fetched = feeds.PollResult | FeedError


class FeedPoller:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        selection: Selection | None = None,
    ):
        self.config = config
        self.sessions = sessions
        self.selection = selection or Selection(config, sessions)
        # The cluster window held across polls: no query per item to find its story.
        self.window = WindowIndex()

    def sync(self) -> None:
        """Make the feeds table match the [[feeds]] of the config: each feed's settings
        written on its row, so polling and scheduling read the row alone. Rows are never
        deleted (their stories keep pointing at them): a feed that left the config keeps
        its row without an interval, and is not polled."""
        configured = {settings.url: settings for settings in self.config.feeds}
        with self.sessions() as session:
            rows = {feed.url: feed for feed in session.scalars(select(Feed))}
            for url, feed in rows.items():
                if url not in configured:
                    feed.every = None
            for url, settings in configured.items():
                feed = rows.get(url) or Feed(url=url, title=settings.name)
                _configure(feed, settings)
                session.add(feed)
            session.commit()

    def due(self, *, all_feeds: bool = False) -> list[Feed]:
        """The configured feeds due now (every one with `all_feeds`), as read from their
        rows (detached: read in the polling threads, never written there)."""
        query = select(Feed).where(Feed.every.is_not(None)).order_by(Feed.id)
        if not all_feeds:
            now = utcnow()
            query = query.where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
        with self.sessions() as session:
            return list(session.scalars(query))

    def poll_safely(self, row: Feed, fetched: Future[Fetched] | None = None) -> FeedOutcome:
        """poll, where an error nobody foresaw (a value the database refuses, a
        parser's bug) is this feed's error, recorded and backed off like any other,
        not the end of the run for every feed."""
        with log_context(feed=row.url, stage="poll"):
            try:
                return self.poll(row, fetched)
            except DatabaseUnavailable:
                raise  # not this feed's fault: the caller's database breaker hears it
            except Exception as error:
                log.exception("feed %s: unexpected error", row.url)
                reason = unexpected(error)
                with self.sessions() as session:
                    self._feed_failed(session, session.get_one(Feed, row.id), reason, None)
                return FeedOutcome(row.url, error=reason)

    def poll_all(
        self, due: list[Feed], progress: Callable[[str], None] | None = None
    ) -> list[FeedOutcome]:
        """Poll `due` at once: up to [fetch] concurrency fetches in flight, at most
        [fetch] per_host on one host, through one shared client whose connections are
        reused. Threads, because a fetch is blocking httpx; the parse runs in them too,
        or, with many feeds, in other processes (bot.feeds.processes) so that this thread,
        which stores each feed's items in one transaction per feed (SQLite never sees two
        writers), is not kept waiting for the GIL."""
        fetch = self.config.fetch
        hosts: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.Semaphore(fetch.per_host)
        )
        for row in due:  # made here: defaultdict is not safe to fill from threads
            hosts[_host(row.url)]

        def fetch_one(row: Feed) -> Fetched:
            with hosts[_host(row.url)]:
                return self._fetch(row, shared, parse)

        outcomes = []
        shared = SharedClient(allow_private=True, max_connections=fetch.concurrency)
        try:
            with (
                parser_for(len(due), prepare=digest_all) as parse,
                ThreadPoolExecutor(fetch.concurrency, thread_name_prefix="poll") as pool,
            ):
                futures = {pool.submit(fetch_one, row): row for row in due}
                for future in as_completed(futures):
                    row = futures[future]
                    if progress:
                        progress(row.url)
                    outcomes.append(self.poll_safely(row, fetched=future))
        finally:
            shared.close()
        return outcomes

    def _fetch(
        self,
        row: Feed,
        shared: SharedClient | None = None,
        parse: Parser = parse_feed,
    ) -> Fetched:
        try:
            return feeds.poll(
                row.url,
                etag=row.etag,
                last_modified=row.last_modified,
                limits=self.config.fetch.limits(trusted=True, timeout=row.timeout),
                shared=shared,
                parse=parse,
            )
        except FeedError as error:
            return error

    def poll(self, row: Feed, fetched: Future[Fetched] | None = None) -> FeedOutcome:
        """Fetch the feed `row` (unless `fetched` by poll_all) and store its items."""
        outcome = FeedOutcome(row.url)
        polled_at = utcnow()
        with self.sessions() as session:
            redoable(session)  # lost in a power cut, the poll is done again: no fsync
            # a bug in the fetch thread is raised here
            result = self._fetch(row) if fetched is None else fetched.result()
            if isinstance(result, FeedError):
                outcome.error = str(result)
                feed = session.get_one(Feed, row.id)
                feed.last_polled_at = polled_at
                self._feed_failed(session, feed, outcome.error, result.retry_after)
                return outcome
            failpoint("feed-fetched")
            outcome.not_modified = result.not_modified
            if result.not_modified:
                self._not_modified(session, row, result, polled_at)
            else:
                feed = session.get_one(Feed, row.id)
                feed.last_polled_at = polled_at
                self._store(session, feed, result, outcome)
        for warning in result.warnings:
            log.warning("%s: %s", row.url, warning)
        return outcome

    def _not_modified(
        self, session: Session, row: Feed, result: feeds.PollResult, polled_at: datetime
    ) -> None:
        """A 304 moves the feed's schedule alone: one UPDATE from the row due() read, no
        ORM load and flush (most of a re-poll's CPU, and a re-poll is mostly 304s)."""
        values = self._success(row, result, had_news=False)
        session.connection().execute(  # Core: no ORM session to synchronise
            update(Feed).where(Feed.id == row.id).values(last_polled_at=polled_at, **values)
        )
        session.commit()

    def _store(
        self,
        session: Session,
        feed: Feed,
        result: feeds.PollResult,
        outcome: FeedOutcome,
    ) -> None:
        """Store the feed's items with its validators, in one commit, then enrich the new
        stories."""
        remote = feed.url.startswith(("http://", "https://"))
        to_store = [
            (item, self.selection.at_store(item, feed, reads_page=remote and bool(item.url)))
            for item in result.items
        ]
        stored = store_items(
            session, feed, to_store, feed.category, self.config.cluster, window=self.window
        )
        failpoint("story-stored")
        counts = Counter(s.result for s in stored)
        outcome.new = counts[IngestResult.NEW]
        # A source joining a stored story adds no story; a changed text, none either.
        outcome.duplicates = counts[IngestResult.DUPLICATE] + counts[IngestResult.JOINED]
        outcome.known = counts[IngestResult.KNOWN] + counts[IngestResult.CHANGED]
        outcome.skipped = counts[IngestResult.SKIPPED]
        refused = [
            f"item {item.guid[:200]!r} not stored: {unexpected(s.error)}"
            for (item, _), s in zip(to_store, stored, strict=True)
            if s.error is not None
        ]
        for line in refused:  # one item the database refused did not cost the rest
            log.error("feed %s: %s", feed.url, line)
        # Validators are saved with the items, in one commit: a crash before it
        # refetches the whole feed, and dedup absorbs the repeat.
        had_news = outcome.new + outcome.skipped > 0
        self._feed_succeeded(session, feed, result, had_news=had_news)
        if refused:
            # Someone should look at these items; and the validators are forgotten so
            # the next poll reads the whole feed again: if the refusal was passing (a
            # database restart), the items are stored then, not lost behind a 304.
            feed.last_error = f"{len(refused)} item(s) skipped; {refused[0]}"
            feed.etag = feed.last_modified = None
            session.commit()
        below = max(
            self.config.writer.fetch_article_below_words, self.selection.min_words(feed.url)
        )
        to_read = [
            s.story_id
            for (item, _), s in zip(to_store, stored, strict=True)
            if s.result == IngestResult.NEW
            and needs_page(feed.url, item.url, item.text, below)
        ]
        self._enrich(session, to_read, below)

    def _enrich(self, session: Session, story_ids: list[int | None], below: int) -> None:
        """Right after they are stored, the new stories are completed from their pages:
        the write step then reads them whole and makes no network call."""
        if story_ids:
            for story in session.scalars(select(Story).where(Story.id.in_(story_ids))):
                enrich_story(session, story, self.config.fetch.limits(), below)

    def _feed_succeeded(
        self,
        session: Session,
        feed: Feed,
        result: feeds.PollResult,
        *,
        had_news: bool,
    ) -> None:
        for column, value in self._success(feed, result, had_news=had_news).items():
            setattr(feed, column, value)
        session.commit()

    def _success(
        self, feed: Feed, result: feeds.PollResult, *, had_news: bool
    ) -> dict[str, object]:
        """The feed row's new columns after a poll that succeeded."""
        now = utcnow()
        values: dict[str, object] = {"last_success_at": now, "error_count": 0, "last_error": None}
        if not result.not_modified:
            values["etag"], values["last_modified"] = result.etag, result.last_modified
            values["title"] = feed.name or result.title or feed.title
        if had_news:
            values["last_new_story_at"] = now
        interval = next_interval(
            base=feed.poll_every,
            current=feed.interval_seconds,
            had_news=had_news,
            ceiling=self.config.scheduler.max_interval,
            hints=(result.max_age, result.ttl),
        )
        values["interval_seconds"] = interval
        values["next_poll_at"] = self._next_poll(interval)
        return values

    def _feed_failed(
        self,
        session: Session,
        feed: Feed,
        reason: str,
        retry_after: float | None,
    ) -> None:
        log.error("feed %s failed: %s", feed.url, reason)
        feed.error_count += 1
        feed.last_error = reason
        wait = backoff(
            base=feed.poll_every,
            errors=feed.error_count,
            ceiling=self.config.scheduler.max_backoff,
            retry_after=retry_after,
        )
        feed.next_poll_at = self._next_poll(wait)
        session.commit()

    def _next_poll(self, seconds: int) -> datetime:
        delay = jittered(seconds, self.config.scheduler.jitter)
        return utcnow() + timedelta(seconds=delay)


def _configure(feed: Feed, settings: FeedSettings) -> None:
    """Write the feed's [[feeds]] settings on its row."""
    feed.every = settings.every
    feed.category = settings.category
    feed.name = settings.name
    feed.timeout = settings.timeout
    feed.language = settings.language
    feed.selection = {
        "include": list(settings.include),
        "exclude": list(settings.exclude),
        "categories": list(settings.categories),
        "languages": list(settings.languages),
        "min_words": settings.min_words,
        "max_age": settings.max_age,
        "per_day": settings.per_day,
        "priority": settings.priority,
    }


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return url
