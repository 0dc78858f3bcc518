"""A wire served on 127.0.0.1, a real database, and the pipeline on the store's clock, which a test moves forward."""

from __future__ import annotations

import hashlib
import re
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

# Written for these tests: sentences about invented towns, each word of a sentence chosen
# among several by the subject, so that no two items tell the same story: neither the
# exact dedup nor the near-duplicate clustering (bot.cluster) may join them.
SENTENCES = (
    "{Le conseil municipal|Le comité des fêtes|Le syndicat des eaux|La communauté de communes|"
    "Le club de handball|La chambre d'agriculture|L'office de tourisme|Le centre social} de "
    "{sujet} a {voté|approuvé|repoussé|présenté|discuté|amendé|chiffré|défendu} "
    "{jeudi soir|lundi matin|mardi|vendredi|mercredi après-midi|samedi|dimanche|hier} "
    "{un budget en hausse|un plan de rénovation|une réforme des tarifs|un projet de gymnase|"
    "une hausse des loyers|un programme culturel|un schéma cyclable|un calendrier de travaux}.",
    "{Les habitants|Les commerçants|Les parents d'élèves|Les agriculteurs|Les retraités|"
    "Les pêcheurs|Les lycéens|Les artisans} {du quartier de la gare|des hameaux|du centre|"
    "de la vallée|des bords du lac|du plateau|de la zone artisanale|du vieux bourg} ont été "
    "{invités à|conviés à|appelés à|informés d'|prévenus d'|consultés lors d'} une "
    "{réunion publique|assemblée|permanence|visite guidée|enquête|concertation|soirée|balade} "
    "{à la salle des fêtes|au gymnase|à la médiathèque|sous la halle|à l'école|au stade|"
    "à la chapelle|au foyer rural}.",
    "{Selon la mairie|D'après la préfecture|Selon le département|D'après la région|"
    "Selon l'architecte|D'après le promoteur|Selon les pompiers|D'après le syndicat}, les "
    "{travaux|fouilles|chantiers|rénovations|démolitions|plantations|livraisons|inspections} "
    "{commenceront|reprendront|s'achèveront|seront lancés|seront suspendus|seront accélérés|"
    "seront retardés|seront financés} {au printemps|en automne|avant l'hiver|en janvier|"
    "cet été|dans deux ans|à Pâques|en septembre}.",
    "{Plusieurs associations|Quelques élus|Des riverains|Des enseignants|Des médecins|"
    "Des randonneurs|Des cyclistes|Des sportifs} {réclament|souhaitent|exigent|proposent|"
    "refusent|contestent|saluent|critiquent} {un calendrier plus clair|une navette gratuite|"
    "des places de parking|un éclairage nocturne|une piste sécurisée|des horaires élargis|"
    "une consultation|des bancs ombragés}.",
    "{Le préfet|La députée|Le sénateur|La présidente du département|Le sous-préfet|"
    "La ministre|Le recteur|La directrice de l'hôpital} a {rappelé|annoncé|promis|confirmé|"
    "assuré|précisé|démenti|regretté} que {l'État|l'Europe|la région|l'intercommunalité|"
    "un mécène|la caisse d'allocations|une fondation|la banque publique} "
    "{financera|soutiendra|retardera|contrôlera|évaluera|reportera|garantira|accompagnera} "
    "{le chantier|la crèche|le marché couvert|la piscine|la rocade|la bibliothèque|le musée|"
    "la caserne}.",
)
_CHOICE = re.compile(r"\{([^{}]*\|[^{}]*)\}")


def _fill(sentence: str, sujet: str, n: int) -> str:
    """Each {a|b|c} becomes one of its words, chosen by the subject (stable across runs)."""
    def pick(match: re.Match[str]) -> str:
        options = match.group(1).split("|")
        seed = hashlib.sha256(f"{sujet}/{n}/{match.start()}".encode()).digest()
        return options[int.from_bytes(seed[:4], "little") % len(options)]

    return _CHOICE.sub(pick, sentence).format(sujet=sujet)


def text(sujet: str, words: int = 60) -> str:
    """French prose about `sujet`, at least `words` words long."""
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(_fill(SENTENCES[len(out) % len(SENTENCES)], sujet, len(out)))
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
