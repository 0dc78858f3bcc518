"""The Grenoble schools story as later wires tell it, written for these tests: a second
agency an hour after the first (other words, one new fact), and the first agency's
correction of a figure under the same GUID."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.store.models import clock
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer

DATA = Path(__file__).parents[1] / "quality" / "data"
FIRST = json.loads((DATA / "source_grenoble.json").read_text(encoding="utf-8"))
# The model's article from the first wire alone (it passes the default gate).
FIRST_DRAFT = json.loads((DATA / "draft_grenoble.json").read_text(encoding="utf-8"))

SECOND_TITLE = "Rénovation des écoles : Grenoble vote un plan de 48 millions d'euros"
SECOND_TEXT = """\
Les élus de Grenoble ont approuvé lundi 3 mars un programme de 48 millions d'euros pour \
rénover 27 des 81 groupes scolaires de la ville d'ici 2030. Le « plan Écoles 2030 » a \
obtenu 41 voix pour, 12 contre et 6 abstentions, après près de trois heures de débat.

Claire Fontaine, adjointe chargée de l'éducation, a défendu un texte qui vise une baisse \
de 40 % de la consommation d'énergie des écoles par rapport à 2019. Le chauffage des \
bâtiments scolaires coûte aujourd'hui 5,2 millions d'euros par an à la ville, 35 % de \
plus qu'en 2021.

Le financement se partage entre la ville (30 millions d'euros), l'État (12 millions, \
fonds vert) et la Région Auvergne-Rhône-Alpes (6 millions). La municipalité attend 1,8 \
million d'euros d'économies d'énergie par an et promet de ne pas augmenter les impôts \
locaux.

Les 12 bâtiments les plus énergivores, construits entre 1960 et 1975, passeront en \
premier. Le chantier de l'école Jean-Jaurès, dans le quartier Mistral, ouvrira en \
juillet 2025 pour 2,3 millions d'euros ; les écoles Anatole-France et Clemenceau \
suivront en 2026. Selon la mairie, 17 entreprises de l'agglomération travailleront sur \
ce premier chantier, pendant les vacances d'été."""

# The first wire's correction: the vote was 43 for, not 41 (same GUID, new text).
CORRECTION_TITLE = "CORRECTION - " + FIRST["title"]
CORRECTION_TEXT = FIRST["text"].replace("41 voix pour", "43 voix pour")

# The model's article once the second wire joined: the first one's, and the new fact.
UPDATED_DRAFT = {
    **FIRST_DRAFT,
    "body_html": FIRST_DRAFT["body_html"].replace(
        "Les écoles Anatole-France et Clemenceau suivront en 2026.",
        "Les écoles Anatole-France et Clemenceau suivront en 2026. Selon la mairie, "
        "17 entreprises de l'agglomération travailleront sur ce premier chantier.",
    ),
}


# The model's article from the corrected wire.
CORRECTED_DRAFT = {
    **FIRST_DRAFT,
    "body_html": FIRST_DRAFT["body_html"].replace("41 voix pour", "43 voix pour"),
}


def rss(channel: str, *items: tuple[str, str, str]) -> str:
    """An RSS feed of (guid, title, text) items."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://{channel.lower().replace(' ', '-')}.example/{guid}</link>"
        "<description><![CDATA["
        + "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        + "]]></description></item>"
        for guid, title, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{channel}</title>{entries}</channel></rss>"
    )


def as_json(draft: dict) -> str:
    return json.dumps(draft, ensure_ascii=False)


def an_hour_later(
    web: WebServer,
    llm: ScriptedLLM,
    feed: tuple[str, str],
    item: tuple[str, str, str],
    draft: dict[str, Any] | None = None,
) -> int:
    """The store's clock an hour on, the feed (path, channel) serving `item`, and the
    model's answer `draft` scripted if any; the model calls made so far."""
    clock.offset = timedelta(hours=1)
    path, channel = feed
    web.route(path, Reply(body=rss(channel, item)))
    if draft is not None:
        llm.script(answer(as_json(draft)))
    return len(llm.calls)
