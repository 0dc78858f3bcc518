"""Sample French news pages, written for Dépêche, with the text a reader would call the article.

Each page has a news-site layout of its own (navigation, cookie banner, share bar,
related links, comments, teaser cards, sidebars, text in <div>s, lists and tables,
an XHTML page with an XML declaration). `body` is what must be extracted; `boilerplate`
is what must not. Scored as trafilatura's own evaluation does: a `body` snippet found
is a true positive, missed a false negative; a `boilerplate` snippet found is a false
positive. Used by tests/feeds/test_extraction.py and bench/extraction.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    body: tuple[str, ...]
    boilerplate: tuple[str, ...]


NAV = (
    '<header><nav class="menu"><ul><li><a href="/">Accueil</a></li><li><a href="/politique">'
    "Politique</a></li><li><a href=\"/sports\">Sports</a></li><li><a href=\"/culture\">Culture"
    "</a></li></ul></nav></header>"
)
COOKIES = (
    '<div id="cookie-banner" class="cookie-consent"><p>Nous utilisons des cookies pour mesurer '
    "l'audience et personnaliser les contenus de ce site.</p><button>Tout accepter</button></div>"
)
SHARE = (
    '<div class="share-bar"><span>Partager cet article sur les réseaux sociaux</span>'
    '<a href="#">Facebook</a> <a href="#">X</a> <a href="#">Copier le lien</a></div>'
)
RELATED = (
    '<aside class="related"><h3>À lire aussi</h3><ul>'
    '<li><a href="/a">Les tarifs des transports en commun augmentent au premier janvier</a></li>'
    '<li><a href="/b">Un nouveau directeur nommé à la tête de l\'hôpital départemental</a></li>'
    "</ul></aside>"
)
COMMENTS = (
    '<section id="comments" class="comments"><h3>Commentaires</h3>'
    '<div class="comment"><p class="author">Jeannot38</p><p>Encore une décision prise sans '
    "consulter les habitants du quartier, comme d'habitude.</p></div>"
    '<div class="comment"><p class="author">Marie L.</p><p>Enfin une bonne nouvelle pour les '
    "familles qui attendaient cela depuis des années.</p></div></section>"
)
FOOTER = (
    '<footer><p>© 2026 Le Journal du Vallon. Tous droits réservés. Mentions légales · '
    "Politique de confidentialité · Nous contacter</p></footer>"
)
NEWSLETTER = (
    '<div class="newsletter"><p>Recevez chaque matin l\'essentiel de l\'actualité de votre '
    'région dans votre boîte mail.</p><form><input type="email"><button>S\'inscrire</button>'
    "</form></div>"
)
BOILERPLATE = (
    "Nous utilisons des cookies pour mesurer",
    "Partager cet article sur les réseaux sociaux",
    "Les tarifs des transports en commun augmentent",
    "Encore une décision prise sans consulter",
    "Tous droits réservés",
    "Recevez chaque matin l'essentiel",
)


def head(title: str) -> str:
    return (
        f'<head><meta charset="utf-8"><title>{title} | Le Journal du Vallon</title>'
        f'<meta property="og:image" content="/img/une.jpg"></head>'
    )


def paragraphs(texts: tuple[str, ...], tag: str = "p") -> str:
    return "".join(f"<{tag}>{text}</{tag}>" for text in texts)


def page(title: str, main: str) -> str:
    return (
        f"<!DOCTYPE html><html lang=\"fr\">{head(title)}<body>{COOKIES}{NAV}<main>{main}</main>"
        f"{NEWSLETTER}{FOOTER}</body></html>"
    )


TEXTS: dict[str, tuple[str, ...]] = {
    "classique": (
        "Le conseil municipal de Saint-Vallier a adopté lundi soir le budget primitif pour "
        "l'année prochaine, par vingt-trois voix contre six.",
        "La principale dépense concerne la rénovation de l'école Jules-Ferry, dont la toiture "
        "laisse passer l'eau depuis deux hivers.",
        "L'opposition a regretté l'absence de crédits pour la piscine intercommunale, fermée "
        "depuis le mois de mars pour des raisons de sécurité.",
    ),
    "teaser": (
        "La préfecture de l'Isère a déclenché mardi le niveau orange du plan canicule pour "
        "l'ensemble du département jusqu'à vendredi au moins.",
        "Les maires sont invités à ouvrir des salles rafraîchies et à contacter les personnes "
        "âgées inscrites sur le registre communal.",
        "Les températures devraient dépasser trente-huit degrés dans la vallée du Grésivaudan "
        "jeudi après-midi, selon les prévisionnistes.",
    ),
    "divs": (
        "Les travaux du tramway reprendront le quinze septembre sur le cours Berriat, après une "
        "interruption de deux mois liée aux fouilles archéologiques.",
        "Les archéologues ont mis au jour les vestiges d'un atelier de potier du deuxième siècle, "
        "désormais documentés et recouverts.",
        "La circulation automobile restera interdite dans les deux sens entre la place Saint-Bruno "
        "et l'avenue Alsace-Lorraine jusqu'à la fin de l'année.",
    ),
    "liste": (
        "La communauté de communes a présenté jeudi son plan pour réduire les déchets ménagers "
        "d'un quart d'ici à trois ans.",
        "Une collecte séparée des biodéchets sera proposée à tous les foyers à partir du mois de "
        "janvier prochain.",
        "Des composteurs collectifs seront installés au pied des immeubles de plus de dix "
        "logements dans chaque commune.",
        "La redevance incitative, calculée selon le poids des ordures, sera testée dans trois "
        "villages volontaires pendant un an.",
    ),
    "tableau": (
        "Les résultats du premier tour de l'élection municipale partielle de Vif ont été "
        "proclamés dimanche soir à la mairie.",
        "La liste conduite par Hélène Marchand arrive en tête avec près de quarante-deux pour "
        "cent des suffrages exprimés.",
        "Le second tour opposera les deux listes arrivées en tête, la troisième ayant annoncé "
        "qu'elle ne se maintiendrait pas.",
    ),
    "commentaires": (
        "Le festival de jazz de Vienne a annoncé mercredi une fréquentation record, avec plus de "
        "deux cent mille spectateurs en quinze jours.",
        "Les concerts gratuits du jardin de Cybèle ont attiré un public nombreux, notamment les "
        "soirs de scène ouverte consacrés aux jeunes talents.",
        "Les organisateurs réfléchissent déjà à une seizième soirée au théâtre antique pour "
        "l'édition de l'an prochain.",
    ),
    "sidebar": (
        "Un incendie a détruit dans la nuit de samedi à dimanche un entrepôt de la zone "
        "d'activités de Moirans, sans faire de victime.",
        "Une soixantaine de sapeurs-pompiers ont été mobilisés pendant six heures pour circonscrire "
        "le feu, qui menaçait une entreprise voisine.",
        "Une enquête a été ouverte par la gendarmerie pour déterminer l'origine du sinistre, qui "
        "reste pour l'instant inconnue.",
    ),
    "intertitres": (
        "La ligne ferroviaire entre Grenoble et Gap sera fermée pendant trois semaines en octobre "
        "pour le remplacement de plusieurs ouvrages d'art.",
        "SNCF Réseau prévoit de changer deux ponts métalliques datant de la fin du dix-neuvième "
        "siècle et de renforcer un tunnel près de Clelles.",
        "Des autocars de substitution circuleront aux horaires habituels des trains, avec un temps "
        "de parcours allongé d'environ quarante minutes.",
    ),
    "xhtml": (
        "Le musée de Bourgoin-Jallieu consacre sa nouvelle exposition aux soieries imprimées de la "
        "région, du dix-huitième siècle à nos jours.",
        "Près de trois cents pièces sont présentées, dont des carnets de dessins prêtés par "
        "d'anciennes fabriques de la vallée.",
        "L'exposition est visible jusqu'au mois de mars, avec des visites commentées chaque "
        "premier dimanche du mois.",
    ),
    "amp": (
        "Le club de rugby de Bourgoin a remporté samedi son troisième match consécutif à domicile "
        "face à l'équipe de Dax.",
        "Les avants berjalliens ont dominé la mêlée pendant toute la rencontre et inscrit deux "
        "essais en seconde période.",
        "L'entraîneur a salué l'état d'esprit de son groupe, tout en rappelant que le maintien "
        "n'était pas encore assuré.",
    ),
    "citation": (
        "Les agriculteurs du Trièves s'inquiètent de la sécheresse qui touche le plateau depuis "
        "le début du printemps.",
        "« Nous n'avons jamais vu les sources aussi basses à cette période de l'année », explique "
        "un éleveur de Mens installé depuis trente ans.",
        "La chambre d'agriculture demande la reconnaissance de l'état de calamité agricole pour "
        "une vingtaine de communes du secteur.",
    ),
    "direct": (
        "La manifestation contre la fermeture de la maternité de Voiron a réuni près de deux mille "
        "personnes samedi matin dans le centre-ville.",
        "Élus, soignants et parents ont défilé de la gare jusqu'à l'hôpital, derrière une "
        "banderole réclamant le maintien des accouchements.",
        "L'agence régionale de santé doit rendre sa décision définitive avant la fin du mois, "
        "après une dernière réunion avec les syndicats.",
    ),
    "paywall": (
        "Le département de la Drôme va financer l'installation de panneaux solaires sur les toits "
        "de quarante collèges d'ici à la fin de la décennie.",
        "L'électricité produite sera consommée sur place, ce qui doit réduire d'un tiers la "
        "facture énergétique des établissements concernés.",
        "Les premiers chantiers commenceront l'été prochain à Valence, Romans-sur-Isère et "
        "Montélimar, pendant les vacances scolaires.",
    ),
    "portail": (
        "Une nouvelle ligne de bus express reliera dès lundi la gare de Crolles au campus de "
        "Saint-Martin-d'Hères en moins de trente minutes.",
        "Les bus partiront toutes les dix minutes aux heures de pointe et toutes les vingt minutes "
        "le reste de la journée.",
        "Le syndicat des mobilités espère convaincre un millier d'automobilistes de laisser leur "
        "voiture sur le parking relais.",
    ),
    "blog": (
        "La bibliothèque municipale d'Échirolles a rouvert ses portes mercredi après huit mois de "
        "travaux d'agrandissement et de mise aux normes.",
        "Les lecteurs découvrent une salle de jeux vidéo, un espace pour les tout-petits et une "
        "terrasse de lecture ouverte aux beaux jours.",
        "Les horaires d'ouverture sont élargis au dimanche après-midi, une demande ancienne des "
        "familles et des étudiants de la ville.",
    ),
    "galerie": (
        "La station des Sept-Laux a présenté vendredi son projet de diversification pour attirer "
        "les visiteurs en dehors de la saison de ski.",
        "Un sentier de randonnée accessible aux poussettes et une tyrolienne géante doivent ouvrir "
        "dès le printemps prochain.",
        "Le projet, évalué à six millions d'euros, est soutenu par la région et par les deux "
        "communes qui se partagent le domaine.",
    ),
}


def _pages() -> list[Page]:
    t = TEXTS
    teaser_card = (
        '<article class="card teaser"><h2><a href="/x">Fermeture du pont de la Porte-de-France '
        "pour travaux cet été</a></h2><p>Les automobilistes devront emprunter une déviation.</p>"
        "</article>"
    )
    layouts = {
        "classique": page(
            "Budget voté",
            f"<article><h1>Le budget voté</h1>{SHARE}{paragraphs(t['classique'])}{RELATED}"
            f"</article>{COMMENTS}",
        ),
        "teaser": (
            f'<!DOCTYPE html><html lang="fr">{head("Canicule")}<body>{NAV}{COOKIES}'
            f"{teaser_card}{teaser_card.replace('Porte-de-France', 'Bastille')}"
            f'<div class="main-story"><article class="story"><h1>Canicule</h1>'
            f"{paragraphs(t['teaser'])}{SHARE}</article></div>{RELATED}{FOOTER}</body></html>"
        ),
        "divs": page(
            "Tramway",
            f'<div class="article-body">{paragraphs(t["divs"], "div")}</div>{SHARE}{RELATED}',
        ),
        "liste": page(
            "Déchets",
            f"<article><h1>Déchets</h1><p>{t['liste'][0]}</p><ul>"
            f"{paragraphs(t['liste'][1:], 'li')}</ul>{SHARE}</article>{RELATED}{COMMENTS}",
        ),
        "tableau": page(
            "Élection",
            f"<article><h1>Élection</h1>{paragraphs(t['tableau'][:2])}<table><tr><th>Liste</th>"
            "<th>Voix</th></tr><tr><td>Hélène Marchand</td><td>1 204</td></tr><tr><td>Paul "
            f"Girard</td><td>1 011</td></tr></table>{paragraphs(t['tableau'][2:])}</article>"
            f"{RELATED}",
        ),
        "commentaires": page(
            "Jazz",
            f"<article><h1>Jazz à Vienne</h1>{paragraphs(t['commentaires'])}</article>"
            f"{SHARE}{COMMENTS}{RELATED}",
        ),
        "sidebar": (
            f'<!DOCTYPE html><html lang="fr">{head("Incendie")}<body>{COOKIES}{NAV}'
            '<div class="layout"><div class="col-main"><h1>Incendie à Moirans</h1>'
            f'<div class="chapo"><p>{t["sidebar"][0]}</p></div>'
            f'<div class="texte">{paragraphs(t["sidebar"][1:])}</div></div>'
            f'<div class="col-side">{RELATED}{NEWSLETTER}<div class="most-read"><h3>Les plus lus'
            "</h3><ol><li>Les tarifs des transports en commun augmentent au premier janvier</li>"
            f"</ol></div></div></div>{FOOTER}</body></html>"
        ),
        "intertitres": page(
            "Trains",
            f"<article><h1>Ligne fermée</h1><p>{t['intertitres'][0]}</p><h2>Deux ponts à "
            f"changer</h2><p>{t['intertitres'][1]}</p><h2>Des cars de substitution</h2>"
            f"<p>{t['intertitres'][2]}</p></article>{SHARE}{RELATED}",
        ),
        "xhtml": (
            '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
            'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
            '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr">'
            f"{head('Soieries')}<body>{NAV}<div id=\"contenu\"><h1>Soieries</h1>"
            f"{paragraphs(t['xhtml'])}</div>{SHARE}{RELATED}{FOOTER}</body></html>"
        ),
        "amp": page(
            "Rugby",
            f'<article><h1>Rugby</h1><div class="byline">Par Léo Martin, le 12 octobre</div>'
            f"{paragraphs(t['amp'])}<div class=\"tags\"><a href=\"/t/rugby\">Rugby</a> "
            f"<a href=\"/t/bourgoin\">Bourgoin</a></div></article>{RELATED}{COMMENTS}",
        ),
        "citation": page(
            "Sécheresse",
            f"<article><h1>Sécheresse</h1><p>{t['citation'][0]}</p><blockquote><p>"
            f"{t['citation'][1]}</p></blockquote><p>{t['citation'][2]}</p>{SHARE}</article>"
            f"{NEWSLETTER}{RELATED}",
        ),
        "direct": page(
            "Maternité",
            f'<section class="article"><h1>Maternité</h1>{paragraphs(t["direct"])}'
            f'<figure><img src="/m.jpg"><figcaption>Photo : rédaction</figcaption></figure>'
            f"</section>{SHARE}{COMMENTS}",
        ),
        "paywall": page(
            "Solaire",
            f"<article><h1>Solaire</h1>{paragraphs(t['paywall'])}"
            '<div class="paywall-cta"><p>Abonnez-vous pour lire la suite de nos enquêtes et '
            f"soutenir une information locale indépendante.</p></div></article>{RELATED}",
        ),
        "portail": (
            f'<!DOCTYPE html><html lang="fr">{head("Bus express")}<body>{COOKIES}{NAV}'
            f'<div id="page"><div class="breadcrumb"><a href="/">Accueil</a> › Transports</div>'
            f'<div class="entry-content">{paragraphs(t["portail"])}</div>{SHARE}'
            f"{RELATED}{COMMENTS}</div>{FOOTER}</body></html>"
        ),
        "blog": page(
            "Bibliothèque",
            f'<div class="post"><h1 class="entry-title">Bibliothèque</h1><div class="post-body">'
            f"{paragraphs(t['blog'])}</div></div>{SHARE}{COMMENTS}{RELATED}",
        ),
        "galerie": page(
            "Sept-Laux",
            f"<article><h1>Sept-Laux</h1>{paragraphs(t['galerie'][:1])}"
            '<div class="gallery"><figure><img src="/1.jpg"><figcaption>Le domaine en été'
            f"</figcaption></figure></div>{paragraphs(t['galerie'][1:])}</article>{RELATED}",
        ),
    }
    extra = {
        "paywall": ("Abonnez-vous pour lire la suite",),
        "sidebar": ("Les plus lus",),
        "teaser": ("Fermeture du pont de la Porte-de-France",),
    }
    return [
        Page(name, html, TEXTS[name], BOILERPLATE + extra.get(name, ()))
        for name, html in layouts.items()
    ]


PAGES = _pages()


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    empty: int  # pages with no text at all


def score(extract: Callable[[str], str]) -> Score:
    """trafilatura's rule: body snippets found are true positives, missed are false
    negatives; boilerplate snippets found are false positives."""
    found = missed = intruders = empty = 0
    for sample in PAGES:
        text = " ".join(extract(sample.html).split())
        empty += not text
        hits = sum(snippet in text for snippet in sample.body)
        found, missed = found + hits, missed + len(sample.body) - hits
        intruders += sum(snippet in text for snippet in sample.boilerplate)
    precision = found / (found + intruders) if found + intruders else 0.0
    recall = found / (found + missed)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, empty)
