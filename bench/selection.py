"""Time of the selection stage per candidate item (issue 11: aim ≤ 1 ms per item
without triage), beside what a poll itself costs per item, measured in the same run.

    python bench/selection.py [items]

1,000 invented French wire items (≈300 words each, four days of dates, a few
categories) go through Selection.at_store with a regional newsroom's rules: 20
include words, 15 exclude words and two regexes, categories, min_words and max_age,
plus a feed's own lists. Then the same with `languages = ["fr"]` and no language
given by the feed (each item detected by lingua). The baseline is the poll's own
work on the same items: parsing the RSS and storing each item (dedup keys, one
commit each) in a SQLite file. Last, the claim of the next story to write
(priority and freshness order, quotas) among 1,000 waiting ones.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

from bot.app import open_app
from bot.config import Config, load
from bot.feeds.parse import parse_feed
from bot.select.selection import Selection
from bot.store import Feed, State, Story, claim, ingest
from bot.store.models import utcnow

TOWNS = [
    "Grenoble", "Échirolles", "Voiron", "Vienne", "Bourgoin-Jallieu", "Meylan", "Fontaine",
    "Saint-Égrève", "Seyssinet", "Crolles", "Vizille", "Villefontaine", "Chambéry", "Annecy",
    "Valence", "Romans", "Isère", "Savoie", "Drôme", "Vercors",
]  # fmt: skip
ELSEWHERE = ["Lille", "Brest", "Nantes", "Metz", "Pau", "Tours", "Caen", "Nîmes"]
EXCLUDE = [
    "football", "rugby", "horoscope", "loto", "PMU", "tiercé", "people", "téléréalité",
    "mercato", "Ligue 1", "belote", "jeu concours", "météo marine", "nécrologie", "bourse",
    "/^(PMU|Quinté)\\\\b/", "/\\\\b\\\\d+-\\\\d+ (à|au) la mi-temps/",
]  # fmt: skip
SENTENCES = [
    "Le conseil municipal de {town} a voté un nouveau plan pour les écoles et les crèches.",
    "Les habitants de {town} pourront donner leur avis lors d'une réunion publique en mairie.",
    "La préfecture indique que les travaux à {town} dureront au moins huit mois.",
    "Plusieurs associations de {town} demandent un calendrier plus clair et des réponses.",
    "Selon l'adjointe chargée des finances, le budget de {town} augmentera de trois pour cent.",
    "Les commerçants de {town} craignent une baisse de fréquentation pendant le chantier.",
]  # fmt: skip
CATEGORIES = ["Société", "Politique", "Économie", "Sport", "Loisirs", "Faits divers"]


def wire(count: int) -> bytes:
    now = utcnow()
    items = []
    for i in range(count):
        town = (TOWNS + ELSEWHERE)[i % (len(TOWNS) + len(ELSEWHERE))]
        body = " ".join(
            SENTENCES[(i + k) % len(SENTENCES)].format(town=town) + f" (point {k} du dossier {i})"
            for k in range(20)
        )
        title = f"{town} : {'football, ' if i % 9 == 0 else ''}dossier numéro {i}"
        when = format_datetime(now - timedelta(minutes=6 * i))
        items.append(
            f"<item><guid>bench-{i}</guid><title>{title}</title><pubDate>{when}</pubDate>"
            f"<category>{CATEGORIES[i % len(CATEGORIES)]}</category>"
            f"<description><![CDATA[<p>{body}</p>]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fil</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def config(folder: Path, *, languages: bool) -> Config:
    def toml(values: list[str]) -> str:
        return "[" + ", ".join('"' + v.replace('"', '\\"') + '"' for v in values) + "]"

    (folder / "bot.toml").write_text(
        f"""
[database]
url = "sqlite:///{folder / "bench.db"}"
[select]
include = {toml(TOWNS)}
exclude = {toml(EXCLUDE)}
categories = ["Société", "Politique", "Économie", "Faits divers"]
languages = {'["fr"]' if languages else "[]"}
min_words = 80
max_age = "48h"
[[feeds]]
url = "https://wire.example/fil.xml"
include = ["Rhône-Alpes", "Alpes"]
exclude = ["/mi-temps/"]
per_day = 40
priority = 5
""",
        encoding="utf-8",
    )
    return load(folder / "bot.toml", environ={})


def per_item_ms(count: int, work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000 / count)
    return statistics.median(times)


def main(count: int) -> None:
    content = wire(count)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain, detected = config(folder, languages=False), config(folder, languages=True)
        items = parse_feed(content, content_type="application/rss+xml").items
        feed_settings = plain.feeds[0]
        selection = Selection(plain, sessions=None)  # type: ignore[arg-type]  # at_store only
        with_lingua = Selection(detected, sessions=None)  # type: ignore[arg-type]

        def select_all(chosen: Selection) -> list[str | None]:
            return [chosen.at_store(i, feed_settings, reads_page=False) for i in items]

        reasons = select_all(selection)
        with_lingua.at_store(items[0], feed_settings, reads_page=False)  # load lingua's models
        ms_select = per_item_ms(count, lambda: select_all(selection))
        ms_lingua = per_item_ms(count, lambda: select_all(with_lingua))
        ms_parse = per_item_ms(
            count, lambda: parse_feed(content, content_type="application/rss+xml")
        )

        with open_app(plain) as app, app.sessions() as session:
            feed = Feed(url=feed_settings.url)
            session.add(feed)
            session.commit()
            start = time.perf_counter()
            for item, reason in zip(items, reasons, strict=True):
                ingest(session, feed, item, "", reason)
            ms_store = (time.perf_counter() - start) * 1000 / count
            claims = 50
            start = time.perf_counter()
            pipeline_selection = Selection(plain, app.sessions)
            for n in range(claims):
                rules = pipeline_selection.claim_rules(session)
                assert rules is not None
                claim(session, State.NEW, f"bench-{n}", timedelta(minutes=10), 1,
                      where=rules.where, order=rules.order)  # fmt: skip
            ms_claim = (time.perf_counter() - start) * 1000 / claims
            waiting = session.query(Story).filter(Story.state == State.NEW).count()

    turned_away = sum(1 for r in reasons if r)
    poll = ms_parse + ms_store
    print(f"{count} candidate items, {turned_away} turned away by the rules")
    print(
        f"selection, words/regex/categories/min_words/max_age: {ms_select:.3f} ms per item "
        f"(target ≤ 1 ms; {100 * ms_select / poll:.1f}% of the poll's own work)"
    )
    print(f'  the same with languages = ["fr"], detected by lingua: {ms_lingua:.3f} ms per item')
    print(
        f"baseline, the poll itself: parse {ms_parse:.3f} + store {ms_store:.3f} "
        f"= {poll:.3f} ms per item"
    )
    print(
        f"claiming the next story to write (order, quotas) among {waiting} waiting: "
        f"{ms_claim:.2f} ms per story"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
