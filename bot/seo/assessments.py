"""Yoast SEO's assessments for a French post, with Yoast's thresholds and 0..9 scores.

Each function takes the Post and returns one Assessment whose id is Yoast's identifier. The
texts are ours, in French, with the measured value and the target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlparse

from lxml import etree

from bot.seo import text as t
from bot.seo.french import FIRST_WORD_EXCEPTIONS, FUNCTION_WORDS
from bot.seo.passive import has_transition, is_passive
from bot.seo.report import Assessment

_LETTERS_CHECK = str.maketrans("", "", "‘’“”\"'.?!:;,¿¡«»&*@#±^%|~`[](){}⟨⟩<>/\\–-—×+ \t\n\r\u00a0")


@dataclass
class Post:
    """What is analysed, with the few derived facts several assessments share."""

    body_html: str
    keyphrase: str
    title: str
    seo_title: str
    meta_description: str
    slug: str
    site_url: str | None = None

    def __post_init__(self) -> None:
        # Yoast ignores a keyphrase made only of punctuation and spaces.
        if not self.keyphrase.translate(_LETTERS_CHECK):
            self.keyphrase = ""

    @property
    def has_keyphrase(self) -> bool:
        return bool(self.keyphrase)

    @property
    def has_text(self) -> bool:
        return self.body_html != ""

    @cached_property
    def keyphrase_words(self) -> list[str]:
        return t.keyphrase_words(self.keyphrase) if self.keyphrase else []

    @cached_property
    def blocks(self) -> tuple[t.Block, ...]:
        return t.blocks(self.body_html)

    @cached_property
    def sentences(self) -> list[t.Sentence]:
        return [s for b in self.blocks for s in b.sentences]

    @cached_property
    def word_count(self) -> int:
        return t.count_words(self.body_html)

    @cached_property
    def tree_word_count(self) -> int:
        return len(t.tree_words(self.body_html))

    @cached_property
    def permalink(self) -> str:
        if not self.site_url:
            return ""
        return f"{self.site_url.rstrip('/')}/{self.slug}/"

    def share_found(self, text: str) -> int:
        """Percentage of the keyphrase's words present in a string (Yoast's word match)."""
        return t.share_of_keyphrase_words(text, self.keyphrase) if self.keyphrase else 0


def js_round(value: float) -> int:
    """Math.round: halves go up (Python's round() goes to the even neighbour)."""
    return math.floor(value + 0.5)


def format_percentage(value: float) -> float:
    """Yoast's formatNumber: whole numbers stay whole, others get one decimal."""
    return float(js_round(value)) if js_round(value) == value else js_round(value * 10) / 10


def _fr(value: float) -> str:
    """A number the French way: 2,5 rather than 2.5."""
    return f"{value:g}".replace(".", ",")


# --- SEO ----------------------------------------------------------------------------------------


def introduction_keyword(post: Post) -> Assessment:
    aid = "introductionKeyword"
    if not (post.has_keyphrase and post.has_text):
        return Assessment.scored(aid, 3, "Indiquez une expression clé et un texte.")
    intro = _first_paragraph(post)
    if intro is None:
        return Assessment.scored(aid, 3, "Le texte n'a pas de paragraphe d'introduction.")
    if any(post.share_found(s.text) == 100 for s in intro.sentences):
        text = "L'expression clé figure dans une phrase de l'introduction."
        return Assessment.scored(aid, 9, text)
    if post.share_found(intro.text) == 100:
        return Assessment.scored(
            aid,
            6,
            "Les mots de l'expression clé sont dans l'introduction, mais pas dans "
            "une même phrase : réunissez-les.",
        )
    return Assessment.scored(aid, 3, "L'expression clé n'apparaît pas dans le premier paragraphe.")


def _first_paragraph(post: Post) -> t.Block | None:
    for block in post.blocks:
        if block.kind != "p" or not block.sentences or block.only_links:
            continue
        if block.in_figcaption or block.text.lstrip().startswith(
            ("[caption", "[gallery", "[embed", "[playlist")
        ):
            continue
        return block
    return None


def keyphrase_length(post: Post) -> Assessment:
    aid = "keyphraseLength"
    length = len(post.keyphrase_words)
    if length < 1:
        return Assessment.scored(aid, -999, "Aucune expression clé n'est définie.", 0)
    if length <= 4:
        text = f"Expression clé de {length} mot(s) utile(s) : bien."
        return Assessment.scored(aid, 9, text, length)
    if length <= 8:
        return Assessment.scored(
            aid,
            6,
            f"L'expression clé compte {length} mots utiles ; 4 au plus sont recommandés.",
            length,
        )
    return Assessment.scored(
        aid,
        3,
        f"L'expression clé compte {length} mots utiles, bien plus que les 4 recommandés.",
        length,
    )


def _recommended_count(keyphrase_length_: int, density: float, maximum: bool, words: int) -> int:
    count = density * words / (100 * (0.7 + keyphrase_length_ / 3))
    if count < 2:
        return 2
    return math.floor(count) if maximum else math.ceil(count)


def keyphrase_density(post: Post) -> Assessment:
    aid = "keyphraseDensity"
    if not (post.has_keyphrase and post.has_text):
        return Assessment.scored(aid, -50, "Indiquez une expression clé et un texte.")
    count = t.body_keyphrase_count(post.body_html, post.keyphrase)
    words = post.tree_word_count
    density = count / words * 100 * t.keyphrase_length_factor(post.keyphrase) if words else 0.0
    found = f"Expression clé trouvée {count} fois"
    if words < 100:
        maximum = 2 if words > 50 else 1
        score = _short_text_density_score(count, maximum)
        target = f"texte court : 1 à {maximum} fois"
    else:
        length = len(post.keyphrase_words)
        minimum = _recommended_count(length, 0.5, False, words)
        maximum = _recommended_count(length, 3, True, words)
        score = _density_score(count, density, minimum)
        target = f"densité pondérée {_fr(round(density, 2))} %, cible 0,5 à 3 %"
    return Assessment.scored(aid, score, f"{found} ({target}).", round(density, 2))


def _short_text_density_score(count: int, maximum: int) -> int:
    if count == 0:
        return 4
    if 1 <= count <= maximum:
        return 9
    return -10 if count == maximum + 1 else -50


def _density_score(count: int, density: float, minimum: int) -> int:
    if count == 0 or 0 <= density < 0.5 or count == 1:
        return 4
    if 0.5 <= density <= 3 or (count == 2 and minimum <= 2):
        return 9
    return -10 if 3 < density <= 4 else -50


def meta_description_keyword(post: Post) -> Assessment:
    aid = "metaDescriptionKeyword"
    if not (post.has_keyphrase and post.meta_description):
        return Assessment.scored(aid, 3, "Indiquez une expression clé et une méta-description.")
    count = _keyphrase_count_in_string(post.meta_description, post.keyphrase_words)
    if count in (1, 2):
        return Assessment.scored(aid, 9, "L'expression clé figure dans la méta-description.", count)
    if count >= 3:
        return Assessment.scored(
            aid,
            3,
            f"L'expression clé apparaît {count} fois dans la méta-description (2 au plus).",
            count,
        )
    return Assessment.scored(aid, 3, "La méta-description ne contient pas l'expression clé.", 0)


def _keyphrase_count_in_string(text: str, kwords: list[str]) -> int:
    """Per sentence, the number of times the rarest keyphrase word occurs; summed."""
    total = 0
    for line in text.split("\n"):
        for sentence in t.split_sentences(line):
            normalized = t.normalize_quotes(sentence)
            counts = [len(t.word_regex(t.normalize_quotes(w)).findall(normalized)) for w in kwords]
            total += min(counts) if counts else 0
    return total


def meta_description_length(post: Post) -> Assessment:
    aid = "metaDescriptionLength"
    length = len(post.meta_description.encode("utf-16-le")) // 2  # JavaScript's string length
    if length == 0:
        return Assessment.scored(aid, 1, "Aucune méta-description : rédigez-en une.", 0)
    if length <= 120:
        text = f"Méta-description trop courte : {length} caractères (visez 121 à 156)."
        return Assessment.scored(aid, 6, text, length)
    if length > 156:
        text = f"Méta-description trop longue : {length} caractères (156 au plus)."
        return Assessment.scored(aid, 6, text, length)
    return Assessment.scored(aid, 9, f"Méta-description de {length} caractères : bien.", length)


def subheadings_keyword(post: Post) -> Assessment:
    aid = "subheadingsKeyword"
    if not (post.has_keyphrase and post.has_text):
        return Assessment.scored(aid, 1, "Indiquez une expression clé et un texte.")
    headings = [text for level, text in t.subheadings(post.body_html) if level in (2, 3)]
    if not headings:
        if post.word_count >= 300:
            return Assessment.scored(aid, 2, "Texte long sans intertitre H2/H3 : ajoutez-en.")
        return Assessment.scored(aid, 9, "Texte court : des intertitres ne sont pas nécessaires.")
    matches = sum(1 for h in headings if post.share_found(h) > 50)
    count = len(headings)
    share = round(matches / count * 100)
    low, high = math.ceil(count * 0.3), math.floor(count * 0.75)
    summary = f"{matches} intertitre(s) H2/H3 sur {count} reprennent l'expression clé"
    if 0 < matches < low:
        return Assessment.scored(aid, 3, f"{summary} : trop peu (30 à 75 %).", share)
    if count > 1 and matches > high:
        return Assessment.scored(aid, 3, f"{summary} : trop (30 à 75 %).", share)
    if (count == 1 and matches == 1) or low <= matches <= high:
        return Assessment.scored(aid, 9, f"{summary} : bien.", share)
    return Assessment.scored(aid, 3, f"{summary} : reprenez-la dans 30 à 75 % d'entre eux.", share)


@dataclass
class _Anchor:
    href: str | None
    rel: str
    text: str


def _ancestors_ignored(element: etree._Element, ignored: frozenset[str]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and parent.tag.lower() in ignored:
            return True
        parent = parent.getparent()
    return False


def _anchors(post: Post, ignored: frozenset[str], *, need_attributes: bool) -> list[_Anchor]:
    root = t._parse(post.body_html)
    found = []
    for a in root.iter("a"):
        if need_attributes and not a.attrib:
            continue
        if _ancestors_ignored(a, ignored):
            continue
        found.append(_Anchor(a.get("href"), a.get("rel") or "", t._inline_text(a)))
    return found


def _link_type(href: str, site_url: str) -> str:
    parsed = urlparse(href)
    if (parsed.scheme and parsed.scheme not in ("http", "https")) or href.startswith("#"):
        return "other"
    if "//" not in href and href.startswith("/"):
        return "internal"
    if not parsed.hostname:
        return "internal"
    site_host = urlparse(site_url).hostname if site_url else None
    return "internal" if parsed.hostname == site_host else "external"


def _link_counts(post: Post) -> dict[str, tuple[int, int]]:
    """(total, nofollow) per link type, as Yoast's link statistics count them."""
    counts = {"internal": [0, 0], "external": [0, 0], "other": [0, 0]}
    for anchor in _anchors(post, t._STRING_VIEW_IGNORED, need_attributes=True):
        kind = _link_type(anchor.href or "", post.permalink)
        counts[kind][0] += 1
        if "nofollow" in anchor.rel.lower().split():
            counts[kind][1] += 1
    return {kind: (total, nofollow) for kind, (total, nofollow) in counts.items()}


# Per kind of link: the assessment id, the advice when there is none, the noun in its forms.
_LINK_KINDS = {
    "external": ("externalLinks", "Aucun lien sortant : citez au moins une source.", "sortant"),
    "internal": (
        "internalLinks",
        "Aucun lien interne : renvoyez vers d'autres articles.",
        "interne",
    ),
}


def _links_assessment(post: Post, kind: str) -> Assessment:
    aid, advice, noun = _LINK_KINDS[kind]
    total, nofollow = _link_counts(post)[kind]
    if total == 0:
        return Assessment.scored(aid, 3, advice, 0)
    if nofollow == total:
        return Assessment.scored(aid, 7, f"{total} lien(s) {noun}(s), tous en nofollow.", total)
    if nofollow:
        return Assessment.scored(aid, 8, f"{total} liens {noun}s, dont {nofollow} nofollow.", total)
    return Assessment.scored(aid, 9, f"{total} lien(s) {noun}(s) : bien.", total)


def external_links(post: Post) -> Assessment:
    return _links_assessment(post, "external")


def internal_links(post: Post) -> Assessment:
    return _links_assessment(post, "internal")


def _is_self_link(href: str | None, permalink: str) -> bool:
    if not href:
        return False
    if href.startswith("#"):
        return True

    def bare(url: str) -> str:
        return url.split("#")[0].split("?")[0].rstrip("/") + "/"

    return bare(href) == bare(permalink)


def _anchor_is_competing(post: Post, anchor: _Anchor) -> bool:
    if post.share_found(anchor.text) != 100:
        return False
    anchor_words = list(dict.fromkeys(t.words(anchor.text)))
    content = [w for w in anchor_words if w.lower() not in FUNCTION_WORDS]
    anchor_words = content or anchor_words
    return all(
        any(t.word_regex(k).search(t.normalize_quotes(w)) for k in post.keyphrase_words)
        for w in anchor_words
    )


def text_competing_links(post: Post) -> Assessment:
    aid = "textCompetingLinks"
    competing = 0
    if post.has_keyphrase and post.has_text:
        anchors = _anchors(post, t._TREE_VIEW_IGNORED, need_attributes=False)
        anchors = [a for a in anchors if not _is_self_link(a.href, post.permalink)]
        competing = sum(1 for a in anchors if _anchor_is_competing(post, a))
    if competing == 0:
        return Assessment.scored(aid, 8, "Aucun lien n'a l'expression clé pour ancre : bien.", 0)
    return Assessment.scored(
        aid,
        2,
        f"{competing} lien(s) ont l'expression clé pour ancre : ils concurrencent "
        "l'article sur cette requête.",
        competing,
    )


def _images(post: Post) -> list[etree._Element]:
    root = t._parse(post.body_html)
    return [img for img in root.iter("img") if not _ancestors_ignored(img, t._TREE_VIEW_IGNORED)]


def images(post: Post) -> Assessment:
    count = len(_images(post))
    if count == 0:
        return Assessment.scored("images", 3, "Aucune image : ajoutez-en au moins une.", 0)
    return Assessment.scored("images", 9, f"{count} image(s) dans l'article : bien.", count)


def image_keyphrase(post: Post) -> Assessment:
    aid = "imageKeyphrase"
    found = _images(post)
    count = len(found)
    if not post.has_keyphrase or count == 0:
        return Assessment.scored(aid, 3, "Pas d'image ou pas d'expression clé.", 0)
    alts = [" ".join((img.get("alt") or "").split()) for img in found]
    with_keyphrase = sum(1 for alt in alts if alt and post.share_found(alt) >= 50)
    with_other_alt = sum(1 for alt in alts if alt) - with_keyphrase
    low, high = math.ceil(count * 0.3), math.floor(count * 0.75)
    summary = f"{with_keyphrase} image(s) sur {count} ont l'expression clé dans leur texte alt"
    if with_other_alt > 0 and with_keyphrase == 0:
        return Assessment.scored(aid, 6, f"{summary} : ajoutez-la.", with_keyphrase)
    if count > 4 and 0 < with_keyphrase < low:
        return Assessment.scored(aid, 6, f"{summary} : trop peu (30 à 75 %).", with_keyphrase)
    good = (
        (count < 5 and with_keyphrase > 0)
        or (count == 5 and 2 <= with_keyphrase <= 4)
        or (count > 4 and low <= with_keyphrase <= high)
    )
    if good:
        return Assessment.scored(aid, 9, f"{summary} : bien.", with_keyphrase)
    if count > 4 and with_keyphrase > high:
        return Assessment.scored(aid, 6, f"{summary} : trop (30 à 75 %).", with_keyphrase)
    return Assessment.scored(aid, 6, "Les images n'ont pas de texte alt.", 0)


def text_length(post: Post) -> Assessment:
    aid = "textLength"
    count = post.word_count
    if count >= 300:
        return Assessment.scored(aid, 9, f"{count} mots : bien (300 au moins).", count)
    if count < 100:
        score = -20
    elif count < 200:
        score = -10
    elif count < 250:
        score = 3
    else:
        score = 6
    return Assessment.scored(aid, score, f"{count} mots : trop court (300 au moins).", count)


def keyphrase_in_seo_title(post: Post) -> Assessment:
    aid = "keyphraseInSEOTitle"
    if not (post.has_keyphrase and post.seo_title):
        return Assessment.scored(aid, 2, "Indiquez une expression clé et un titre SEO.")
    title = t.normalize_quotes(" ".join(post.seo_title.split()))
    phrase = t.normalize_quotes(post.keyphrase)
    match = t.word_regex(phrase).search(title)
    if match:
        start = match.start() if _starts_word(match.group(0)) else match.start() + 1
        if _only_function_words(title[:start]):
            return Assessment.scored(aid, 9, "L'expression clé ouvre le titre SEO : bien.", 0)
        return Assessment.scored(
            aid, 6, "L'expression clé est dans le titre SEO ; placez-la au début.", start
        )
    if post.share_found(title) == 100:
        return Assessment.scored(
            aid, 6, "Les mots de l'expression clé sont dans le titre SEO, mais pas tels quels."
        )
    return Assessment.scored(aid, 2, "Le titre SEO ne contient pas l'expression clé.")


def _starts_word(matched: str) -> bool:
    return matched[0].isalnum()


def _only_function_words(text: str) -> bool:
    return all(w.lower() in FUNCTION_WORDS for w in t.words(text.replace("-", " ")))


def title_width(post: Post) -> Assessment:
    aid = "titleWidth"
    width = t.title_width_px(post.seo_title) if post.seo_title else 0.0
    shown = f"{js_round(width)} px"
    if width == 0:
        return Assessment.scored(aid, 1, "Aucun titre SEO : rédigez-en un.", 0.0)
    if width <= 600:
        # The SEO assessor accepts short titles (Yoast's widthTooShort score is 9 there).
        return Assessment.scored(aid, 9, f"Titre SEO de {shown} : bien (600 px au plus).", width)
    return Assessment.scored(
        aid, 3, f"Titre SEO de {shown} : trop large, il sera tronqué (600 px au plus).", width
    )


def slug_keyword(post: Post) -> Assessment:
    aid = "slugKeyword"
    if not (post.has_keyphrase and post.slug):
        return Assessment.scored(aid, 3, "Indiquez une expression clé et un slug.")
    slug_text = post.slug.replace("-", " ").replace("_", " ")
    share = t.share_of_keyphrase_words(slug_text, post.keyphrase, hyphens_split=True)
    length = len(t.keyphrase_words(post.keyphrase.replace("-", " ")))
    good = share == 100 if length < 3 else share > 50
    if good:
        return Assessment.scored(aid, 9, "Le slug reprend l'expression clé : bien.", share)
    return Assessment.scored(
        aid, 6, f"Le slug ne reprend que {share} % des mots de l'expression clé.", share
    )


def function_words_in_keyphrase(post: Post) -> Assessment:
    aid = "functionWordsInKeyphrase"
    keyword_words = [w.lower() for w in t.words(post.keyphrase.replace("-", " "))]
    if all(w in FUNCTION_WORDS for w in keyword_words):
        return Assessment.scored(
            aid,
            0,
            "L'expression clé n'est faite que de mots outils : choisissez des mots "
            "porteurs de sens.",
        )
    return Assessment.scored(aid, 0, "")


def single_h1(post: Post) -> Assessment:
    aid = "singleH1"
    count = sum(1 for b in post.blocks if b.kind == "h" and b.level == 1 and b.text)
    if count <= 1:
        return Assessment.scored(aid, 8, "Pas de second H1 dans le texte : bien.", count)
    return Assessment.scored(
        aid, 1, f"{count} titres H1 dans le texte : gardez-en un seul (le titre).", count
    )


# --- readability --------------------------------------------------------------------------------


def subheadings_too_long(post: Post) -> Assessment:
    aid = "subheadingsTooLong"
    total = post.word_count
    found = t.sections(post.body_html)
    has_headings = any(heading is not None for heading, _ in found)
    lengths = [(heading, len(t.words(body))) for heading, body in found]
    if total <= 300:
        return Assessment.scored(aid, 9, f"Texte de {total} mots : la répartition convient.")
    if not has_headings:
        return Assessment.scored(
            aid, 2, f"Texte de {total} mots sans intertitre : découpez-le (300 mots par section)."
        )
    too_long = sum(1 for _, n in lengths if n > 300)
    intro = lengths[0][1] if lengths and lengths[0][0] is None else 0
    longest = max(n for _, n in lengths)
    if 300 < intro <= 350 and too_long < 2:
        return Assessment.scored(
            aid, 6, f"Le début avant le premier intertitre fait {intro} mots (300 au plus).", intro
        )
    if intro > 350 and too_long < 2:
        return Assessment.scored(
            aid, 3, f"Le début avant le premier intertitre fait {intro} mots (300 au plus).", intro
        )
    if longest <= 300:
        return Assessment.scored(aid, 9, "Aucune section ne dépasse 300 mots : bien.", longest)
    score = 6 if longest <= 350 else 3
    return Assessment.scored(
        aid,
        score,
        f"{too_long} section(s) dépassent 300 mots (la plus longue : {longest}).",
        longest,
    )


def paragraph_too_long(post: Post) -> Assessment:
    aid = "textParagraphTooLong"
    lengths = [b.word_count for b in post.blocks if b.kind == "p" and b.word_count > 0]
    longest = max(lengths, default=0)
    if longest <= 150:
        return Assessment.scored(aid, 9, "Aucun paragraphe ne dépasse 150 mots : bien.", longest)
    too_long = sum(1 for n in lengths if n > 150)
    score = 6 if longest <= 200 else 3
    return Assessment.scored(
        aid,
        score,
        f"{too_long} paragraphe(s) dépassent 150 mots (le plus long : {longest}).",
        longest,
    )


def sentence_length(post: Post) -> Assessment:
    aid = "textSentenceLength"
    lengths = [len(s.words) for s in post.sentences]
    lengths = [n for n in lengths if n > 0]
    too_long = sum(1 for n in lengths if n > 20)
    share = format_percentage(too_long / len(lengths) * 100) if lengths else 0
    text = f"{_fr(share)} % des phrases dépassent 20 mots (25 % au plus)."
    if share <= 25:
        return Assessment.scored(aid, 9, text, share)
    return Assessment.scored(aid, 6 if share <= 30 else 3, text, share)


def transition_words(post: Post) -> Assessment:
    aid = "textTransitionWords"
    total = len(post.sentences)
    with_transition = sum(1 for s in post.sentences if has_transition(s))
    share = format_percentage(with_transition / total * 100) if total and with_transition else 0
    text = f"{_fr(share)} % des phrases contiennent un mot de liaison (30 % au moins)."
    if post.tree_word_count < 200:
        return Assessment.scored(aid, 9, f"Texte court : {text}", share)
    if share < 20:
        return Assessment.scored(aid, 3, text, share)
    return Assessment.scored(aid, 6 if share < 30 else 9, text, share)


def passive_voice(post: Post) -> Assessment:
    aid = "passiveVoice"
    texts = [s.text for s in post.sentences]
    passives = sum(1 for s in texts if is_passive(s))
    share = format_percentage(passives / len(texts) * 100) if texts else 0
    text = f"{_fr(share)} % des phrases sont au passif (10 % au plus)."
    if share <= 10:
        return Assessment.scored(aid, 9, text, share)
    return Assessment.scored(aid, 6 if share <= 15 else 3, text, share)


def text_presence(post: Post) -> Assessment:
    characters = len(" ".join(t.string_view_text(post.body_html).split()))
    if characters >= 50:
        return Assessment.scored("textPresence", 0, "", characters)
    return Assessment.scored(
        "textPresence", 3, "Il n'y a presque pas de texte : écrivez l'article.", characters
    )


def _beginning(sentence: t.Sentence) -> str:
    found = [w for w in sentence.words if w.strip()]
    if not found:
        return ""
    first = found[0].lower()
    if first in FIRST_WORD_EXCEPTIONS and len(found) > 1:
        return f"{first} {found[1].lower()}"
    return first


def sentence_beginnings(post: Post) -> Assessment:
    aid = "sentenceBeginnings"
    sentences = [s for b in post.blocks if not b.in_list_or_table for s in b.sentences if s.tokens]
    longest_run, run, previous = 0, 0, None
    repeated = 0
    for sentence in sentences:
        beginning = _beginning(sentence)
        run = run + 1 if beginning and beginning == previous else 1
        previous = beginning
        if run == 3:
            repeated += 1
        longest_run = max(longest_run, run if beginning else 0)
    if repeated:
        return Assessment.scored(
            aid,
            3,
            f"{longest_run} phrases de suite commencent par le même mot : variez.",
            longest_run,
        )
    return Assessment.scored(aid, 9, "Les débuts de phrase sont variés : bien.", longest_run)


SEO_ASSESSMENTS: tuple[Callable[[Post], Assessment], ...] = (
    introduction_keyword,
    keyphrase_length,
    keyphrase_density,
    meta_description_keyword,
    meta_description_length,
    subheadings_keyword,
    text_competing_links,
    image_keyphrase,
    images,
    text_length,
    external_links,
    keyphrase_in_seo_title,
    internal_links,
    title_width,
    slug_keyword,
    function_words_in_keyphrase,
    single_h1,
)

READABILITY_ASSESSMENTS: tuple[Callable[[Post], Assessment], ...] = (
    subheadings_too_long,
    paragraph_too_long,
    sentence_length,
    transition_words,
    passive_voice,
    text_presence,
    sentence_beginnings,
)
