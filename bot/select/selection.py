"""The selection's two hooks in the pipeline: see bot.select."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ColumnElement

from bot.config import Config, FeedSettings
from bot.config.select import parse_age
from bot.errors import BudgetReached
from bot.feeds.item import FeedItem
from bot.select.budget import Budget, Usage
from bot.select.filters import Candidate, Filters, words_in
from bot.select.freshness import too_old
from bot.select.priority import write_order
from bot.select.triage import Triage
from bot.store import Feed, Story, note_waiting, record_triage
from bot.store.models import utcnow
from bot.writer.llm import Recorder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedRules:
    """One feed's rules, compiled: the global lists with the feed's own added."""

    filters: Filters
    max_age: int | None  # seconds; None: no limit
    min_words: int
    per_day: int | None
    priority: int

    @classmethod
    def build(cls, config: Config, feed: FeedSettings | None, key: str) -> FeedRules:
        common = config.select
        own = feed or FeedSettings(url="")
        max_age = own.max_age if own.max_age is not None else common.max_age
        return cls(
            filters=Filters(
                include=[*common.include, *own.include],
                exclude=[*common.exclude, *own.exclude],
                categories=[*common.categories, *own.categories],
                languages=[*common.languages, *own.languages],
                key=key,
            ),
            max_age=parse_age(max_age, f"{key}.max_age"),
            min_words=own.min_words if own.min_words is not None else common.min_words,
            per_day=own.per_day,
            priority=own.priority,
        )


@dataclass(frozen=True)
class ClaimRules:
    where: Sequence[ColumnElement[bool]]
    order: Sequence[Any]


class Selection:
    def __init__(self, config: Config, sessions: sessionmaker[Session]):
        self.config = config
        self.sessions = sessions
        self.rules = {
            feed.url: FeedRules.build(config, feed, f"feeds[{index}]")
            for index, feed in enumerate(config.feeds)
        }
        # A story whose feed left the config keeps the global rules.
        self.common = FeedRules.build(config, None, "select")
        self.budget = Budget(config.budget, config.llm, config.triage)

    @cached_property
    def triage(self) -> Triage | None:
        """Built on the first story to triage: `status` and the polls need no model."""
        if not self.config.triage.enabled:
            return None
        if not self.config.llm.configured:
            log.warning("[triage] model is set but no model server is: triage is off")
            return None
        return Triage(self.config)

    def rules_for(self, url: str | None) -> FeedRules:
        return self.rules.get(url or "", self.common)

    # --- store time --------------------------------------------------------

    def at_store(
        self, item: FeedItem, feed: Feed | FeedSettings, *, reads_page: bool
    ) -> str | None:
        """Why this item is not to be written, or None. `reads_page`: its article page
        will be read before writing (then min_words waits for the page's text)."""
        rules = self.rules_for(feed.url)
        if reason := too_old(item.published_at, utcnow(), rules.max_age):
            return reason
        candidate = Candidate(
            item.title, item.text, item.categories, item.language or feed.language
        )
        if reason := rules.filters.reason(candidate):
            return reason
        if not reads_page:
            return self._too_short(item.text, rules)
        return None

    @staticmethod
    def _too_short(text: str, rules: FeedRules) -> str | None:
        words = words_in(text)
        if rules.min_words and words < rules.min_words:
            return f"min_words: {words} < {rules.min_words}"
        return None

    # --- claim time --------------------------------------------------------

    def claim_rules(self, session: Session) -> ClaimRules | None:
        """How to claim the next new story; None when the day's budget is spent (the
        waiting stories are told why)."""
        feed_ids = {url: id_ for id_, url in session.execute(select(Feed.id, Feed.url))}
        priorities = {feed_ids[u]: r.priority for u, r in self.rules.items() if u in feed_ids}
        where: list[ColumnElement[bool]] = []
        quotas = {feed_ids[u]: r.per_day for u, r in self.rules.items() if u in feed_ids}
        if self.config.budget.limited or any(v is not None for v in quotas.values()):
            usage = self.budget.usage(session, utcnow())
            if reason := self.budget.article_limit(usage):
                note_waiting(session, reason)
                return None
            full = self._full_feeds(usage, quotas)
            for feed_id, reason in full.items():
                note_waiting(session, reason, [feed_id])
            if full:
                where.append(Story.feed_id.not_in(full))
        return ClaimRules(where=where, order=write_order(priorities))

    def _full_feeds(self, usage: Usage, quotas: dict[int, int | None]) -> dict[int, str]:
        return {
            feed_id: reason
            for feed_id, per_day in quotas.items()
            if (reason := self.budget.feed_limit(usage, feed_id, per_day))
        }

    def before_write(
        self, session: Session, story: Story, feed_url: str | None, record: Recorder
    ) -> str | None:
        """Why a claimed story is no longer to be written (it aged while it waited, its
        page added too little, the triage model scored it low), or None. A story chosen
        by hand passes. Raises ModelError or BudgetReached from the triage call."""
        if story.chosen_by_hand:
            return None
        rules = self.rules_for(feed_url)
        # Undated: its age counts from when it was stored, never guessed older.
        if reason := too_old(story.published_at or story.fetched_at, utcnow(), rules.max_age):
            return reason
        if reason := self._too_short(story.source_text, rules):
            return reason
        if self.triage is None:
            return None
        if story.triage_score is None:
            verdict = self.triage.score(
                story.title, story.source_text, record=record, guard=self.guard(story.id)
            )
            record_triage(session, story, verdict.score, verdict.reason)
        score = story.triage_score
        if score is not None and score < self.triage.min_score:
            return f"triage {score}/100"
        return None

    def min_words(self, feed_url: str | None) -> int:
        return self.rules_for(feed_url).min_words

    def guard(self, story_id: int, *, force: bool = False) -> Callable[[], None] | None:
        """Asked before each model call for this story: raises BudgetReached when the
        call would pass the day's tokens or cost (counting the calls in flight)."""
        budget = self.config.budget
        if force or not (budget.tokens_per_day or budget.cost_per_day):
            return None

        def check() -> None:
            with self.sessions() as session:
                usage = self.budget.usage(session, utcnow(), besides=story_id)
            if reason := self.budget.spent(usage):
                raise BudgetReached(reason)

        return check

    def article_limit(self, session: Session) -> str | None:
        """The reason no article may be started now (for `stories write`), or None."""
        if not self.config.budget.limited:
            return None
        return self.budget.article_limit(self.budget.usage(session, utcnow()))

    # --- status ------------------------------------------------------------

    def today(self, session: Session) -> dict[str, Any]:
        """Today's use against each limit, for `depeche status`."""
        usage = self.budget.usage(session, utcnow())
        limits = self.config.budget
        feeds = {id_: url for id_, url in session.execute(select(Feed.id, Feed.url))}
        return {
            "timezone": limits.timezone,
            "since": usage.day_start.isoformat(),
            "articles": {"used": usage.articles, "limit": limits.articles_per_day or None},
            "tokens": {"used": usage.tokens, "limit": limits.tokens_per_day or None},
            "cost": {"used": round(usage.cost, 4), "limit": limits.cost_per_day or None},
            "in_flight": usage.in_flight,
            "feeds": [
                {"url": url, "used": usage.per_feed[id_], "limit": self.rules[url].per_day}
                for id_, url in feeds.items()
                if url in self.rules and self.rules[url].per_day is not None
            ],
        }
