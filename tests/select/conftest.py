"""A wire served on 127.0.0.1, a real database, and the pipeline on the store's clock, which a test moves forward."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, make_publisher, make_writer, open_app
from bot.config import load
from bot.pipeline import Runner
from bot.store import Story
from bot.store.models import clock, utcnow
from bot.story import CycleReport
from tests.conftest import write_config
from tests.servers.web import Reply, WebServer

# Written for these tests: sentences about invented towns, one subject per item so that
# no two items share a text (the dedup would call them the same story).
SENTENCES = (
    "Le conseil municipal de {sujet} a voté jeudi soir un budget en hausse pour l'an prochain.",
    "Les habitants de {sujet} ont été invités à une réunion publique à la salle des fêtes.",
    "Selon la mairie de {sujet}, les travaux commenceront au printemps et dureront huit mois.",
    "Plusieurs associations de {sujet} demandent que le calendrier soit mieux expliqué.",
    "Le préfet a rappelé que l'État financera une partie du chantier prévu à {sujet}.",
    "Les commerçants de {sujet} craignent une baisse de fréquentation pendant l'été.",
)


def text(sujet: str, words: int = 60) -> str:
    """French prose about `sujet`, at least `words` words long."""
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(SENTENCES[len(out) % len(SENTENCES)].format(sujet=sujet))
    return " ".join(out)


def item(
    guid: str,
    title: str,
    body: str,
    *,
    published: datetime | None = None,
    categories: tuple[str, ...] = (),
    link: str = "",
) -> str:
    parts = [f"<guid>{guid}</guid>", f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if published:
        parts.append(f"<pubDate>{format_datetime(published)}</pubDate>")
    parts.extend(f"<category>{c}</category>" for c in categories)
    parts.append(f"<description><![CDATA[<p>{body}</p>]]></description>")
    return "<item>" + "".join(parts) + "</item>"


def rss(*items: str, language: str | None = None) -> str:
    lang = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Fil test</title>{lang}{''.join(items)}</channel></rss>"
    )


def serve(web: WebServer, path: str, body: str) -> str:
    return web.route(path, Reply(body=body, headers={"Content-Type": "application/rss+xml"}))


class Bot:
    """The pipeline of one bot.toml, on the store's clock (`later` moves it forward)."""

    def __init__(self, config_path: Path):
        self.config = load(config_path, environ={})
        self.app: App = open_app(self.config)
        self.pipeline = self.new_pipeline()

    def new_pipeline(self, worker: str | None = None) -> Runner:
        pipeline = Runner(
            self.config,
            self.app.sessions,
            writer=make_writer(self.config),
            publisher=make_publisher(self.config),
            worker=worker,
        )
        return pipeline

    @staticmethod
    def later(**delta: float) -> None:
        clock.offset += timedelta(**delta)

    def cycle(self) -> CycleReport:
        return self.pipeline.run_once(all_feeds=True)

    def stories(self) -> dict[str, Story]:
        with self.app.sessions() as session:
            return {s.title: s for s in session.scalars(select(Story).order_by(Story.id))}

    def states(self) -> dict[str, tuple[str, list[str]]]:
        return {t: (s.state, s.reasons or []) for t, s in self.stories().items()}


@pytest.fixture
def make_bot(tmp_path: Path) -> Iterator[Callable[..., Bot]]:
    bots: list[Bot] = []

    def make(*, feeds: list[dict[str, Any]], **sections: dict[str, Any]) -> Bot:
        bot = Bot(write_config(tmp_path, feeds=feeds, **sections))
        bots.append(bot)
        return bot

    yield make
    clock.offset = timedelta(0)
    for bot in bots:
        bot.app.close()


def hours_ago(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)
