"""Quotas and budget: articles, tokens and cost per newsroom day.

What is used is read from the store (the write events and the model calls of the
day), so every worker on the database counts the same. A story in a worker's hand
(new, with a live lease) is a call in flight: it counts as one article, and as one
average call of the day in tokens and cost, so two workers never both spend the
last of the budget. A call is made only when it fits (`check`); a limit reached
leaves the stories in `new`, where the next day takes them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.config import LLMSettings
from bot.config.select import BudgetSettings, TriageSettings
from bot.store.models import Event, LLMCall, State, Story

# The events that mean "the model wrote this story's article" (written, or held by the gate).
ARTICLE_EVENTS = (("write", State.WRITTEN.value), ("gate", State.HELD.value))


@dataclass(frozen=True)
class Prices:
    """Per million tokens."""

    input: float
    output: float

    def cost(self, prompt: int, completion: int) -> float:
        return (prompt * self.input + completion * self.output) / 1_000_000


@dataclass
class Usage:
    """The day's use so far, and what the stories in hand will add."""

    day_start: datetime
    articles: int = 0
    per_feed: Counter[int] = field(default_factory=Counter)
    tokens: int = 0
    cost: float = 0.0
    calls: int = 0  # answered calls, for the average one
    in_flight: int = 0
    in_flight_per_feed: Counter[int] = field(default_factory=Counter)
    first_call_tokens: int = 0  # the estimate before the day's first answer

    @property
    def call_tokens(self) -> float:
        """What a call not yet answered is expected to cost in tokens."""
        return self.tokens / self.calls if self.calls else self.first_call_tokens

    def call_cost(self, first: float) -> float:
        return self.cost / self.calls if self.calls else first


def day_start(now: datetime, budget: BudgetSettings) -> datetime:
    """The newsroom's midnight before `now` (an aware UTC datetime)."""
    local = now.astimezone(budget.zone)
    return datetime.combine(local.date(), time(0), tzinfo=budget.zone).astimezone(now.tzinfo)


class Budget:
    def __init__(self, budget: BudgetSettings, llm: LLMSettings, triage: TriageSettings):
        self.settings = budget
        self.llm = llm
        self.prices = Prices(llm.price_input, llm.price_output)
        self.triage_prices = Prices(
            llm.price_input if triage.price_input is None else triage.price_input,
            llm.price_output if triage.price_output is None else triage.price_output,
        )

    def usage(self, session: Session, now: datetime, *, besides: int | None = None) -> Usage:
        """The day's use; `besides` is a story in hand that is not counted in flight
        (the one asking to make a call)."""
        start = day_start(now, self.settings)
        usage = Usage(day_start=start, first_call_tokens=self.llm.max_tokens)
        written = session.execute(
            select(Story.feed_id, func.count())
            .join(Event, Event.story_id == Story.id)
            .where(Event.at >= start)
            .where(or_(*(and_(Event.stage == s, Event.outcome == o) for s, o in ARTICLE_EVENTS)))
            .group_by(Story.feed_id)
        ).all()
        for feed_id, count in written:
            usage.per_feed[feed_id] += count
            usage.articles += count
        calls = session.execute(
            select(
                LLMCall.purpose,
                func.sum(LLMCall.prompt_tokens),
                func.sum(LLMCall.completion_tokens),
                func.count(LLMCall.prompt_tokens),
            )
            .where(LLMCall.at >= start)
            .group_by(LLMCall.purpose)
        ).all()
        for purpose, prompt, completion, answered in calls:
            prompt, completion = prompt or 0, completion or 0
            usage.tokens += prompt + completion
            prices = self.triage_prices if purpose == "triage" else self.prices
            usage.cost += prices.cost(prompt, completion)
            usage.calls += answered
        in_hand = and_(
            Story.state == State.NEW,
            Story.lease_owner.is_not(None),
            Story.lease_until > now,
        )
        if besides is not None:
            in_hand = and_(in_hand, Story.id != besides)
        for feed_id, count in session.execute(
            select(Story.feed_id, func.count()).where(in_hand).group_by(Story.feed_id)
        ).all():
            usage.in_flight_per_feed[feed_id] += count
            usage.in_flight += count
        return usage

    def first_call_cost(self) -> float:
        return self.prices.cost(0, self.llm.max_tokens)

    def spent(self, usage: Usage) -> str | None:
        """The limit that one more call (beside those in flight) would pass, or None."""
        limits = self.settings
        coming = usage.in_flight + 1
        if limits.tokens_per_day:
            expected = usage.tokens + coming * usage.call_tokens
            if expected > limits.tokens_per_day:
                return f"budget: {usage.tokens}/{limits.tokens_per_day} tokens today"
        if limits.cost_per_day:
            expected_cost = usage.cost + coming * usage.call_cost(self.first_call_cost())
            if expected_cost > limits.cost_per_day:
                return f"budget: {usage.cost:.2f}/{limits.cost_per_day:.2f} cost today"
        return None

    def article_limit(self, usage: Usage) -> str | None:
        """The reason no more article may be started today, or None."""
        per_day = self.settings.articles_per_day
        if per_day and usage.articles + usage.in_flight >= per_day:
            return f"budget: {usage.articles}/{per_day} articles today"
        # The offline writer makes no call: tokens and cost cannot hold it back.
        return self.spent(usage) if self.llm.configured else None

    @staticmethod
    def feed_limit(usage: Usage, feed_id: int, per_day: int | None) -> str | None:
        if per_day is None:
            return None
        done = usage.per_feed[feed_id]
        if done + usage.in_flight_per_feed[feed_id] >= per_day:
            return f"budget: {done}/{per_day} articles today from this feed"
        return None
