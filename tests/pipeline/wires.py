"""One event told by three wires, in their own words: the Grenoble schools story
(tests/quality/data) as a first agency sends it whole, then as two others retell it, each
with its own headline and lead (and a detail of its own) over the wire copy they took up.
Written for this project: no agency's text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parents[1] / "quality" / "data"
SOURCE = json.loads((DATA / "source_grenoble.json").read_text(encoding="utf-8"))
GOOD = json.loads((DATA / "draft_grenoble.json").read_text(encoding="utf-8"))
PARAGRAPHS = SOURCE["text"].split("\n\n")


@dataclass(frozen=True)
class Wire:
    name: str
    guid: str
    title: str
    link: str
    text: str

    def rss(self) -> str:
        body = "".join(f"<p>{p}</p>" for p in self.text.split("\n\n"))
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{self.name}</title><item><guid>{self.guid}</guid><title>{self.title}</title>"
            f"<link>{self.link}</link><description><![CDATA[{body}]]></description></item>"
            "</channel></rss>"
        )


WIRES = (
    Wire("Agence Alpes", "alpes-ecoles-1", SOURCE["title"],
         "https://agence-alpes.example/ecoles-grenoble", SOURCE["text"]),
    Wire(
        "Fil Isère", "isere-20250303-ecoles",
        "Le conseil municipal grenoblois adopte le « plan Écoles 2030 »",
        "https://fil-isere.example/2025/plan-ecoles",
        "\n\n".join([
            "Les élus de Grenoble ont voté lundi 3 mars le « plan Écoles 2030 », un programme "
            "de 48 millions d'euros destiné à rénover 27 des 81 groupes scolaires de la "
            "commune en six ans. La séance, ouverte à 18 heures, s'est achevée peu avant "
            "21 heures.",
            *PARAGRAPHS[1:9],
        ]),
    ),
    Wire(
        "Dépêches Rhône", "rhone-8812",
        "Isère : la ville de Grenoble lance la rénovation thermique de ses bâtiments scolaires",
        "https://depeches-rhone.example/grenoble-renovation-thermique",
        "\n\n".join([
            "La ville de Grenoble va consacrer 48 millions d'euros à la rénovation de 27 "
            "groupes scolaires d'ici à 2030. Le programme, adopté lundi par le conseil "
            "municipal, vise une baisse de 40 % de la consommation d'énergie des écoles.",
            *PARAGRAPHS[3:],
        ]),
    ),
)
