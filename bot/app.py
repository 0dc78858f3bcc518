"""Build the running parts from a Config: database, writer, publisher, pipeline."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.breaker import Breaker
from bot.config import Config
from bot.net.retry import RetryPolicy
from bot.pipeline import Runner
from bot.publish import OutboxPublisher, Publisher
from bot.store import make_engine, session_factory, upgrade
from bot.store.db import patiently
from bot.store.lock import InstanceLock
from bot.store.retention import drop_old_prompts
from bot.writer import Writer
from bot.writer.prompt import Prompts

log = logging.getLogger(__name__)


@dataclass
class App:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    lock: InstanceLock

    def pipeline(self) -> Runner:
        return Runner(
            self.config,
            self.sessions,
            writer=make_writer(self.config),
            publisher=make_publisher(self.config),
        )

    def working_pipeline(self) -> Runner:
        """The pipeline of the one bot allowed to work on this database now: raises
        AlreadyRunning when another run or daemon holds a SQLite database. Alone on it,
        any lease left is a dead run's, and is freed."""
        self.lock.acquire()
        pipeline = self.pipeline()
        if isinstance(pipeline.publisher, OutboxPublisher):
            pipeline.publisher.ensure_writable()  # said now, not after the model was paid
        if self.lock.exclusive:
            patiently(pipeline.release_all_leases)
        if (seconds := self.config.store.keep_prompts_seconds()) is not None:
            with self.sessions() as session:  # retention, once per run or daemon start
                drop_old_prompts(session, timedelta(seconds=seconds))
        return pipeline

    def close(self) -> None:
        self.lock.release()
        self.engine.dispose()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_app(config: Config, *, migrate: bool = True) -> App:
    # Each writer and publisher thread holds its story's session and, for a moment,
    # one more (a model call's record, the heartbeat); the feeds and the daemon's
    # other jobs a few.
    working = config.llm.concurrency + config.publish.concurrency
    engine = make_engine(config.database_url, connections=2 * working + 4)
    if migrate:
        patiently(lambda: upgrade(engine))
    return App(config, engine, session_factory(engine), InstanceLock(config.database_url))


def make_writer(config: Config) -> Writer:
    model = None
    if config.llm.configured:
        # Here and not at the top: openai is heavy, and only a configured model needs it.
        from bot.writer.chat import ChatModel
        from bot.writer.ratelimit import RateLimiter

        model = ChatModel(
            base_url=config.llm.base_url,
            api_key=config.llm.api_key,
            model=config.llm.model,
            timeout=config.llm.timeout,
            policy=RetryPolicy(attempts=config.llm.attempts),
            temperature=config.llm.temperature,
            max_tokens=config.llm.max_tokens,
            json_mode=config.llm.json_mode,
            context_tokens=config.llm.context_tokens,
            connect_timeout=config.llm.connect_timeout,
            breaker=Breaker("model server", config.scheduler.breaker()),
            stream=config.llm.stream,
            first_token_timeout=config.llm.first_token_timeout,
            limiter=RateLimiter(
                requests_per_minute=config.llm.requests_per_minute,
                tokens_per_minute=config.llm.tokens_per_minute,
            ),
        )
    if model is None:
        # Said once per process: a daemon that lost its OPENAI_API_KEY must not go quiet.
        log.warning(
            "no model configured (OPENAI_API_KEY, OPENAI_BASE_URL or [llm] base_url): "
            "the offline writer packages each source without rewriting it"
        )
    return Writer(model=model, prompts=Prompts.load(config.prompts_dir), quality=config.quality)


def make_publisher(config: Config) -> Publisher:
    if config.publish.target == "wordpress":
        # WordPress's transports are imported only by a bot that publishes there.
        from bot.publish.wordpress import WordPressPublisher

        assert config.wordpress is not None  # the config loader guarantees it
        # Images are downloaded under [fetch]'s limits, not the site's timeout.
        return WordPressPublisher(
            config.wordpress,
            config.wp_password,
            limits=config.fetch.limits(),
            internal_links=config.seo.internal_links,
            breaker=Breaker("publishing target (wordpress)", config.scheduler.breaker()),
        )
    return OutboxPublisher(config.resolve(config.publish.outbox_dir))
